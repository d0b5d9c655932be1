/**
 * The data a node sees in the editor, from the chosen sample and the last test run: for the
 * data panel's trees and for its expression fields (completion, preview, insertion).
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { ExpressionEnvironment } from '../fields/expression-environment.ts';
import { type Sample, useTRPC } from '../lib/trpc.ts';
import { listDataPaths, type NodeDataContext, nodeDataContext } from './data-paths.ts';
import { useEditor } from './editor-context.tsx';
import { useTestData, useTestDataStore, useTestOutputs } from './test-data.ts';

/** The workflow's saved samples, newest first. */
export function useSamples() {
  const trpc = useTRPC();
  const workflowId = useTestData((state) => state.workflowId);
  return useQuery(trpc.samples.list.queryOptions({ workflowId }));
}

/** The chosen sample; the newest one until the user picks another. */
export function useChosenSample(): Sample | null {
  const samples = useSamples();
  const sampleId = useTestData((state) => state.sampleId);
  const list = samples.data ?? [];
  return list.find((sample) => sample.id === sampleId) ?? list[0] ?? null;
}

/** What `nodeId` (or, for null, the whole workflow) can read in a test. */
export function useNodeData(nodeId: string | null): NodeDataContext {
  const document = useEditor((state) => state.document);
  const sample = useChosenSample();
  const outputs = useTestOutputs();
  return useMemo(
    () => nodeDataContext(document, nodeId, sample?.event ?? null, outputs),
    [document, nodeId, sample, outputs],
  );
}

/** The expression environment of a node's config form. */
export function useExpressionEnvironmentFor(nodeId: string): ExpressionEnvironment {
  const data = useNodeData(nodeId);
  const testData = useTestDataStore();
  return useMemo(
    () => ({
      paths: listDataPaths(data),
      context: data.context,
      focused: (target) => testData.getState().setInsertTarget(target),
    }),
    [data, testData],
  );
}
