/**
 * Which step each job of a thread is running, shared with the thread: job `id` owns the cell
 * pair at `(id % PROGRESS_CELLS) * 2`, holding its id and the index in its document's nodes of
 * the step that started last. The thread writes it before each step, without a message (a
 * message per step cost more than the steps of a short run), so that when a step hangs the
 * thread the main thread still knows which step it was. Two jobs share a pair only with more
 * than PROGRESS_CELLS jobs in one thread; the id in the pair tells which wrote it last.
 */
const PROGRESS_CELLS = 4096;

/** The memory a thread and the main thread share for `stepProgress`. */
export const progressBuffer = () =>
  new SharedArrayBuffer(PROGRESS_CELLS * 2 * Int32Array.BYTES_PER_ELEMENT);

export function stepProgress(buffer: SharedArrayBuffer) {
  const cells = new Int32Array(buffer);
  const at = (jobId: number) => (jobId % PROGRESS_CELLS) * 2;
  return {
    /** In the thread: job `jobId` starts the step at `nodeIndex` of its document's nodes. */
    started(jobId: number, nodeIndex: number) {
      Atomics.store(cells, at(jobId) + 1, nodeIndex);
      Atomics.store(cells, at(jobId), jobId | 0);
    },
    /** In the main thread: the index of the step job `jobId` started last, if one was. */
    current(jobId: number): number | undefined {
      if (Atomics.load(cells, at(jobId)) !== (jobId | 0)) return undefined;
      const index = Atomics.load(cells, at(jobId) + 1);
      return index >= 0 ? index : undefined;
    },
  };
}
