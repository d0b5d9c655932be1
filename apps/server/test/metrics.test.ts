import { request } from 'node:http';
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

/** GET /metrics from `localAddress` (127.0.0.2 stands in for another machine). */
function getMetrics(address: string, headers: Record<string, string>, localAddress = '127.0.0.1') {
  const url = new URL('/metrics', address);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    request(url, { headers, localAddress }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('who may read /metrics', () => {
  it('without METRICS_TOKEN: this machine only, not another one and not anyone through a proxy', async () => {
    expect((await getMetrics(hookflow.address, {})).status).toBe(200);
    const remote = await getMetrics(hookflow.address, {}, '127.0.0.2');
    expect(remote.status).toBe(403);
    expect(JSON.parse(remote.body)).toEqual({
      error: {
        code: 'metrics_forbidden',
        message:
          'metrics are served to this machine only, not through a proxy; set METRICS_TOKEN to read them remotely',
      },
    });
    // A reverse proxy on this machine connects from loopback on behalf of anyone.
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      expect((await getMetrics(hookflow.address, { [header]: '203.0.113.9' })).status).toBe(403);
    }
  });

  it('with METRICS_TOKEN: whoever sends it as a Bearer token, from anywhere', async () => {
    const token = 'a-metrics-token-of-32-characters';
    const guarded = await startHookflow({ config: { METRICS_TOKEN: token } });
    try {
      for (const authorization of [undefined, 'Bearer wrong', token, `Bearer ${token}x`]) {
        const answer = await getMetrics(guarded.address, authorization ? { authorization } : {});
        expect(answer.status).toBe(401);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'metrics_forbidden' } });
      }
      const remote = await getMetrics(
        guarded.address,
        { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9' },
        '127.0.0.2',
      );
      expect(remote.status).toBe(200);
      expect(remote.body).toContain('hookflow_queue_depth');
    } finally {
      await guarded.close();
    }
  });
});
