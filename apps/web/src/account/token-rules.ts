import { formatDateTime } from '../lib/format.ts';

/** The lifetimes offered for a new API token, in days (`never`: until revoked). */
export const expiryChoices = [
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
  { value: 'never', label: 'Never (until revoked)' },
] as const;

const DAY = 24 * 60 * 60 * 1000;

export type TokenState =
  | { kind: 'expired'; title: string }
  | { kind: 'valid'; text: string; title: string | undefined; soon: boolean };

/** How a token's expiry reads in the list: `never`, `in 12 days`, `in 5 h` (soon), `expired`. */
export function tokenState(token: { expiresAt: number | null }, now: number): TokenState {
  if (token.expiresAt === null)
    return { kind: 'valid', text: 'never', title: undefined, soon: false };
  const title = formatDateTime(token.expiresAt);
  const left = token.expiresAt - now;
  if (left <= 0) return { kind: 'expired', title: `Expired ${title}` };
  if (left < DAY) {
    const hours = Math.max(1, Math.floor(left / (60 * 60 * 1000)));
    return { kind: 'valid', text: `in ${hours} h`, title, soon: true };
  }
  const days = Math.floor(left / DAY);
  return {
    kind: 'valid',
    text: days === 1 ? 'in 1 day' : `in ${days} days`,
    title,
    soon: days < 7,
  };
}
