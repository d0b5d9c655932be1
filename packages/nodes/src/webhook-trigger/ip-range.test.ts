import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress, parseRange, rangeContains } from './ip-range.ts';

const hex = (bytes: Uint8Array | undefined) =>
  bytes ? Buffer.from(bytes).toString('hex') : undefined;

describe('parseAddress', () => {
  it.each([
    ['10.1.2.3', '00000000000000000000ffff0a010203'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['2001:DB8::8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['[fe80::1]', 'fe800000000000000000000000000001'],
    ['fe80::1%eth0.100', 'fe800000000000000000000000000001'],
  ])('%s', (text, bytes) => {
    expect(hex(parseAddress(text))).toBe(bytes);
  });

  it.each([
    '',
    '010.0.0.1',
    '1.2.3',
    '1.2.3.256',
    '1.2.3.4.5',
    '10.0.0.1%eth0',
    ':::',
    '1::2::3',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '12345::',
    '1.2.3.4::',
    '::1.2.3.4:5',
    'fe80::1%',
    'example.com',
  ])('refuses %j', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });

  // Node's own parser is the reference; this one has to run in the browser too.
  it('agrees with node:net on generated addresses and near misses', () => {
    const near = fc.stringMatching(/^[0-9a-fA-F:.]{0,45}$/);
    const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), near);
    fc.assert(
      fc.property(address, (text) => {
        expect(parseAddress(text) !== undefined).toBe(isIP(text) !== 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseRange', () => {
  it('holds IPv4 ranges as IPv4-mapped IPv6', () => {
    const range = parseRange('10.0.0.0/8');
    expect(range?.prefix).toBe(104);
    expect(rangeContains(range!, parseAddress('::ffff:10.9.9.9')!)).toBe(true);
    expect(rangeContains(range!, parseAddress('11.0.0.0')!)).toBe(false);
  });

  it.each(['10.0.0.0/33', 'fe80::/129', '10.0.0.0/', '1.2.3.4/-1', '1.2.3.4/ 8x', '/8'])(
    'refuses %j',
    (text) => {
      expect(parseRange(text)).toBeUndefined();
    },
  );
});
