import type { WorkflowDocument } from '@hookflow/engine';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTRPC, useTRPCClient } from '../lib/trpc.ts';

export type SaveStatus = 'saved' | 'saving' | 'unsaved' | 'failed';
export type SaveResult = { ok: true } | { ok: false; error: unknown };

/** How long the editor waits after the last change before saving the draft. */
export const AUTOSAVE_DELAY_MS = 1000;

/**
 * Saves the draft through `workflows.saveDraft`: a second after the last change, on demand
 * (`save()`, which resolves once the latest document is saved), and when the editor closes.
 * Saves run one at a time; the browser warns before leaving with unsaved changes.
 */
export function useAutosave(workflowId: string, document: WorkflowDocument) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const json = useMemo(() => JSON.stringify(document), [document]);

  const latest = useRef({ document, json });
  latest.current = { document, json };
  const savedJson = useRef(json);
  const inFlight = useRef<Promise<SaveResult> | null>(null);
  const [saved, setSaved] = useState(json);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const save = useCallback(async (): Promise<SaveResult> => {
    for (;;) {
      if (inFlight.current) {
        await inFlight.current;
        continue;
      }
      const { document: toSave, json: toSaveJson } = latest.current;
      if (toSaveJson === savedJson.current) return { ok: true };
      const attempt = client.workflows.saveDraft
        .mutate({ id: workflowId, document: toSave })
        .then(
          () => {
            savedJson.current = toSaveJson;
            setSaved(toSaveJson);
            setError(null);
            const done: SaveResult = { ok: true };
            void queryClient.invalidateQueries({ queryKey: trpc.workflows.list.queryKey() });
            void queryClient.invalidateQueries({
              queryKey: trpc.workflows.get.queryKey({ id: workflowId }),
            });
            return done;
          },
          (failure: unknown): SaveResult => {
            setError(failure);
            return { ok: false, error: failure };
          },
        )
        .finally(() => {
          inFlight.current = null;
          setSaving(false);
        });
      inFlight.current = attempt;
      setSaving(true);
      const result = await attempt;
      if (!result.ok) return result;
    }
  }, [client, queryClient, trpc, workflowId]);

  useEffect(() => {
    if (json === savedJson.current) return;
    const timer = window.setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [json, save]);

  const status: SaveStatus = saving
    ? 'saving'
    : json === saved
      ? 'saved'
      : error !== null
        ? 'failed'
        : 'unsaved';

  useEffect(() => {
    if (status === 'saved') return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [status]);

  // Leaving the editor inside the app (a link) saves what the timer had not saved yet.
  useEffect(
    () => () => {
      if (latest.current.json !== savedJson.current) void save();
    },
    [save],
  );

  return { status, error, save };
}
