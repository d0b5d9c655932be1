import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { usePermission } from '../account/session.tsx';
import { describeProblem } from '../lib/api-error.ts';
import { formatJson } from '../lib/format.ts';
import { type Sample, useTRPC, useTRPCClient } from '../lib/trpc.ts';
import { Notice } from '../ui/notice.tsx';
import { useShowMore } from '../ui/show-more.tsx';
import { expressionPath, type PathSegment, toTriggerEvent } from './data-paths.ts';
import { useEditor, useEditorStore } from './editor-context.tsx';
import { JsonTree } from './json-tree.tsx';
import { useChosenSample, useNodeData, useSamples } from './node-data.ts';
import { PasteSampleButton } from './paste-sample-dialog.tsx';
import { RunNodeAgain } from './run-node-again.tsx';
import { useTestData, useTestDataStore, useTestStep } from './test-data.ts';

/** Runs the canvas's current document (saved or not) against the chosen sample. */
export function useTestRun() {
  const client = useTRPCClient();
  const store = useEditorStore();
  const testData = useTestDataStore();
  const sample = useChosenSample();
  const running = useTestData((state) => state.running);
  const run = async () => {
    if (!sample) return;
    const { document } = store.getState();
    const { workflowId, startTest, finishTest, failTest } = testData.getState();
    startTest(sample.id);
    try {
      const result = await client.testRuns.run.mutate({
        workflowId,
        sampleId: sample.id,
        document,
      });
      finishTest(result, JSON.stringify(document));
    } catch (error) {
      failTest(error);
    }
  };
  return { run, running, ready: sample !== null };
}

const stepStatusText: Record<string, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  filtered: 'Stopped by the filter',
  waiting: 'Waiting (a real run would resume later)',
};

/**
 * The data a node can use, beside its settings: the sample event (chosen among the saved ones,
 * or captured live with "Listen for a test event") and each upstream step's last test output,
 * as trees whose values insert their expression into the focused field.
 */
export function DataPanel({ triggerUrl }: { triggerUrl: string }) {
  const selectedId = useEditor((state) => {
    const chosen = state.nodes.filter((node) => node.selected);
    return chosen.length === 1 ? chosen[0]!.id : null;
  });
  const data = useNodeData(selectedId);
  const sample = useChosenSample();
  const testData = useTestDataStore();
  const [hint, setHint] = useState<string | null>(null);
  const keys = useEditor(
    useShallow((state) => Object.fromEntries(state.nodes.map((n) => [n.id, n.data.key]))),
  );
  const testRun = useTestData((state) => state.testRun);
  const testError = useTestData((state) => state.testError);

  const { shown: shownSteps, more: moreSteps } = useShowMore(
    data.upstream.filter((step) => step.key !== 'trigger' || !sample),
    20,
    (count) => (count === 1 ? 'step' : 'steps'),
  );

  const pick = (segments: readonly PathSegment[]) => {
    const target = testData.getState().insertTarget;
    const path = expressionPath(segments);
    if (!target) {
      setHint(`Click into a field that takes {{ }} first, then pick ${path} again.`);
      return;
    }
    setHint(null);
    target.insertPath(path);
  };

  return (
    <aside className="data-panel" aria-label="Test data" data-testid="data-panel">
      <SampleSection triggerUrl={triggerUrl} />
      {testError !== null && <TestRunProblem error={testError} />}
      {testRun && <TestRunSummary keys={keys} />}
      {selectedId && <SelectedStepResult nodeId={selectedId} />}
      {hint && (
        <p className="data-panel-hint" role="status" data-testid="pick-hint">
          {hint}
        </p>
      )}
      <section className="data-panel-section">
        <h3 className="data-panel-title">
          {selectedId ? 'Data this step can use' : 'Data in this workflow'}
        </h3>
        <p className="muted small">
          Click a name or value to insert its expression into the field you are editing.
        </p>
        {sample ? (
          <JsonTree
            root={['trigger']}
            label="trigger"
            value={toTriggerEvent(sample.event)}
            startsOpen={bodyFirst}
            onPick={pick}
            testId="trigger-tree"
          />
        ) : (
          <p className="muted small" data-testid="no-sample">
            No sample event yet: listen for one above and send a request to the trigger URL, or
            paste one.
          </p>
        )}
        {shownSteps.map((step) =>
          step.hasOutput ? (
            <JsonTree
              key={step.id}
              root={['steps', step.key]}
              label={`steps.${step.key}`}
              value={step.output}
              onPick={pick}
              testId={`step-tree-${step.key}`}
            />
          ) : (
            <p key={step.id} className="data-panel-step-empty" data-testid="step-not-run">
              <code>steps.{step.key}</code>{' '}
              <span className="muted small">
                {testRun ? 'did not run in the last test' : 'has no output yet: run a test'}
              </span>
            </p>
          ),
        )}
        {moreSteps}
      </section>
    </aside>
  );
}

