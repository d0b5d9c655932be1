import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createNodeRegistry,
  createSecretScrubber,
  defineNode,
  emit,
  type NodeServices,
  SECRET_MASK,
  suspendUntil,
  type TriggerEvent,
} from './define-node.ts';
import { recordedEffect } from './dry-run.ts';
import {
  compileWorkflow,
  executeWorkflow,
  type StepResult,
  WorkflowInvalidError,
} from './execute.ts';
import { validateWorkflow } from './validate.ts';
import { parseWorkflowDocument, WORKFLOW_FORMAT, type WorkflowDocument } from './workflow.ts';

const trigger = defineNode({
  type: 'test-trigger',
  label: 'Trigger',
  description: '',
  group: 'trigger',
  icon: 'T',
  trigger: true,
  config: z.object({}),
  defaults: {},
  form: [],
  run: ({ trigger }) => trigger,
});
const setValue = defineNode({
  type: 'set',
  label: 'Set',
  description: '',
  group: 'data',
  icon: 'S',
  config: z.object({ value: z.unknown().optional(), count: z.number().optional() }),
  defaults: { value: null },
  form: [],
  run: ({ config }) => config.value,
});
const gate = defineNode({
  type: 'gate',
  label: 'Gate',
  description: '',
  group: 'flow',
  icon: 'G',
  config: z.object({ pass: z.boolean() }),
  defaults: { pass: true },
  form: [],
  outputs: () => [{ id: 'main' }, { id: 'other' }],
  run: ({ config, input }) => (config.pass ? input : emit(input, [], { filtered: true })),
});
const route = defineNode({
  type: 'route',
  label: 'Route',
  description: '',
  group: 'flow',
  icon: 'R',
  config: z.object({ to: z.string() }),
  defaults: { to: 'a' },
  form: [],
  outputs: () => [{ id: 'a' }, { id: 'b' }],
  run: ({ config, input }) => emit(input, [config.to]),
});
const fail = defineNode({
  type: 'fail',
  label: 'Fail',
  description: '',
  group: 'action',
  icon: 'F',
  config: z.object({}),
  defaults: {},
  form: [],
  run: () => {
    throw Object.assign(new Error('boom'), { code: 'BOOM' });
  },
});
const hang = defineNode({
  type: 'hang',
  label: 'Hang',
  description: '',
  group: 'action',
  icon: 'H',
  config: z.object({}),
  defaults: {},
  form: [],
  run: ({ signal }) =>
    new Promise((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    ),
});
const wait = defineNode({
  type: 'wait',
  label: 'Wait',
  description: '',
  group: 'flow',
  icon: 'W',
  config: z.object({ until: z.string() }),
  defaults: { until: '' },
  form: [],
  run: ({ config, input }) => suspendUntil(new Date(config.until), { waitedFor: input }),
});
/** Acts outside the run: counts what it "sent" in `outbox`. */
const outbox: unknown[] = [];
const send = defineNode({
  type: 'send',
  label: 'Send',
  description: '',
  group: 'action',
  icon: '↗',
  config: z.object({ to: z.string(), secret: z.string().default('') }),
  defaults: { to: '' },
  form: [],
  secretFields: ['secret'],
  sideEffects: {
    summary: 'sends a message',
    effect: (config) => ({ message: { to: config.to } }),
  },
  run: ({ config }) => {
    outbox.push(config.to);
    return { delivered: config.to };
  },
});
const registry = createNodeRegistry([trigger, setValue, gate, route, fail, hang, wait, send]);

const services: NodeServices = {
  http: async () => {
    throw new Error('no network in this test');
  },
  now: () => new Date(),
};
const event: TriggerEvent = {
  method: 'POST',
  path: '/hooks/x',
  headers: {},
  query: {},
  body: { n: 2, name: 'Ada' },
  receivedAt: '2026-01-01T00:00:00.000Z',
};

type NodeSpec = {
  id: string;
  type: string;
  config?: Record<string, unknown>;
  onError?: 'stop' | 'continue';
};
function doc(nodes: NodeSpec[], edges: [string, string, string?][]): WorkflowDocument {
  const parsed = parseWorkflowDocument({
    format: WORKFLOW_FORMAT,
    name: 'test',
    nodes: nodes.map((n) => ({
      id: n.id,
      key: n.id,
      type: n.type,
      name: n.id,
      config: n.config ?? {},
      ...(n.onError ? { onError: n.onError } : {}),
    })),
    edges: edges.map(([source, target, sourceHandle]) => ({
      id: `${source}-${target}`,
      source,
      target,
      ...(sourceHandle ? { sourceHandle } : {}),
    })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.document;
}

const run = (
  document: WorkflowDocument,
  extra: Partial<Parameters<typeof executeWorkflow>[1]> = {},
) =>
  executeWorkflow(compileWorkflow(document, registry, { defaultNodeTimeoutMs: 200 }), {
    event,
    run: { id: 'run_1' },
    workflow: { id: 'wf', name: 'test', versionId: 'v1' },
    services,
    ...extra,
  });

describe('executeWorkflow', () => {
  it('runs a chain, passing input along and evaluating expressions against steps', async () => {
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'double', type: 'set', config: { value: '{{ trigger.body.n * 2 }}' } },
          {
            id: 'greet',
            type: 'set',
            config: { value: 'Hi {{ trigger.body.name }}, {{ steps.double }} / {{ input }}' },
          },
        ],
        [
          ['trigger', 'double'],
          ['double', 'greet'],
        ],
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.nodeKey, s.status, s.output])).toEqual([
      ['trigger', 'succeeded', event],
      ['double', 'succeeded', 4],
      ['greet', 'succeeded', 'Hi Ada, 4 / 4'],
    ]);
    expect(result.steps[2]?.input).toBe(4);
    expect(result.output).toBe('Hi Ada, 4 / 4');
  });

  it('stops at a failing node and names it', async () => {
    const seen: StepResult[] = [];
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'bad', type: 'fail' },
          { id: 'after', type: 'set', config: { value: 1 } },
        ],
        [
          ['trigger', 'bad'],
          ['bad', 'after'],
        ],
      ),
      { onStep: (step) => void seen.push(step) },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ nodeId: 'bad', message: 'boom', code: 'BOOM' });
    expect(seen.map((s) => s.nodeKey)).toEqual(['trigger', 'bad']);
  });

  it('continues through the error output when the node says so', async () => {
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'bad', type: 'fail', onError: 'continue' },
          { id: 'ok', type: 'set', config: { value: 'fine' } },
          { id: 'recover', type: 'set', config: { value: '{{ input.error.message }}' } },
        ],
        [
          ['trigger', 'bad'],
          ['bad', 'ok'],
          ['bad', 'recover', 'error'],
        ],
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => s.nodeKey)).toEqual(['trigger', 'bad', 'recover']);
    expect(result.output).toBe('boom');
  });

  it('marks the run filtered when a gate stops every path', async () => {
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'gate', type: 'gate', config: { pass: false } },
          { id: 'end', type: 'set', config: { value: 1 } },
        ],
        [
          ['trigger', 'gate'],
          ['gate', 'end'],
        ],
      ),
    );
    expect(result.status).toBe('filtered');
    expect(result.steps.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['gate', 'filtered'],
    ]);
  });

  it('runs only the branch a router chose, and a join runs once', async () => {
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'route', type: 'route', config: { to: 'b' } },
          { id: 'left', type: 'set', config: { value: 'L' } },
          { id: 'right', type: 'set', config: { value: 'R' } },
          { id: 'join', type: 'set', config: { value: '{{ input }}' } },
        ],
        [
          ['trigger', 'route'],
          ['route', 'left', 'a'],
          ['route', 'right', 'b'],
          ['left', 'join'],
          ['right', 'join'],
        ],
      ),
    );
    expect(result.steps.map((s) => s.nodeKey)).toEqual(['trigger', 'route', 'right', 'join']);
    expect(result.output).toBe('R');
  });

  it('fails a step whose resolved config does not fit the schema, naming the field', async () => {
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'typed', type: 'set', config: { value: 1, count: '{{ "three" }}' } },
        ],
        [['trigger', 'typed']],
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ field: 'count', code: 'CONFIG' });
  });

  it('fails a step whose expression fails, naming the field and position', async () => {
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'x', type: 'set', config: { value: 'a {{ $number("nope") }}' } },
        ],
        [['trigger', 'x']],
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error?.field).toBe('value');
    expect(result.error?.position).toBeGreaterThanOrEqual(4);
  });

  it('times a node out through its AbortSignal', async () => {
    const result = await run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'slow', type: 'hang' },
        ],
        [['trigger', 'slow']],
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ nodeId: 'slow', code: 'TIMEOUT' });
  });

  it('cancels a running node when the run is aborted', async () => {
    const controller = new AbortController();
    const pending = run(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'slow', type: 'hang' },
        ],
        [['trigger', 'slow']],
      ),
      {
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(), 20);
    const result = await pending;
    expect(result.status).toBe('canceled');
    expect(result.error).toMatchObject({ nodeId: 'slow', code: 'CANCELED' });
  });

  it('does not run again the steps that already finished', async () => {
    const document = doc(
      [
        { id: 'trigger', type: 'test-trigger' },
        { id: 'a', type: 'set', config: { value: 'A' } },
        { id: 'b', type: 'set', config: { value: '{{ steps.a }}!' } },
      ],
      [
        ['trigger', 'a'],
        ['a', 'b'],
      ],
    );
    const completed = new Map([
      ['trigger', { output: event, handles: ['main'], status: 'succeeded' as const }],
      ['a', { output: 'remembered', handles: ['main'], status: 'succeeded' as const }],
    ]);
    const result = await run(document, { completed, attempt: 2 });
    expect(result.steps.map((s) => [s.nodeKey, s.attempt])).toEqual([['b', 2]]);
    expect(result.output).toBe('remembered!');
  });
});

