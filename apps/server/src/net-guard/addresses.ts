import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

/**
 * Reads an address in its canonical form: dotted-quad IPv4 or IPv6 (with or without brackets,
 * a trailing dotted quad, a zone id). Other spellings of IPv4 (`2130706433`, `0x7f.1`, `127.1`)
 * never reach this: the URL parser rewrites them to dotted quads, and DNS answers are canonical.
 */
export function parseIp(text: string): IpAddress | null {
  const address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(address)) return { version: 4, value: ipv4Value(address) };
  const unzoned = address.split('%')[0] ?? '';
  if (!isIPv6(unzoned)) return null;
  return { version: 6, value: ipv6Value(unzoned) };
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

/** Only called on text that `isIPv6` accepted. */
function ipv6Value(address: string): bigint {
  let text = address.toLowerCase();
  // A trailing dotted quad (`::ffff:127.0.0.1`) is the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad?.[1]) {
    const v4 = ipv4Value(quad[1]);
    text = `${text.slice(0, -quad[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
}

/** A CIDR block; `contains` checks an address of the same version. */
export interface AddressRange {
  version: 4 | 6;
  base: bigint;
  bits: number;
  /** How refusals name it: "a loopback address". */
  label: string;
}

export function parseRange(text: string, label = text): AddressRange | null {
  const [address = '', prefix, ...extra] = text.split('/');
  const ip = parseIp(address);
  if (!ip || extra.length > 0) return null;
  const width = ip.version === 4 ? 32 : 128;
  const bits = prefix === undefined ? width : Number(prefix);
  if (!/^\d+$/.test(prefix ?? String(width)) || bits > width) return null;
  return { version: ip.version, base: mask(ip.value, bits, width), bits, label };
}

function mask(value: bigint, bits: number, width: number): bigint {
  const hostBits = BigInt(width - bits);
  return (value >> hostBits) << hostBits;
}

export function rangeContains(range: AddressRange, ip: IpAddress): boolean {
  if (range.version !== ip.version) return false;
  return mask(ip.value, range.bits, ip.version === 4 ? 32 : 128) === range.base;
}

const range = (text: string, label: string) => parseRange(text, label)!;

/**
 * Where outgoing requests must not go unless the operator allows it: this machine, its
 * networks, and the addresses that are not really on the internet.
 */
const internalIpv4 = [
  range('0.0.0.0/8', 'an unspecified ("this network") address'),
  range('10.0.0.0/8', 'a private (RFC 1918) address'),
  range('100.64.0.0/10', 'a carrier-grade NAT (RFC 6598) address'),
  range('127.0.0.0/8', 'a loopback address'),
  range('169.254.0.0/16', 'a link-local address (cloud metadata lives here)'),
  range('172.16.0.0/12', 'a private (RFC 1918) address'),
  range('192.0.0.0/24', 'an IETF protocol address'),
  range('192.0.2.0/24', 'a documentation address'),
  range('192.88.99.0/24', 'a 6to4 relay address'),
  range('192.168.0.0/16', 'a private (RFC 1918) address'),
  range('198.18.0.0/15', 'a benchmarking address'),
  range('198.51.100.0/24', 'a documentation address'),
  range('203.0.113.0/24', 'a documentation address'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved address'),
];

const internalIpv6 = [
  range('::/128', 'an unspecified address'),
  range('::1/128', 'a loopback address'),
  range('::/96', 'an IPv4-compatible address'),
  range('64:ff9b:1::/48', 'a local NAT64 address'),
  range('100::/64', 'a discard-only address'),
  range('2001::/32', 'a Teredo tunnel address'),
  range('2001:db8::/32', 'a documentation address'),
  range('fc00::/7', 'a unique-local address'),
  range('fe80::/10', 'a link-local address'),
  range('fec0::/10', 'a site-local address'),
  range('ff00::/8', 'a multicast address'),
];

/** IPv6 ranges that carry an IPv4 address, and where: the IPv4 rules apply to it. */
const embeddingIpv4 = [
  { range: range('::ffff:0:0/96', 'IPv4-mapped'), shift: 0n },
  { range: range('64:ff9b::/96', 'NAT64'), shift: 0n },
  { range: range('2002::/16', '6to4'), shift: 80n },
];

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`); others as they are. */
export function unmapped(ip: IpAddress): IpAddress {
  const mapped = embeddingIpv4[0]!.range;
  return rangeContains(mapped, ip) ? { version: 4, value: ip.value & 0xffffffffn } : ip;
}

/** Why an address is internal ("a loopback address"), or null for a public address. */
export function internalReason(ip: IpAddress): string | null {
  if (ip.version === 4) return internalIpv4.find((r) => rangeContains(r, ip))?.label ?? null;
  for (const { range: embedding, shift } of embeddingIpv4) {
    if (rangeContains(embedding, ip)) {
      const inner = internalReason({ version: 4, value: (ip.value >> shift) & 0xffffffffn });
      return inner ? `${inner}, written as ${embedding.label} IPv6` : null;
    }
  }
  return internalIpv6.find((r) => rangeContains(r, ip))?.label ?? null;
}
