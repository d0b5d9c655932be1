import type { ValidationIssue } from '@hookflow/engine';
import { createContext, useContext, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { EditorState, EditorStore } from './store.ts';

export const EditorStoreContext = createContext<EditorStore | null>(null);

export function useEditorStore(): EditorStore {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error('useEditorStore() is used outside the editor');
  return store;
}

/** A slice of the editor's state; re-renders when the slice changes (use useShallow for objects). */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

export interface WorkflowIssues {
  all: readonly ValidationIssue[];
  byNode: ReadonlyMap<string, readonly ValidationIssue[]>;
  /** Problems of the whole workflow (no trigger, a cycle, an edge to nowhere). */
  workflow: readonly ValidationIssue[];
}

const noIssues: readonly ValidationIssue[] = [];
const emptyIssues: WorkflowIssues = { all: noIssues, byNode: new Map(), workflow: noIssues };

/**
 * The live validation of the document being edited, outside React's context value: a card
 * re-renders when its own problems change, not whenever any node of the workflow changes.
 */
export interface IssuesStore {
  get(): WorkflowIssues;
  /** Takes a new validation; a node's list keeps its identity while its problems are the same. */
  set(issues: readonly ValidationIssue[]): void;
  subscribe(listener: () => void): () => void;
}

/** `initial`: the problems already known, such as the server's check of the draft as loaded. */
export function createIssuesStore(initial: readonly ValidationIssue[] = noIssues): IssuesStore {
  let current = initial.length > 0 ? groupIssues(initial) : emptyIssues;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(issues) {
      current = groupIssues(issues, current);
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function groupIssues(
  issues: readonly ValidationIssue[],
  previous: WorkflowIssues = emptyIssues,
): WorkflowIssues {
  const byNode = new Map<string, ValidationIssue[]>();
  const workflow: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.nodeId === undefined) workflow.push(issue);
    else byNode.set(issue.nodeId, [...(byNode.get(issue.nodeId) ?? []), issue]);
  }
  const kept = new Map<string, readonly ValidationIssue[]>();
  for (const [nodeId, list] of byNode) {
    const before = previous.byNode.get(nodeId);
    kept.set(nodeId, before && sameIssues(before, list) ? before : list);
  }
  return {
    all: sameIssues(previous.all, issues) ? previous.all : issues,
    byNode: kept,
    workflow: sameIssues(previous.workflow, workflow) ? previous.workflow : workflow,
  };
}

function sameIssues(a: readonly ValidationIssue[], b: readonly ValidationIssue[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (issue, i) =>
        issue.nodeId === b[i]!.nodeId &&
        issue.field === b[i]!.field &&
        issue.message === b[i]!.message,
    )
  );
}

export const IssuesContext = createContext<IssuesStore>(createIssuesStore());

/** Every problem the live validation finds, grouped. */
export function useIssues(): WorkflowIssues {
  const store = useContext(IssuesContext);
  return useSyncExternalStore(store.subscribe, store.get);
}

export function useNodeIssues(nodeId: string): readonly ValidationIssue[] {
  const store = useContext(IssuesContext);
  return useSyncExternalStore(store.subscribe, () => store.get().byNode.get(nodeId) ?? noIssues);
}
