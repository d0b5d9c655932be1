import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics, one registry per server (no global state, so tests can run several
 * servers in one process). Served at GET /metrics.
 */
export function createMetrics(options: { queueDepth: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookflow_' });
  const requests = new Counter({
    name: 'hookflow_webhook_requests_total',
    help: 'Requests that reached a trigger URL, by outcome (accepted, sample, duplicate, refused) and reason',
    labelNames: ['outcome', 'reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'hookflow_queue_depth',
    help: 'Runs waiting to be executed',
    registers: [registry],
    collect() {
      this.set(options.queueDepth());
    },
  });
  const runs = new Counter({
    name: 'hookflow_runs_finished_total',
    help: 'Runs that finished, by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: 'hookflow_run_duration_seconds',
    help: 'From the start of execution to the final status',
    labelNames: ['status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: 'hookflow_step_duration_seconds',
    help: 'Duration of each step, by node type and status',
    labelNames: ['node_type', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const httpCalls = new Counter({
    name: 'hookflow_http_node_calls_total',
    help: 'HTTP request node calls by response status class (2xx, 4xx, 5xx, error)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  return {
    registry,
    request(outcome: string, reason = '') {
      requests.inc({ outcome, reason });
    },
    runFinished(status: string, seconds: number) {
      runs.inc({ status });
      runDuration.observe({ status }, seconds);
    },
    step(nodeType: string, status: string, seconds: number, httpStatus?: number) {
      stepDuration.observe({ node_type: nodeType, status }, seconds);
      if (nodeType === 'http-request') {
        httpCalls.inc({ status: httpStatus ? `${Math.floor(httpStatus / 100)}xx` : 'error' });
      }
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
