import {
  compileWorkflow,
  executeWorkflow,
  parseWorkflowDocument,
  SECRET_MASK,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import { nodeRegistry } from '../index.ts';
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

  it('needs no authentication by default, and checks the auth settings', () => {
    expect(webhookTrigger.config.parse({}).auth).toEqual({ type: 'none' });
    expect(webhookTrigger.config.parse({ auth: { type: 'github', secrets: ['s'] } }).auth).toEqual({
      type: 'github',
      secrets: ['s'],
    });
    expect(webhookTrigger.config.safeParse({ auth: { type: 'github' } }).success).toBe(false);
    expect(webhookTrigger.summary?.(webhookTrigger.config.parse({}))).toBe(
      'POST · answers at once',
    );
    expect(
      webhookTrigger.summary?.(
        webhookTrigger.config.parse({ auth: { type: 'stripe', secrets: ['whsec_1'] } }),
      ),
    ).toBe('POST · answers at once · auth: stripe');
  });

  it('never records a secret in the step config, even one that looks like a template', async () => {
    // Not a valid expression either: the trigger's settings are never read as templates.
    const secrets = ['whsec_new_{{ (( }}', 'whsec_old_secret'];
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'signed',
      nodes: [
        {
          id: 't',
          key: 'trigger',
          type: 'webhook-trigger',
          name: 'Webhook',
          config: { auth: { type: 'stripe', secrets } },
        },
      ],
      edges: [],
    });
    if (!parsed.ok) throw new Error('the test document is not valid');
    const result = await executeWorkflow(compileWorkflow(parsed.document, nodeRegistry), {
      event: { method: 'POST', path: '/', headers: {}, query: {}, body: {}, receivedAt: '' },
      run: { id: 'run_1' },
      workflow: { id: 'w', name: 'signed', versionId: 'v' },
      services: {
        http: async () => {
          throw new Error('unused');
        },
        now: () => new Date(),
      },
    });
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]?.config).toMatchObject({
      auth: { type: 'stripe', secrets: SECRET_MASK, toleranceSeconds: 300 },
    });
    for (const secret of secrets) expect(JSON.stringify(result)).not.toContain(secret);
  });
});
