import { eventually } from '@hookflow/server/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

const token = 'tok_browser/7Hq+secret=value';
const signingSecret = 'github-signing-secret-from-the-dialog';

const saved = (page: Page) =>
  page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();

/** Webhook -> HTTP request, without auth: what the test gives credentials to. */
const document = {
  format: 'hookflow/workflow@1',
  name: 'Orders to the shop',
  nodes: [
    {
      id: 'trigger',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
    {
      id: 'shop',
      key: 'shop',
      type: 'http-request',
      name: 'Shop',
      config: { url: 'https://shop.example.com/orders' },
      position: { x: 320, y: 0 },
    },
  ],
  edges: [{ id: 'e', source: 'trigger', target: 'shop' }],
  settings: {},
};

describe('credentials in a real browser', () => {
  it('creates a credential, picks it in the editor, creates another from the picker, and refuses to delete one in use', async () => {
    const { page, hookflow } = session;
    await page.goto(session.url('/credentials'));
    await page.getByTestId('credentials-empty').waitFor();

    // Create a bearer token on the Credentials page.
    await page.getByTestId('new-credential').click();
    const form = page.getByTestId('credential-form');
    await form.getByTestId('credential-name').fill('Shop API token');
    await form.getByTestId('credential-type').selectOption('bearer');
    await form.getByTestId('credential-field-token').fill(token);
    expect(await form.getByTestId('credential-field-token').getAttribute('type')).toBe('password');
    await form.getByTestId('credential-save').click();
    await page.getByTestId('credential-notice').waitFor();
    const row = page.getByTestId('credential-row');
    expect(await row.getByTestId('credential-row-name').textContent()).toBe('Shop API token');
    expect(await row.textContent()).toContain('token ••••••');
    expect(await row.getByTestId('credential-used-by').textContent()).toBe('unused');
    await session.screenshot('credentials-page');

    // Pick it as the HTTP request's authentication in the editor.
    const imported = await hookflow.api.workflows.import.mutate({ document, publish: false });
    await page.goto(session.url(`/workflows/${imported.id}/edit`));
    await card(page, 'shop').click();
    const auth = page.getByTestId('field-auth');
    const select = auth.getByTestId('credential-select');
    // The picker lists the stored credentials once it has them (the page was loaded afresh).
    await select.locator('option', { hasText: 'Shop API token' }).waitFor({ state: 'attached' });
    const options = await select.locator('option').allTextContents();
    expect(options).toEqual([
      'None',
      'Shop API token (Bearer token)',
      'Custom (JSON, may use {{ }})',
      '+ Create new credential…',
    ]);
    const [credential] = await hookflow.api.credentials.list.query();
    await select.selectOption(credential!.id);
    await saved(page);
    await auth.scrollIntoViewIfNeeded();
    await session.screenshot('credentials-http-auth-picked');
    await eventually(async () => {
      const draft = await hookflow.api.workflows.get.query({ id: imported.id });
      const config = draft.document.nodes.find((node) => node.id === 'shop')?.config;
      return JSON.stringify(config?.auth) === JSON.stringify({ $credential: credential!.id })
        ? true
        : undefined;
    });

    // The trigger: GitHub signatures, its secret created from the picker's dialog.
    await card(page, 'trigger').click();
    await page.getByTestId('json-field-auth').fill('{ "type": "github" }');
    const secret = page.getByTestId('field-auth.secrets');
    await secret.waitFor();
    // Only the kinds a trigger's secret can be are offered: the bearer token is not.
    expect(
      await secret.getByTestId('credential-select').locator('option').allTextContents(),
    ).toEqual(['Choose a credential…', '+ Create new credential…']);
    await secret.getByTestId('credential-select').selectOption('#create');
    const dialog = page.getByTestId('credential-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('credential-type').locator('option').allTextContents()).toEqual(
      ['Signing secret (HMAC)', 'JWT key', 'Secret text'],
    );
    await dialog.getByTestId('credential-name').fill('GitHub signing secret');
    await dialog.getByTestId('credential-field-secret').fill(signingSecret);
    await session.screenshot('credentials-create-from-editor');
    await dialog.getByTestId('credential-save').click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => {
      const value = await secret.getByTestId('credential-select').inputValue();
      return value.startsWith('cred_') ? true : undefined;
    });
    expect(await page.getByTestId('node-settings').getByTestId('field-issues').count()).toBe(0);
    await saved(page);
    await session.screenshot('credentials-picked-in-editor');
    const draft = await hookflow.api.workflows.get.query({ id: imported.id });
    const signing = (await hookflow.api.credentials.list.query()).find(
      (item) => item.name === 'GitHub signing secret',
    )!;
    expect(draft.document.nodes[0]?.config).toEqual({
      auth: { type: 'github', secrets: [{ $credential: signing.id }] },
    });
    expect(draft.issues).toEqual([]);

    // Back on the Credentials page: both are in use, and deleting one is refused, naming the workflow.
    await page.getByTestId('nav-credentials').click();
    await page.getByTestId('credential-table').waitFor();
    const shopRow = page.locator(`[data-credential-id="${credential!.id}"]`);
    expect(await shopRow.getByTestId('credential-used-by').textContent()).toBe(
      'Orders to the shop',
    );
    page.once('dialog', (confirm) => void confirm.accept());
    await shopRow.getByTestId('delete-credential').click();
    const problem = page.getByTestId('error-message');
    await problem.waitFor();
    expect(await problem.textContent()).toContain(
      `credential "Shop API token" is used by workflow "Orders to the shop" (${imported.id})`,
    );
    await session.screenshot('credentials-delete-refused');

    // Editing: the saved secret is never shown; a rename keeps it.
    await shopRow.getByTestId('edit-credential').click();
    const edit = page.getByTestId('credential-form');
    expect(await edit.getByTestId('credential-field-token').inputValue()).toBe('');
    expect(await edit.getByTestId('credential-field-token').getAttribute('placeholder')).toBe(
      '•••••• (saved; type to replace)',
    );
    await edit.getByTestId('credential-name').fill('Shop API token (live)');
    await edit.getByTestId('credential-save').click();
    await page.getByTestId('credential-notice').waitFor();
    expect(await shopRow.getByTestId('credential-row-name').textContent()).toBe(
      'Shop API token (live)',
    );
    expect(hookflow.store.credentials.reveal(credential!.id)?.value).toEqual({ token });

    // No secret ever reached the page.
    const html = await page.content();
    expect(html).not.toContain(token);
    expect(html).not.toContain(signingSecret);
    expect(session.consoleErrors.filter((text) => !text.includes('409'))).toEqual([]);
  }, 90_000);
});
