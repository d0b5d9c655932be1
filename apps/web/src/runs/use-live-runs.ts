import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../lib/trpc.ts';

/** How often, at most, a burst of live events refetches the run history. */
const REFETCH_EVERY_MS = 400;

export type LiveState = 'live' | 'connecting' | 'offline';

/**
 * Keeps the run history current: subscribes to run and step changes (server-sent events) and
 * refetches the runs queries when one arrives, at most every 400 ms under a burst.
 * `runId` narrows it to one run's page.
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
  const timer = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  const subscription = useSubscription(
    trpc.live.runs.subscriptionOptions(workflowId ? { workflowId } : {}, {
      onData: (event) => {
        if (runId && event.type !== 'request' && event.runId !== runId) return;
        if (timer.current !== null) return;
        timer.current = window.setTimeout(() => {
          timer.current = null;
          void queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.stats.pathKey() });
        }, REFETCH_EVERY_MS);
      },
    }),
  );
  if (subscription.status === 'pending') return 'live';
  if (subscription.status === 'error') return 'offline';
  return 'connecting';
}