describe('parking a run (suspendUntil)', () => {
  const at = (iso: string): NodeServices => ({ ...services, now: () => new Date(iso) });
  const document = doc(
    [
      { id: 'trigger', type: 'test-trigger' },
      { id: 'before', type: 'set', config: { value: 'B' } },
      { id: 'pause', type: 'wait', config: { until: '2026-01-01T10:00:00.000Z' } },
      { id: 'after', type: 'set', config: { value: '{{ steps.pause.waitedFor }} then A' } },
    ],
    [
      ['trigger', 'before'],
      ['before', 'pause'],
      ['pause', 'after'],
    ],
  );
  const remembered = (steps: StepResult[]) =>
    new Map(steps.filter((s) => s.status !== 'failed').map((s) => [s.nodeId, s] as const));

  it('stops at a future time with status waiting, the step recorded waiting', async () => {
    const recorded: StepResult[] = [];
    const result = await run(document, {
      services: at('2026-01-01T09:00:00.000Z'),
      onStep: (step) => {
        recorded.push(step);
      },
    });
    expect(result.status).toBe('waiting');
    expect(result.resumeAt).toBe('2026-01-01T10:00:00.000Z');
    expect(recorded.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['before', 'succeeded'],
      ['pause', 'waiting'],
    ]);
    expect(recorded[2]).toMatchObject({ resumeAt: '2026-01-01T10:00:00.000Z' });
  });

  it('parks again without recording anything while it is still early', async () => {
    const first = await run(document, { services: at('2026-01-01T09:00:00.000Z') });
    const recorded: StepResult[] = [];
    const again = await run(document, {
      services: at('2026-01-01T09:59:59.000Z'),
      completed: remembered(first.steps),
      attempt: 2,
      onStep: (step) => {
        recorded.push(step);
      },
    });
    expect(again.status).toBe('waiting');
    expect(again.resumeAt).toBe('2026-01-01T10:00:00.000Z');
    expect(recorded).toEqual([]);
  });

  it('continues after the waiting step once due, without running the steps before again', async () => {
    const first = await run(document, { services: at('2026-01-01T09:00:00.000Z') });
    const result = await run(document, {
      services: at('2026-01-01T10:00:01.000Z'),
      completed: remembered(first.steps),
      attempt: 2,
    });
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.nodeKey, s.status, s.attempt])).toEqual([
      ['pause', 'succeeded', 2],
      ['after', 'succeeded', 2],
    ]);
    // The wait's record spans the whole wait.
    expect(result.steps[0]).toMatchObject({
      startedAt: '2026-01-01T09:00:00.000Z',
      finishedAt: '2026-01-01T10:00:01.000Z',
      durationMs: 3_601_000,
    });
    expect(result.output).toBe('B then A');
  });

  it('continues at once when the time is already past', async () => {
    const result = await run(document, { services: at('2026-01-01T11:00:00.000Z') });
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.nodeKey === 'pause')?.status).toBe('succeeded');
    expect(result.output).toBe('B then A');
  });
});

