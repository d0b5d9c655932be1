import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHookflow } from '@hookflow/server/testing';
import { type Browser, chromium, type Page } from 'playwright-core';

export const webRoot = fileURLToPath(new URL('../dist', import.meta.url));
export const screenshotDir = fileURLToPath(
  new URL('../../../test-results/screenshots/', import.meta.url),
);

/** A real server (temporary SQLite file, port 0) serving the built web app, and headless Chromium. */
export async function startBrowserSession() {
  const hookflow = await startHookflow({ webRoot });
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
