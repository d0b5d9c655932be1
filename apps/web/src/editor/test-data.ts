/**
 * The editor's test data, beside the workflow itself (never saved, never undone): the sample
 * event chosen in the data panel, the last test run's result, and the field that a value
 * picked in the data panel goes into.
 */
import { createContext, useContext, useMemo } from 'react';
import { createStore, type StoreApi, useStore } from 'zustand';
import type { InsertTarget } from '../fields/expression-environment.ts';
import type { TestRunResult } from '../lib/trpc.ts';

export type TestStep = TestRunResult['steps'][number];

export interface TestDataState {
  workflowId: string;
  /** The sample the previews and test runs use; null for none. */
  sampleId: string | null;
  testRun: TestRunResult | null;
  /** The sample the last test ran on: a step run again gets the same event. */
  testedSampleId: string | null;
  /** The document JSON the last test ran, to tell whether the canvas changed since. */
  testedDocument: string | null;
  running: boolean;
  testError: unknown;
  /** The expression field that had the focus last. */
  insertTarget: InsertTarget | null;
  chooseSample(id: string | null): void;
  /** `sampleId`: the sample it runs on (the chosen one when not given). */
  startTest(sampleId?: string): void;
  finishTest(result: TestRunResult, documentJson: string): void;
  failTest(error: unknown): void;
  clearTest(): void;
  /** A step run again on its own ("Run this node again") takes its place in the last test run. */
  replaceStep(step: TestStep): void;
  setInsertTarget(target: InsertTarget | null): void;
}

export type TestDataStore = StoreApi<TestDataState>;

/** `sampleId`: the sample to start with, e.g. the run event "Debug in editor" saved. */
export function createTestDataStore(
  workflowId: string,
  sampleId: string | null = null,
): TestDataStore {
  return createStore<TestDataState>()((set) => ({
    workflowId,
    sampleId,
    testRun: null,
    testedSampleId: null,
    testedDocument: null,
    running: false,
    testError: null,
    insertTarget: null,
    chooseSample: (sampleId) => set({ sampleId }),
    startTest: (tested) =>
      set(({ sampleId }) => ({
        running: true,
        testError: null,
        testedSampleId: tested ?? sampleId,
      })),
    finishTest: (testRun, testedDocument) =>
      set({ running: false, testRun, testedDocument, testError: null }),
    failTest: (testError) => set({ running: false, testError }),
    clearTest: () => set({ testRun: null, testedDocument: null, testError: null }),
    replaceStep: (step) =>
      set(({ testRun }) =>
        testRun
          ? {
              testRun: {
                ...testRun,
                steps: testRun.steps.some((item) => item.nodeId === step.nodeId)
                  ? testRun.steps.map((item) => (item.nodeId === step.nodeId ? step : item))
                  : [...testRun.steps, step],
              },
            }
          : {},
      ),
    setInsertTarget: (insertTarget) => set({ insertTarget }),
  }));
}

export const TestDataContext = createContext<TestDataStore | null>(null);

export function useTestDataStore(): TestDataStore {
  const store = useContext(TestDataContext);
  if (!store) throw new Error('useTestData() is used outside the editor');
  return store;
}

export function useTestData<T>(selector: (state: TestDataState) => T): T {
  return useStore(useTestDataStore(), selector);
}

/** The last test run's step of a node, if it ran. */
export function useTestStep(nodeId: string): TestStep | undefined {
  return useTestData((state) => state.testRun?.steps.find((step) => step.nodeId === nodeId));
}

const noOutputs: ReadonlyMap<string, unknown> = new Map();

/** Each node's output in the last test run, by node id. */
export function useTestOutputs(): ReadonlyMap<string, unknown> {
  const testRun = useTestData((state) => state.testRun);
  return useMemo(
    () =>
      testRun
        ? new Map(
            testRun.steps
              .filter((step) => step.status !== 'failed' || step.output !== undefined)
              .map((step) => [step.nodeId, step.output]),
          )
        : noOutputs,
    [testRun],
  );
}
