import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, forwardingWorkflow, startHookflow, startSink } from './helpers.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  hookflow = await startHookflow();
  sink = await startSink();
});
afterAll(async () => {
  await hookflow.close();
  await sink.close();
});

describe('GET /metrics', () => {
  it('counts accepted and refused requests by reason, in Prometheus format, for loopback readers', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const url = hookflow.localUrl(imported.triggerUrl);
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    await fetch(url, { method: 'PUT', body: '{}' });

    const text = await eventually(async () => {
      const response = await fetch(`${hookflow.address}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const body = await response.text();
      return body.includes('hookflow_runs_finished_total{status="succeeded"} 1') ? body : undefined;
    });
    expect(text).toContain('hookflow_webhook_requests_total{outcome="accepted",reason=""} 1');
    expect(text).toContain(
      'hookflow_webhook_requests_total{outcome="refused",reason="invalid_json"} 1',
    );
    expect(text).toContain(
      'hookflow_webhook_requests_total{outcome="refused",reason="method_not_allowed"} 1',
    );
    expect(text).toMatch(/hookflow_queue_depth \d+/);
    expect(text).toContain('hookflow_runs_finished_total{status="succeeded"} 1');
    expect(text).toContain('hookflow_http_node_calls_total{status="2xx"} 1');
    expect(text).toMatch(
      /hookflow_step_duration_seconds_count\{node_type="http-request",status="succeeded"\} 1/,
    );
    expect(text).toContain('hookflow_process_resident_memory_bytes');
  });
});
