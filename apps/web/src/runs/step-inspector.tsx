import type { WorkflowNode } from '@hookflow/engine';
import { errorSummary, formatDateTime, formatDuration } from '../lib/format.ts';
import { nodeTypeLabel } from '../lib/node-types.ts';
import type { RunStep } from '../lib/trpc.ts';
import { JsonViewer } from '../ui/json-viewer.tsx';
import { StatusBadge } from './run-status.tsx';

/** One node of the run: what went in, the config it resolved, what came out, or its error. */
export function StepInspector({
  nodeKey,
  step,
  node,
  runFinished,
}: {
  nodeKey: string;
  step: RunStep | null;
  node: WorkflowNode | undefined;
  runFinished: boolean;
}) {
  const type = nodeTypeLabel(step?.nodeType ?? node?.type ?? 'unknown');
  const message = step ? errorSummary(step.error) : null;
  return (
    <article className="inspector" data-testid="step-inspector" data-node-key={nodeKey}>
      <header className="inspector-header">
        <span className="node-icon" aria-hidden="true">
          {type.icon}
        </span>
        <div className="inspector-title">
          <strong>{node?.name || type.label}</strong>
          <span className="muted small">
            <code>{nodeKey}</code> · {type.label}
          </span>
        </div>
        {step ? (
          <StatusBadge status={step.status} testId="inspector-status" />
        ) : (
          <span className="muted small" data-testid="inspector-status">
            {runFinished ? 'did not run' : 'not run yet'}
          </span>
        )}
      </header>
      {!step ? (
        <p className="muted">
          {runFinished
            ? 'This node did not run: no path reached it, or the run stopped before it.'
            : 'This node has not run yet.'}
        </p>
      ) : (
        <>
          <p className="muted small">
            Started {formatDateTime(step.startedAt)} · took {formatDuration(step.durationMs)}
            {step.attempt > 1 && ` · attempt ${step.attempt}`}
            {step.handles.length > 0 && ` · continued on ${step.handles.join(', ')}`}
          </p>
          {message && (
            <p className="error-text" data-testid="inspector-error-message">
              {message}
            </p>
          )}
          {step.error !== null && step.error !== undefined && (
            <JsonViewer label="Error" value={step.error} tone="error" testId="step-error" />
          )}
          <JsonViewer label="Input" value={step.input} expressionBase="input" testId="step-input" />
          <JsonViewer
            label="Output"
            value={step.output}
            expressionBase={`steps.${nodeKey}`}
            testId="step-output"
          />
          <JsonViewer label="Resolved config" value={step.config} testId="step-config" />
        </>
      )}
    </article>
  );
}
