import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { loadConfig } from '../src/config.ts';
import { hookflowInstance } from './child-process.ts';
import { forwardingWorkflow, startHookflow } from './helpers.ts';
import { selfSignedCertificate } from './tls-certificate.ts';

let dir: string;
let first: ReturnType<typeof selfSignedCertificate>;
let second: ReturnType<typeof selfSignedCertificate>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-tls-'));
  first = selfSignedCertificate(dir, 'first');
  second = selfSignedCertificate(dir, 'second');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The common name of the certificate a TLS server at `port` presents to a new connection. */
function presentedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const name = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(String(name));
    });
    socket.on('error', reject);
  });
}

describe('HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  it('serves the app, the API and webhooks over HTTPS, and pins HTTPS for browsers', async () => {
    const hookflow = await startHookflow({ tls: { cert: first.cert, key: first.key } });
    try {
      expect(hookflow.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const imported = await hookflow.api.workflows.import.mutate({
        document: forwardingWorkflow('http://127.0.0.1:9'),
        publish: true,
      });
      const hook = await hookflow.fetch(hookflow.localUrl(imported.triggerUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"hello":"tls"}',
      });
      expect(hook.status).toBe(202);
      expect(hook.headers.get('strict-transport-security')).toBeNull();
      const { runId } = (await hook.json()) as { runId: string };
      expect((await hookflow.api.runs.get.query({ id: runId })).workflowId).toBe(imported.id);

      const page = await hookflow.fetch(`${hookflow.address}/healthz`);
      expect(page.status).toBe(200);
      const api = await hookflow.fetch(`${hookflow.address}/trpc/workflows.list`, {
        headers: hookflow.authHeaders,
      });
      expect(api.status).toBe(200);
      expect(api.headers.get('strict-transport-security')).toBe(
        'max-age=31536000; includeSubDomains',
      );

      // A client that does not trust the certificate is refused by its own TLS check.
      await expect(fetch(`${hookflow.address}/healthz`)).rejects.toThrow();
      // Plain HTTP on the HTTPS port gets no answer from the app.
      const port = Number(new URL(hookflow.address).port);
      const plain = await new Promise<string>((resolve) => {
        request({ host: '127.0.0.1', port, path: '/healthz' }, (response) =>
          resolve(String(response.statusCode)),
        )
          .on('error', (error) => resolve(error.message))
          .end();
      });
      expect(plain).not.toBe('200');
    } finally {
      await hookflow.close();
    }
  });

  it('makes https:// the default PUBLIC_URL', () => {
    const tls = { TLS_CERT_FILE: first.certFile, TLS_KEY_FILE: first.keyFile };
    expect(loadConfig({ ...tls, PORT: '8443' }).PUBLIC_URL).toBe('https://localhost:8443');
    expect(loadConfig({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080');
    expect(loadConfig({ ...tls, PUBLIC_URL: 'https://hooks.example.com/' }).PUBLIC_URL).toBe(
      'https://hooks.example.com',
    );
  });

  describe('refuses to start, saying which setting and what is wrong, when', () => {
    /** `hookflow start` with these flags: its exit code and what it printed on stderr. */
    async function start(...flags: string[]) {
      const errors: string[] = [];
      const code = await runCli(['start', ...flags], {
        out: () => {},
        err: (text) => errors.push(text),
        env: { DATA_DIR: join(dir, 'data'), PORT: '0', LOG_LEVEL: 'silent' },
      });
      return { code, stderr: errors.join('\n') };
    }

    it.each([
      [
        'only the certificate is set',
        () => ['--tls-cert-file', first.certFile],
        () =>
          'error: TLS_KEY_FILE (--tls-key-file): HTTPS needs both the certificate and its key, and only TLS_CERT_FILE is set',
      ],
      [
        'only the key is set',
        () => ['--tls-key-file', first.keyFile],
        () =>
          'error: TLS_CERT_FILE (--tls-cert-file): HTTPS needs both the certificate and its key, and only TLS_KEY_FILE is set',
      ],
      [
        'a file is missing',
        () => ['--tls-cert-file', join(dir, 'missing.crt'), '--tls-key-file', first.keyFile],
        () =>
          `error: TLS_CERT_FILE (--tls-cert-file): cannot read ${join(dir, 'missing.crt')}: no such file`,
      ],
      [
        'a file is a directory',
        () => ['--tls-cert-file', first.certFile, '--tls-key-file', dir],
        () =>
          `error: TLS_KEY_FILE (--tls-key-file): cannot read ${dir}: it is a directory, not a file`,
      ],
      [
        'the certificate is not one',
        () => ['--tls-cert-file', first.keyFile, '--tls-key-file', first.keyFile],
        () =>
          `error: TLS_CERT_FILE (--tls-cert-file): ${first.keyFile} is not a PEM certificate (a "-----BEGIN CERTIFICATE-----" block)`,
      ],
      [
        'the key is not one',
        () => ['--tls-cert-file', first.certFile, '--tls-key-file', first.certFile],
        () =>
          `error: TLS_KEY_FILE (--tls-key-file): ${first.certFile} is not a PEM private key (a "-----BEGIN PRIVATE KEY-----" block)`,
      ],
      [
        'the key belongs to another certificate',
        () => ['--tls-cert-file', first.certFile, '--tls-key-file', second.keyFile],
        () =>
          `error: TLS_KEY_FILE (--tls-key-file): the key in ${second.keyFile} does not belong to the certificate in ${first.certFile}`,
      ],
    ])('%s', async (_case, flags, message) => {
      expect(await start(...flags())).toEqual({ code: 2, stderr: message() });
    });

    it('the key is encrypted with a passphrase', async () => {
      const encrypted = join(dir, 'encrypted.key');
      execFileSync('openssl', [
        'pkey',
        '-in',
        first.keyFile,
        '-aes256',
        '-passout',
        'pass:secret',
        '-out',
        encrypted,
      ]);
      const result = await start('--tls-cert-file', first.certFile, '--tls-key-file', encrypted);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `error: TLS_KEY_FILE (--tls-key-file): ${encrypted} is encrypted with a passphrase; Hookflow needs it unencrypted`,
      );
    });
  });

  it('`hookflow start` serves HTTPS and takes a renewed certificate on SIGHUP', async () => {
    const certFile = join(dir, 'live.crt');
    const keyFile = join(dir, 'live.key');
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    const instance = await hookflowInstance({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    const address = instance.address.replace('http:', 'https:');
    const trusting = new Agent({ connect: { ca: [first.cert, second.cert] } });
    const get = (path: string) => undiciFetch(`${address}${path}`, { dispatcher: trusting });
    try {
      const running = await instance.start({
        ready: async () => (await get('/readyz').catch(() => null))?.ok === true,
      });
      const port = Number(new URL(address).port);
      expect(await presentedName(port)).toBe('first.localhost');
      expect(running.logs()).not.toContain('"level":50');

      // Renewed: the new files are read on SIGHUP; new connections get the new certificate.
      copyFileSync(second.certFile, certFile);
      copyFileSync(second.keyFile, keyFile);
      running.child.kill('SIGHUP');
      await expect.poll(() => presentedName(port), { timeout: 10_000 }).toBe('second.localhost');
      expect((await get('/healthz')).status).toBe(200);

      // A broken renewal is refused and logged; the certificate being served stays.
      writeFileSync(keyFile, 'not a key');
      running.child.kill('SIGHUP');
      await expect
        .poll(() => running.logs(), { timeout: 10_000 })
        .toContain('the certificate was not reloaded, the previous one is still served');
      expect(await presentedName(port)).toBe('second.localhost');
      expect((await get('/healthz')).status).toBe(200);

      expect(await running.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      await trusting.close();
      instance.close();
    }
  }, 60_000);
});
