import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotDir, startBrowserSession } from './harness.ts';

/**
 * Accounts from a person's point of view, on a fresh server with no user: setup, sign-in and
 * sign-out, the users page, what a viewer sees, API tokens, a changed password and an ended
 * session. One story, in order: each step builds on the one before.
 */
let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession({
    signedIn: false,
    // A low per-account limit, so that throttling shows after a few wrong passwords.
    server: { owner: false, loginThrottle: { perAccount: { max: 3, windowMs: 15 * 60_000 } } },
  });
}, 60_000);

afterAll(async () => {
  await session?.close();
});

const owner = { email: 'olive@example.com', name: 'Olive Owner', password: 'olive owner password' };
const editor = { email: 'ed@example.com', name: 'Ed Editor', password: 'ed editor password' };
const viewer = { email: 'vi@example.com', name: 'Vi Viewer', password: 'vi viewer password' };

/** Every confirmation (delete, revoke, sign out everywhere) is accepted. */
function acceptDialogs(page: Page) {
  page.on('dialog', (dialog) => void dialog.accept());
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByTestId('login-page').waitFor();
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  // Done when the server has answered (and the page had a moment to show it).
  await Promise.all([
    page.waitForResponse((response) => response.url().includes('/trpc/auth.login')),
    page.getByTestId('login-submit').click(),
  ]);
}

async function openMenu(page: Page) {
  await page.getByTestId('account-menu-button').click();
  await page.getByTestId('account-menu').waitFor();
}

const pathOf = (page: Page) => {
  const url = new URL(page.url());
  return url.pathname + url.search;
};

async function waitForPath(page: Page, path: string) {
  await page.waitForFunction(
    (expected) => window.location.pathname + window.location.search === expected,
    path,
  );
}

async function addUser(
  page: Page,
  user: { email: string; name: string; password: string },
  role: string,
) {
  await page.getByTestId('add-user').click();
  const form = page.getByTestId('add-user-form');
  await form.getByTestId('new-user-email').fill(user.email);
  await form.getByTestId('new-user-name').fill(user.name);
  await form.getByTestId('new-user-role').selectOption(role);
  await form.getByTestId('new-user-password').fill(user.password);
  await form.getByTestId('new-user-save').click();
  await page.getByTestId('users-notice').filter({ hasText: user.email }).waitFor();
  await page.locator(`[data-testid="user-row"][data-email="${user.email}"]`).waitFor();
}

