import { formatDuration } from '../lib/format.ts';
import { nodeTypeLabel } from '../lib/node-types.ts';
import type { RunStep } from '../lib/trpc.ts';
import { waterfall } from './run-steps.ts';

/** Every step as a bar on the run's timeline; a click shows its data. */
export function Waterfall({
  steps,
  selectedKey,
  onSelect,
}: {
  steps: readonly RunStep[];
  selectedKey: string | null;
  onSelect: (key: string) => void;
}) {
  const { start, end, bars } = waterfall(steps);
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="waterfall-scale muted small" aria-hidden="true">
        <span>0</span>
        <span>{formatDuration(end - start)}</span>
      </div>
      <ol className="waterfall-rows">
        {bars.map(({ step, offset, width }) => {
          const type = nodeTypeLabel(step.nodeType);
          return (
            <li key={step.id}>
              <button
                type="button"
                className="waterfall-row"
                data-testid="step-row"
                data-node-key={step.nodeKey}
                data-status={step.status}
                aria-pressed={step.nodeKey === selectedKey}
                onClick={() => onSelect(step.nodeKey)}
              >
                <span className="waterfall-label">
                  <span className="node-icon" aria-hidden="true">
                    {type.icon}
                  </span>
                  <code className="step-key" data-testid="step-key">
                    {step.nodeKey}
                  </code>
                  {step.attempt > 1 && <span className="run-marker">attempt {step.attempt}</span>}
                </span>
                <span className="waterfall-track">
                  <span
                    className={`waterfall-bar waterfall-${step.status}`}
                    style={{ left: `${offset * 100}%`, width: `max(3px, ${width * 100}%)` }}
                  />
                </span>
                <span className="waterfall-duration" data-testid="step-duration">
                  {formatDuration(step.durationMs)}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
