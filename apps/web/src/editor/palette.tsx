import type { NodeDefinition, NodeGroup } from '@hookflow/engine';
import { nodeRegistry, nodes } from '@hookflow/nodes';
import { type DragEvent, useState } from 'react';
import { usePermission } from '../account/session.tsx';
import { useEditor } from './editor-context.tsx';

/** The drag-and-drop payload: a node type id. */
export const NODE_DRAG_TYPE = 'application/x-hookflow-node-type';

const groups: readonly { group: NodeGroup; label: string }[] = [
  { group: 'trigger', label: 'Triggers' },
  { group: 'flow', label: 'Flow' },
  { group: 'data', label: 'Data' },
  { group: 'action', label: 'Actions' },
];

function matches(definition: NodeDefinition, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${definition.label} ${definition.type} ${definition.description}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

/**
 * Every node type of the catalogue, grouped and searchable. Drag one onto the canvas, or press
 * Enter on it (or double-click) to add it in the middle of the view.
 */
export function Palette({ onAdd }: { onAdd(type: string): void }) {
  const [query, setQuery] = useState('');
  // Viewers read the catalogue; adding a node is an edit (and would not be saved).
  const editor = usePermission('editor');
  const hasTrigger = useEditor((state) =>
    state.nodes.some((node) => nodeRegistry.get(node.data.type)?.trigger),
  );
  const shown = groups
    .map(({ group, label }) => ({
      group,
      label,
      items: nodes.filter((definition) => definition.group === group && matches(definition, query)),
    }))
    .filter(({ items }) => items.length > 0);

  const startDrag = (event: DragEvent<HTMLElement>, type: string) => {
    event.dataTransfer.setData(NODE_DRAG_TYPE, type);
    event.dataTransfer.effectAllowed = 'move';
  };

  return (
    <aside className="palette" aria-label="Node types" data-testid="palette">
      <input
        type="search"
        className="input"
        placeholder="Search nodes"
        aria-label="Search node types"
        value={query}
        onChange={(event) => setQuery(event.currentTarget.value)}
        data-testid="palette-search"
      />
      {shown.length === 0 && <p className="muted small">No node type matches “{query}”.</p>}
      {shown.map(({ group, label, items }) => (
        <section key={group} className="palette-group" aria-label={label}>
          <h2 className="palette-group-title">{label}</h2>
          <ul className="palette-list">
            {items.map((definition) => {
              const unavailable = !editor.allowed || (definition.trigger === true && hasTrigger);
              return (
                <li key={definition.type}>
                  {/* biome-ignore lint/a11y/useSemanticElements: a draggable item is not a button */}
                  <div
                    className="palette-item"
                    role="button"
                    tabIndex={unavailable ? -1 : 0}
                    draggable={!unavailable}
                    aria-disabled={unavailable || undefined}
                    title={
                      !editor.allowed
                        ? `${definition.description} ${editor.reason}`
                        : unavailable
                          ? 'A workflow has exactly one trigger'
                          : `${definition.description} Drag it onto the canvas, or press Enter.`
                    }
                    data-testid={`palette-item-${definition.type}`}
                    onDragStart={(event) => startDrag(event, definition.type)}
                    onDoubleClick={() => !unavailable && onAdd(definition.type)}
                    onKeyDown={(event) => {
                      if (!unavailable && (event.key === 'Enter' || event.key === ' ')) {
                        event.preventDefault();
                        onAdd(definition.type);
                      }
                    }}
                  >
                    <span className="node-icon" aria-hidden="true">
                      {definition.icon}
                    </span>
                    <span className="palette-item-text">
                      <span className="palette-item-label">{definition.label}</span>
                      <span className="palette-item-description">{definition.description}</span>
                    </span>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </aside>
  );
}