describe('accounts in a real browser', { timeout: 30_000 }, () => {
  let workflowId = '';
  let editorPage: Page;

  it('a fresh server opens the setup page, which checks the form and creates the owner', async () => {
    const { page } = session;
    acceptDialogs(page);
    await page.goto(session.url('/runs'));
    await page.getByTestId('setup-page').waitFor();
    expect(pathOf(page)).toBe('/setup');
    await session.screenshot('accounts-setup');

    // Every problem at once, beside its field.
    await page.getByTestId('setup-submit').click();
    expect(await page.getByTestId('setup-email-problem').textContent()).toBe(
      'Enter an email address.',
    );
    expect(await page.getByTestId('setup-password-problem').textContent()).toBe(
      'Choose a password.',
    );
    await page.getByTestId('setup-email').fill('olive');
    await page.getByTestId('setup-password').fill('short');
    await page.getByTestId('setup-confirm').fill('other');
    expect(await page.getByTestId('setup-email-problem').textContent()).toBe(
      'Enter an email address like name@example.com.',
    );
    expect(await page.getByTestId('setup-password-problem').textContent()).toBe(
      'Use at least 10 characters (this one has 5).',
    );
    expect(await page.getByTestId('setup-confirm-problem').textContent()).toBe(
      'The two passwords are not the same.',
    );
    expect(await page.getByTestId('setup-email').getAttribute('aria-invalid')).toBe('true');
    await session.screenshot('accounts-setup-problems');

    // An address the form lets through but the server refuses: its words, not where or JSON.
    await page.getByTestId('setup-email').fill('olive@example.c');
    await page.getByTestId('setup-name').fill(owner.name);
    await page.getByTestId('setup-password').fill(owner.password);
    await page.getByTestId('setup-confirm').fill(owner.password);
    await page.getByTestId('setup-submit').click();
    const refusal = page.getByTestId('error-message');
    await refusal.waitFor();
    expect(await refusal.locator('p').nth(1).textContent()).toBe(
      'enter an email address, like ada@example.com',
    );
    expect(await page.getByTestId('error-issues').count()).toBe(0);
    await session.screenshot('accounts-setup-server-refusal');

    await page.getByTestId('setup-email').fill(owner.email);
    await page.getByTestId('setup-submit').click();

    // Signed in, on the workflows.
    await page.getByTestId('workflows-empty').waitFor();
    expect(pathOf(page)).toBe('/');
    expect(await page.getByTestId('account-name').textContent()).toBe(owner.name);
    expect(await page.getByTestId('account-role').textContent()).toBe('owner');
    expect(await page.getByTestId('nav-users').isVisible()).toBe(true);

    // Setup is done: its page now sends a signed-in person home.
    await page.goto(session.url('/setup'));
    await page.getByTestId('workflows-empty').waitFor();
    expect(pathOf(page)).toBe('/');
  });

  it('signs out to the login page, which says when the password is wrong and returns to the page asked for', async () => {
    const { page } = session;
    await openMenu(page);
    await session.screenshot('accounts-menu');
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-page').waitFor();
    expect(pathOf(page)).toBe('/login');
    expect(await page.getByTestId('login-farewell').textContent()).toContain('You are signed out.');

    // Signed out, a page of the app sends to the login page, keeping where the person was going.
    await page.goto(session.url('/runs?status=failed'));
    await page.getByTestId('login-page').waitFor();
    expect(pathOf(page)).toBe(`/login?next=${encodeURIComponent('/runs?status=failed')}`);

    await signIn(page, owner.email, 'not the password');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The email or password is wrong.');
    // The email stays; the password is asked again.
    expect(await page.getByTestId('login-email').inputValue()).toBe(owner.email);
    expect(await page.getByTestId('login-password').inputValue()).toBe('');
    await session.screenshot('accounts-login-wrong-password');

    await signIn(page, owner.email, owner.password);
    await waitForPath(page, '/runs?status=failed');
    await page.getByTestId('nav-runs').waitFor();
    expect(await page.getByTestId('account-role').textContent()).toBe('owner');
  });

  it('the owner adds an editor and a viewer, changes a role and deletes a user on the Users page', async () => {
    const { page } = session;
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-table').waitFor();
    const me = page.locator(`[data-testid="user-row"][data-email="${owner.email}"]`);
    expect(await me.textContent()).toContain('you');
    // Nobody changes their own role or deletes themselves.
    expect(await me.getByTestId('delete-user').isDisabled()).toBe(true);

    // The form checks before asking the server.
    await page.getByTestId('add-user').click();
    await page.getByTestId('new-user-save').click();
    expect(await page.getByTestId('new-user-email-problem').textContent()).toBe(
      'Enter an email address.',
    );
    await page.getByTestId('add-user-form').getByRole('button', { name: 'Cancel' }).click();

    await addUser(page, editor, 'editor');
    // Added as an editor first, then made a viewer with the role select.
    await addUser(page, viewer, 'editor');
    const viewerRow = page.locator(`[data-testid="user-row"][data-email="${viewer.email}"]`);
    await viewerRow.getByTestId('user-role-select').selectOption('viewer');
    await page.getByTestId('users-notice').filter({ hasText: 'is now a viewer' }).waitFor();

    // A user who is no longer needed is deleted after a confirmation.
    const temp = { email: 'temp@example.com', name: 'Temporary', password: 'temporary password' };
    await addUser(page, temp, 'viewer');
    await page
      .locator(`[data-testid="user-row"][data-email="${temp.email}"]`)
      .getByTestId('delete-user')
      .click();
    await page.getByTestId('users-notice').filter({ hasText: 'Deleted' }).waitFor();
    await page.locator(`[data-testid="user-row"][data-email="${temp.email}"]`).waitFor({
      state: 'detached',
    });

    // An email that is taken is refused by the server, readably.
    await page.getByTestId('add-user').click();
    const form = page.getByTestId('add-user-form');
    await form.getByTestId('new-user-email').fill(editor.email);
    await form.getByTestId('new-user-password').fill('another password');
    await form.getByTestId('new-user-save').click();
    const refusal = form.getByTestId('error-message');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(editor.email);
    expect(await refusal.textContent()).not.toContain('[{');
    await form.getByRole('button', { name: 'Cancel' }).click();

    const rows = await page
      .getByTestId('user-row')
      .evaluateAll((elements) =>
        elements.map((element) => [
          element.getAttribute('data-email'),
          (element.querySelector('[data-testid="user-role-select"]') as HTMLSelectElement | null)
            ?.value ?? element.querySelector('[data-testid="user-role"]')?.textContent,
        ]),
      );
    expect(rows).toEqual([
      [owner.email, 'owner'],
      [editor.email, 'editor'],
      [viewer.email, 'viewer'],
    ]);
    await session.screenshot('accounts-users');
  });

  it('a viewer sees no Users page and no way to change workflows, and a change they try anyway is refused readably', async () => {
    const { page } = session;
    // A workflow for the viewer to look at, made by the owner.
    await page.getByTestId('nav-workflows').click();
    await page.getByTestId('new-workflow').click();
    await page.getByTestId('editor').waitFor();
    workflowId = new URL(page.url()).pathname.split('/')[2]!;

    const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewerPage = await context.newPage();
    acceptDialogs(viewerPage);
    await viewerPage.goto(session.url('/'));
    await signIn(viewerPage, viewer.email, viewer.password);
    await viewerPage.getByTestId('workflow-table').waitFor();
    expect(await viewerPage.getByTestId('account-role').textContent()).toBe('viewer');
    expect(await viewerPage.getByTestId('nav-users').count()).toBe(0);
    expect(await viewerPage.getByTestId('nav-audit').count()).toBe(0);
    const create = viewerPage.getByTestId('new-workflow');
    expect(await create.isDisabled()).toBe(true);
    expect(await create.getAttribute('title')).toBe(
      'This needs the editor role; you are a viewer.',
    );
    expect(await viewerPage.getByTestId('import-workflow').isDisabled()).toBe(true);
    expect(await viewerPage.getByTestId('new-from-template').isDisabled()).toBe(true);

    // The Users page by its address: the server refuses, and the page says why.
    await viewerPage.goto(session.url('/users'));
    const refused = viewerPage.getByTestId('error-message');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('this needs the admin role; you are a viewer');

    // In the editor: read only, Publish disabled; a change is refused by the server, readably.
    await viewerPage.goto(session.url(`/workflows/${workflowId}/edit`));
    await viewerPage.getByTestId('editor-read-only').waitFor();
    expect(await viewerPage.getByTestId('publish').isDisabled()).toBe(true);
    // Nothing on the canvas looks editable: a card does not move when dragged, its handles do
    // not start a connection, and neither the palette nor Arrange changes anything.
    const card = viewerPage.locator('[data-testid="node-card"]').first();
    await card.waitFor();
    const flowNode = viewerPage.locator('.react-flow__node').first();
    expect(await flowNode.getAttribute('class')).not.toContain('draggable');
    expect(await viewerPage.locator('.react-flow__handle.connectable').count()).toBe(0);
    // No lock button either: it would make the canvas interactive again.
    expect(await viewerPage.locator('.react-flow__controls-interactive').count()).toBe(0);
    // The card in plain view, and the view still, so that the drag below starts on it.
    await viewerPage.locator('.react-flow__controls-fitview').click();
    const viewport = viewerPage.locator('.react-flow__viewport');
    let lastView = '';
    for (let tries = 0; tries < 50; tries++) {
      await viewerPage.waitForTimeout(100);
      const view = await viewport.evaluate((element) => (element as HTMLElement).style.transform);
      if (view === lastView) break;
      lastView = view;
    }
    const drag = async (from: { x: number; y: number }, by: { x: number; y: number }) => {
      await viewerPage.mouse.move(from.x, from.y);
      await viewerPage.mouse.down();
      await viewerPage.mouse.move(from.x + by.x, from.y + by.y, { steps: 10 });
      await viewerPage.mouse.up();
    };
    // Where the card stands on the canvas (its transform), whatever the view does meanwhile.
    const position = () => flowNode.evaluate((element) => (element as HTMLElement).style.transform);
    const before = await position();
    expect(before).toMatch(/^translate\(/);
    const box = (await card.boundingBox())!;
    // What is under the pointer where the drag starts is the card itself.
    const under = await viewerPage.evaluate(
      ([x, y]) => document.elementFromPoint(x!, y!)?.closest('[data-testid="node-card"]') !== null,
      [box.x + box.width / 2, box.y + 12],
    );
    expect(under).toBe(true);
    await drag({ x: box.x + box.width / 2, y: box.y + 12 }, { x: 160, y: 120 });
    expect(await position()).toBe(before);
    // The same drag moves the card for the owner, who may edit (their page is on this workflow).
    const ownerNode = page.locator('.react-flow__node').first();
    const ownerPosition = () =>
      ownerNode.evaluate((element) => (element as HTMLElement).style.transform);
    const ownerBefore = await ownerPosition();
    const ownerBox = (await page.locator('[data-testid="node-card"]').first().boundingBox())!;
    await page.mouse.move(ownerBox.x + ownerBox.width / 2, ownerBox.y + 12);
    await page.mouse.down();
    await page.mouse.move(ownerBox.x + ownerBox.width / 2 + 160, ownerBox.y + 132, { steps: 10 });
    await page.mouse.up();
    expect(await ownerPosition()).not.toBe(ownerBefore);
    const handle = (await viewerPage.locator('.react-flow__handle.source').first().boundingBox())!;
    await drag(
      { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 },
      { x: 60, y: 150 },
    );
    expect(await viewerPage.getByTestId('quick-add').count()).toBe(0);
    expect(await viewerPage.locator('.react-flow__connectionline').count()).toBe(0);
    expect(await viewerPage.getByTestId('auto-layout').isDisabled()).toBe(true);
    expect(await viewerPage.getByTestId('palette-item-filter').getAttribute('aria-disabled')).toBe(
      'true',
    );
    // A card's settings are there to read; nothing in them changes, and cutting takes nothing.
    await card.click();
    const settings = viewerPage.getByTestId('node-settings');
    await settings.waitFor();
    expect(await settings.locator('fieldset.config-fieldset').getAttribute('disabled')).toBe('');
    expect(await settings.getByTestId('delete-node').isDisabled()).toBe(true);
    expect(await settings.locator('input, select').first().isDisabled()).toBe(true);
    for (const content of await settings.locator('.cm-content').all()) {
      expect(await content.getAttribute('contenteditable')).toBe('false');
    }
    const cards = await viewerPage.locator('[data-testid="node-card"]').count();
    await viewerPage.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await card.click();
    await viewerPage.keyboard.press('Control+x');
    await viewerPage.waitForTimeout(200);
    expect(await viewerPage.locator('[data-testid="node-card"]').count()).toBe(cards);
    // The name is read only as well. A change sent anyway, straight to the API with the
    // viewer's session, is refused in words, and nothing is stored.
    const nameInput = viewerPage.getByTestId('workflow-name-input');
    expect(await nameInput.getAttribute('readonly')).not.toBeNull();
    await nameInput.press('End');
    await viewerPage.keyboard.type(' renamed');
    expect(await nameInput.inputValue()).not.toContain('renamed');
    await viewerPage.screenshot({ path: `${screenshotDir}accounts-viewer-editor.png` });
    const refusedSave = await viewerPage.request.post(session.url('/trpc/workflows.saveDraft'), {
      headers: {
        'content-type': 'application/json',
        'x-hookflow-csrf': '1',
        origin: new URL(session.url('/')).origin,
      },
      data: { id: workflowId, document: { name: 'Renamed by a viewer' } },
    });
    expect(refusedSave.status()).toBe(403);
    expect(((await refusedSave.json()) as { error: { message: string } }).error.message).toBe(
      'this needs the editor role; you are a viewer',
    );
    const stored = session.hookflow.store.workflows.get(workflowId);
    expect(stored?.name).not.toBe('Renamed by a viewer');

    // The editor can create; keep their page for later.
    editorPage = await (await session.browser.newContext()).newPage();
    acceptDialogs(editorPage);
    await editorPage.goto(session.url('/'));
    await signIn(editorPage, editor.email, editor.password);
    await editorPage.getByTestId('workflow-table').waitFor();
    expect(await editorPage.getByTestId('new-workflow').isDisabled()).toBe(false);
    expect(await editorPage.getByTestId('nav-users').count()).toBe(0);
    await context.close();
  });

  it('creates an API token, shows it once, and the token works with fetch until it is revoked', async () => {
    const { page } = session;
    await openMenu(page);
    await page.getByTestId('menu-tokens').click();
    await page.getByTestId('tokens-empty').waitFor();
    expect(pathOf(page)).toBe('/account/tokens');

    await page.getByTestId('new-token').click();
    await page.getByTestId('token-create').click();
    expect(await page.getByTestId('token-name-input-problem').textContent()).toContain(
      'Name the token',
    );
    await page.getByTestId('token-name-input').fill('CI deploys');
    await page.getByTestId('token-expiry').selectOption('30');
    await page.getByTestId('token-create').click();
    const created = page.getByTestId('token-created');
    await created.waitFor();
    expect(await created.textContent()).toContain('you will not see it again');
    const token = (await page.getByTestId('token-value').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(20);
    await page.getByTestId('copy-token').click();
    await page.locator('[data-testid="copy-token"][data-state="copied"]').waitFor();

    const row = page.locator('[data-testid="token-row"][data-token-name="CI deploys"]');
    await row.waitFor();
    const prefix = (await row.getByTestId('token-prefix').textContent())!.replace('…', '');
    expect(token.startsWith(prefix)).toBe(true);
    expect(await row.getByTestId('token-expires').textContent()).toMatch(/^in (29|30) days$/);
    await session.screenshot('accounts-tokens');

    const listWorkflows = () =>
      session.hookflow.fetch(session.url('/trpc/workflows.list'), {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await listWorkflows()).status).toBe(200);

    // Once dismissed, the value is gone from the page for good.
    await page.getByTestId('token-copied').click();
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(token);

    await row.getByTestId('revoke-token').click();
    await page.getByTestId('tokens-notice').waitFor();
    await page.getByTestId('tokens-empty').waitFor();
    expect((await listWorkflows()).status).toBe(401);
  });

  it('an ended session sends back to the login page and, after signing in, to the same page', async () => {
    const { page, hookflow } = session;
    const ownerId = hookflow.store.users.getByEmail(owner.email)!.id;
    hookflow.store.sessions.endAllOf(ownerId);
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('login-page').waitFor();
    expect(pathOf(page)).toBe(`/login?next=${encodeURIComponent('/runs')}`);
    expect(await page.getByTestId('login-farewell').textContent()).toContain(
      'Your session has ended.',
    );
    await session.screenshot('accounts-login');
    await signIn(page, owner.email, owner.password);
    await waitForPath(page, '/runs');
    await page.getByTestId('account-menu-button').waitFor();
  });

  it('changes a password, signs out everywhere, and throttles guessing', async () => {
    const page = editorPage;
    await openMenu(page);
    await page.getByTestId('menu-password').click();
    await page.getByTestId('change-password-form').waitFor();
    await page.getByTestId('password-current').fill('wrong current password');
    await page.getByTestId('password-next').fill('ed new password 1');
    await page.getByTestId('password-confirm').fill('ed new password 1');
    await page.getByTestId('password-save').click();
    const refused = page.getByTestId('error-message');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('the current password is wrong');

    await page.getByTestId('password-current').fill(editor.password);
    await page.getByTestId('password-save').click();
    await page.getByTestId('password-changed').waitFor();
    await page.screenshot({ path: `${screenshotDir}accounts-password-changed.png` });

    await openMenu(page);
    await page.getByTestId('sign-out-everywhere').click();
    await page.getByTestId('login-page').waitFor();
    expect(await page.getByTestId('login-farewell').textContent()).toContain(
      'You are signed out everywhere.',
    );

    // The old password no longer works. With the wrong current password above, that makes three
    // failures for this account (the limit here): the right password must now wait.
    for (let attempt = 0; attempt < 2; attempt++) {
      await signIn(page, editor.email, editor.password);
      await page.getByTestId('login-error').filter({ hasText: 'wrong' }).waitFor();
    }
    await signIn(page, editor.email, 'ed new password 1');
    const throttled = page.getByTestId('login-error');
    await throttled.filter({ hasText: 'Too many attempts' }).waitFor();
    expect(await throttled.textContent()).toMatch(/try again in \d+ minutes?/i);
    await page.screenshot({ path: `${screenshotDir}accounts-login-throttled.png` });
  });

  it('the owner resets the password of a user who forgot it, who then signs in with the new one', async () => {
    const { page } = session;
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-table').waitFor();
    const row = (email: string) => page.locator(`[data-testid="user-row"][data-email="${email}"]`);
    // Your own password is changed where the current one is asked.
    const own = row(owner.email).getByTestId('reset-password');
    expect(await own.isDisabled()).toBe(true);
    expect(await own.getAttribute('title')).toContain('Change password');

    await row(viewer.email).getByTestId('reset-password').click();
    const dialog = page.getByTestId('reset-password-dialog');
    await dialog.waitFor();
    // The same checks as everywhere a password is chosen, shown after the first try.
    expect(await dialog.getByTestId('reset-password-new-problem').count()).toBe(0);
    await dialog.getByTestId('reset-password-save').click();
    expect(await dialog.getByTestId('reset-password-new-problem').textContent()).toBe(
      'Choose a password.',
    );
    await dialog.getByTestId('reset-password-new').fill('vi reset password');
    await dialog.getByTestId('reset-password-confirm').fill('vi reset passwort');
    expect(await dialog.getByTestId('reset-password-confirm-problem').textContent()).toBe(
      'The two passwords are not the same.',
    );
    await session.screenshot('accounts-reset-password');
    await dialog.getByTestId('reset-password-confirm').fill('vi reset password');
    await dialog.getByTestId('reset-password-save').click();
    const notice = page.getByTestId('users-notice');
    await notice.filter({ hasText: 'Set a new password' }).waitFor();
    expect(await notice.textContent()).toContain(`Set a new password for ${viewer.name}`);
    expect(await dialog.count()).toBe(0);
    await session.screenshot('accounts-reset-password-done');

    const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewerPage = await context.newPage();
    await viewerPage.goto(session.url('/'));
    await signIn(viewerPage, viewer.email, viewer.password);
    await viewerPage.getByTestId('login-error').filter({ hasText: 'wrong' }).waitFor();
    await signIn(viewerPage, viewer.email, 'vi reset password');
    await viewerPage.getByTestId('workflow-table').waitFor();
    expect(await viewerPage.getByTestId('account-role').textContent()).toBe('viewer');
    await context.close();

    const entry = session.hookflow.store.audit.list({ actionPrefix: 'user.password_reset' })
      .items[0];
    expect(entry).toMatchObject({
      actor: { kind: 'user', email: owner.email },
      target: { name: viewer.email },
    });
  });
});
