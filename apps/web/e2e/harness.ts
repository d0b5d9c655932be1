import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually, startHookflow } from '@hookflow/server/testing';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export const webRoot = fileURLToPath(new URL('../dist', import.meta.url));
export const screenshotDir = fileURLToPath(
  new URL('../../../test-results/screenshots/', import.meta.url),
);

export interface BrowserSessionOptions {
  /**
   * Start with the browser signed in as the server's owner (default). `false` for the sign-in
   * and setup pages.
   */
  signedIn?: boolean;
  /** Settings of the server; `{ owner: false }` starts with no user at all (the setup page). */
  server?: Omit<NonNullable<Parameters<typeof startHookflow>[0]>, 'webRoot'>;
}

/**
 * A real server (temporary SQLite file, port 0) serving the built web app, and headless
 * Chromium, signed in as the owner unless `signedIn: false`.
 */
export async function startBrowserSession(options: BrowserSessionOptions = {}) {
  const hookflow = await startHookflow({ ...options.server, webRoot });
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (options.signedIn !== false && hookflow.owner) {
    // The session a sign-in would start, made in the store: the same cookie, without the form.
    const { token, session } = hookflow.store.sessions.create(hookflow.owner.id);
    await context.addCookies([
      {
        name: 'hookflow_session',
        value: token,
        url: hookflow.address,
        httpOnly: true,
        sameSite: 'Lax',
        expires: Math.floor(session.expiresAt / 1000),
      },
    ]);
  }
  const consoleErrors: string[] = [];
  const page: Page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  mkdirSync(screenshotDir, { recursive: true });
  return {
    hookflow,
    browser,
    context,
    page,
    consoleErrors,
    url: (path: string) => `${hookflow.address}${path}`,
    screenshot: (name: string) =>
      page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true }),
    async close() {
      await browser.close();
      await hookflow.close();
    },
  };
}

/** A node's card on the editor's canvas, by its key. */
export const card = (page: Page, key: string): Locator =>
  page.locator(`[data-testid="node-card"][data-node-key="${key}"]`);

/** Waits (up to 5 s) until `check` holds. */
export async function until(check: () => Promise<boolean>): Promise<void> {
  await eventually(async () => ((await check()) ? true : undefined), 5000);
}
