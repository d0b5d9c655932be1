import { useEffect } from 'react';

/** Names the browser tab after the page: `Runs · Hookflow`. */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Hookflow` : 'Hookflow';
  }, [title]);
}
