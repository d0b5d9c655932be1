/**
 * The SSRF guard: outgoing requests may not reach this machine or its internal networks unless
 * the operator allows it (`OUTBOUND_ALLOW`). The check runs inside the connection's DNS lookup
 * on the addresses actually connected to, so a name cannot resolve to a public address when it
 * is checked and to 127.0.0.1 when it is used; every redirect hop opens its connection through
 * the same hook.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import {
  type AddressRange,
  internalReason,
  parseIp,
  parseRange,
  rangeContains,
  unmapped,
} from './addresses.ts';

/** The setting that makes exceptions, named in every refusal. */
export const allowSetting = 'OUTBOUND_ALLOW';

/** An outgoing connection to an internal address that the allowlist does not permit. */
export class OutboundBlockedError extends Error {
  override readonly name = 'OutboundBlockedError';
  readonly code = 'OUTBOUND_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    const where = host === address ? address : `${host} (${address})`;
    super(
      `${where} is ${reason}; requests to internal networks are refused (allow it with ${allowSetting})`,
    );
  }
}

export interface OutboundPolicy {
  /** Everything is allowed (`OUTBOUND_ALLOW=*`). */
  readonly allowsAll: boolean;
  /** The refusal for connecting to `address` on behalf of `host`, or null when allowed. */
  check(host: string, address: string): OutboundBlockedError | null;
}

export class AllowlistError extends Error {
  override readonly name = 'AllowlistError';
}

/**
 * Reads the allowlist: comma-separated IP addresses, CIDR blocks, host names and
 * `*.domain` wildcards; `*` alone turns the guard off.
 *
 * @example
 * const policy = createOutboundPolicy('127.0.0.1,10.0.0.0/8,internal.example');
 * policy.check('internal.example', '10.1.2.3'); // null: allowed
 * policy.check('localhost', '::1'); // OutboundBlockedError: a loopback address
 */
export function createOutboundPolicy(allow: string | readonly string[] = ''): OutboundPolicy {
  const entries = (typeof allow === 'string' ? allow.split(',') : allow)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const ranges: AddressRange[] = [];
  const hosts = new Set<string>();
  const domains: string[] = [];
  let allowsAll = false;
  for (const entry of entries) {
    if (entry === '*') {
      allowsAll = true;
    } else if (/^[\d.]+(\/\d+)?$/.test(entry) || entry.includes(':')) {
      const parsed = parseRange(entry);
      if (!parsed) throw new AllowlistError(`"${entry}" is not an IP address or CIDR block`);
      ranges.push(parsed);
    } else if (entry.startsWith('*.')) {
      domains.push(`.${hostKey(entry.slice(2), entry)}`);
    } else {
      hosts.add(hostKey(entry, entry));
    }
  }
  const hostAllowed = (host: string) => {
    const key = host.toLowerCase().replace(/\.+$/, '');
    return hosts.has(key) || domains.some((domain) => key.endsWith(domain));
  };
  return {
    allowsAll,
    check(host, address) {
      if (allowsAll) return null;
      const ip = parseIp(address);
      // Not an address at all: the connection cannot be made, so there is nothing to guard.
      if (!ip) return new OutboundBlockedError(host, address, 'not an IP address');
      const reason = internalReason(ip);
      if (reason === null || hostAllowed(host)) return null;
      // An IPv4-mapped address is the IPv4 address it holds: `127.0.0.1` allows both.
      const plain = unmapped(ip);
      if (ranges.some((allowed) => rangeContains(allowed, ip) || rangeContains(allowed, plain))) {
        return null;
      }
      return new OutboundBlockedError(host, address, reason);
    },
  };
}

/** A host name as URLs spell it (lower case, punycode), without a trailing dot. */
function hostKey(name: string, entry: string): string {
  try {
    const { hostname } = new URL(`http://${name}/`);
    if (hostname !== '' && !isIP(hostname)) return hostname.replace(/\.+$/, '');
  } catch {}
  throw new AllowlistError(`"${entry}" is not a host name, IP address or CIDR block`);
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** How host names are resolved: `dns.lookup` by default; tests pass their own. */
export type Resolve = (
  hostname: string,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: Resolve = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/**
 * An undici connector that refuses internal destinations. IP literals are checked before
 * connecting; names are resolved in the socket's lookup hook and only their allowed addresses
 * are handed to it, so the address checked is the address connected to.
 */
export function createGuardedConnector(
  policy: OutboundPolicy,
  options: { resolve?: Resolve; connectTimeoutMs?: number } = {},
): buildConnector.connector {
  const resolve = options.resolve ?? systemResolve;
  const lookup = (
    hostname: string,
    lookupOptions: { all?: boolean; family?: number | string },
    callback: LookupCallback,
  ) => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, []);
      const family = Number(lookupOptions.family) || 0;
      const candidates = addresses.filter((a) => family === 0 || a.family === family);
      let refusal: OutboundBlockedError | null = null;
      const allowed = candidates.filter((candidate) => {
        const blocked = policy.check(hostname, candidate.address);
        refusal ??= blocked;
        return blocked === null;
      });
      const first = allowed[0];
      if (!first) {
        const none = Object.assign(new Error(`${hostname} did not resolve to an address`), {
          code: 'ENOTFOUND',
        });
        return callback(refusal ?? none, []);
      }
      if (lookupOptions.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
  const connect = buildConnector({
    ...(policy.allowsAll ? {} : { lookup }),
    timeout: options.connectTimeoutMs ?? 10_000,
  } as buildConnector.BuildOptions);
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) {
      const refusal = policy.check(host, host);
      if (refusal) {
        process.nextTick(() => callback(refusal, null));
        return;
      }
    }
    connect(connectOptions, callback);
  };
}
