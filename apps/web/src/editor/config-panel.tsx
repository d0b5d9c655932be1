import {
  configPlaceholders,
  formFieldValue,
  type NodeDefinition,
  nodeKeySchema,
  placeholderWarnings,
  type ValidationIssue,
} from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { useEffect, useId, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { usePermission } from '../account/session.tsx';
import { ExpressionEnvironmentContext } from '../fields/expression-environment.ts';
import { isFieldVisible, placeIssues } from '../fields/form.ts';
import { FormFieldRow } from '../fields/form-field.tsx';
import { ReadOnlyFieldsContext } from '../fields/read-only.ts';
import { useDraftText } from '../fields/use-draft-text.ts';
import { nodeTypeLabel } from '../lib/node-types.ts';
import { useShowMore } from '../ui/show-more.tsx';
import { TriggerUrl } from '../ui/trigger-url.tsx';
import { useEditor, useIssues, useNodeIssues } from './editor-context.tsx';
import type { WorkflowNodeData } from './graph.ts';
import { useExpressionEnvironmentFor } from './node-data.ts';
import { effectiveValue } from './node-info.ts';
import { useTestData } from './test-data.ts';

/** The right-hand panel: the selected node's settings, or the workflow's when none is. */
export function ConfigPanel({
  triggerUrl,
  published,
  onShowNode,
}: {
  triggerUrl: string;
  published: boolean;
  onShowNode(id: string): void;
}) {
  const selected = useEditor(
    useShallow((state) => {
      const chosen = state.nodes.filter((node) => node.selected);
      const node = chosen[0];
      return node ? { id: node.id, data: node.data, count: chosen.length } : null;
    }),
  );
  return (
    <aside className="config-panel" aria-label="Settings" data-testid="config-panel">
      {selected && selected.count > 1 ? (
        <div className="config-panel-body" data-testid="many-selected">
          <header className="config-panel-header">
            <div>
              <h2>{selected.count} nodes selected</h2>
              <p className="muted small">
                Drag them together, copy them (Ctrl+C) to paste here or in another workflow, press
                Delete to remove them, or select one to configure it.
              </p>
            </div>
          </header>
          <div className="config-panel-footer">
            <DeleteSelectedButton count={selected.count} />
          </div>
        </div>
      ) : selected ? (
        <NodeSettings key={selected.id} id={selected.id} data={selected.data} />
      ) : (
        <WorkflowSettings triggerUrl={triggerUrl} published={published} onShowNode={onShowNode} />
      )}
    </aside>
  );
}

function NodeSettings({ id, data }: { id: string; data: WorkflowNodeData }) {
  const definition = nodeRegistry.get(data.type);
  const type = nodeTypeLabel(data.type);
  const issues = useNodeIssues(id);
  const { updateNode, setConfigField, deleteNode } = useEditor(
    useShallow((state) => ({
      updateNode: state.updateNode,
      setConfigField: state.setConfigField,
      deleteNode: state.deleteNode,
    })),
  );
  const formId = useId();
  const editor = usePermission('editor');
  const environment = useExpressionEnvironmentFor(id);
  const setInsertTarget = useTestData((state) => state.setInsertTarget);
  // A field of a node no longer shown must not receive picked values.
  useEffect(() => () => setInsertTarget(null), [setInsertTarget]);
  const currentValue = (field: string) =>
    definition
      ? effectiveValue(definition, data.config, field)
      : formFieldValue(data.config, field);
  const visible = definition?.form.filter((field) => isFieldVisible(field, currentValue)) ?? [];
  const placed = placeIssues(
    issues,
    visible.map((field) => field.field),
  );
  const placeholders = useMemo(
    () => configPlaceholders(data.config).map((found) => ({ nodeId: id, ...found })),
    [data.config, id],
  );
  const placedWarnings = placeIssues(
    placeholders,
    visible.map((field) => field.field),
  );

  return (
    <div className="config-panel-body" data-testid="node-settings" data-node-id={id}>
      <header className="config-panel-header">
        <span className="node-icon" aria-hidden="true">
          {type.icon}
        </span>
        <div>
          <h2>{type.label}</h2>
          <p className="muted small">
            {definition?.description ?? `Unknown node type ${data.type}.`}
          </p>
        </div>
      </header>

      {/* A viewer reads the settings; every field and button in here is disabled for them. */}
      <fieldset className="config-fieldset" disabled={!editor.allowed} title={editor.reason}>
        <ReadOnlyFieldsContext.Provider value={!editor.allowed}>
          {placed.general.length > 0 && (
            <ul className="panel-issues" data-testid="node-issues">
              {placed.general.map((issue) => (
                <li key={`${issue.field ?? ''}|${issue.message}`}>
                  {issue.field && <code>{issue.field}</code>} {issue.message}
                </li>
              ))}
            </ul>
          )}

          {placedWarnings.general.length > 0 && (
            <ul className="panel-warnings" data-testid="node-warnings">
              {placedWarnings.general.map((warning) => (
                <li key={`${warning.field ?? ''}|${warning.message}`}>
                  {warning.field && <code>{warning.field}</code>} {warning.message}
                </li>
              ))}
            </ul>
          )}

          <div className="form-field" data-testid="field-name">
            <label className="form-field-label" htmlFor={`${formId}-name`}>
              Name
            </label>
            <input
              id={`${formId}-name`}
              className="input"
              type="text"
              maxLength={200}
              value={data.name}
              placeholder={type.label}
              onChange={(event) => updateNode(id, { name: event.currentTarget.value })}
            />
          </div>
          <KeyField id={id} nodeKey={data.key} issues={placed.key} inputId={`${formId}-key`} />
          {definition && !definition.trigger && (
            <div className="form-field" data-testid="field-onError">
              <label className="form-field-label" htmlFor={`${formId}-on-error`}>
                If it fails
              </label>
              <select
                id={`${formId}-on-error`}
                className="select input"
                value={data.onError ?? 'stop'}
                onChange={(event) =>
                  updateNode(id, {
                    onError: event.currentTarget.value === 'continue' ? 'continue' : undefined,
                  })
                }
              >
                <option value="stop">Stop the run</option>
                <option value="continue">Continue through its “Error” output</option>
              </select>
            </div>
          )}

          {definition && visible.length > 0 && (
            <ExpressionEnvironmentContext.Provider value={environment}>
              <fieldset className="config-form">
                <legend className="visually-hidden">{type.label} settings</legend>
                {visible.map((field) => (
                  <FormFieldRow
                    key={field.field}
                    field={field}
                    id={`${formId}-${field.field}`}
                    value={formFieldValue(data.config, field.field)}
                    fallback={fallbackOf(definition, field.field)}
                    issues={placed.byField.get(field.field) ?? []}
                    warnings={placedWarnings.byField.get(field.field) ?? []}
                    onChange={(value) => setConfigField(id, field.field, value)}
                  />
                ))}
              </fieldset>
            </ExpressionEnvironmentContext.Provider>
          )}

          <div className="config-panel-footer">
            <button
              type="button"
              className="button button-small button-danger"
              onClick={() => deleteNode(id)}
              data-testid="delete-node"
            >
              Delete node
            </button>
          </div>
        </ReadOnlyFieldsContext.Provider>
      </fieldset>
    </div>
  );
}

function fallbackOf(definition: NodeDefinition, field: string): unknown {
  return effectiveValue(definition, {}, field);
}

/** The key: committed only when it is a valid slug, so the document always parses. */
function KeyField({
  id,
  nodeKey,
  issues,
  inputId,
}: {
  id: string;
  nodeKey: string;
  issues: readonly ValidationIssue[];
  inputId: string;
}) {
  const updateNode = useEditor((state) => state.updateNode);
  const [text, edit] = useDraftText(nodeKey, String);
  const parsed = nodeKeySchema.safeParse(text);
  const formatError = parsed.success
    ? null
    : (parsed.error.issues[0]?.message ?? 'not a valid key');
  const messages = [...(formatError ? [formatError] : []), ...issues.map((issue) => issue.message)];
  return (
    <div
      className="form-field"
      data-testid="field-key"
      data-invalid={messages.length > 0 || undefined}
    >
      <label className="form-field-label" htmlFor={inputId}>
        Key
      </label>
      <input
        id={inputId}
        className="input input-mono"
        type="text"
        value={text}
        spellCheck={false}
        aria-invalid={messages.length > 0 || undefined}
        onChange={(event) => {
          const next = event.currentTarget.value;
          if (nodeKeySchema.safeParse(next).success) {
            edit(next, next);
            updateNode(id, { key: next });
          } else {
            edit(next);
          }
        }}
      />
      <p className="form-field-help">
        Later steps read this node's output as <code>steps.{parsed.success ? text : nodeKey}</code>.
      </p>
      {messages.length > 0 && (
        <ul className="field-issues">
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function WorkflowSettings({
  triggerUrl,
  published,
  onShowNode,
}: {
  triggerUrl: string;
  published: boolean;
  onShowNode(id: string): void;
}) {
  const { all } = useIssues();
  const nodeCount = useEditor((state) => state.nodes.length);
  // A workflow has one trigger; only a webhook trigger listens at the URL.
  const trigger = useEditor(
    (state) => state.nodes.find((node) => nodeRegistry.get(node.data.type)?.trigger)?.data.type,
  );
  const triggerDefinition = trigger ? nodeRegistry.get(trigger) : undefined;
  const document = useEditor((state) => state.document);
  const placeholders = useMemo(() => placeholderWarnings(document), [document]);
  return (
    <div className="config-panel-body" data-testid="workflow-settings">
      <header className="config-panel-header">
        <div>
          <h2>Workflow</h2>
          <p className="muted small">
            {nodeCount} node{nodeCount === 1 ? '' : 's'}. Select a node to configure it, or drag one
            from the palette onto the canvas.
          </p>
        </div>
      </header>
      {triggerDefinition && trigger !== 'webhook-trigger' ? (
        <div className="form-field" data-testid="editor-trigger-kind">
          <span className="form-field-label">Trigger</span>
          <p className="form-field-help">
            {triggerDefinition.label}: {triggerDefinition.description} It has no URL;{' '}
            {published
              ? 'the published version runs; publish again to put these changes live.'
              : 'it starts runs once the workflow is published.'}
          </p>
        </div>
      ) : (
        <div className="form-field">
          <span className="form-field-label">Trigger URL</span>
          <TriggerUrl url={triggerUrl} testId="editor-trigger-url" />
          <p className="form-field-help">
            {published
              ? 'Requests run the published version; publish again to put these changes live.'
              : 'Requests are kept as samples and start runs once the workflow is published.'}
          </p>
        </div>
      )}
      {placeholders.length > 0 && (
        <div className="form-field" data-testid="placeholders">
          <span className="form-field-label">To replace</span>
          <p className="form-field-help">
            These addresses are placeholders (example.com): requests to them never reach your
            service. Put your own in before you publish.
          </p>
          <IssueList issues={placeholders} onShowNode={onShowNode} testId="placeholder-list" />
        </div>
      )}
      <div className="form-field">
        <span className="form-field-label">Problems</span>
        {all.length === 0 ? (
          <p className="muted small" data-testid="no-problems">
            None: the workflow can be published.
          </p>
        ) : (
          <IssueList issues={all} onShowNode={onShowNode} />
        )}
      </div>
    </div>
  );
}

/** Problems as a list; those of a node are buttons that select it. */
export function IssueList({
  issues,
  onShowNode,
  testId = 'issue-list',
}: {
  issues: readonly (ValidationIssue | { path: string; message: string })[];
  onShowNode(id: string): void;
  testId?: string;
}) {
  const names = useEditor(
    useShallow((state) =>
      Object.fromEntries(state.nodes.map((node) => [node.id, node.data.name || node.data.key])),
    ),
  );
  const { shown, more } = useShowMore(issues, 10, (count) => (count === 1 ? 'entry' : 'entries'));
  return (
    <>
      <ul className="problem-list" data-testid={testId}>
        {shown.map((issue, index) => {
          const nodeId = 'nodeId' in issue ? issue.nodeId : undefined;
          const field = 'field' in issue ? issue.field : 'path' in issue ? issue.path : undefined;
          const text = (
            <>
              {nodeId !== undefined && <strong>{names[nodeId] ?? nodeId}</strong>}
              {field && <code>{field}</code>}
              <span>{issue.message}</span>
            </>
          );
          return (
            <li key={index}>
              {nodeId !== undefined && names[nodeId] !== undefined ? (
                <button
                  type="button"
                  className="problem"
                  onClick={() => onShowNode(nodeId)}
                  data-testid="problem"
                  data-node-id={nodeId}
                >
                  {text}
                </button>
              ) : (
                <span className="problem" data-testid="problem">
                  {text}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {more}
    </>
  );
}

function DeleteSelectedButton({ count }: { count: number }) {
  const deleteSelected = useEditor((state) => state.deleteSelected);
  return (
    <button
      type="button"
      className="button button-small button-danger"
      onClick={deleteSelected}
      data-testid="delete-selected"
    >
      Delete {count} nodes
    </button>
  );
}
