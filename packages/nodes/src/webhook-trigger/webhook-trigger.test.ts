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
      config: webhookTrigger.config.parse({}),
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

  it('defaults to POST answered at once, and refuses bad settings', () => {
    expect(webhookTrigger.config.parse({})).toMatchObject({
      methods: ['POST'],
      responseMode: 'immediate',
    });
    expect(webhookTrigger.config.safeParse({ methods: [] }).success).toBe(false);
    expect(webhookTrigger.config.safeParse({ methods: ['TRACE'] }).success).toBe(false);
    expect(
      webhookTrigger.config.safeParse({ responseHeaders: [{ name: 'bad name', value: 'x' }] })
        .success,
    ).toBe(false);
    expect(webhookTrigger.config.safeParse({ responseStatus: 700 }).success).toBe(false);
  });
});
