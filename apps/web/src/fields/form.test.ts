import type { FormField } from '@hookflow/engine';
import { describe, expect, it } from 'vitest';
import {
  isFieldVisible,
  issueBelongsTo,
  placeIssues,
  readJsonText,
  readNumberText,
  writeJsonText,
} from './form.ts';

describe('showWhen', () => {
  const field: FormField = {
    kind: 'number',
    field: 'status',
    label: 'Status',
    showWhen: { field: 'mode', equals: ['custom', 'wait'] },
  };

  it('shows a field while the other field has one of the values', () => {
    expect(isFieldVisible(field, () => 'custom')).toBe(true);
    expect(isFieldVisible(field, () => 'immediate')).toBe(false);
    expect(isFieldVisible(field, () => undefined)).toBe(false);
    expect(isFieldVisible({ ...field, showWhen: undefined }, () => undefined)).toBe(true);
  });
});

describe('placing validation problems', () => {
  it('matches a field and the paths inside it, not a longer name', () => {
    expect(issueBelongsTo({ field: 'headers', message: '' }, 'headers')).toBe(true);
    expect(issueBelongsTo({ field: 'headers[0].value', message: '' }, 'headers')).toBe(true);
    expect(issueBelongsTo({ field: 'auth.token', message: '' }, 'auth')).toBe(true);
    expect(issueBelongsTo({ field: 'headersExtra', message: '' }, 'headers')).toBe(false);
    expect(issueBelongsTo({ message: '' }, 'headers')).toBe(false);
  });

  it('puts each problem beside its field, the key, or in the general list', () => {
    const placed = placeIssues(
      [
        { nodeId: 'a', field: 'url', message: 'bad url' },
        { nodeId: 'a', field: 'key', message: 'used twice' },
        { nodeId: 'a', message: 'unreachable' },
        { nodeId: 'a', field: 'body', message: 'hidden field' },
      ],
      ['url', 'method'],
    );
    expect(placed.byField.get('url')?.map((issue) => issue.message)).toEqual(['bad url']);
    expect(placed.key.map((issue) => issue.message)).toEqual(['used twice']);
    expect(placed.general.map((issue) => issue.message)).toEqual(['unreachable', 'hidden field']);
  });

  it('puts a problem beside the most specific field that edits it (a dotted field)', () => {
    const placed = placeIssues(
      [
        { nodeId: 'a', field: 'auth.secrets[0]', message: 'no such credential' },
        { nodeId: 'a', field: 'auth.type', message: 'unknown type' },
      ],
      ['auth', 'auth.secrets'],
    );
    expect(placed.byField.get('auth.secrets')?.map((issue) => issue.message)).toEqual([
      'no such credential',
    ]);
    expect(placed.byField.get('auth')?.map((issue) => issue.message)).toEqual(['unknown type']);
  });
});

describe('JSON field text', () => {
  it('reads JSON, and empty text as unset', () => {
    expect(readJsonText(' {"a": [1, true]} ', false)).toEqual({
      ok: true,
      value: { a: [1, true] },
    });
    expect(readJsonText('  ', false)).toEqual({ ok: true, value: undefined });
    expect(readJsonText('"text"', false)).toEqual({ ok: true, value: 'text' });
  });

  it('keeps a bare expression in a field that takes expressions', () => {
    expect(readJsonText('{{ trigger.body }}', true)).toEqual({
      ok: true,
      value: '{{ trigger.body }}',
    });
    expect(readJsonText('{{ trigger.body }}', false).ok).toBe(false);
  });

  it('says why and where text is not JSON', () => {
    expect(readJsonText('{\n  "a": 1,\n}', false)).toEqual({
      ok: false,
      error: 'Not valid JSON: unexpected "}" at line 3, column 1',
      at: 12,
    });
    // The place counts the spaces before the text.
    expect(readJsonText('  [1,', false)).toEqual({
      ok: false,
      error: 'Not valid JSON: it ends too early (line 1, column 4)',
      at: 5,
    });
  });

  it('writes values as indented JSON', () => {
    expect(writeJsonText(undefined)).toBe('');
    expect(writeJsonText({ a: 1 })).toBe('{\n  "a": 1\n}');
  });
});

describe('number field text', () => {
  it('stores numbers as numbers and anything else as typed', () => {
    expect(readNumberText('')).toBeUndefined();
    expect(readNumberText(' 42 ')).toBe(42);
    expect(readNumberText('-1.5e3')).toBe(-1500);
    expect(readNumberText('1.')).toBe(1);
    expect(readNumberText('{{ trigger.body.n }}')).toBe('{{ trigger.body.n }}');
    expect(readNumberText('0x10')).toBe('0x10');
  });
});
