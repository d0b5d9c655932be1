import { nodes } from '@hookflow/nodes';

export interface NodeTypeLabel {
  label: string;
  icon: string;
  /** False for a type this build does not know (a newer document, or a removed node type). */
  known: boolean;
}

const catalogue = new Map(nodes.map((definition) => [definition.type, definition]));

/** How a node type reads in lists: its catalogue label and glyph. */
export function nodeTypeLabel(type: string): NodeTypeLabel {
  const definition = catalogue.get(type);
  return definition
    ? { label: definition.label, icon: definition.icon, known: true }
    : { label: type, icon: '?', known: false };
}
