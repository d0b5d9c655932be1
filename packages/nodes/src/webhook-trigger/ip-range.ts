/**
 * IP addresses and ranges for a trigger's allowlist, in pure TypeScript: the settings form
 * checks them in the browser and the server matches client addresses with the same code.
 *
 * Every address is held as 16 bytes, IPv4 in its IPv4-mapped form (::ffff:a.b.c.d): a
 * dual-stack socket reports IPv4 clients that way, so 10.0.0.0/8 and ::ffff:10.0.0.1 must
 * meet, and one comparison then serves both families.
 */
export interface AddressRange {
  readonly bytes: Uint8Array;
  /** Leading bits that must match, out of 128. */
  readonly prefix: number;
}

/** Dotted decimal, each part 0 to 255 without leading zeros (as Node's `isIPv4`). */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** 16 bytes for an IPv4 or IPv6 address (brackets and a zone id allowed), or undefined. */
export function parseAddress(text: string): Uint8Array | undefined {
  let address = text.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone !== -1) {
    // A zone id (`fe80::1%eth0`) names an interface; only IPv6 addresses carry one.
    if (zone === address.length - 1) return undefined;
    return ipv6Bytes(address.slice(0, zone));
  }
  const ipv4 = ipv4Octets(address);
  return ipv4 ? mapIpv4(ipv4) : ipv6Bytes(address);
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128); undefined if invalid. */
export function parseRange(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  const addressText = (slash === -1 ? text : text.slice(0, slash)).trim();
  const bytes = parseAddress(addressText);
  if (!bytes) return undefined;
  const ipv4 = ipv4Octets(addressText) !== undefined;
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

function ipv4Octets(address: string): number[] | undefined {
  return IPV4.test(address) ? address.split('.').map(Number) : undefined;
}

function mapIpv4(octets: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(octets, 12);
  return bytes;
}

/**
 * The 16 bytes of an IPv6 address in RFC 4291 text form: eight groups of 1 to 4 hex digits,
 * one `::` standing for one or more zero groups, and a dotted IPv4 tail in place of the last
 * two groups. Undefined for anything else.
 */
function ipv6Bytes(address: string): Uint8Array | undefined {
  const gap = address.indexOf('::');
  if (gap !== -1 && address.indexOf('::', gap + 1) !== -1) return undefined;
  const head = gap === -1 ? ipv6Groups(address, true) : ipv6Groups(address.slice(0, gap), false);
  const tail = gap === -1 ? [] : ipv6Groups(address.slice(gap + 2), true);
  if (!head || !tail) return undefined;
  const written = head.length + tail.length;
  if (gap === -1 ? written !== 8 : written > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - written).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** The groups of one side of `::`; only the side that ends the address may end in IPv4. */
function ipv6Groups(part: string, endsAddress: boolean): number[] | undefined {
  if (part === '') return [];
  const texts = part.split(':');
  const groups: number[] = [];
  for (const [index, text] of texts.entries()) {
    if (HEX_GROUP.test(text)) {
      groups.push(Number.parseInt(text, 16));
      continue;
    }
    const octets = endsAddress && index === texts.length - 1 ? ipv4Octets(text) : undefined;
    if (!octets) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    groups.push((a << 8) | b, (c << 8) | d);
  }
  return groups;
}
