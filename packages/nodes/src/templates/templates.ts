/**
 * Ready workflows a new user can start from, each with a sample request as its real sender
 * sends it. The one list the editor's gallery shows and the API creates workflows from; the
 * test beside it validates every template against the node registry and runs it on its sample.
 *
 * Addresses the user must replace are placeholders on example.com (see placeholderWarnings):
 * the editor lists them as things to replace.
 */
import { WORKFLOW_FORMAT, type WorkflowDocument, type WorkflowNode } from '@hookflow/engine';
import { formText, type SampleRequestInput } from './sample-request.ts';

export interface WorkflowTemplate {
  /** Stable: the API creates a workflow by it. */
  id: string;
  name: string;
  /** One line for the gallery card. */
  description: string;
  /** Who sends the requests (for the gallery). */
  source: string;
  document: WorkflowDocument;
  /** Saved as a named sample of the new workflow, so a test run works at once. */
  sample: { name: string; request: SampleRequestInput };
}

const STEP = 280;

function node(
  id: string,
  type: string,
  name: string,
  column: number,
  config: Record<string, unknown>,
  extra: Partial<WorkflowNode> & { row?: number } = {},
): WorkflowNode {
  const { row = 0, ...rest } = extra;
  return {
    id,
    key: id,
    type,
    name,
    config,
    position: { x: column * STEP, y: row * 160 },
    ...rest,
  };
}

function edge(source: string, target: string, sourceHandle?: string) {
  return {
    id: `${source}-${sourceHandle ?? 'main'}-${target}`,
    source,
    target,
    ...(sourceHandle ? { sourceHandle } : {}),
  };
}

const json = (value: unknown) => JSON.stringify(value);

// --- GitHub push to main -> chat message ---------------------------------------------------

const githubCommits = [
  {
    id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
    tree_id: 'f9d2a07e9488b91af2641b26b9407fe22a451433',
    distinct: true,
    message:
      "Check the signup form's email before sending\n\nThe form accepted addresses without a domain.",
    timestamp: '2026-01-15T10:21:44+01:00',
    url: 'https://github.com/octo-org/storefront/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
    author: { name: 'Mona Lisa', email: 'mona@octo-org.dev', username: 'monalisa' },
    committer: { name: 'Mona Lisa', email: 'mona@octo-org.dev', username: 'monalisa' },
    added: [],
    removed: [],
    modified: ['src/signup/form.ts', 'src/signup/form.test.ts'],
  },
  {
    id: '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
    tree_id: '2b2d1b8f7bb0c3a5c6e4a4f0e1b0f9ab3e8f1c2d',
    distinct: true,
    message: 'Show the order total with tax on the receipt',
    timestamp: '2026-01-15T10:24:07+01:00',
    url: 'https://github.com/octo-org/storefront/commit/59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
    author: { name: 'Hubot', email: 'hubot@octo-org.dev', username: 'hubot' },
    committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
    added: ['src/receipt/tax.ts'],
    removed: [],
    modified: ['src/receipt/receipt.tsx'],
  },
];

