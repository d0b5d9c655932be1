import { useState } from 'react';
import { describeProblem } from '../lib/api-error.ts';
import { useTRPCClient } from '../lib/trpc.ts';
import { useEditorStore } from './editor-context.tsx';
import { useTestData, useTestDataStore } from './test-data.ts';

/**
 * "Run this node again": the selected node alone, with its settings as they are now, on what the
 * steps before it gave in the last test run (the same input, the same `steps`). Its result
 * replaces the old one on the card and in the panel; the steps after it are not run.
 */
export function RunNodeAgain({ nodeId }: { nodeId: string }) {
  const client = useTRPCClient();
  const store = useEditorStore();
  const testData = useTestDataStore();
  const sampleId = useTestData((state) => state.testedSampleId);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [ranAgain, setRanAgain] = useState(false);
  if (!sampleId) return null;

  const run = async () => {
    const { workflowId, testRun, replaceStep } = testData.getState();
    if (!testRun) return;
    setRunning(true);
    setError(null);
    try {
      const result = await client.testRuns.runNode.mutate({
        workflowId,
        document: store.getState().document,
        nodeId,
        sampleId,
        steps: testRun.steps
          .filter((step) => step.nodeId !== nodeId)
          .map(({ nodeId, nodeKey, nodeType, status, output, handles }) => ({
            nodeId,
            nodeKey,
            nodeType,
            status,
            output,
            handles: [...handles],
          })),
      });
      replaceStep(result.step);
      setRanAgain(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="run-node-again">
      <button
        type="button"
        className="button button-small"
        onClick={() => void run()}
        disabled={running}
        data-testid="run-node-again"
        title="Run just this node, with its current settings, on the input it got in the last test run"
      >
        {running ? 'Running…' : '↻ Run this node again'}
      </button>
      {ranAgain && !running && error === null && (
        <span className="muted small" role="status" data-testid="ran-again">
          {' '}
          Ran again on its own; the steps after it keep their last results.
        </span>
      )}
      {error !== null && (
        <p className="field-error" role="alert" data-testid="run-node-again-error">
          {describeProblem(error).message}
        </p>
      )}
    </div>
  );
}
