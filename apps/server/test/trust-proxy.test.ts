import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import { startHookflow } from './helpers.ts';

/** A trigger that only accepts senders from 203.0.113.0/24; answers the status of one request. */
async function postFromForwarded(trustProxy: string | undefined) {
  const hookflow = await startHookflow(
    trustProxy === undefined ? {} : { config: { TRUST_PROXY: trustProxy } },
  );
  try {
    const imported = await hookflow.api.workflows.import.mutate({
      document: {
        format: WORKFLOW_FORMAT,
        name: 'Partners only',
        nodes: [
          {
            id: 't',
            key: 'trigger',
            type: 'webhook-trigger',
            name: 'Webhook',
            config: { auth: { type: 'ip-allowlist', cidrs: ['203.0.113.0/24'] } },
            position: { x: 0, y: 0 },
          },
        ],
        edges: [],
        settings: {},
      },
      publish: true,
    });
    const response = await fetch(hookflow.localUrl(imported.triggerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: '{}',
    });
    const [logged] = (await hookflow.api.requests.list.query({ workflowId: imported.id })).items;
    return { status: response.status, remoteAddress: logged?.remoteAddress };
  } finally {
    await hookflow.close();
  }
}

describe('TRUST_PROXY', () => {
  it('ignores X-Forwarded-For by default: a sender cannot claim an allowed address', async () => {
    expect(await postFromForwarded(undefined)).toEqual({ status: 403, remoteAddress: '127.0.0.1' });
  });

  it('believes it from a listed proxy', async () => {
    expect(await postFromForwarded('127.0.0.1')).toEqual({
      status: 202,
      remoteAddress: '203.0.113.9',
    });
  });

  it('does not believe it from another address', async () => {
    expect(await postFromForwarded('10.0.0.0/8')).toMatchObject({ remoteAddress: '127.0.0.1' });
  });
});