const githubPush: WorkflowTemplate = {
  id: 'github-push-to-chat',
  name: 'GitHub push to main → chat message',
  description:
    'Posts each push to the main branch, with its commits, to a Slack or Discord channel webhook.',
  source: 'GitHub',
  document: {
    format: WORKFLOW_FORMAT,
    name: 'GitHub push to main → chat',
    nodes: [
      node('trigger', 'webhook-trigger', 'GitHub webhook', 0, {}),
      node('main_branch', 'filter', 'Only the main branch', 1, {
        conditions: {
          combinator: 'all',
          items: [
            {
              type: 'text',
              value: '{{ trigger.body.ref }}',
              operator: 'equals',
              operand: 'refs/heads/main',
            },
          ],
        },
      }),
      node('message', 'transform', 'Write the message', 2, {
        mode: 'mapping',
        start: 'empty',
        operations: [
          {
            op: 'set',
            path: 'text',
            value:
              '{{ trigger.body.pusher.name }} pushed {{ $count(trigger.body.commits) }} commit(s) to {{ trigger.body.repository.full_name }} (main):\n{{ $join(trigger.body.commits.("• " & $substringBefore(message, "\\n") & " (" & $substring(id, 0, 7) & ")"), "\\n") }}\n{{ trigger.body.compare }}',
            type: 'string',
          },
        ],
      }),
      node('chat', 'http-request', 'Post to the chat webhook', 3, {
        method: 'POST',
        url: 'https://hooks.example.com/services/T0000/B0000/chat-webhook',
        bodyType: 'json',
        // Slack reads `text`, Discord reads `content`: the same message for either.
        body: { text: '{{ steps.message.text }}', content: '{{ steps.message.text }}' },
        retries: 2,
      }),
    ],
    edges: [
      edge('trigger', 'main_branch'),
      edge('main_branch', 'message'),
      edge('message', 'chat'),
    ],
    settings: {},
  },
  sample: {
    name: 'GitHub push to main',
    request: {
      method: 'POST',
      headers: {
        accept: '*/*',
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/9e3c2d1',
        'x-github-delivery': '2f3b6c40-f1e2-11f0-8d3e-3a1b2c4d5e6f',
        'x-github-event': 'push',
        'x-github-hook-id': '512345678',
        'x-github-hook-installation-target-id': '712345678',
        'x-github-hook-installation-target-type': 'repository',
        'x-hub-signature-256':
          'sha256=6dcb09b5b57875f334f61aebed695e2e4193db5e2b1a2a9a8b9f6f2a0c7b8e1d',
      },
      query: {},
      body: json({
        ref: 'refs/heads/main',
        before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        after: '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
        repository: {
          id: 712345678,
          name: 'storefront',
          full_name: 'octo-org/storefront',
          private: true,
          owner: { name: 'octo-org', login: 'octo-org', type: 'Organization' },
          html_url: 'https://github.com/octo-org/storefront',
          default_branch: 'main',
          pushed_at: 1768469047,
        },
        pusher: { name: 'monalisa', email: 'mona@octo-org.dev' },
        sender: { login: 'monalisa', id: 583231, type: 'User' },
        created: false,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: 'https://github.com/octo-org/storefront/compare/6113728f27ae...59b20b8d5c6f',
        commits: githubCommits,
        head_commit: githubCommits[1],
      }),
    },
  },
};

// --- Shop order -> CRM ------------------------------------------------------------------------

const shopOrderToCrm: WorkflowTemplate = {
  id: 'shop-order-to-crm',
  name: 'New or changed shop order → CRM',
  description:
    'Creates or updates a deal in your CRM for every new or changed order your shop sends (Shopify-style).',
  source: 'Shopify or any shop',
  document: {
    format: WORKFLOW_FORMAT,
    name: 'Shop orders → CRM',
    nodes: [
      node('trigger', 'webhook-trigger', 'Shop webhook', 0, {}),
      node('deal', 'transform', 'Map the order to a deal', 1, {
        mode: 'mapping',
        start: 'empty',
        operations: [
          { op: 'set', path: 'externalId', value: 'shop-{{ trigger.body.id }}', type: 'string' },
          { op: 'set', path: 'title', value: 'Order {{ trigger.body.name }}', type: 'string' },
          {
            op: 'set',
            path: 'event',
            value:
              "{{ trigger.headers.`x-shopify-topic` ? trigger.headers.`x-shopify-topic` : 'orders/create' }}",
            type: 'string',
          },
          { op: 'set', path: 'amount', value: '{{ trigger.body.total_price }}', type: 'number' },
          { op: 'set', path: 'currency', value: '{{ trigger.body.currency }}', type: 'string' },
          {
            op: 'set',
            path: 'stage',
            value:
              "{{ trigger.body.cancelled_at ? 'lost' : trigger.body.financial_status = 'paid' ? 'won' : 'open' }}",
            type: 'string',
          },
          {
            op: 'set',
            path: 'contact.email',
            value: '{{ $lowercase(trigger.body.customer.email) }}',
            type: 'string',
          },
          {
            op: 'set',
            path: 'contact.name',
            value: '{{ trigger.body.customer.first_name }} {{ trigger.body.customer.last_name }}',
            type: 'string',
          },
          {
            op: 'set',
            path: 'items',
            value:
              '{{ trigger.body.line_items.{"sku": sku, "name": title, "quantity": quantity, "price": $number(price)} }}',
            type: 'array',
          },
        ],
      }),
      node('crm', 'http-request', 'Create or update the deal', 2, {
        method: 'PUT',
        url: 'https://crm.example.com/api/v1/deals/{{ steps.deal.externalId }}',
        headers: [
          { name: 'Idempotency-Key', value: '{{ trigger.headers.`x-shopify-webhook-id` }}' },
        ],
        bodyType: 'json',
        body: '{{ steps.deal }}',
        retries: 3,
      }),
    ],
    edges: [edge('trigger', 'deal'), edge('deal', 'crm')],
    settings: {},
  },
  sample: {
    name: 'Shop order #1042 created',
    request: {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Shopify-Captain-Hook',
        'x-shopify-api-version': '2025-10',
        'x-shopify-hmac-sha256': 'XWmrwMey6OsLMeiZKwP4FppHH3cmAiiJJAweH5Jo4bM=',
        'x-shopify-shop-domain': 'trail-and-summit.myshopify.com',
        'x-shopify-topic': 'orders/create',
        'x-shopify-triggered-at': '2026-01-15T09:41:12.402Z',
        'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      },
      query: {},
      body: json({
        id: 5748392011863,
        name: '#1042',
        order_number: 1042,
        email: 'Ada.Lovelace@analytical.engineering',
        created_at: '2026-01-15T10:41:09+01:00',
        updated_at: '2026-01-15T10:41:11+01:00',
        cancelled_at: null,
        currency: 'EUR',
        subtotal_price: '125.97',
        total_tax: '23.93',
        total_price: '149.90',
        financial_status: 'paid',
        fulfillment_status: null,
        customer: {
          id: 7105849819223,
          email: 'Ada.Lovelace@analytical.engineering',
          first_name: 'Ada',
          last_name: 'Lovelace',
          phone: '+44 20 7946 0958',
        },
        line_items: [
          {
            id: 14392847384663,
            product_id: 8854012936279,
            sku: 'TENT-2P-GRN',
            title: 'Ridgeline 2-person tent',
            variant_title: 'Forest green',
            quantity: 1,
            price: '99.99',
          },
          {
            id: 14392847417431,
            product_id: 8854013034583,
            sku: 'STAKE-AL-8',
            title: 'Aluminium tent stakes (8)',
            variant_title: null,
            quantity: 2,
            price: '12.99',
          },
        ],
        shipping_address: {
          name: 'Ada Lovelace',
          address1: '12 St James’s Square',
          city: 'London',
          zip: 'SW1Y 4JH',
          country_code: 'GB',
        },
        tags: 'newsletter',
      }),
    },
  },
};

