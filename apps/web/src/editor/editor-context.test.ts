import { describe, expect, it } from 'vitest';
import { createIssuesStore, groupIssues } from './editor-context.tsx';

describe('issues of the document being edited', () => {
  const a = { nodeId: 'a', field: 'url', message: 'url: required' };
  const b = { nodeId: 'b', message: 'no input' };
  const wide = { message: 'the workflow has no trigger' };

  it('groups problems by node, the rest as the workflow’s', () => {
    const issues = groupIssues([a, b, wide]);
    expect(issues.byNode.get('a')).toEqual([a]);
    expect(issues.byNode.get('b')).toEqual([b]);
    expect(issues.workflow).toEqual([wide]);
    expect(issues.all).toHaveLength(3);
  });

  it("keeps a node's list when its problems are the same, so only changed cards redraw", () => {
    const store = createIssuesStore();
    let told = 0;
    store.subscribe(() => told++);
    store.set([a, b]);
    const before = store.get();
    // b is fixed; a has the same problem in a new object (a fresh validation).
    store.set([{ ...a }]);
    const after = store.get();
    expect(told).toBe(2);
    expect(after.byNode.get('a')).toBe(before.byNode.get('a'));
    expect(after.byNode.get('b')).toBeUndefined();
    expect(after.all).not.toBe(before.all);
    // A changed message is a new list.
    store.set([{ ...a, message: 'url: not a URL' }]);
    expect(store.get().byNode.get('a')).not.toBe(after.byNode.get('a'));
  });
});