describe('dry runs', () => {
  const document = doc(
    [
      { id: 'trigger', type: 'test-trigger' },
      { id: 'out', type: 'send', config: { to: 'crm/{{ trigger.body.name }}' } },
      { id: 'pause', type: 'wait', config: { until: '2099-01-01T00:00:00.000Z' } },
      {
        id: 'after',
        type: 'set',
        config: { value: '{{ steps.out.message.to }} (dry: {{ steps.out.dryRun }})' },
      },
    ],
    [
      ['trigger', 'out'],
      ['out', 'pause'],
      ['pause', 'after'],
    ],
  );

  it('nodes with side effects give their effect instead of acting, and nothing waits', async () => {
    outbox.length = 0;
    const result = await run(document, { dryRun: true });
    expect(outbox).toEqual([]);
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['out', 'succeeded'],
      ['pause', 'succeeded'],
      ['after', 'succeeded'],
    ]);
    expect(result.steps[1]?.output).toEqual({ dryRun: true, message: { to: 'crm/Ada' } });
    expect(result.output).toBe('crm/Ada (dry: true)');
  });

  it('acts as usual without dryRun', async () => {
    outbox.length = 0;
    const result = await run(document);
    expect(outbox).toEqual(['crm/Ada']);
    expect(result.status).toBe('waiting');
  });

  it('reads a recorded step back as its effect, secrets and all masked', () => {
    expect(recordedEffect(send, { to: 'crm/Ada', secret: SECRET_MASK }, () => undefined)).toEqual({
      ok: true,
      effect: { message: { to: 'crm/Ada' } },
    });
    expect(recordedEffect(setValue, { value: 1 }, () => undefined)).toMatchObject({ ok: false });
  });
});

