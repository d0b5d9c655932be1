import { configPlaceholders } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { Handle, type NodeProps, Position, useStore, useUpdateNodeInternals } from '@xyflow/react';
import { memo, useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { nodeTypeLabel } from '../lib/node-types.ts';
import { useEditor, useNodeIssues } from './editor-context.tsx';
import { type EditorNode, usedSourceHandles } from './graph.ts';
import { hasLabelledOutputs, nodeOutputs, nodeSummary } from './node-info.ts';
import { useTestStep } from './test-data.ts';

/**
 * Below this zoom a card's key and summary (11 and 12 px at full size) are too small to read:
 * the card shows its icon and name, larger, instead. A card whose outputs are labelled keeps
 * its rows, where its handles are.
 */
export const DETAIL_ZOOM = 0.5;

/**
 * One node on the canvas, for every node type: icon, name, key, the definition's summary, a
 * red badge while validation finds problems (else an amber one while it holds placeholder
 * addresses to replace), a target handle (triggers have none) and one
 * source handle per output, labelled when the node has several.
 */
export const NodeCard = memo(function NodeCard({
  id,
  data,
  selected,
  isConnectable,
}: NodeProps<EditorNode>) {
  const definition = nodeRegistry.get(data.type);
  const type = nodeTypeLabel(data.type);
  const issues = useNodeIssues(id);
  const tested = useTestStep(id);
  const usedHandles = useEditor(useShallow((state) => usedSourceHandles(state.edges, id)));
  const outputs = useMemo(
    () => nodeOutputs(definition, data, usedHandles),
    [definition, data, usedHandles],
  );
  const placeholders = useMemo(() => configPlaceholders(data.config), [data.config]);
  const labelled = hasLabelledOutputs(outputs);
  // Zoomed far out (a large workflow fitted in view) the card is drawn with less: much less
  // to lay out for each of the many cards in view, and a name that can still be read. It is
  // as large either way (styles.css), so nothing moves when the zoom crosses the line.
  const far = useStore((state) => state.transform[2] < DETAIL_ZOOM);
  const compact = far && !labelled;
  const summary = useMemo(
    () => (compact ? null : nodeSummary(definition, data.config)),
    [compact, definition, data.config],
  );

  // React Flow measures handles when a card resizes; a renamed route keeps the size.
  const updateNodeInternals = useUpdateNodeInternals();
  const handleIds = outputs.map((output) => output.id).join('\n');
  // Only when the outputs change: React Flow measures a new card by itself, and measuring
  // each of hundreds of cards again on mount forces a layout per card.
  const measuredHandles = useRef(handleIds);
  useEffect(() => {
    if (measuredHandles.current === handleIds) return;
    measuredHandles.current = handleIds;
    updateNodeInternals(id);
  }, [handleIds, id, updateNodeInternals]);

  return (
    <div
      className="node-card"
      data-testid="node-card"
      data-node-id={id}
      data-node-key={data.key}
      data-node-type={data.type}
      data-selected={selected || undefined}
      data-invalid={issues.length > 0 || undefined}
      data-placeholders={placeholders.length > 0 || undefined}
      data-test-status={tested?.status}
      data-detail={compact ? 'compact' : undefined}
    >
      {!definition?.trigger && (
        <Handle
          type="target"
          position={Position.Left}
          className="node-handle"
          isConnectable={isConnectable}
          data-testid={`target-handle-${data.key}`}
        />
      )}
      <div className="node-card-header">
        <span className="node-icon" aria-hidden="true">
          {type.icon}
        </span>
        <div className="node-card-title">
          <span className="node-card-name">{data.name || type.label}</span>
          {!compact && <code className="node-card-key">{data.key}</code>}
        </div>
        {issues.length > 0 && (
          <span
            className="node-card-badge"
            data-testid="node-issue-badge"
            title={issues.map((issue) => issue.message).join('\n')}
            role="img"
            aria-label={`${issues.length} problem${issues.length === 1 ? '' : 's'}`}
          >
            {issues.length}
          </span>
        )}
        {issues.length === 0 && placeholders.length > 0 && (
          <span
            className="node-card-badge node-card-badge-todo"
            data-testid="node-placeholder-badge"
            title={placeholders.map((found) => found.message).join('\n')}
            role="img"
            aria-label={`${placeholders.length} placeholder address${placeholders.length === 1 ? '' : 'es'} to replace`}
          >
            ✎
          </span>
        )}
        {tested && (
          <span
            className="node-card-test"
            data-status={tested.status}
            data-testid="node-test-badge"
            role="img"
            aria-label={`Last test: ${tested.status}`}
            title={
              tested.error
                ? `Failed in the last test run: ${tested.error.message}`
                : `Last test run: ${tested.status} in ${tested.durationMs} ms`
            }
          >
            {tested.status === 'failed' ? '!' : tested.status === 'filtered' ? '⊘' : '✓'}
          </span>
        )}
      </div>
      {!compact &&
        (!type.known ? (
          <p className="node-card-summary node-card-unknown">Unknown node type {data.type}</p>
        ) : (
          summary && (
            <p className="node-card-summary" title={summary} data-testid="node-summary">
              {summary}
            </p>
          )
        ))}
      {labelled ? (
        <ul className="node-card-outputs">
          {outputs.map((output) => (
            <li
              key={output.id}
              className="node-card-output"
              data-stale={output.stale || undefined}
              data-handle={output.id}
              title={output.stale ? 'This output no longer exists: remove its edges' : undefined}
            >
              {output.label ?? output.id}
              <Handle
                type="source"
                id={output.id}
                position={Position.Right}
                className="node-handle"
                isConnectable={isConnectable}
                data-testid={`source-handle-${data.key}-${output.id}`}
              />
            </li>
          ))}
        </ul>
      ) : (
        outputs.map((output) => (
          <Handle
            key={output.id}
            type="source"
            id={output.id}
            position={Position.Right}
            className="node-handle"
            isConnectable={isConnectable}
            data-testid={`source-handle-${data.key}-${output.id}`}
          />
        ))
      )}
    </div>
  );
});
