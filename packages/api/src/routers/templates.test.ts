import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import { compileWorkflow, executeWorkflow, type HttpRequest } from '@hookflow/engine';
import { nodeRegistry, workflowTemplates } from '@hookflow/nodes';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiContext } from '../context.ts';
import { createLiveEvents } from '../live.ts';
import { createCaller } from '../root.ts';

let dir: string;
let store: Store;
let sent: HttpRequest[];
let api: ReturnType<typeof createCaller>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-templates-'));
  store = createStore(join(dir, 'api.db'));
  sent = [];
  const context: ApiContext = {
    actor: { kind: 'system' },
    store,
    registry: nodeRegistry,
    publicUrl: 'https://hookflow.test',
    live: createLiveEvents(),
    executeTest: (job, signal) =>
      executeWorkflow(compileWorkflow(job.document, nodeRegistry), {
        event: {
          method: job.event.method,
          path: job.event.path,
          headers: job.event.headers,
          query: job.event.query,
          body: job.event.parsedBody,
          receivedAt: new Date(job.event.receivedAt).toISOString(),
        },
        run: { id: 'run_test' },
        workflow: { id: job.workflowId, name: job.document.name, versionId: 'draft' },
        services: {
          now: () => new Date(),
          http: async (request) => {
            sent.push(request);
            return { status: 200, headers: {}, body: new Uint8Array(), url: request.url };
          },
        },
        signal,
      }),
  };
  api = createCaller(context);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('workflows.createFromTemplate', () => {
  it.each(workflowTemplates.map((t) => [t.id, t] as const))(
    '%s: creates the draft with its sample chosen, and lists its placeholders as warnings',
    async (id, template) => {
      const created = await api.workflows.createFromTemplate({ templateId: id });
      const workflow = await api.workflows.get({ id: created.id });
      expect(workflow.document).toEqual(template.document);
      expect(workflow.issues).toEqual([]);
      expect(workflow.publishedVersionId).toBeNull();
      expect(created.warnings.length).toBeGreaterThan(0);
      expect(created.warnings.every((w) => w.message.includes('placeholder'))).toBe(true);
      const samples = await api.samples.list({ workflowId: created.id });
      expect(samples.map((s) => [s.id, s.name])).toEqual([
        [created.sampleId, template.sample.name],
      ]);
      expect(samples[0]!.event.method).toBe(template.sample.request.method);
      expect(samples[0]!.event.rawBody.data).toBe(template.sample.request.body);
    },
  );

  it('test-runs the GitHub template on its sample at once', async () => {
    const created = await api.workflows.createFromTemplate({
      templateId: 'github-push-to-chat',
      name: 'Storefront pushes',
    });
    const workflow = await api.workflows.get({ id: created.id });
    expect(workflow.name).toBe('Storefront pushes');
    const result = await api.testRuns.run({
      workflowId: created.id,
      document: workflow.document,
      sampleId: created.sampleId,
    });
    expect(result.status).toBe('succeeded');
    expect(sent).toHaveLength(1);
    expect(JSON.parse(String(sent[0]!.body)).text).toMatch(
      /^monalisa pushed 2 commit\(s\) to octo-org\/storefront \(main\):/,
    );
  });

  it('refuses an unknown template, naming the ones there are', async () => {
    const error = await refusal(api.workflows.createFromTemplate({ templateId: 'nope' }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('github-push-to-chat');
  });
});

describe('samples.create (a sample pasted by hand)', () => {
  const workflow = () => api.workflows.import({ document: workflowTemplates[0]!.document });

  it('keeps a JSON body with its headers and query, readable like a received request', async () => {
    const { id } = await workflow();
    const sample = await api.samples.create({
      workflowId: id,
      name: 'Pasted push',
      request: {
        method: 'post',
        headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push' },
        query: { source: 'manual' },
        body: '{"ref":"refs/heads/main","commits":[]}',
      },
    });
    expect(sample.name).toBe('Pasted push');
    expect(sample.event).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      query: { source: 'manual' },
      body: { ref: 'refs/heads/main', commits: [] },
    });
    expect((await api.samples.list({ workflowId: id })).map((s) => s.id)).toEqual([sample.id]);
  });

  it('reads a form body as its fields', async () => {
    const { id } = await workflow();
    const sample = await api.samples.create({
      workflowId: id,
      name: 'Form',
      request: {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=Ada+Lovelace&tag=a&tag=b',
      },
    });
    expect(sample.event.body).toEqual({ name: 'Ada Lovelace', tag: ['a', 'b'] });
  });

  it('says where a JSON body is broken, and refuses bad headers and names', async () => {
    const { id } = await workflow();
    const broken = await refusal(
      api.samples.create({
        workflowId: id,
        name: 'Broken',
        request: { headers: { 'content-type': 'application/json' }, body: '{\n "a": 1,\n}' },
      }),
    );
    expect(broken.code).toBe('BAD_REQUEST');
    expect(broken.message).toBe('the body is not valid JSON: unexpected "}" at line 3, column 1');
    const header = await refusal(
      api.samples.create({
        workflowId: id,
        name: 'Header',
        request: { headers: { 'x bad': '1' }, body: '' },
      }),
    );
    expect(header.code).toBe('BAD_REQUEST');
    expect(header.message).toContain('a header name holds letters, digits and - only');
    const unnamed = await refusal(
      api.samples.create({ workflowId: id, name: ' ', request: { body: '{}' } }),
    );
    expect(unnamed.message).toContain('give the sample a name');
    expect(await api.samples.list({ workflowId: id })).toEqual([]);
  });

  it('refuses an unknown workflow', async () => {
    const error = await refusal(
      api.samples.create({ workflowId: 'wf_nope', name: 'x', request: { body: '{}' } }),
    );
    expect(error.code).toBe('NOT_FOUND');
  });
});
