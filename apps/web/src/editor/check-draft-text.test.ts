import { describe, expect, it } from 'vitest';
import { bodyChanges, changedPart, describeDifference, headerRows } from './check-draft-text.ts';

const node = { nodeId: 'n', nodeKey: 'crm', nodeType: 'http-request' };

describe('the words of a check', () => {
  it('says what each difference means for the event', () => {
    expect(describeDifference({ kind: 'outcome', before: 'succeeded', after: 'filtered' })).toEqual(
      {
        key: null,
        text: 'The run stopped by a filter (it passed before)',
      },
    );
    expect(
      describeDifference({ ...node, nodeKey: 'big', kind: 'route', before: ['main'], after: [] }),
    ).toEqual({ key: 'big', text: 'now stops the event (it let it pass before)' });
    expect(
      describeDifference({ ...node, kind: 'route', before: ['else'], after: ['eu'] }).text,
    ).toBe('now sends it down “eu” (it sent it down “else” before)');
    expect(
      describeDifference({
        ...node,
        kind: 'effect',
        summary: 'sends an HTTP request',
        changes: [
          { path: 'request.url', change: 'changed', before: 'a', after: 'b' },
          { path: 'request.body.tier', change: 'changed', before: 'gold', after: 'platinum' },
        ],
        moreChanges: 0,
        before: {},
        after: {},
      }).text,
    ).toBe('would send an HTTP request that differs in URL and body');
    expect(
      describeDifference({
        ...node,
        kind: 'effect-removed',
        summary: 'sends an HTTP request',
        effect: null,
      }).text,
    ).toBe('no longer sends an HTTP request');
    expect(describeDifference({ ...node, kind: 'failure', before: null, after: 'boom' }).text).toBe(
      'now fails: boom',
    );
  });

  it('groups a request diff as headers and body fields', () => {
    expect(changedPart('request.headers.x-order')).toBe('headers');
    expect(changedPart('wait.for')).toBe('wait');
    expect(
      headerRows({ headers: { a: '1', b: '2' } }, { headers: { a: '1', b: '3', c: '4' } }).map(
        (row) => [row.name, row.before, row.after],
      ),
    ).toEqual([
      ['b', '2', '3'],
      ['c', null, '4'],
      ['a', '1', '1'],
    ]);
    expect(
      bodyChanges([
        { path: 'request.body.total', change: 'changed', before: 1, after: 2 },
        { path: 'request.url', change: 'changed', before: 'a', after: 'b' },
        { path: 'request.body', change: 'changed', before: 'x', after: 'y' },
      ]).map((change) => change.path),
    ).toEqual(['total', '(the whole body)']);
  });
});
