import type { StepRecord } from '@hookflow/db';
import {
  compileWorkflow,
  executeWorkflow,
  type HttpRequest,
  parseWorkflowDocument,
  type RunResult,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { describe, expect, it } from 'vitest';
import { compareRuns, diffValues, documentFingerprint, summaryText } from './draft-check.ts';

const TOKEN = 'crm-token-0123456789';
const credentials = (id: string) =>
  id === 'cred_crm' ? { type: 'bearer', details: {} } : undefined;

/** Webhook -> router (by country) -> HTTP request on the `eu` route. */
function document(options: { url?: string; euCountries?: string[]; total?: string } = {}) {
  const parsed = parseWorkflowDocument({
    format: WORKFLOW_FORMAT,
    name: 'Orders',
    nodes: [
      { id: 't', key: 'trigger', type: 'webhook-trigger', name: '', config: {} },
      {
        id: 'r',
        key: 'region',
        type: 'router',
        name: '',
        config: {
          routes: [
            {
              id: 'eu',
              name: 'EU',
              conditions: {
                combinator: 'all',
                items: [
                  {
                    type: 'text',
                    value: '{{ trigger.body.country }}',
                    operator: 'matches-regex',
                    operand: `^(${(options.euCountries ?? ['DE', 'FR']).join('|')})$`,
                  },
                ],
              },
            },
          ],
        },
      },
      {
        id: 'h',
        key: 'crm',
        type: 'http-request',
        name: '',
        config: {
          url: options.url ?? 'https://crm.example.com/orders',
          auth: { $credential: 'cred_crm' },
          body: { total: options.total ?? '{{ trigger.body.total }}' },
        },
      },
    ],
    edges: [
      { id: 'e1', source: 't', target: 'r' },
      { id: 'e2', source: 'r', sourceHandle: 'eu', target: 'h' },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

async function execute(
  doc: ReturnType<typeof document>,
  body: unknown,
  dryRun: boolean,
): Promise<{ result: RunResult; sent: HttpRequest[] }> {
  const sent: HttpRequest[] = [];
  const result = await executeWorkflow(compileWorkflow(doc, nodeRegistry), {
    event: { method: 'POST', path: '/', headers: {}, query: {}, body, receivedAt: '' },
    run: { id: 'run_1' },
    workflow: { id: 'wf', name: 'Orders', versionId: 'v' },
    services: {
      now: () => new Date(),
      http: async (request) => {
        sent.push(request);
        return { status: 200, headers: {}, body: new Uint8Array(), url: request.url };
      },
      credentials: (id) => ({
        id,
        name: 'CRM',
        type: 'bearer',
        value: { type: 'bearer', token: TOKEN },
        secrets: [TOKEN],
      }),
    },
    dryRun,
  });
  return { result, sent };
}

/** A run as the history holds it. */
const recorded = (result: RunResult) => ({
  status: result.status,
  error: result.error,
  steps: result.steps.map(
    (step): StepRecord => ({
      ...step,
      startedAt: Date.parse(step.startedAt),
      finishedAt: Date.parse(step.finishedAt),
      resumeAt: null,
    }),
  ),
});

describe('compareRuns', () => {
  it('finds nothing when the draft does what the published version did', async () => {
    const before = await execute(document(), { country: 'DE', total: 10 }, false);
    const after = await execute(document(), { country: 'DE', total: 10 }, true);
    expect(before.sent).toHaveLength(1);
    expect(after.sent).toHaveLength(0);
    expect(compareRuns(nodeRegistry, credentials, recorded(before.result), after.result)).toEqual({
      verdict: 'same',
      differences: [],
    });
  });

  it('reports a new route and the request that would now be sent, its credential masked', async () => {
    const before = await execute(document(), { country: 'IT', total: 10 }, false);
    const after = await execute(
      document({ euCountries: ['DE', 'FR', 'IT'] }),
      { country: 'IT', total: 10 },
      true,
    );
    const { verdict, differences } = compareRuns(
      nodeRegistry,
      credentials,
      recorded(before.result),
      after.result,
    );
    expect(verdict).toBe('changed');
    expect(differences).toEqual([
      {
        kind: 'route',
        nodeId: 'r',
        nodeKey: 'region',
        nodeType: 'router',
        before: ['else'],
        after: ['eu'],
      },
      {
        kind: 'effect-added',
        nodeId: 'h',
        nodeKey: 'crm',
        nodeType: 'http-request',
        summary: 'sends an HTTP request',
        effect: {
          request: {
            method: 'POST',
            url: 'https://crm.example.com/orders',
            headers: { 'content-type': 'application/json', authorization: 'Bearer ••••••' },
            body: { total: 10 },
          },
        },
      },
    ]);
    expect(JSON.stringify(differences)).not.toContain(TOKEN);
  });

  it('diffs the request field by field, and calls a draft that fails where it did not a new failure', async () => {
    const before = await execute(document(), { country: 'FR', total: 10 }, false);
    const moved = await execute(
      document({ url: 'https://crm.example.com/v2/orders' }),
      { country: 'FR', total: 10 },
      true,
    );
    expect(compareRuns(nodeRegistry, credentials, recorded(before.result), moved.result)).toEqual({
      verdict: 'changed',
      differences: [
        expect.objectContaining({
          kind: 'effect',
          nodeKey: 'crm',
          changes: [
            {
              path: 'request.url',
              change: 'changed',
              before: 'https://crm.example.com/orders',
              after: 'https://crm.example.com/v2/orders',
            },
          ],
        }),
      ],
    });

    const broken = await execute(
      document({ total: '{{ $notAFunction() }}' }),
      { country: 'FR', total: 10 },
      true,
    );
    const failed = compareRuns(nodeRegistry, credentials, recorded(before.result), broken.result);
    expect(failed.verdict).toBe('new-failure');
    // It fails before the request leaves: no request would be sent.
    expect(failed.differences.map((difference) => difference.kind)).toEqual([
      'outcome',
      'failure',
      'effect-removed',
    ]);

    // And the other way round: fixed.
    const fixed = compareRuns(nodeRegistry, credentials, recorded(broken.result), before.result);
    expect(fixed.verdict).toBe('fixed');
  });

  it('says when a recorded step cannot be read back instead of guessing', async () => {
    const before = await execute(document(), { country: 'DE', total: 10 }, false);
    const history = recorded(before.result);
    history.steps[2] = { ...history.steps[2]!, config: '[cut: 2 MB]' };
    const after = await execute(document(), { country: 'DE', total: 10 }, true);
    const { verdict, differences } = compareRuns(nodeRegistry, credentials, history, after.result);
    expect(verdict).toBe('same');
    expect(differences).toEqual([expect.objectContaining({ kind: 'unreadable', nodeKey: 'crm' })]);
  });
});

describe('diffValues', () => {
  it('lists added, removed and changed leaves with their paths', () => {
    expect(
      diffValues(
        { request: { headers: { a: '1', b: '2' }, body: { items: [1, 2], n: 1 } } },
        { request: { headers: { a: '1', c: '3' }, body: { items: [1, 3], n: 1 } } },
      ),
    ).toEqual([
      { path: 'request.headers.b', change: 'removed', before: '2' },
      { path: 'request.headers.c', change: 'added', after: '3' },
      { path: 'request.body.items[1]', change: 'changed', before: 2, after: 3 },
    ]);
  });
});

describe('documentFingerprint', () => {
  it('does not depend on the order of keys', () => {
    const a = document();
    const reversed = (value: object) => Object.fromEntries(Object.entries(value).reverse());
    const b = { ...a, nodes: a.nodes.map(reversed) } as typeof a;
    expect(documentFingerprint(b)).toBe(documentFingerprint(a));
    expect(documentFingerprint(document({ url: 'https://other.example.com/' }))).not.toBe(
      documentFingerprint(a),
    );
  });
});

describe('summaryText', () => {
  it('says what changed in one sentence', () => {
    const base = { checked: 50, unchanged: 38, changed: 12, newFailures: 3, fixed: 1 };
    expect(summaryText({ ...base, failedInDraft: 3, skipped: 0, checkedAt: 0 })).toBe(
      '50 events checked, 12 would change (3 new failures, 1 fixed), 38 the same.',
    );
  });
});
