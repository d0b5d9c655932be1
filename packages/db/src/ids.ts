import { randomBytes, randomFillSync } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = 0;
let lastRandom: Uint8Array = new Uint8Array(10);

/**
 * A ULID with a prefix (`run_01J…`): 48 bits of milliseconds then 80 random bits, monotonic
 * within one millisecond, so ids sort by creation and serve as pagination cursors.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now <= lastTime) {
    incrementRandom(lastRandom);
  } else {
    lastTime = now;
    lastRandom = nextRandom();
  }
  return `${prefix}_${encodeTime(lastTime)}${encodeRandom(lastRandom)}`;
}

// The random part comes from a pool filled 4 KiB at a time: a randomBytes call for each new
// millisecond cost more than the rest of the id (~2 % of the main thread under load, where the
// ingress makes three ids a request). Each byte is still used once.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;
function nextRandom(): Uint8Array {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 10;
  return pool.slice(poolOffset - 10, poolOffset);
}

function incrementRandom(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    const next = (bytes[i]! + 1) & 0xff;
    bytes[i] = next;
    if (next !== 0) return;
  }
  lastTime++;
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(value >> bits) & 31];
    }
  }
  return out;
}

/** A trigger token: 192 random bits, base64url (32 characters). */
export function newTriggerToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The smallest id of a prefix created at or after `time`: a cheap lower bound for time ranges. */
export function idLowerBound(prefix: string, time: number): string {
  return `${prefix}_${encodeTime(Math.max(0, Math.floor(time)))}`;
}
