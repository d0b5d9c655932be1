import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  compileWorkflow,
  executeWorkflow,
  type HttpClient,
  parseWorkflowDocument,
  placeholderWarnings,
  type RunResult,
  validateWorkflow,
  type WorkflowDocument,
} from '@hookflow/engine';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeRegistry } from '../index.ts';
import { readSampleBody, type SampleRequest, sampleRequestSchema } from './sample-request.ts';
import { findTemplate, type WorkflowTemplate, workflowTemplates } from './templates.ts';

interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A loopback HTTP server standing in for the chat, CRM and API endpoints of the templates. */
let sink: Server;
let sinkOrigin: string;
let received: Received[];

beforeAll(async () => {
  sink = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: text === '' ? null : JSON.parse(text),
      });
      // The health check's service is down; everything else accepts.
      const down = request.url === '/health';
      response.writeHead(down ? 503 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(down ? { status: 'degraded' } : { ok: true }));
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sinkOrigin = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => sink.close(() => resolve())));

beforeEach(() => {
  received = [];
});

const http: HttpClient = async (request) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    redirect: 'manual',
    signal: request.signal,
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: new Uint8Array(await response.arrayBuffer()),
    url: response.url,
  };
};

/** The document with every placeholder origin replaced by the sink's. */
function pointAtSink(document: WorkflowDocument): WorkflowDocument {
  return JSON.parse(
    JSON.stringify(document).replace(
      /https?:\/\/(?:[a-z0-9-]+\.)*example\.(?:com|net|org)/g,
      sinkOrigin,
    ),
  );
}

function sampleOf(template: WorkflowTemplate): SampleRequest {
  return sampleRequestSchema.parse(template.sample.request);
}

async function run(
  template: WorkflowTemplate,
  edit: (body: Record<string, unknown>) => void = () => {},
): Promise<RunResult> {
  const request = sampleOf(template);
  const read = readSampleBody(request.body, request.headers['content-type']);
  if (!read.ok) throw new Error(read.message);
  const body = structuredClone(read.value) as Record<string, unknown>;
  edit(body);
  const document = pointAtSink(template.document);
  return executeWorkflow(compileWorkflow(document, nodeRegistry), {
    event: {
      method: request.method,
      path: '/hooks/test',
      headers: request.headers,
      query: request.query,
      body,
      receivedAt: '2026-01-15T09:45:00.000Z',
    },
    run: { id: 'run_template' },
    workflow: { id: 'wf_template', name: document.name, versionId: 'draft' },
    services: { http, now: () => new Date('2026-01-15T09:45:00.000Z') },
  });
}

const template = (id: string) => {
  const found = findTemplate(id);
  if (!found) throw new Error(`no template ${id}`);
  return found;
};