describe('running one node again (onlyNode)', () => {
  const document = doc(
    [
      { id: 'trigger', type: 'test-trigger' },
      { id: 'a', type: 'set', config: { value: 'A' } },
      { id: 'b', type: 'set', config: { value: '{{ input }} and {{ trigger.body.name }}' } },
      { id: 'c', type: 'set', config: { value: 'C' } },
    ],
    [
      ['trigger', 'a'],
      ['a', 'b'],
      ['b', 'c'],
    ],
  );

  it('runs that node on the recorded outputs before it, and nothing after it', async () => {
    const completed = new Map([
      ['trigger', { output: event, handles: ['main'], status: 'succeeded' as const }],
      ['a', { output: 'recorded A', handles: ['main'], status: 'succeeded' as const }],
      ['b', { output: 'old', handles: ['main'], status: 'succeeded' as const }],
      ['c', { output: 'old C', handles: ['main'], status: 'succeeded' as const }],
    ]);
    const result = await run(document, { completed, onlyNode: 'b' });
    expect(result.steps.map((s) => [s.nodeKey, s.input, s.output])).toEqual([
      ['b', 'recorded A', 'recorded A and Ada'],
    ]);
  });

  it('runs nothing when the node got no input in those outputs', async () => {
    const completed = new Map([
      ['trigger', { output: event, handles: ['main'], status: 'succeeded' as const }],
    ]);
    const result = await run(document, { completed, onlyNode: 'b' });
    expect(result.steps).toEqual([]);
  });
});

