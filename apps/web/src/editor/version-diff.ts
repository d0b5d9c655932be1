/**
 * What changed between two workflow documents (a published version and the draft): nodes
 * added, removed and changed (which of their parts), edges added and removed. Secrets are
 * compared masked, because versions reach the editor masked.
 */
import {
  maskSecrets,
  type NodeRegistry,
  type WorkflowDocument,
  type WorkflowEdge,
  type WorkflowNode,
} from '@hookflow/engine';

export interface NodeChange {
  id: string;
  key: string;
  /** The parts that differ: `name`, `key`, `type`, `onError`, `config.<field>`. */
  fields: string[];
}

export interface DocumentDiff {
  added: WorkflowNode[];
  removed: WorkflowNode[];
  changed: NodeChange[];
  edgesAdded: WorkflowEdge[];
  edgesRemoved: WorkflowEdge[];
  renamed: boolean;
  settingsChanged: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const edgeId = (edge: WorkflowEdge) =>
  `${edge.source}|${edge.sourceHandle ?? 'main'}|${edge.target}`;

/** Changes from `from` to `to`; positions are not changes. */
export function diffDocuments(
  from: WorkflowDocument,
  to: WorkflowDocument,
  registry: NodeRegistry,
): DocumentDiff {
  const masked = (node: WorkflowNode) =>
    maskSecrets(node.config, registry.get(node.type)?.secretFields) as Record<string, unknown>;
  const before = new Map(from.nodes.map((node) => [node.id, node]));
  const after = new Map(to.nodes.map((node) => [node.id, node]));
  const changed: NodeChange[] = [];
  for (const node of to.nodes) {
    const old = before.get(node.id);
    if (!old) continue;
    const fields: string[] = [];
    for (const part of ['name', 'key', 'type', 'onError'] as const) {
      if ((old[part] ?? null) !== (node[part] ?? null)) fields.push(part);
    }
    const a = masked(old);
    const b = masked(node);
    for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!same(a[field], b[field])) fields.push(`config.${field}`);
    }
    if (fields.length > 0) changed.push({ id: node.id, key: node.key, fields });
  }
  const edgesBefore = new Set(from.edges.map(edgeId));
  const edgesAfter = new Set(to.edges.map(edgeId));
  return {
    added: to.nodes.filter((node) => !before.has(node.id)),
    removed: from.nodes.filter((node) => !after.has(node.id)),
    changed,
    edgesAdded: to.edges.filter((edge) => !edgesBefore.has(edgeId(edge))),
    edgesRemoved: from.edges.filter((edge) => !edgesAfter.has(edgeId(edge))),
    renamed: from.name !== to.name,
    settingsChanged: !same(from.settings, to.settings),
  };
}

export function isEmptyDiff(diff: DocumentDiff): boolean {
  return (
    diff.added.length === 0 &&
    diff.removed.length === 0 &&
    diff.changed.length === 0 &&
    diff.edgesAdded.length === 0 &&
    diff.edgesRemoved.length === 0 &&
    !diff.renamed &&
    !diff.settingsChanged
  );
}
