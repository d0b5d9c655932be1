import { afterEach, describe, expect, it, vi } from 'vitest';

/** ids.ts as new: each test starts without a last millisecond or a filled pool of its own. */
async function freshIds() {
  vi.resetModules();
  return import('./ids.ts');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('newId', () => {
  it('draws fresh random bits for every millisecond, across refills of its pool', async () => {
    const { newId } = await freshIds();
    let now = 1_700_000_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now++);
    // 10 random bytes a millisecond: 2,000 of them go through the 4 KiB pool five times.
    const ids = Array.from({ length: 2000 }, () => newId('run'));
    for (const id of ids) expect(id).toMatch(/^run_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(ids.map((id) => id.slice(-16))).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('stays unique and ordered within one millisecond', async () => {
    const { newId } = await freshIds();
    vi.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000);
    const ids = Array.from({ length: 1000 }, () => newId('evt'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
