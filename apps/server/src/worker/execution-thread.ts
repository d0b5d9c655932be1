/**
 * An execution thread: runs jobs for the executor in the main thread. It has its own heap
 * limit, and the main thread terminates it when it stops answering, so a runaway step cannot
 * take the process down with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { NodeRegistry } from '@hookflow/engine';
import { createNodeServices } from '../services.ts';
import type { FromThread, ToThread } from './executor.ts';
import { createPlanCache, createVersionDocuments, runJob } from './run-job.ts';
import { stepProgress } from './step-progress.ts';

if (!parentPort) throw new Error('execution-thread.ts runs as a worker thread');
const port = parentPort;
const options = workerData as {
  registryModule?: string;
  outboundAllow?: string;
  progress: SharedArrayBuffer;
};
// The node catalogue; tests load one with misbehaving nodes to prove the isolation.
// A literal import, so that the compiled server bundles the catalogue into this thread.
const { nodeRegistry } = (
  options.registryModule ? await import(options.registryModule) : await import('@hookflow/nodes')
) as { nodeRegistry: NodeRegistry };
const planFor = createPlanCache(nodeRegistry);
const services = createNodeServices({ outboundAllow: options.outboundAllow ?? '' });
const aborts = new Map<number, AbortController>();
const documents = createVersionDocuments();
const progress = stepProgress(options.progress);
/** Each document's node ids by their index in it, for `progress`. */
const nodeIndexes = new WeakMap<object, Map<string, number>>();
const nodeIndex = (document: unknown, nodeId: string): number => {
  const key = document as { nodes: { id: string }[] };
  let indexes = nodeIndexes.get(key);
  if (!indexes) {
    indexes = new Map(key.nodes.map((node, index) => [node.id, index]));
    nodeIndexes.set(key, indexes);
  }
  return indexes.get(nodeId) ?? -1;
};

// Messages go to the main thread in batches, one postMessage per turn rather than one per step:
// under load each message costs more than the step it reports. A step's start is not a message
// but a write to memory shared with the main thread (step-progress.ts).
let outbox: FromThread[] = [];
let flushScheduled = false;
const flush = () => {
  flushScheduled = false;
  if (outbox.length === 0) return;
  const batch = outbox;
  outbox = [];
  port.postMessage(batch);
};
const send = (message: FromThread) => {
  outbox.push(message);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
};
const sendNow = (message: FromThread) => {
  outbox.push(message);
  flush();
};

const receive = (message: ToThread) => {
  if (message.type === 'ping') {
    sendNow({ type: 'pong' });
  } else if (message.type === 'cancel') {
    aborts.get(message.jobId)?.abort();
  } else if (message.type === 'run') {
    const { jobId } = message;
    // The document comes with a version's first job only (createVersionDocuments).
    if (message.job.document !== undefined) {
      documents.remember(message.job.versionId, message.job.document);
    }
    const job = { ...message.job, document: documents.get(message.job.versionId) };
    if (job.document === undefined) {
      send({
        type: 'error',
        jobId,
        message: `the document of version ${job.versionId} was not sent`,
      });
      return;
    }
    const abort = new AbortController();
    aborts.set(jobId, abort);
    runJob(
      job,
      planFor,
      services,
      {
        onStepStart: (nodeId) => progress.started(jobId, nodeIndex(job.document, nodeId)),
        onStep: (step) => send({ type: 'step', jobId, step }),
      },
      abort.signal,
    )
      .then((result) => send({ type: 'done', jobId, result }))
      .catch((error: unknown) =>
        send({
          type: 'error',
          jobId,
          message: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => aborts.delete(jobId));
  }
};

port.on('message', (messages: ToThread[]) => {
  for (const message of messages) receive(message);
});

sendNow({ type: 'ready' });
