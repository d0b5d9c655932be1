/** What a run's steps say about its graph and its timing. Pure, so it is unit-tested. */

/** A node's state in one run: its step's status, or why it has none. */
export type NodeRunState<Status extends string = string> = Status | 'skipped' | 'pending';

interface StepLike {
  nodeId: string;
  nodeKey: string;
  status: string;
  startedAt: number;
  finishedAt: number;
  attempt: number;
}

/**
 * Each node's state in this run: its latest step's status; a node with no step did not run
 * (the run is over) or has not run yet (`pending`).
 */
export function nodeRunStates<Step extends StepLike>(
  document: { nodes: readonly { id: string }[] },
  steps: readonly Step[],
  runFinished: boolean,
): Map<string, NodeRunState<Step['status']>> {
  const latest = latestSteps(steps);
  return new Map<string, NodeRunState<Step['status']>>(
    document.nodes.map((node) => [
      node.id,
      latest.get(node.id)?.status ?? (runFinished ? 'skipped' : 'pending'),
    ]),
  );
}

/** The last recorded step of each node (a resumed run records a node again). */
export function latestSteps<Step extends StepLike>(steps: readonly Step[]): Map<string, Step> {
  const latest = new Map<string, Step>();
  for (const step of steps) latest.set(step.nodeId, step);
  return latest;
}

export interface WaterfallBar<Step> {
  step: Step;
  /** Where the bar starts and how wide it is, as fractions (0..1) of the whole timeline. */
  offset: number;
  width: number;
}

/** Every step as a bar on one timeline from the first step's start to the last one's end. */
export function waterfall<Step extends StepLike>(
  steps: readonly Step[],
): { start: number; end: number; bars: WaterfallBar<Step>[] } {
  if (steps.length === 0) return { start: 0, end: 0, bars: [] };
  const start = Math.min(...steps.map((step) => step.startedAt));
  const end = Math.max(...steps.map((step) => step.finishedAt));
  const span = Math.max(1, end - start);
  return {
    start,
    end,
    bars: steps.map((step) => ({
      step,
      offset: (step.startedAt - start) / span,
      width: Math.max(0, step.finishedAt - step.startedAt) / span,
    })),
  };
}
