import { type LookupAddress, lookup } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { createHttpClient } from '../http-client.ts';
import { internalReason, parseIp } from './addresses.ts';
import {
  AllowlistError,
  createOutboundPolicy,
  OutboundBlockedError,
  type Resolve,
} from './net-guard.ts';

/** Names this test resolves itself; everything else goes to the system (/etc/hosts). */
const names: Record<string, LookupAddress[]> = {
  'rebind.test': [{ address: '127.0.0.1', family: 4 }],
  'rebind6.test': [{ address: '::1', family: 6 }],
  'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'public.test': [{ address: '127.0.0.1', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'internal.test': [{ address: '10.0.0.5', family: 4 }],
};
const resolve: Resolve = (hostname, callback) => {
  // As DNS does: a trailing dot only marks the name as fully qualified.
  const name = hostname.toLowerCase().replace(/\.$/, '');
  const known = names[name];
  if (known) process.nextTick(() => callback(null, known));
  else lookup(name, { all: true }, callback);
};

let v4: Server;
let v6: Server;
let port: number;
/** Paths the loopback servers were asked for. */
const reached: string[] = [];

beforeAll(async () => {
  // Routes: /to?<url> redirects there; anything else answers 200.
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    reached.push(req.url!);
    const target = req.url!.startsWith('/to?') ? decodeURIComponent(req.url!.slice(4)) : null;
    if (target) res.writeHead(302, { location: target }).end();
    else res.writeHead(200).end('inside');
  };
  v4 = createServer(handler);
  await new Promise<void>((done) => v4.listen(0, '127.0.0.1', done));
  port = (v4.address() as AddressInfo).port;
  // The same port on IPv6 loopback, so that one URL table serves both families.
  v6 = createServer(handler);
  await new Promise<void>((done) => v6.listen(port, '::1', done));
});

afterAll(async () => {
  for (const server of [v4, v6]) {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
});

const get = async (allow: string, url: string) => {
  const http = createHttpClient({ outbound: createOutboundPolicy(allow), resolve });
  try {
    return await http({
      method: 'GET',
      url: url.replaceAll('PORT', String(port)),
      headers: {},
      timeoutMs: 3_000,
      maxResponseBytes: 1_000,
      maxRedirects: 3,
      signal: new AbortController().signal,
    });
  } finally {
    await http.close();
  }
};

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the request to fail');
}

/**
 * Spellings of this machine. Each is refused by default, with a message naming the host and
 * the setting; with `allow` in OUTBOUND_ALLOW it reaches the loopback server.
 */
