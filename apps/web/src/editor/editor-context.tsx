import type { ValidationIssue } from '@hookflow/engine';
import { createContext, useContext } from 'react';
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

/** The live validation of the document being edited (validateWorkflow on every change). */
export const IssuesContext = createContext<WorkflowIssues>({
  all: [],
  byNode: new Map(),
  workflow: [],
});

export function groupIssues(issues: readonly ValidationIssue[]): WorkflowIssues {
  const byNode = new Map<string, ValidationIssue[]>();
  const workflow: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.nodeId === undefined) workflow.push(issue);
    else byNode.set(issue.nodeId, [...(byNode.get(issue.nodeId) ?? []), issue]);
  }
  return { all: issues, byNode, workflow };
}

const noIssues: readonly ValidationIssue[] = [];

export function useNodeIssues(nodeId: string): readonly ValidationIssue[] {
  return useContext(IssuesContext).byNode.get(nodeId) ?? noIssues;
}