/** The body is what a workflow reads most: open two levels into it, the rest closed. */
const bodyFirst = (path: string, depth: number) =>
  path === 'trigger' ||
  ((path === 'trigger.body' || path.startsWith('trigger.body.')) && depth <= 2);

function sampleLabel(sample: Sample): string {
  const time = new Date(sample.event.receivedAt).toLocaleString();
  return `${sample.name} (${sample.event.method}, ${time})`;
}

/** Choosing, capturing and deleting sample events. */
function SampleSection({ triggerUrl }: { triggerUrl: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const samples = useSamples();
  const chosen = useChosenSample();
  const { workflowId, chooseSample } = useTestData(
    useShallow((state) => ({ workflowId: state.workflowId, chooseSample: state.chooseSample })),
  );
  const [listening, setListening] = useState(false);
  const [captured, setCaptured] = useState<Sample | null>(null);
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.samples.list.queryKey({ workflowId }) });
  const subscription = useSubscription(
    trpc.samples.listen.subscriptionOptions(
      { workflowId },
      {
        enabled: listening,
        onData: (sample) => {
          setListening(false);
          setCaptured(sample);
          chooseSample(sample.id);
          void refresh();
        },
      },
    ),
  );
  const editor = usePermission('editor');
  const remove = useMutation(
    trpc.samples.delete.mutationOptions({
      onSuccess: () => {
        chooseSample(null);
        void refresh();
      },
    }),
  );
  const list = samples.data ?? [];
  return (
    <section className="data-panel-section" data-testid="sample-section">
      <h3 className="data-panel-title">Sample event</h3>
      {list.length > 0 ? (
        <div className="data-panel-row">
          <select
            className="select input"
            aria-label="Sample event"
            value={chosen?.id ?? ''}
            onChange={(event) => chooseSample(event.currentTarget.value)}
            data-testid="sample-select"
          >
            {list.map((sample) => (
              <option key={sample.id} value={sample.id}>
                {sampleLabel(sample)}
              </option>
            ))}
          </select>
          {chosen && (
            <button
              type="button"
              className="button button-small button-quiet"
              aria-label={`Delete the sample ${chosen.name}`}
              title={editor.reason ?? 'Delete this sample'}
              disabled={remove.isPending || !editor.allowed}
              onClick={() => remove.mutate({ id: chosen.id })}
              data-testid="delete-sample"
            >
              <span aria-hidden="true">✕</span>
            </button>
          )}
        </div>
      ) : (
        samples.isSuccess && <p className="muted small">No samples saved yet.</p>
      )}
      {listening ? (
        <div className="listening" role="status" data-testid="listening">
          <span className="listening-dot" aria-hidden="true" />
          <span>
            Waiting for a request to <code className="listening-url">{triggerUrl}</code>
            {subscription.status === 'error' && ' (connection lost, retrying…)'}
          </span>
          <button
            type="button"
            className="button button-small"
            onClick={() => setListening(false)}
            data-testid="stop-listening"
          >
            Stop
          </button>
        </div>
      ) : (
        <div className="button-row">
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              setCaptured(null);
              setListening(true);
            }}
            data-testid="listen"
          >
            Listen for a test event
          </button>
          <PasteSampleButton />
        </div>
      )}
      {captured && (
        <Notice
          tone="success"
          testId="captured"
          onDismiss={() => setCaptured(null)}
          title={`Captured ${captured.event.method} ${captured.event.path}`}
        >
          <p className="small">
            Kept as “{captured.name}”: {Object.keys(captured.event.headers).length} headers,{' '}
            {Object.keys(captured.event.query).length} query parameters, {captured.event.size} bytes
            of body.
          </p>
        </Notice>
      )}
    </section>
  );
}

