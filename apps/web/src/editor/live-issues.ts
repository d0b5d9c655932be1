import type { ValidationIssue, WorkflowDocument } from '@hookflow/engine';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '../lib/trpc.ts';
import { createIssuesStore, type IssuesStore } from './editor-context.tsx';
import { createWorkflowChecker, type WorkflowChecker } from './workflow-checker.ts';

/**
 * The live problems of the document being edited. The draft as it opened comes with the
 * server's check of it, so the editor starts with those and checks nothing at open: the
 * checker (a worker that compiles every expression of the workflow) starts at the first change.
 * From then on each change is checked, against the stored credentials as the server checks
 * it; should the credentials change (one created in another tab), the check runs again.
 */
export function useLiveIssues(
  opened: { issues: readonly ValidationIssue[] },
  document: WorkflowDocument,
): IssuesStore {
  const trpc = useTRPC();
  const [issues] = useState(() => createIssuesStore(opened.issues));
  const [openedWith] = useState(document);
  // Once changed, always checked: an undo back to the opened document is checked too.
  const [changed, setChanged] = useState(false);
  if (!changed && document !== openedWith) setChanged(true);
  const credentials = useQuery({ ...trpc.credentials.list.queryOptions(), enabled: changed });
  const checker = useRef<WorkflowChecker | null>(null);
  useEffect(
    () => () => {
      checker.current?.stop();
      checker.current = null;
    },
    [],
  );
  useEffect(() => {
    // The first check waits a moment for the stored credentials; should they not come (an
    // error), references are left unchecked here, and saving and publishing still check them.
    if (!changed || credentials.isPending) return;
    checker.current ??= createWorkflowChecker(issues.set);
    checker.current.check({ document, credentials: credentials.data });
  }, [changed, document, credentials.isPending, credentials.data, issues]);
  return issues;
}