describe('workflow templates', () => {
  it('are at least six, with unique ids and names, and use only known node types', () => {
    expect(workflowTemplates.length).toBeGreaterThanOrEqual(6);
    expect(new Set(workflowTemplates.map((t) => t.id)).size).toBe(workflowTemplates.length);
    expect(new Set(workflowTemplates.map((t) => t.name)).size).toBe(workflowTemplates.length);
    for (const t of workflowTemplates) {
      for (const n of t.document.nodes) expect(nodeRegistry.get(n.type), n.type).toBeDefined();
      expect(t.description.length).toBeLessThanOrEqual(140);
    }
  });

  it.each(workflowTemplates.map((t) => [t.id, t] as const))(
    '%s: is a valid document whose only warnings are its placeholders, with a sample that reads',
    (_id, t) => {
      const parsed = parseWorkflowDocument(t.document);
      expect(parsed.ok ? [] : parsed.issues).toEqual([]);
      expect(validateWorkflow(t.document, nodeRegistry)).toEqual([]);
      expect(placeholderWarnings(t.document).length).toBeGreaterThan(0);
      expect(placeholderWarnings(pointAtSink(t.document))).toEqual([]);
      const request = sampleOf(t);
      const body = readSampleBody(request.body, request.headers['content-type']);
      expect(body.ok).toBe(true);
      expect(t.sample.name.length).toBeGreaterThan(0);
    },
  );

  it.each(workflowTemplates.map((t) => [t.id, t] as const))(
    '%s: runs on its own sample to a request at the sink',
    async (_id, t) => {
      const result = await run(t);
      expect(result.error).toBeNull();
      expect(result.status).toBe('succeeded');
      expect(received.length).toBeGreaterThan(0);
    },
  );

  it('GitHub push: a push to main becomes one chat message listing the commits', async () => {
    await run(template('github-push-to-chat'));
    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message!.method).toBe('POST');
    expect(message!.path).toBe('/services/T0000/B0000/chat-webhook');
    const body = message!.body as { text: string; content: string };
    expect(body.text).toBe(
      [
        'monalisa pushed 2 commit(s) to octo-org/storefront (main):',
        "• Check the signup form's email before sending (0d1a26e)",
        '• Show the order total with tax on the receipt (59b20b8)',
        'https://github.com/octo-org/storefront/compare/6113728f27ae...59b20b8d5c6f',
      ].join('\n'),
    );
    expect(body.content).toBe(body.text);
  });

  it('GitHub push: a push to another branch is filtered and sends nothing', async () => {
    const result = await run(template('github-push-to-chat'), (body) => {
      body.ref = 'refs/heads/feature/signup';
    });
    expect(result.status).toBe('filtered');
    expect(received).toEqual([]);
  });

  it('shop order: the CRM gets the deal with typed amount, contact and items', async () => {
    await run(template('shop-order-to-crm'));
    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call!.method).toBe('PUT');
    expect(call!.path).toBe('/api/v1/deals/shop-5748392011863');
    expect(call!.headers['idempotency-key']).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    expect(call!.body).toEqual({
      externalId: 'shop-5748392011863',
      title: 'Order #1042',
      event: 'orders/create',
      amount: 149.9,
      currency: 'EUR',
      stage: 'won',
      contact: { email: 'ada.lovelace@analytical.engineering', name: 'Ada Lovelace' },
      items: [
        { sku: 'TENT-2P-GRN', name: 'Ridgeline 2-person tent', quantity: 1, price: 99.99 },
        { sku: 'STAKE-AL-8', name: 'Aluminium tent stakes (8)', quantity: 2, price: 12.99 },
      ],
    });
  });

  it('form lead: the form-encoded post becomes a tidy chat message; a bot is dropped', async () => {
    const t = template('form-lead-to-chat');
    const request = sampleOf(t);
    expect(readSampleBody(request.body, request.headers['content-type'])).toMatchObject({
      ok: true,
      value: { name: ' Ada Lovelace', interest: ['tents', 'group-trips'], website: '' },
    });
    await run(t);
    expect(received).toHaveLength(1);
    expect((received[0]!.body as { text: string }).text).toBe(
      'New lead from the contact form: Ada Lovelace <ada.lovelace@analytical.engineering>, Analytical Engines Ltd\n> We would like a demo for about 40 people, ideally next week.',
    );
    received = [];
    const bot = await run(t, (body) => {
      body.website = 'http://cheap-pills.example';
    });
    expect(bot.status).toBe('filtered');
    expect(received).toEqual([]);
  });

  it('Stripe payment: the record has the amount in euros, the order and the time', async () => {
    await run(template('stripe-payment-to-records'));
    expect(received[0]!.body).toEqual({
      paymentId: 'pi_3QkX8a2eZvKYlo2C1a2b3c4d',
      orderId: '1042',
      amount: 149.9,
      currency: 'EUR',
      email: 'ada.lovelace@analytical.engineering',
      paidAt: '2026-01-15T09:41:10.000Z',
      live: false,
    });
    expect(received[0]!.headers['idempotency-key']).toBe('evt_3QkX8a2eZvKYlo2C1x9d7gHb');
  });

  it('JSON relay: the body arrives unchanged with the event type and request id', async () => {
    const t = template('json-relay-with-retry');
    await run(t);
    expect(received[0]!.body).toEqual(JSON.parse(sampleOf(t).body));
    expect(received[0]!.headers['x-event-type']).toBe('invoice.paid');
    expect(received[0]!.headers['x-request-id']).toBe('req_01JHF3Q8Z4K7M2N5P9R1S3T6V8');
  });

  it('warehouse status: shipped updates the CRM, cancelled alerts the team', async () => {
    const t = template('warehouse-status-router');
    await run(t);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'PATCH',
      path: '/api/v1/orders/%231042',
      body: { status: 'shipped', carrier: 'DHL', trackingNumber: 'JD014600006281234567' },
    });
    received = [];
    await run(t, (body) => {
      const order = body.order as Record<string, unknown>;
      order.status = 'cancelled';
      order.cancel_reason = 'out of stock';
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe('/services/T0000/B0000/warehouse');
    expect((received[0]!.body as { text: string }).text).toContain(
      'Order #1042 was cancelled in the warehouse (out of stock)',
    );
  });

  it('health check: a 503 from the service posts an alert', async () => {
    await run(template('scheduled-health-check'));
    expect(received.map((call) => `${call.method} ${call.path}`)).toEqual([
      'GET /health',
      'POST /services/T0000/B0000/alerts',
    ]);
    expect((received[1]!.body as { text: string }).text).toBe(
      'Health check failed at 2026-01-15T09:45:00.000Z: the service answered 503.',
    );
  });
});