function TestRunProblem({ error }: { error: unknown }) {
  const { message, issues } = describeProblem(error);
  const clear = useTestData((state) => state.clearTest);
  return (
    <Notice
      tone="error"
      title="The test run could not start"
      testId="test-run-error"
      onDismiss={clear}
    >
      <p>{message}</p>
      {issues.length > 0 && (
        <ul className="issue-list">
          {issues.map((issue, index) => (
            <li key={index}>
              <code>{issue.where}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}

const runStatusText: Record<string, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  filtered: 'stopped at a filter',
  canceled: 'was stopped',
  waiting: 'stopped at a wait',
};

function TestRunSummary({ keys }: { keys: Record<string, string> }) {
  const testRun = useTestData((state) => state.testRun)!;
  const stale = useTestData((state) => state.testedDocument);
  const current = useEditor((state) => state.document);
  const changed = stale !== null && stale !== JSON.stringify(current);
  const failedKey = testRun.error ? (keys[testRun.error.nodeId] ?? testRun.error.nodeId) : null;
  return (
    <section
      className="data-panel-section test-summary"
      data-testid="test-run-summary"
      data-status={testRun.status}
    >
      <p>
        <span className={`badge badge-${testRun.status}`}>
          Test run {runStatusText[testRun.status] ?? testRun.status}
        </span>{' '}
        <span className="muted small">
          {testRun.steps.length} step{testRun.steps.length === 1 ? '' : 's'} in {testRun.durationMs}{' '}
          ms
        </span>
      </p>
      {testRun.error && (
        <p className="field-error" data-testid="test-run-failure">
          <code>{failedKey}</code> {testRun.error.message}
        </p>
      )}
      {changed && (
        <p className="muted small">The canvas changed since this test; run it again to update.</p>
      )}
    </section>
  );
}

/** The selected node's result in the last test: input, output or error, duration. */
function SelectedStepResult({ nodeId }: { nodeId: string }) {
  const step = useTestStep(nodeId);
  if (!step) return null;
  return (
    <section
      className="data-panel-section"
      data-testid="step-result"
      data-status={step.status}
      aria-label="This step in the last test"
    >
      <h3 className="data-panel-title">
        This step in the last test{' '}
        <span className={`badge badge-${step.status}`}>
          {stepStatusText[step.status] ?? step.status}
        </span>{' '}
        <span className="muted small">{step.durationMs} ms</span>
      </h3>
      <RunNodeAgain key={nodeId} nodeId={nodeId} />
      {step.error && (
        <p className="field-error" data-testid="step-error">
          {step.error.field && <code>{step.error.field}</code>} {step.error.message}
        </p>
      )}
      <details>
        <summary>Input</summary>
        <pre className="data-panel-json">{formatJson(step.input)}</pre>
      </details>
      {step.output !== undefined && (
        <details open>
          <summary>Output</summary>
          <pre className="data-panel-json" data-testid="step-output">
            {formatJson(step.output)}
          </pre>
        </details>
      )}
    </section>
  );
}
