import { forwardingWorkflow, startSink } from '@hookflow/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  session = await startBrowserSession();
  sink = await startSink();
  // Every violation the page reports, enforced or not, from the first script on.
  await session.page.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { cspViolations: seen });
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.effectiveDirective} ${event.blockedURI}`);
    });
  });
}, 60_000);

afterAll(async () => {
  await session?.close();
  await sink?.close();
});

const violations = () =>
  session.page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

describe('the Content-Security-Policy in a real browser', () => {
  it('lets every page of the app run without a violation, and blocks injected script', async () => {
    const { page } = session;
    const { id } = await session.hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const response = await page.goto(session.url('/'));
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByTestId('workflow-row').first().waitFor();

    // The editor: React Flow's canvas and CodeMirror's expression fields.
    await page.goto(session.url(`/workflows/${id}/edit`));
    await page.locator('.react-flow__node').first().waitFor();
    await page.locator('.react-flow__node').nth(1).click();
    await page.locator('.cm-editor').first().waitFor();
    await session.screenshot('csp-editor');

    for (const path of ['/runs', '/credentials', `/workflows/${id}/overview`]) {
      await page.goto(session.url(path));
      await page.locator('main h1').first().waitFor();
    }
    expect(await violations()).toEqual([]);

    // What the policy is for: a script smuggled into the page does not run.
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injectedRan = true';
      document.body.append(script);
      return (window as unknown as { injectedRan?: boolean }).injectedRan === true;
    });
    expect(ran).toBe(false);
    expect(await violations()).toEqual(['script-src-elem inline']);
    // The one refusal above is all the console shows.
    expect(session.consoleErrors).toHaveLength(1);
    expect(session.consoleErrors[0]).toContain('Content Security Policy');
  }, 60_000);
});
