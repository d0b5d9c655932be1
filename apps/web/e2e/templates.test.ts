import { eventually, startSink } from '@hookflow/server/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  session = await startBrowserSession();
  sink = await startSink(200);
}, 60_000);

afterAll(async () => {
  await session?.close();
  await sink?.close();
});

const saved = (page: Page) =>
  page.locator('[data-testid="save-status"][data-status="saved"]').waitFor({ timeout: 5000 });

/** Clicks the canvas where no card is, so nothing is selected and the workflow panel shows. */
async function clickEmptyCanvas(page: Page) {
  const pane = page.locator('.react-flow__pane');
  const box = (await pane.boundingBox())!;
  await page.mouse.click(box.x + box.width - 30, box.y + 30);
}

describe('starting from a template', () => {
  it('creates the GitHub workflow with its sample, test-runs it against a sink, pastes a sample, lists shortcuts, publishes with notes and compares versions', async () => {
    const { page } = session;
    const { api } = session.hookflow;
    await page.goto(session.url('/'));

    // The empty workflows page offers the gallery; it is reachable from the keyboard.
    await page.getByTestId('empty-new-from-template').click();
    const gallery = page.getByTestId('template-gallery');
    await gallery.waitFor();
    expect(await gallery.getByTestId('template-card').count()).toBeGreaterThanOrEqual(6);
    const focused = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-template') ?? null);
    expect(await focused()).toBe('github-push-to-chat');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('shop-order-to-crm');
    await session.screenshot('template-gallery');
    // Escape closes it; the button opens it again.
    await page.keyboard.press('Escape');
    await gallery.waitFor({ state: 'detached' });
    await page.getByTestId('new-from-template').click();
    await gallery.waitFor();
    await page.keyboard.press('Enter');

    // The editor opens on the new workflow with the template's sample chosen.
    await page.waitForURL('**/workflows/*/edit?sample=*');
    await card(page, 'chat').waitFor();
    const workflowId = new URL(page.url()).pathname.split('/')[2]!;
    await page.getByTestId('trigger-tree').waitFor();
    expect(await page.getByTestId('sample-select').locator('option:checked').textContent()).toMatch(
      /^GitHub push to main \(POST/,
    );
    expect(await page.getByTestId('trigger-tree').textContent()).toContain('octo-org/storefront');
    // The chat URL is a placeholder: marked on the card and listed in the workflow panel.
    await card(page, 'chat').getByTestId('node-placeholder-badge').waitFor();
    const placeholders = page.getByTestId('placeholder-list');
    expect(await placeholders.textContent()).toContain(
      'https://hooks.example.com/services/T0000/B0000/chat-webhook is a placeholder address',
    );
    await session.screenshot('template-editor');

    // Replace it with a real endpoint (the sink): the mark goes away.
    await placeholders.getByTestId('problem').first().click();
    await page.locator('[data-testid="node-settings"][data-node-id="chat"]').waitFor();
    await page.getByTestId('field-warnings').waitFor();
    await page.getByTestId('expression-url').locator('.cm-content').fill(`${sink.url}/chat`);
    await page.getByTestId('field-warnings').waitFor({ state: 'detached' });
    expect(await card(page, 'chat').getByTestId('node-placeholder-badge').count()).toBe(0);
    await saved(page);

    // Test run on the template's own sample: each node's output on its card and in the panel.
    await page.getByTestId('test-run').click();
    await page.locator('[data-testid="test-run-summary"][data-status="succeeded"]').waitFor();
    expect(sink.received.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /chat',
    ]);
    const message = JSON.parse(sink.received[0]!.body) as { text: string; content: string };
    expect(message.text).toMatch(
      /^monalisa pushed 2 commit\(s\) to octo-org\/storefront \(main\):/,
    );
    expect(message.content).toBe(message.text);
    // The whole workflow back in view (showing the chat node zoomed in on it; the editor draws
    // only the cards in view).
    await page.locator('.react-flow__controls-fitview').click();
    for (const key of ['trigger', 'main_branch', 'message', 'chat']) {
      expect(await card(page, key).getByTestId('node-test-badge').getAttribute('data-status')).toBe(
        'succeeded',
      );
    }
    await card(page, 'message').click();
    expect(await page.getByTestId('step-output').textContent()).toContain(
      "• Check the signup form's email before sending (0d1a26e)",
    );
    await session.screenshot('template-test-run');

    // Paste a sample by hand: a broken body is refused in place, with where it breaks.
    await page.getByTestId('paste-sample').click();
    const paste = page.getByTestId('paste-sample-dialog');
    await paste.waitFor();
    await page.getByTestId('paste-name').fill('Push to a feature branch');
    await page
      .getByTestId('paste-body')
      .fill('{\n  "ref": "refs/heads/feature/login",\n  "commits": [\n}');
    await paste.locator('summary').click();
    await page.getByTestId('paste-headers').fill('X-GitHub-Event: push');
    await page.getByTestId('paste-save').click();
    expect(await page.getByTestId('paste-error-body').textContent()).toBe(
      'The body is not valid JSON: unexpected "}" at line 4, column 1.',
    );
    await session.screenshot('paste-sample');
    await page
      .getByTestId('paste-body')
      .fill(
        '{\n  "ref": "refs/heads/feature/login",\n  "pusher": { "name": "hubot" },\n  "commits": []\n}',
      );
    await page.getByTestId('paste-body-reads').waitFor();
    expect(await page.getByTestId('paste-body-reads').textContent()).toContain(
      'an object with 3 fields',
    );
    await page.getByTestId('paste-save').click();
    await paste.waitFor({ state: 'detached' });
    await eventually(async () =>
      (await page.getByTestId('sample-select').locator('option:checked').textContent())?.startsWith(
        'Push to a feature branch',
      )
        ? true
        : undefined,
    );
    const samples = await api.samples.list.query({ workflowId });
    expect(samples.map((sample) => sample.name)).toEqual([
      'Push to a feature branch',
      'GitHub push to main',
    ]);
    expect(samples[0]!.event.headers['x-github-event']).toBe('push');
    // That push is not to main: the filter stops it, and nothing is sent.
    await page.getByTestId('test-run').click();
    await page.locator('[data-testid="test-run-summary"][data-status="filtered"]').waitFor();
    expect(sink.received).toHaveLength(1);

    // "?" lists the shortcuts (from the table the key handler uses); Escape closes it.
    await clickEmptyCanvas(page);
    await page.keyboard.press('?');
    const shortcuts = page.getByTestId('shortcuts-dialog');
    await shortcuts.waitFor();
    const ids = await shortcuts
      .getByTestId('shortcut')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-id')));
    expect(ids).toEqual(
      expect.arrayContaining(['undo', 'redo', 'save', 'copy', 'paste', 'delete', 'help']),
    );
    expect(await shortcuts.locator('[data-id="undo"] kbd').allTextContents()).toEqual([
      'Ctrl',
      'Z',
    ]);
    await session.screenshot('shortcuts');
    await page.keyboard.press('Escape');
    await shortcuts.waitFor({ state: 'detached' });
    await page.getByTestId('open-shortcuts').click();
    await shortcuts.waitFor();
    await page.getByTestId('dialog-close').click();
    await shortcuts.waitFor({ state: 'detached' });

    // Publish asks for a note; the versions list shows who and when.
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-dialog').waitFor();
    await page.getByTestId('publish-note').fill('Posts pushes to main to the team chat');
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('publish-result').waitFor();
    expect(await page.getByTestId('publish-result').textContent()).toContain('version 1');

    await page.locator('.react-flow__controls-fitview').click();
    await card(page, 'chat').click();
    await page.getByTestId('expression-url').locator('.cm-content').fill(`${sink.url}/chat/v2`);
    await saved(page);
    await page.getByTestId('publish').click();
    await page.getByTestId('publish-note').fill('Moved to the v2 channel');
    await page.getByTestId('publish-confirm').click();
    await eventually(async () =>
      (await page.getByTestId('publish-result').textContent())?.includes('version 2')
        ? true
        : undefined,
    );

    await page.getByTestId('open-versions').click();
    const versions = page.getByTestId('versions-dialog');
    await versions.waitFor();
    await eventually(async () =>
      (await versions.getByTestId('version-item').count()) === 2 ? true : undefined,
    );
    expect(await versions.getByTestId('version-note').allTextContents()).toEqual([
      'Moved to the v2 channel',
      'Posts pushes to main to the team chat',
    ]);
    const owner = session.hookflow.owner!;
    for (const meta of await versions.getByTestId('version-meta').allTextContents()) {
      expect(meta).toContain(owner.email);
    }

    // Version 1 against version 2: the list of changes, then the JSON diff and side by side.
    await versions.locator('[data-testid="version-item"][data-version="1"]').click();
    const v2 = (await api.workflows.get.query({ id: workflowId })).versions[0]!;
    await page.getByTestId('compare-to').selectOption(v2.id);
    expect(await page.getByTestId('diff-changed').textContent()).toBe('Changed chat: config.url');
    await page.getByTestId('view-unified').click();
    const diff = page.getByTestId('json-diff');
    const squeezed = (texts: string[]) => texts.map((text) => text.replace(/\s+/g, ' ').trim());
    expect(squeezed(await diff.locator('[data-change="removed"]').allTextContents())).toEqual([
      `- "url": "${sink.url}/chat",`,
    ]);
    expect(squeezed(await diff.locator('[data-change="added"]').allTextContents())).toEqual([
      `+ "url": "${sink.url}/chat/v2",`,
    ]);
    await session.screenshot('version-diff');
    await page.getByTestId('view-split').click();
    await page.getByTestId('json-split').waitFor();
    expect(
      squeezed(await page.locator('.json-split td[data-change="added"]').allTextContents()),
    ).toEqual([`"url": "${sink.url}/chat/v2",`]);
    await session.screenshot('version-diff-split');
    await page.keyboard.press('Escape');
    await versions.waitFor({ state: 'detached' });

    const stored = await api.workflows.get.query({ id: workflowId });
    expect(stored.versions.map((version) => version.author?.email)).toEqual([
      owner.email,
      owner.email,
    ]);
    expect(session.consoleErrors).toEqual([]);
  }, 120_000);
});
