import { createContext, useContext } from 'react';

/**
 * True where the fields show a value the person may read but not change (a viewer in the
 * editor). Native inputs follow a disabled `<fieldset>`; the CodeMirror fields read this.
 */
export const ReadOnlyFieldsContext = createContext(false);

export function useReadOnlyFields(): boolean {
  return useContext(ReadOnlyFieldsContext);
}