// --- Website form lead -> notify ----------------------------------------------------------------

const formLead: WorkflowTemplate = {
  id: 'form-lead-to-chat',
  name: 'New lead from a website form → notify the team',
  description:
    'Takes a contact form posted from your site (form-encoded), drops spam, and posts the lead to your team chat.',
  source: 'Website form',
  document: {
    format: WORKFLOW_FORMAT,
    name: 'Website leads → team chat',
    nodes: [
      node('trigger', 'webhook-trigger', 'Contact form', 0, {
        // After posting, the visitor lands on your thank-you page.
        redirectUrl: 'https://www.example.com/thanks',
      }),
      node('not_spam', 'filter', 'Drop spam', 1, {
        conditions: {
          combinator: 'all',
          items: [
            // `website` is a field hidden from people: only bots fill it in.
            {
              type: 'text',
              value: '{{ trigger.body.website }}',
              operator: 'is-empty',
            },
            {
              type: 'text',
              value: '{{ trigger.body.email }}',
              operator: 'matches-regex',
              operand: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
            },
          ],
        },
      }),
      node('lead', 'transform', 'Tidy the lead', 2, {
        mode: 'mapping',
        start: 'empty',
        operations: [
          { op: 'set', path: 'name', value: '{{ $trim(trigger.body.name) }}', type: 'string' },
          {
            op: 'set',
            path: 'email',
            value: '{{ $lowercase($trim(trigger.body.email)) }}',
            type: 'string',
          },
          { op: 'set', path: 'company', value: '{{ trigger.body.company }}', type: 'string' },
          { op: 'set', path: 'message', value: '{{ trigger.body.message }}', type: 'string' },
          {
            op: 'set',
            path: 'source',
            value: "{{ trigger.query.form ? trigger.query.form : 'website' }}",
            type: 'string',
          },
        ],
      }),
      node('notify', 'http-request', 'Tell the team', 3, {
        method: 'POST',
        url: 'https://hooks.example.com/services/T0000/B0000/leads',
        bodyType: 'json',
        body: {
          text: 'New lead from the {{ steps.lead.source }} form: {{ steps.lead.name }} <{{ steps.lead.email }}>, {{ steps.lead.company }}\n> {{ steps.lead.message }}',
        },
        retries: 2,
      }),
    ],
    edges: [edge('trigger', 'not_spam'), edge('not_spam', 'lead'), edge('lead', 'notify')],
    settings: {},
  },
  sample: {
    name: 'Contact form from Ada',
    request: {
      method: 'POST',
      headers: {
        accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://www.trail-and-summit.com',
        referer: 'https://www.trail-and-summit.com/contact',
        'user-agent':
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15',
      },
      query: { form: 'contact' },
      body: formText({
        name: ' Ada Lovelace',
        email: 'Ada.Lovelace@Analytical.Engineering',
        company: 'Analytical Engines Ltd',
        phone: '+44 20 7946 0958',
        message: 'We would like a demo for about 40 people, ideally next week.',
        interest: ['tents', 'group-trips'],
        consent: 'yes',
        website: '',
      }),
    },
  },
};

