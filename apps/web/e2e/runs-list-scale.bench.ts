/**
 * The runs list on a large history, measured end to end in the browser: a real server over a
 * SQLite file seeded with `--runs` runs (default 1,000,000), the built web app in Chromium.
 *
 *   pnpm --filter @hookflow/web build
 *   npx tsx apps/web/e2e/runs-list-scale.bench.ts [--runs 1000000]
 *
 * Prints, per filter, the time from the user's action to the rows being drawn: the first page
 * (after changing the filter) and each next page ("Load more"). A benchmark, not a test: it
 * asserts nothing about speed.
 */
import { join } from 'node:path';
import { createDb, idLowerBound } from '@hookflow/db';
import { startBrowserSession } from './harness.ts';

const args = process.argv.slice(2);
const runsFlag = args.indexOf('--runs');
const total = runsFlag === -1 ? 1_000_000 : Number(args[runsFlag + 1]);
const statuses = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'filtered'];

const session = await startBrowserSession();
const { hookflow, page } = session;
try {
  const workflows = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      hookflow.api.workflows.import.mutate({
        document: {
          format: 'hookflow/workflow@1',
          name: `Workflow ${i}`,
          nodes: [
            {
              id: 'trigger',
              key: 'trigger',
              type: 'webhook-trigger',
              name: 'Webhook',
              config: {},
              position: { x: 0, y: 0 },
            },
          ],
          edges: [],
          settings: {},
        },
        publish: true,
      }),
    ),
  );
  const handle = createDb(join(hookflow.dir, 'hookflow.db'), {
    migrate: false,
    synchronous: 'OFF',
  });
  const db = handle.sqlite;
  const targets = workflows.map((workflow) => {
    const row = db
      .prepare(
        'SELECT triggers.id AS triggerId, workflows.published_version_id AS versionId FROM triggers JOIN workflows ON workflows.id = triggers.workflow_id WHERE workflows.id = ?',
      )
      .get(workflow.id) as { triggerId: string; versionId: string };
    return { id: workflow.id, ...row };
  });
  const insertEvent = db.prepare(`INSERT INTO events (id, trigger_id, workflow_id, method, path,
    headers, query, body, parsed_body, content_type, received_at)
    VALUES (?, ?, ?, 'POST', '/hooks/x', '{}', '{}', ?, ?, 'application/json', ?)`);
  const insertRun = db.prepare(`INSERT INTO runs (id, workflow_id, version_id, event_id, status,
    attempt, queued_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`);
  const start = Date.now() - 30 * 24 * 3600_000;
  const step = (30 * 24 * 3600_000) / total;
  const seeding = performance.now();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const time = Math.floor(start + i * step);
      const target = targets[i % targets.length]!;
      const suffix = String(i).padStart(16, '0');
      const eventId = `${idLowerBound('evt', time)}${suffix}`;
      const body = `{"order":{"id":${i},"customer":"customer-${i % 5000}@example.com"}}`;
      insertEvent.run(eventId, target.triggerId, target.id, Buffer.from(body), body, time);
      insertRun.run(
        `${idLowerBound('run', time)}${suffix}`,
        target.id,
        target.versionId,
        eventId,
        statuses[Math.floor(i / 20) % statuses.length],
        time,
        time + 1,
        time + 15,
      );
    }
  });
  for (let i = 0; i < total; i += 50_000) batch(i, Math.min(total, i + 50_000));
  handle.close();
  console.log(
    `seeded ${total.toLocaleString('en-US')} runs in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );

  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  /**
   * Timed inside the page, from the action to the frame where the table holds `rows` rows:
   * `navigate` changes the filter as the filter bar does (the app is already loaded, its cache
   * empty), `more` clicks "Load more".
   */
  const inPage = (action: { navigate: string } | { more: true }, rows: number) =>
    // A string, not a function: tsx would wrap a function in helpers the page does not have.
    page.evaluate<number>(`new Promise((resolve, reject) => {
      const action = ${JSON.stringify(action)};
      const start = performance.now();
      if (action.navigate) {
        window.history.replaceState(null, '', action.navigate);
        window.dispatchEvent(new Event('hookflow:navigate'));
      } else {
        document.querySelector('[data-testid="load-more"]').click();
      }
      const check = () => {
        if (document.querySelectorAll('[data-testid="run-row"]').length >= ${rows}) {
          resolve(performance.now() - start);
        } else if (performance.now() - start > 30000) {
          reject(new Error('no ${rows} rows after 30 s'));
        } else {
          requestAnimationFrame(check);
        }
      };
      requestAnimationFrame(check);
    })`);

  const measure = async (label: string, query: string, pages = 3) => {
    const firstPages: number[] = [];
    const nextPages: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A fresh load of an empty list, so that no cached answer hides the query.
      await page.goto(session.url('/runs?status=canceled'));
      await page.getByTestId('runs-empty').waitFor({ timeout: 30_000 });
      firstPages.push(await inPage({ navigate: `/runs?${query}` }, 50));
      // The counts are asked once the first page is drawn; the user reads, then scrolls.
      await page.getByTestId('status-counts').waitFor({ timeout: 30_000 });
      for (let page = 2; page <= pages; page++)
        nextPages.push(await inPage({ more: true }, 50 * page));
    }
    const ms = (values: number[]) =>
      `${median(values).toFixed(0).padStart(4)} ms (max ${Math.max(...values)
        .toFixed(0)
        .padStart(4)})`;
    console.log(
      `${label.padEnd(24)} first page ${ms(firstPages)}${nextPages.length > 0 ? ` · next page ${ms(nextPages)}` : ''}`,
    );
  };

  // What else the runs page asks for, over HTTP: the workflow filter's list and the counts.
  const dayAgo = Date.now() - 24 * 3600_000;
  const calls: [string, () => Promise<unknown>][] = [
    ['workflows.list', () => hookflow.api.workflows.list.query()],
    ['runs.counts (all)', () => hookflow.api.runs.counts.query({})],
    [
      'runs.counts (one workflow)',
      () => hookflow.api.runs.counts.query({ workflowId: targets[3]!.id }),
    ],
    ['runs.counts (24 h)', () => hookflow.api.runs.counts.query({ from: dayAgo })],
    ['runs.counts (search)', () => hookflow.api.runs.counts.query({ q: 'customer-42' })],
    ['runs.list (search)', () => hookflow.api.runs.list.query({ q: 'customer-42', limit: 50 })],
  ];
  // The client's keep-alive socket may have been closed by the server during the long seeding.
  await hookflow.api.workflows.list.query().catch(() => undefined);
  for (const [name, call] of calls) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await call();
      times.push(performance.now() - t);
    }
    console.log(
      `${name.padEnd(28)} ${median(times).toFixed(0).padStart(5)} ms over HTTP (max ${Math.max(...times).toFixed(0)})`,
    );
  }

  await measure('all runs', 'x=1');
  await measure('one workflow', `workflow=${targets[3]!.id}`);
  await measure('failed only', 'status=failed');
  await measure('one workflow, failed', `workflow=${targets[3]!.id}&status=failed`);
  await measure('last 24 hours', 'range=24h');
  // About one run in 45 matches: a search page (a window of 20,000 runs) holds more than 50.
  await measure('search "customer-42"', 'q=customer-42');

  for (const range of ['24h', '7d'] as const) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await hookflow.api.stats.overview.query({ workflowId: targets[3]!.id, range });
      times.push(performance.now() - t);
    }
    console.log(
      `overview ${range.padEnd(15)} ${median(times).toFixed(0).padStart(4)} ms (max ${Math.max(
        ...times,
      )
        .toFixed(0)
        .padStart(
          4,
        )}) over HTTP, one workflow of ${(total / targets.length).toLocaleString('en-US')} runs`,
    );
  }
} finally {
  await session.close();
}
