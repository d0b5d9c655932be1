import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP ranges for the allowlist. Every address is held as 16 bytes, IPv4 in its IPv4-mapped
 * form (::ffff:a.b.c.d): a dual-stack socket reports IPv4 clients that way, so 10.0.0.0/8
 * and ::ffff:10.0.0.1 must meet, and one comparison then serves both families.
 */
export interface AddressRange {
  readonly bytes: Uint8Array;
  /** Leading bits that must match, out of 128. */
  readonly prefix: number;
}

/** 16 bytes for an IPv4 or IPv6 address (brackets and a zone id allowed), or undefined. */
export function parseAddress(text: string): Uint8Array | undefined {
  let address = text.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  if (isIPv4(address)) return mapIpv4(ipv4Bytes(address));
  if (isIPv6(address)) return ipv6Bytes(address);
  return undefined;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128); undefined if invalid. */
export function parseRange(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  const addressText = (slash === -1 ? text : text.slice(0, slash)).trim();
  const bytes = parseAddress(addressText);
  if (!bytes) return undefined;
  const ipv4 = isIPv4(addressText);
  const bits = ipv4 ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  return { bytes, prefix: ipv4 ? prefix + 96 : prefix };
}

export function rangeContains(range: AddressRange, address: Uint8Array): boolean {
  const whole = Math.floor(range.prefix / 8);
  for (let i = 0; i < whole; i++) {
    if (range.bytes[i] !== address[i]) return false;
  }
  const rest = range.prefix % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((range.bytes[whole] ?? 0) & mask) === ((address[whole] ?? 0) & mask);
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function mapIpv4(octets: number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(octets, 12);
  return bytes;
}

/** Expands a valid IPv6 address (`::` and an embedded IPv4 tail allowed) to 16 bytes. */
function ipv6Bytes(address: string): Uint8Array {
  const groups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(group);
          return [(a << 8) | b, (c << 8) | d];
        });
  const gap = address.indexOf('::');
  let all: number[];
  if (gap === -1) {
    all = groups(address);
  } else {
    const head = groups(address.slice(0, gap));
    const tail = groups(address.slice(gap + 2));
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}