// --- Stripe payment succeeded -> record ---------------------------------------------------------

const stripePayment: WorkflowTemplate = {
  id: 'stripe-payment-to-records',
  name: 'Stripe payment succeeded → record it',
  description:
    'Writes each successful Stripe payment (amount, customer, order) to your database, sheet or accounting API.',
  source: 'Stripe',
  document: {
    format: WORKFLOW_FORMAT,
    name: 'Stripe payments → records',
    nodes: [
      node('trigger', 'webhook-trigger', 'Stripe webhook', 0, {
        // Stripe resends an event until it gets a 2xx: each event id runs once.
        dedupe: 'expression',
        dedupeExpression: 'body.id',
      }),
      node('succeeded', 'filter', 'Only succeeded payments', 1, {
        conditions: {
          combinator: 'all',
          items: [
            {
              type: 'text',
              value: '{{ trigger.body.type }}',
              operator: 'equals',
              operand: 'payment_intent.succeeded',
            },
          ],
        },
      }),
      node('payment', 'transform', 'Shape the record', 2, {
        mode: 'mapping',
        start: 'empty',
        operations: [
          {
            op: 'set',
            path: 'paymentId',
            value: '{{ trigger.body.data.object.id }}',
            type: 'string',
          },
          {
            op: 'set',
            path: 'orderId',
            value: '{{ trigger.body.data.object.metadata.order_id }}',
            type: 'string',
          },
          {
            op: 'set',
            path: 'amount',
            // Stripe counts in the currency's smallest unit (cents).
            value: '{{ trigger.body.data.object.amount_received / 100 }}',
            type: 'number',
          },
          {
            op: 'set',
            path: 'currency',
            value: '{{ $uppercase(trigger.body.data.object.currency) }}',
            type: 'string',
          },
          {
            op: 'set',
            path: 'email',
            value: '{{ trigger.body.data.object.receipt_email }}',
            type: 'string',
          },
          {
            op: 'set',
            path: 'paidAt',
            value: '{{ $fromMillis(trigger.body.created * 1000) }}',
            type: 'string',
          },
          { op: 'set', path: 'live', value: '{{ trigger.body.livemode }}', type: 'boolean' },
        ],
      }),
      node('record', 'http-request', 'Save the payment', 3, {
        method: 'POST',
        url: 'https://api.example.com/payments',
        headers: [{ name: 'Idempotency-Key', value: '{{ trigger.body.id }}' }],
        bodyType: 'json',
        body: '{{ steps.payment }}',
        retries: 3,
      }),
    ],
    edges: [edge('trigger', 'succeeded'), edge('succeeded', 'payment'), edge('payment', 'record')],
    settings: {},
  },
  sample: {
    name: 'Stripe payment_intent.succeeded',
    request: {
      method: 'POST',
      headers: {
        accept: '*/*; q=0.5, application/xml',
        'cache-control': 'no-cache',
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature':
          't=1768470071,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      query: {},
      body: JSON.stringify(
        {
          id: 'evt_3QkX8a2eZvKYlo2C1x9d7gHb',
          object: 'event',
          api_version: '2024-12-18.acacia',
          created: 1768470070,
          data: {
            object: {
              id: 'pi_3QkX8a2eZvKYlo2C1a2b3c4d',
              object: 'payment_intent',
              amount: 14990,
              amount_received: 14990,
              currency: 'eur',
              customer: 'cus_RdSv8Yx1Ab2Cd3',
              description: 'Order #1042',
              latest_charge: 'ch_3QkX8a2eZvKYlo2C1q2w3e4r',
              metadata: { order_id: '1042' },
              payment_method_types: ['card'],
              receipt_email: 'ada.lovelace@analytical.engineering',
              status: 'succeeded',
              created: 1768470066,
            },
          },
          livemode: false,
          pending_webhooks: 1,
          request: {
            id: 'req_Zx1Qk8a2eZvKYl',
            idempotency_key: '9b1f4d7e-5c1a-4e0b-9f35-3d2f7c8e1a6b',
          },
          type: 'payment_intent.succeeded',
        },
        null,
        2,
      ),
    },
  },
};

// --- Generic JSON relay with retries ------------------------------------------------------------

const jsonRelay: WorkflowTemplate = {
  id: 'json-relay-with-retry',
  name: 'Relay JSON to another service, with retries',
  description:
    'Forwards every JSON webhook as it is to another endpoint, retrying while it is down; failed runs retry later too.',
  source: 'Any JSON sender',
  document: {
    format: WORKFLOW_FORMAT,
    name: 'JSON relay',
    nodes: [
      node('trigger', 'webhook-trigger', 'Incoming webhook', 0, {}),
      node('forward', 'http-request', 'Forward the body', 1, {
        method: 'POST',
        url: 'https://relay.example.com/webhooks/in',
        headers: [
          { name: 'X-Event-Type', value: '{{ trigger.headers.`x-event-type` }}' },
          { name: 'X-Request-Id', value: '{{ trigger.headers.`x-request-id` }}' },
        ],
        bodyType: 'json',
        body: '{{ trigger.body }}',
        timeoutMs: 10000,
        retries: 4,
        retryDelayMs: 2000,
        maxRetryDelayMs: 30000,
      }),
    ],
    edges: [edge('trigger', 'forward')],
    // Still failing after the node's own retries: the whole run is queued again later.
    settings: { retry: { attempts: 3, initialDelayMs: 60000, maxDelayMs: 900000 } },
  },
  sample: {
    name: 'Billing invoice.paid',
    request: {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': 'inv_1042_paid',
        'user-agent': 'AcmeBilling-Webhooks/2.3',
        'x-event-type': 'invoice.paid',
        'x-request-id': 'req_01JHF3Q8Z4K7M2N5P9R1S3T6V8',
      },
      query: {},
      body: json({
        event: 'invoice.paid',
        id: 'evt_01JHF3Q8Z4K7M2N5P9R1S3T6V8',
        occurredAt: '2026-01-15T09:45:02Z',
        data: {
          invoice: {
            id: 'inv_1042',
            number: 'INV-2026-0042',
            customer: { id: 'cust_77', name: 'Analytical Engines Ltd' },
            total: 149.9,
            currency: 'EUR',
            paidAt: '2026-01-15T09:44:58Z',
          },
        },
      }),
    },
  },
};

