import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../lib/trpc.ts';

/** How often, at most, a burst of live events refetches the runs shown. */
const REFETCH_EVERY_MS = 400;
/** Counts and statistics read many runs: refetched at most this often. */
const RECOUNT_EVERY_MS = 5000;

export type LiveState = 'live' | 'connecting' | 'offline';

/**
 * Keeps the run history current: subscribes to run and step changes (server-sent events) and
 * refetches the runs queries when one arrives, at most every 400 ms under a burst (counts and
 * statistics every 5 s). `runId` narrows it to one run's page.
 */
export function useLiveRuns({
  workflowId,
  runId,
}: {
  workflowId?: string | undefined;
  runId?: string | undefined;
} = {}): LiveState {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Per kind of query: the pending refetch, and when the next one may go (a throttle that
  // answers the first event of a quiet spell at once and a burst at most once per period).
  const timers = useRef({
    runs: { timer: null as number | null, readyAt: 0 },
    counts: { timer: null as number | null, readyAt: 0 },
  });

  useEffect(
    () => () => {
      for (const { timer } of Object.values(timers.current)) {
        if (timer !== null) window.clearTimeout(timer);
      }
    },
    [],
  );

  const later = (which: 'runs' | 'counts', every: number, refetch: () => void) => {
    const state = timers.current[which];
    if (state.timer !== null) return;
    const wait = Math.max(REFETCH_EVERY_MS, state.readyAt - Date.now());
    state.timer = window.setTimeout(() => {
      state.timer = null;
      state.readyAt = Date.now() + every;
      refetch();
    }, wait);
  };

  const subscription = useSubscription(
    trpc.live.runs.subscriptionOptions(workflowId ? { workflowId } : {}, {
      onData: (event) => {
        if (runId && event.type !== 'request' && event.runId !== runId) return;
        later('runs', 0, () => {
          void queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.runs.get.pathKey() });
        });
        later('counts', RECOUNT_EVERY_MS, () => {
          void queryClient.invalidateQueries({ queryKey: trpc.runs.counts.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.stats.pathKey() });
        });
      },
    }),
  );
  if (subscription.status === 'pending') return 'live';
  if (subscription.status === 'error') return 'offline';
  return 'connecting';
}