const loopbackTricks: { trick: string; url: string; allow: string; names: string }[] = [
  {
    trick: 'plain IPv4 loopback',
    url: 'http://127.0.0.1:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'localhost (system resolver)',
    url: 'http://localhost:PORT/',
    allow: '127.0.0.1',
    names: 'localhost (127.0.0.1)',
  },
  {
    trick: 'localhost with a trailing dot',
    url: 'http://localhost.:PORT/',
    allow: '127.0.0.1',
    names: 'localhost. (127.0.0.1)',
  },
  {
    trick: 'upper-case LOCALHOST',
    url: 'http://LOCALHOST:PORT/',
    allow: 'localhost',
    names: 'localhost (127.0.0.1)',
  },
  {
    trick: 'decimal 2130706433',
    url: 'http://2130706433:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'octal 0177.0.0.1',
    url: 'http://0177.0.0.1:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'octal whole 017700000001',
    url: 'http://017700000001:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'hex 0x7f.0.0.1',
    url: 'http://0x7f.0.0.1:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'hex whole 0x7f000001',
    url: 'http://0x7f000001:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  { trick: 'hex short 0x7f.1', url: 'http://0x7f.1:PORT/', allow: '127.0.0.1', names: '127.0.0.1' },
  { trick: 'short 127.1', url: 'http://127.1:PORT/', allow: '127.0.0.0/8', names: '127.0.0.1' },
  { trick: 'short 127.0.1', url: 'http://127.0.1:PORT/', allow: '127.0.0.0/8', names: '127.0.0.1' },
  { trick: 'unspecified 0.0.0.0', url: 'http://0.0.0.0:PORT/', allow: '0.0.0.0', names: '0.0.0.0' },
  { trick: 'unspecified short 0', url: 'http://0:PORT/', allow: '0.0.0.0/8', names: '0.0.0.0' },
  { trick: 'IPv6 loopback [::1]', url: 'http://[::1]:PORT/', allow: '::1', names: '::1' },
  {
    trick: 'IPv6 loopback written long',
    url: 'http://[0:0:0:0:0:0:0:1]:PORT/',
    allow: '::1/128',
    names: '::1',
  },
  {
    trick: 'IPv4-mapped [::ffff:127.0.0.1]',
    url: 'http://[::ffff:127.0.0.1]:PORT/',
    allow: '127.0.0.1',
    names: '::ffff:7f00:1',
  },
  {
    trick: 'IPv4-mapped in hex [::ffff:7f00:1]',
    url: 'http://[::ffff:7f00:1]:PORT/',
    allow: '::ffff:0:0/96',
    names: '::ffff:7f00:1',
  },
  {
    trick: 'IPv4-mapped written long',
    url: 'http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/',
    allow: '127.0.0.1',
    names: '::ffff:7f00:1',
  },
  {
    trick: 'userinfo naming another host',
    url: 'http://allowed.example@127.0.0.1:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'userinfo with a password',
    url: 'http://allowed.example:x@127.0.0.1:PORT/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'backslash before @',
    url: 'http://127.0.0.1:PORT\\@allowed.example/',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'fragment hiding @host',
    url: 'http://127.0.0.1:PORT#@allowed.example',
    allow: '127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'DNS name resolving to 127.0.0.1',
    url: 'http://rebind.test:PORT/',
    allow: 'rebind.test',
    names: 'rebind.test (127.0.0.1)',
  },
  {
    trick: 'DNS name resolving to ::1',
    url: 'http://rebind6.test:PORT/',
    allow: '::1',
    names: 'rebind6.test (::1)',
  },
  {
    trick: 'DNS name resolving to a mapped address',
    url: 'http://mapped.test:PORT/',
    allow: '*.test',
    names: 'mapped.test (::ffff:127.0.0.1)',
  },
  {
    trick: 'redirect from an allowed host to 127.0.0.1',
    url: 'http://public.test:PORT/to?http%3A%2F%2F127.0.0.1%3APORT%2F',
    allow: 'public.test,127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'redirect to a decimal address',
    url: 'http://public.test:PORT/to?http%3A%2F%2F2130706433%3APORT%2F',
    allow: 'public.test,127.0.0.1',
    names: '127.0.0.1',
  },
  {
    trick: 'redirect to localhost',
    url: 'http://public.test:PORT/to?http%3A%2F%2Flocalhost%3APORT%2F',
    allow: 'public.test,localhost',
    names: 'localhost (127.0.0.1)',
  },
];

describe('SSRF guard: this machine, however it is written', () => {
  it.each(loopbackTricks)('refuses $trick by default', async ({ url, names: host }) => {
    // A redirect's first hop is allowed, to prove that the second is checked on its own.
    const allow = url.includes('/to?') ? 'public.test' : '';
    const before = reached.length;
    const error = await failure(get(allow, url));
    expect(error.code).toBe('OUTBOUND_BLOCKED');
    expect(error.message).toContain(`${host} is a`);
    expect(error.message).toContain('allow it with OUTBOUND_ALLOW');
    expect(reached.slice(before).filter((path) => !path.startsWith('/to?'))).toEqual([]);
  });

  it.each(loopbackTricks)('allows $trick when OUTBOUND_ALLOW=$allow', async ({ url, allow }) => {
    const response = await get(allow, url);
    expect(response.status).toBe(200);
    expect(Buffer.from(response.body).toString()).toBe('inside');
  });
});

/**
 * Internal networks the test cannot reach: refused by default (before any connection), and
 * the policy lets them through when allowlisted.
 */
const internalTricks: { trick: string; url: string; allow: string; reason: string }[] = [
  { trick: 'RFC 1918 10/8', url: 'http://10.0.0.1/', allow: '10.0.0.0/8', reason: 'private' },
  {
    trick: 'RFC 1918 172.16/12',
    url: 'http://172.31.255.1/',
    allow: '172.16.0.0/12',
    reason: 'private',
  },
  {
    trick: 'RFC 1918 192.168/16',
    url: 'http://192.168.1.1/',
    allow: '192.168.1.1',
    reason: 'private',
  },
  {
    trick: 'decimal 3232235777 (192.168.1.1)',
    url: 'http://3232235777/',
    allow: '192.168.0.0/16',
    reason: 'private',
  },
  { trick: 'hex 0x0a.0.0.1', url: 'http://0x0a.0.0.1/', allow: '10.0.0.1', reason: 'private' },
  {
    trick: 'cloud metadata',
    url: 'http://169.254.169.254/latest/meta-data/',
    allow: '169.254.169.254',
    reason: 'link-local',
  },
  {
    trick: 'metadata as decimal',
    url: 'http://2852039166/',
    allow: '169.254.0.0/16',
    reason: 'link-local',
  },
  {
    trick: 'metadata IPv4-mapped',
    url: 'http://[::ffff:169.254.169.254]/',
    allow: '169.254.169.254',
    reason: 'link-local',
  },
  {
    trick: 'metadata through DNS',
    url: 'http://metadata.test/',
    allow: 'metadata.test',
    reason: 'link-local',
  },
  {
    trick: 'private through DNS',
    url: 'http://internal.test/',
    allow: '*.test',
    reason: 'private',
  },
  {
    trick: 'carrier-grade NAT',
    url: 'http://100.64.0.1/',
    allow: '100.64.0.0/10',
    reason: 'carrier-grade NAT',
  },
  {
    trick: 'unique-local fd00::/8',
    url: 'http://[fd00::1]/',
    allow: 'fd00::/8',
    reason: 'unique-local',
  },
  {
    trick: 'unique-local fc00::/8',
    url: 'http://[fc00::1]/',
    allow: 'fc00::/7',
    reason: 'unique-local',
  },
  { trick: 'IPv6 link-local', url: 'http://[fe80::1]/', allow: 'fe80::/10', reason: 'link-local' },
  { trick: 'IPv4 multicast', url: 'http://224.0.0.1/', allow: '224.0.0.0/4', reason: 'multicast' },
  { trick: 'IPv6 multicast', url: 'http://[ff02::1]/', allow: 'ff00::/8', reason: 'multicast' },
  {
    trick: 'broadcast',
    url: 'http://255.255.255.255/',
    allow: '255.255.255.255',
    reason: 'reserved',
  },
  { trick: 'IPv6 unspecified', url: 'http://[::]/', allow: '::/128', reason: 'unspecified' },
  {
    trick: 'NAT64 of loopback',
    url: 'http://[64:ff9b::7f00:1]/',
    allow: '64:ff9b::/96',
    reason: 'loopback',
  },
  {
    trick: '6to4 of a private address',
    url: 'http://[2002:a00:1::1]/',
    allow: '2002::/16',
    reason: 'private',
  },
  {
    trick: 'IPv4-compatible IPv6',
    url: 'http://[::7f00:1]/',
    allow: '::/96',
    reason: 'IPv4-compatible',
  },
];

describe('SSRF guard: internal networks', () => {
  it.each(internalTricks)('refuses $trick by default', async ({ url, reason }) => {
    const error = await failure(get('', url));
    expect(error.code).toBe('OUTBOUND_BLOCKED');
    expect(error.message).toMatch(new RegExp(`is an? [^;]*${reason}`));
  });

  it.each(internalTricks)(
    'lets $trick through when OUTBOUND_ALLOW=$allow',
    async ({ url, allow }) => {
      const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
      const addresses = names[host]?.map((a) => a.address) ?? [host];
      const policy = createOutboundPolicy(allow);
      for (const address of addresses) {
        expect(createOutboundPolicy('').check(host, address)).toBeInstanceOf(OutboundBlockedError);
        expect(policy.check(host, address)).toBeNull();
      }
    },
  );
});

describe('SSRF guard: policy', () => {
  it('allows public addresses by default, in either family and mapped', () => {
    const policy = createOutboundPolicy();
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(policy.check('example.com', address)).toBeNull();
    }
  });

  it('draws range edges exactly', () => {
    const reasonOf = (address: string) => internalReason(parseIp(address)!);
    expect(reasonOf('172.15.255.255')).toBeNull();
    expect(reasonOf('172.16.0.0')).toMatch(/private/);
    expect(reasonOf('172.31.255.255')).toMatch(/private/);
    expect(reasonOf('172.32.0.0')).toBeNull();
    expect(reasonOf('100.63.255.255')).toBeNull();
    expect(reasonOf('100.127.255.255')).toMatch(/carrier-grade/);
    expect(reasonOf('fbff:ffff::1')).toBeNull();
    expect(reasonOf('2002:808:808::1')).toBeNull();
  });

  it('does not let an allowed name vouch for a different host', () => {
    const policy = createOutboundPolicy('internal.example,*.corp.example');
    expect(policy.check('internal.example.', '10.0.0.1')).toBeNull();
    expect(policy.check('api.corp.example', '10.0.0.1')).toBeNull();
    expect(policy.check('internal.example.attacker.test', '10.0.0.1')).not.toBeNull();
    expect(policy.check('corp.example', '10.0.0.1')).not.toBeNull();
    expect(policy.check('xcorp.example', '10.0.0.1')).not.toBeNull();
  });

  it('turns off with *', () => {
    expect(createOutboundPolicy('*').check('localhost', '127.0.0.1')).toBeNull();
  });

  it('names the entry it cannot read', () => {
    for (const entry of [
      '0177.0.0.1',
      '10.0.0.0/33',
      '2130706433',
      'fd00::/129',
      'a b',
      '1.2.3.4/8/1',
    ]) {
      expect(() => createOutboundPolicy(`127.0.0.1, ${entry}`)).toThrow(AllowlistError);
      expect(() => createOutboundPolicy(entry)).toThrow(entry);
    }
  });

  it('stops the start on an entry it cannot read, naming the setting', () => {
    expect(() => loadConfig({ OUTBOUND_ALLOW: '10.0.0.0/8,0177.0.0.1' })).toThrow(ConfigError);
    expect(() => loadConfig({ OUTBOUND_ALLOW: '0177.0.0.1' })).toThrow(
      'OUTBOUND_ALLOW (--outbound-allow): "0177.0.0.1" is not an IP address or CIDR block',
    );
    expect(loadConfig({ OUTBOUND_ALLOW: '10.0.0.0/8, internal.example' }).OUTBOUND_ALLOW).toBe(
      '10.0.0.0/8, internal.example',
    );
    expect(loadConfig({}).OUTBOUND_ALLOW).toBe('');
  });
});