// --- Warehouse order status -> CRM or team chat, by status -------------------------------------

const warehouseStatus: WorkflowTemplate = {
  id: 'warehouse-status-router',
  name: 'Warehouse order status → CRM or team chat',
  description:
    'Routes order status changes from your warehouse: shipped or delivered updates the CRM, cancelled alerts the team.',
  source: 'Warehouse system',
  document: {
    format: WORKFLOW_FORMAT,
    name: 'Warehouse status changes',
    nodes: [
      node('trigger', 'webhook-trigger', 'Warehouse webhook', 0, {}),
      node('by_status', 'router', 'By status', 1, {
        mode: 'first',
        routes: [
          {
            id: 'fulfilled',
            name: 'Shipped or delivered',
            conditions: {
              combinator: 'all',
              items: [
                {
                  type: 'text',
                  value: '{{ trigger.body.order.status }}',
                  operator: 'matches-regex',
                  operand: '^(shipped|delivered)$',
                },
              ],
            },
          },
          {
            id: 'cancelled',
            name: 'Cancelled',
            conditions: {
              combinator: 'all',
              items: [
                {
                  type: 'text',
                  value: '{{ trigger.body.order.status }}',
                  operator: 'equals',
                  operand: 'cancelled',
                },
              ],
            },
          },
        ],
      }),
      node(
        'crm',
        'http-request',
        'Update the order in the CRM',
        2,
        {
          method: 'PATCH',
          url: 'https://crm.example.com/api/v1/orders/{{ $encodeUrlComponent(trigger.body.order.reference) }}',
          bodyType: 'json',
          body: {
            status: '{{ trigger.body.order.status }}',
            carrier: '{{ trigger.body.order.shipment.carrier }}',
            trackingNumber: '{{ trigger.body.order.shipment.tracking_number }}',
            trackingUrl: '{{ trigger.body.order.shipment.tracking_url }}',
            changedAt: '{{ trigger.body.occurred_at }}',
          },
          retries: 3,
        },
        { row: -0.5 },
      ),
      node(
        'alert',
        'http-request',
        'Alert the team',
        2,
        {
          method: 'POST',
          url: 'https://hooks.example.com/services/T0000/B0000/warehouse',
          bodyType: 'json',
          body: {
            text: 'Order {{ trigger.body.order.reference }} was cancelled in the warehouse ({{ trigger.body.order.cancel_reason }}). Previous status: {{ trigger.body.order.previous_status }}.',
          },
        },
        { row: 0.5 },
      ),
    ],
    edges: [
      edge('trigger', 'by_status'),
      edge('by_status', 'crm', 'fulfilled'),
      edge('by_status', 'alert', 'cancelled'),
    ],
    settings: {},
  },
  sample: {
    name: 'Order #1042 shipped',
    request: {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'WMS-Webhooks/4.1',
        'x-webhook-event': 'order.status_changed',
        'x-webhook-id': 'whk_8f2a1c9e',
        'x-webhook-signature': 'v1=0a4d55a8d778e5022fab701977c5d840bbc486d0',
      },
      query: {},
      body: json({
        event: 'order.status_changed',
        occurred_at: '2026-01-16T14:02:31Z',
        warehouse: { id: 'wh-ber-1', name: 'Berlin fulfilment centre' },
        order: {
          id: 'SO-20931',
          reference: '#1042',
          status: 'shipped',
          previous_status: 'packed',
          cancel_reason: null,
          shipment: {
            carrier: 'DHL',
            service: 'Paket International',
            tracking_number: 'JD014600006281234567',
            tracking_url:
              'https://www.dhl.com/de-en/home/tracking.html?tracking-id=JD014600006281234567',
            parcels: 1,
            weight_kg: 3.4,
          },
          lines: [
            { sku: 'TENT-2P-GRN', quantity: 1 },
            { sku: 'STAKE-AL-8', quantity: 2 },
          ],
        },
      }),
    },
  },
};

