import type { WorkflowDocument } from '@hookflow/engine';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { isApiError, useTRPC, useTRPCClient } from '../lib/trpc.ts';

export type SaveStatus = 'saved' | 'saving' | 'unsaved' | 'failed' | 'conflict';
export type SaveResult = { ok: true } | { ok: false; error: unknown };

/** How long the editor waits after the last change before saving the draft. */
export const AUTOSAVE_DELAY_MS = 1000;

/**
 * Saves the draft through `workflows.saveDraft`: a second after the last change, on demand
 * (`save()`, which resolves once the latest document is saved), and when the editor closes.
 * Saves run one at a time; the browser warns before leaving with unsaved changes.
 *
 * Each save names the draft revision it builds on. When the draft was saved elsewhere since
 * (another tab), the server refuses and autosave stops (`conflict`) until the user reloads or
 * chooses `overwrite()`.
 */
export function useAutosave(workflowId: string, document: WorkflowDocument, revision: number) {
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
  const baseRevision = useRef(revision);
  const [conflict, setConflict] = useState(false);
  /** Set by overwrite(): the next save replaces whatever the server has. */
  const force = useRef(false);

  const save = useCallback(async (): Promise<SaveResult> => {
    for (;;) {
      if (inFlight.current) {
        await inFlight.current;
        continue;
      }
      const { document: toSave, json: toSaveJson } = latest.current;
      if (toSaveJson === savedJson.current) return { ok: true };
      const attempt = client.workflows.saveDraft
        .mutate({
          id: workflowId,
          document: toSave,
          ...(force.current ? {} : { baseRevision: baseRevision.current }),
        })
        .then(
          (result) => {
            baseRevision.current = result.revision;
            force.current = false;
            setConflict(false);
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
            if (isApiError(failure) && failure.data?.code === 'CONFLICT') setConflict(true);
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
    if (json === savedJson.current || conflict) return;
    const timer = window.setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [json, save, conflict]);

  /** Saves this tab's draft over the one saved elsewhere. */
  const overwrite = useCallback(() => {
    force.current = true;
    return save();
  }, [save]);

  /** The server's draft is now `adoptedJson` at `revision` (a version was restored into it). */
  const adopt = useCallback((adoptedJson: string, adoptedRevision: number) => {
    baseRevision.current = adoptedRevision;
    savedJson.current = adoptedJson;
    setSaved(adoptedJson);
    setConflict(false);
    setError(null);
  }, []);

  const status: SaveStatus = saving
    ? 'saving'
    : json === saved
      ? 'saved'
      : conflict
        ? 'conflict'
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

  return {
    status,
    error,
    save,
    overwrite,
    adopt,
    /** The draft revision the next save builds on. */
    revision: () => baseRevision.current,
  };
}
