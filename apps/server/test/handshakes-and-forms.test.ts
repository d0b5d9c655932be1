import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookflow } from './helpers.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;

beforeAll(async () => {
  hookflow = await startHookflow();
});
afterAll(() => hookflow.close());

async function publish(trigger: Record<string, unknown>) {
  const document = {
    format: WORKFLOW_FORMAT,
    name: 'Forms and handshakes',
    nodes: [
      {
        id: 't',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: trigger,
        position: { x: 0, y: 0 },
      },
    ],
    edges: [],
    settings: {},
  };
  const imported = await hookflow.api.workflows.import.mutate({ document, publish: true });
  return { url: hookflow.localUrl(imported.triggerUrl), workflowId: imported.id };
}

describe('browsers and URL checks', () => {
  it('answers a CORS preflight for an allowed origin only, and HEAD', async () => {
    const { url } = await publish({ corsOrigins: ['https://shop.example.com'] });
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    const stranger = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(stranger.status).toBe(204);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(stranger.headers.get('allow')).toBe('POST, OPTIONS');

    const post = await fetch(url, {
      method: 'POST',
      headers: { origin: 'https://shop.example.com', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(202);
    expect(post.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');

    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
  });

  it('redirects a browser form post to the thank-you page after keeping it', async () => {
    const { url, workflowId } = await publish({ redirectUrl: 'https://www.example.com/thanks' });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Ada&email=ada%40example.com',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://www.example.com/thanks');
    const runs = await hookflow.api.runs.list.query({ workflowId });
    expect(runs.items).toHaveLength(1);
  });

  it("answers Slack's url_verification without running", async () => {
    const { url, workflowId } = await publish({ handshake: 'slack' });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: 'x',
        challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
        type: 'url_verification',
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
    expect((await hookflow.api.runs.list.query({ workflowId })).items).toHaveLength(0);
  });

  it("answers Meta's hub.challenge only with the right verify token", async () => {
    const { url, workflowId } = await publish({
      handshake: 'meta',
      metaVerifyToken: 'my-verify-token',
    });
    const good = await fetch(
      `${url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my-verify-token`,
    );
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('1158201444');
    const bad = await fetch(
      `${url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong`,
    );
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_verify_token' } });
    const log = await hookflow.api.requests.list.query({ workflowId });
    expect(log.items[0]).toMatchObject({ outcome: 'refused', reason: 'bad_verify_token' });
    expect(JSON.stringify(log)).not.toContain('my-verify-token');
  });
});
