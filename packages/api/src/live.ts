/** What the server tells live subscribers (the editor, the run history) as it happens. */
export type LiveEvent =
  | {
      type: 'request';
      workflowId: string;
      outcome: 'accepted' | 'sample' | 'duplicate' | 'refused';
      eventId: string | null;
      runId: string | null;
      receivedAt: number;
    }
  | { type: 'run'; workflowId: string; runId: string; status: string }
  | { type: 'step'; workflowId: string; runId: string; nodeId: string; status: string };

export interface LiveEvents {
  publish(event: LiveEvent): void;
  /** Returns the function that stops the subscription. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

/** An in-process hub; a multi-machine deployment would back this with Redis pub/sub. */
export function createLiveEvents(): LiveEvents {
  const listeners = new Set<(event: LiveEvent) => void>();
  return {
    publish(event) {
      for (const listener of listeners) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Turns subscriber callbacks into an async iterable for a tRPC subscription, bounded so a slow
 * client cannot make the server hold events without end (the oldest are dropped).
 */
export async function* liveStream(
  live: LiveEvents,
  accept: (event: LiveEvent) => boolean,
  signal: AbortSignal | undefined,
  maxBuffered = 1000,
): AsyncGenerator<LiveEvent> {
  const buffer: LiveEvent[] = [];
  let wake: (() => void) | null = null;
  const stop = live.subscribe((event) => {
    if (!accept(event)) return;
    if (buffer.length >= maxBuffered) buffer.shift();
    buffer.push(event);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      const next = buffer.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = () => {
          wake = null;
          resolve();
        };
      });
    }
  } finally {
    stop();
    signal?.removeEventListener('abort', onAbort);
  }
}
