import { describe, expect, it } from 'vitest';
import { webhookTrigger } from './webhook-trigger.ts';

describe('webhook-trigger', () => {
  it('outputs the request that reached the trigger URL', async () => {
    const trigger = {
      method: 'POST',
      path: '/hooks/t',
      headers: { 'content-type': 'application/json' },
      query: { a: '1' },
      body: { x: 1 },
      receivedAt: '2026-01-01T00:00:00.000Z',
    };
    const output = await webhookTrigger.run({
      config: {},
      input: trigger,
      trigger,
      steps: {},
      node: { id: 't', key: 'trigger', name: 'Webhook', type: 'webhook-trigger' },
      run: { id: 'run_1' },
      signal: new AbortController().signal,
      services: {
        http: async () => {
          throw new Error('unused');
        },
        now: () => new Date(),
      },
    });
    expect(output).toEqual(trigger);
  });
});