// --- Scheduled health check -> alert ------------------------------------------------------------

const healthCheck: WorkflowTemplate = {
  id: 'scheduled-health-check',
  name: 'Health check every 5 minutes → alert when down',
  description:
    'Calls your service’s health URL on a schedule and posts an alert to your chat when it does not answer 2xx.',
  source: 'Schedule',
  document: {
    format: WORKFLOW_FORMAT,
    name: 'Health check',
    nodes: [
      node('trigger', 'schedule-trigger', 'Every 5 minutes', 0, {
        cron: '*/5 * * * *',
        timezone: 'UTC',
        catchUp: 'none',
      }),
      node('health', 'http-request', 'Call the health URL', 1, {
        method: 'GET',
        url: 'https://status.example.com/health',
        bodyType: 'none',
        timeoutMs: 10000,
        // A 5xx is an answer to report, not a failure of this step.
        failOnError: false,
      }),
      node('down', 'filter', 'Not healthy', 2, {
        conditions: {
          combinator: 'any',
          items: [
            { type: 'number', value: '{{ steps.health.status }}', operator: 'lt', operand: 200 },
            { type: 'number', value: '{{ steps.health.status }}', operator: 'gt', operand: 299 },
          ],
        },
      }),
      node('alert', 'http-request', 'Alert the team', 3, {
        method: 'POST',
        url: 'https://hooks.example.com/services/T0000/B0000/alerts',
        bodyType: 'json',
        body: {
          text: 'Health check failed at {{ trigger.body.scheduledAt }}: the service answered {{ steps.health.status }}.',
        },
        retries: 2,
      }),
    ],
    edges: [edge('trigger', 'health'), edge('health', 'down'), edge('down', 'alert')],
    settings: {},
  },
  sample: {
    name: 'Schedule tick',
    request: {
      method: 'SCHEDULE',
      headers: {},
      query: {},
      body: json({
        scheduledAt: '2026-01-15T09:45:00.000Z',
        firedAt: '2026-01-15T09:45:00.006Z',
      }),
    },
  },
};

export const workflowTemplates: readonly WorkflowTemplate[] = [
  githubPush,
  shopOrderToCrm,
  formLead,
  stripePayment,
  jsonRelay,
  warehouseStatus,
  healthCheck,
];

export function findTemplate(id: string): WorkflowTemplate | undefined {
  return workflowTemplates.find((template) => template.id === id);
}