describe('validateWorkflow', () => {
  it('accepts a sound workflow', () => {
    expect(
      validateWorkflow(
        doc(
          [
            { id: 'trigger', type: 'test-trigger' },
            { id: 'a', type: 'set' },
          ],
          [['trigger', 'a']],
        ),
        registry,
      ),
    ).toEqual([]);
  });

  it('reports every problem with the node it belongs to', () => {
    const issues = validateWorkflow(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'second', type: 'test-trigger' },
          { id: 'orphan', type: 'set' },
          { id: 'mystery', type: 'nope' },
          { id: 'gate', type: 'gate', config: { pass: 'yes' } },
          { id: 'early', type: 'set', config: { value: '{{ steps.late }}' } },
          { id: 'late', type: 'set', config: { value: '{{ steps.ghost }} {{ trigger. }}' } },
        ],
        [
          ['trigger', 'gate'],
          ['trigger', 'early'],
          ['early', 'late'],
          ['trigger', 'gate', 'nowhere'],
        ],
      ),
      registry,
    );
    const messages = issues.map((i) => `${i.nodeId ?? '-'} ${i.field ?? '-'} ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'second - a workflow has exactly one trigger',
        'orphan - this node cannot be reached from the trigger',
        'mystery type unknown node type "nope"',
        expect.stringMatching(/^gate pass /),
        'early value steps.late does not run before this node',
        expect.stringMatching(/^late value .*at character/),
        'trigger - edge "trigger-gate" leaves output "nowhere", which this node does not have',
      ]),
    );
  });

  it('finds cycles and edges to missing nodes', () => {
    const issues = validateWorkflow(
      doc(
        [
          { id: 'trigger', type: 'test-trigger' },
          { id: 'a', type: 'set' },
          { id: 'b', type: 'set' },
        ],
        [
          ['trigger', 'a'],
          ['a', 'b'],
          ['b', 'a'],
          ['a', 'zzz'],
        ],
      ),
      registry,
    );
    expect(issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([
        'the workflow has a cycle: a node leads back to itself',
        'edge "a-zzz" ends at a node that does not exist',
      ]),
    );
    expect(() => compileWorkflow(doc([{ id: 'a', type: 'set' }], []), registry)).toThrow(
      WorkflowInvalidError,
    );
  });

  it('does not complain about a typed field that holds an expression', () => {
    const document = doc(
      [
        { id: 'trigger', type: 'test-trigger' },
        { id: 'g', type: 'gate', config: { pass: '{{ trigger.body.n > 1 }}' } },
      ],
      [['trigger', 'g']],
    );
    expect(validateWorkflow(document, registry)).toEqual([]);
  });
});

describe('parseWorkflowDocument', () => {
  it('points at the bad field', () => {
    const result = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'x',
      nodes: [{ id: 'a', key: 'Bad Key', type: 't', name: 'a' }],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('nodes[0].key');
    const wrong = parseWorkflowDocument({ format: 'n8n', name: 'x', nodes: [] });
    expect(wrong.ok ? [] : wrong.issues.map((i) => i.message)).toContain(
      'format must be "hookflow/workflow@1"',
    );
  });
});

describe('secret fields', () => {
  it('are masked in the recorded config but reach the node', async () => {
    const seenByNode: unknown[] = [];
    const login = defineNode({
      type: 'login',
      label: 'Login',
      description: '',
      group: 'action',
      icon: 'L',
      config: z.object({ user: z.string(), auth: z.object({ password: z.string() }) }),
      defaults: { user: '', auth: { password: '' } },
      form: [],
      secretFields: ['auth.password'],
      run: ({ config }) => {
        seenByNode.push(config.auth.password);
        return 'ok';
      },
    });
    const withLogin = createNodeRegistry([trigger, login]);
    const document = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'x',
      nodes: [
        { id: 't', key: 't', type: 'test-trigger', name: 't', config: {} },
        {
          id: 'l',
          key: 'l',
          type: 'login',
          name: 'l',
          config: { user: 'ada', auth: { password: 'hunter2{{ "!" }}' } },
        },
      ],
      edges: [{ id: 'e', source: 't', target: 'l' }],
    });
    if (!document.ok) throw new Error('bad document');
    const result = await executeWorkflow(compileWorkflow(document.document, withLogin), {
      event,
      run: { id: 'r' },
      workflow: { id: 'w', name: 'x', versionId: 'v' },
      services,
    });
    expect(seenByNode).toEqual(['hunter2!']);
    expect(result.steps[1]?.config).toEqual({ user: 'ada', auth: { password: '••••••' } });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

const eventWith = (body: unknown): TriggerEvent => ({ ...event, body });

describe('secrets scrubbed by value', () => {
  const secret = 'tok_Sup3r+secret/value';
  const basic = btoa(`ada:${secret}`);
  // Echoes what it was given, the way servers echo requests into answers and errors.
  const echo = defineNode({
    type: 'echo',
    label: 'Echo',
    description: '',
    group: 'action',
    icon: 'E',
    config: z.object({ token: z.string(), fail: z.boolean().default(false) }),
    defaults: { token: '' },
    form: [],
    secretFields: ['token'],
    run: ({ config }) => {
      const echoed = {
        raw: `you sent ${config.token}`,
        basic: `Authorization: Basic ${btoa(`ada:${config.token}`)}`,
        query: `?token=${encodeURIComponent(config.token)}`,
        [config.token]: 'as a key',
      };
      if (config.fail) throw new Error(`401 for ${config.token} (${echoed.basic})`);
      return echoed;
    },
  });
  const registry = createNodeRegistry([trigger, echo, setValue]);
  const run = async (token: string, fail: boolean, start: TriggerEvent = eventWith({})) => {
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'x',
      nodes: [
        { id: 't', key: 't', type: 'test-trigger', name: 't', config: {} },
        { id: 'e', key: 'e', type: 'echo', name: 'e', config: { token, fail } },
        { id: 's', key: 's', type: 'set', name: 's', config: { value: '{{ steps.e }}' } },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'e' },
        { id: 'e2', source: 'e', target: 's' },
      ],
    });
    if (!parsed.ok) throw new Error('bad document');
    return executeWorkflow(compileWorkflow(parsed.document, registry), {
      event: start,
      run: { id: 'r' },
      workflow: { id: 'w', name: 'x', versionId: 'v' },
      services,
    });
  };
  const forms = [secret, encodeURIComponent(secret), basic];

  it('masks a secret written in the document: raw, URL-encoded and inside base64', async () => {
    const result = await run(secret, false);
    expect(result.status).toBe('succeeded');
    const recorded = JSON.stringify(result);
    for (const form of forms) expect(recorded).not.toContain(form);
    expect(result.steps[1]?.output).toMatchObject({
      raw: 'you sent ••••••',
      query: '?token=••••••',
      '••••••': 'as a key',
    });
    // The next step reads the same scrubbed output that history shows.
    expect(result.steps[2]?.output).toEqual(result.steps[1]?.output);
  });

  it('masks it in an error message', async () => {
    const result = await run(secret, true);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/^401 for •••••• \(Authorization: Basic [^)]*••••••/);
    for (const form of forms) expect(JSON.stringify(result)).not.toContain(form);
  });

  it('masks a secret an expression produced, from the step that resolved it on', async () => {
    const result = await run('{{ trigger.body.token }}', false, eventWith({ token: secret }));
    // The trigger step was recorded before any step named the value as a secret: the sender's
    // own event is kept as received.
    const fromEcho = JSON.stringify(result.steps.slice(1));
    for (const form of forms) expect(fromEcho).not.toContain(form);
    expect(result.steps[1]?.output).toMatchObject({ raw: 'you sent ••••••' });
  });

  it('leaves short secrets alone rather than garble every output', async () => {
    const result = await run('abc', false);
    expect(result.steps[1]?.output).toMatchObject({ raw: 'you sent abc' });
  });

  it('leaves a run without secrets untouched (the same objects)', async () => {
    const body = { deep: { list: [1, 2] } };
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'x',
      nodes: [{ id: 't', key: 't', type: 'test-trigger', name: 't', config: {} }],
      edges: [],
    });
    if (!parsed.ok) throw new Error('bad document');
    const start = eventWith(body);
    const result = await executeWorkflow(compileWorkflow(parsed.document, registry), {
      event: start,
      run: { id: 'r' },
      workflow: { id: 'w', name: 'x', versionId: 'v' },
      services,
    });
    expect(result.steps[0]?.output).toBe(start);
  });
});

describe('createSecretScrubber', () => {
  it('finds a secret inside base64 at every alignment, standard and URL-safe', () => {
    const secret = 'p@ss word/with+symbols?';
    const scrub = createSecretScrubber([secret]);
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:']) {
      const encoded = btoa(`${prefix}${secret}!`);
      expect(scrub.text(encoded)).toContain('••••••');
      const urlSafe = encoded.replaceAll('+', '-').replaceAll('/', '_');
      expect(scrub.text(urlSafe)).toContain('••••••');
    }
    expect(scrub.text(`q=${new URLSearchParams({ q: secret }).toString().slice(2)}`)).toBe(
      'q=••••••',
    );
    expect(scrub.text('nothing here')).toBe('nothing here');
  });

  it('keeps __proto__ keys as data when it copies', () => {
    const scrub = createSecretScrubber(['long enough secret']);
    const copy = scrub.value(JSON.parse('{"__proto__": {"polluted": "long enough secret"}}'));
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(copy).toEqual(JSON.parse('{"__proto__": {"polluted": "••••••"}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
