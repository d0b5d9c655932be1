import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { forwardingWorkflow } from './helpers.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-cli-audit-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a CLI command in this process and collects what it prints. */
async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('hookflow audit', () => {
  it('lists the changes made through the CLI, attributed to the system, with filters and JSON', async () => {
    const file = join(dir, 'orders.json');
    writeFileSync(file, JSON.stringify(forwardingWorkflow('https://crm.example.com')));
    expect((await cli(['import', file, '--publish'])).code).toBe(0);
    const draft = await cli(['import', file, '--json']);
    expect(draft.code).toBe(0);
    const imported = JSON.parse(draft.out) as { id: string; triggerUrl: string };
    expect(imported).toMatchObject({ id: expect.stringMatching(/^wf_/), publishedVersion: null });
    expect(imported.triggerUrl).toContain('/hooks/');

    const listed = await cli(['audit']);
    expect(listed.code).toBe(0);
    const lines = listed.out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}system {2}workflow\.created {2}"Forward orders" wf_/,
    );
    expect(lines[1]).toContain('workflow.published');
    expect(lines[1]).toContain('{"version":1}');
    expect(lines[2]).toContain('workflow.created');
    expect(lines[0]).toContain(imported.id);

    const published = await cli(['audit', '--action', 'workflow.published', '--json']);
    const page = JSON.parse(published.out) as { items: { action: string; actor: unknown }[] };
    expect(page.items.map((entry) => entry.action)).toEqual(['workflow.published']);
    expect(page.items[0]?.actor).toEqual({ kind: 'system' });

    const paged = await cli(['audit', '--limit', '2']);
    expect(paged.out.split('\n')).toHaveLength(2);
    expect(paged.err).toMatch(/more: add --cursor \S+/);

    const bad = await cli(['audit', '--limit', '0']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--limit must be a whole number from 1 to 500');
  });
});
