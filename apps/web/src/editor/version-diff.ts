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

/**
 * A document as the JSON views show it: secrets masked (versions reach the editor masked, so
 * the draft is masked the same way), positions left out unless asked for (moving a card is not
 * a change worth reading), two-space indented.
 */
export function documentJson(
  document: WorkflowDocument,
  registry: NodeRegistry,
  options: { positions?: boolean } = {},
): string {
  const shown = {
    ...document,
    nodes: document.nodes.map(({ position, ...node }) => ({
      ...node,
      ...(options.positions ? { position } : {}),
      config: maskSecrets(node.config, registry.get(node.type)?.secretFields),
    })),
  };
  return JSON.stringify(shown, null, 2);
}

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** Line numbers in the old and new text (1-based); absent on the side the line is not in. */
  before?: number;
  after?: number;
}

/** Above this many cells the middle of two texts is shown as replaced instead of aligned. */
const MAX_ALIGNMENT_CELLS = 4_000_000;

/**
 * A unified line diff: the lines of `before` and `after` in order, each kept, removed or added,
 * aligned on their longest common subsequence (after trimming the common start and end).
 */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const lines: DiffLine[] = [];
  for (let i = 0; i < start; i++) {
    lines.push({ kind: 'same', text: before[i]!, before: i + 1, after: i + 1 });
  }
  const a = before.slice(start, endBefore);
  const b = after.slice(start, endAfter);
  const removed = (i: number) =>
    lines.push({ kind: 'removed', text: a[i]!, before: start + i + 1 });
  const added = (j: number) => lines.push({ kind: 'added', text: b[j]!, after: start + j + 1 });
  if (a.length * b.length > MAX_ALIGNMENT_CELLS) {
    for (let i = 0; i < a.length; i++) removed(i);
    for (let j = 0; j < b.length; j++) added(j);
  } else {
    // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
    const width = b.length + 1;
    const lengths = new Uint32Array((a.length + 1) * width);
    for (let i = a.length - 1; i >= 0; i--) {
      for (let j = b.length - 1; j >= 0; j--) {
        lengths[i * width + j] =
          a[i] === b[j]
            ? lengths[(i + 1) * width + j + 1]! + 1
            : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) {
        lines.push({ kind: 'same', text: a[i]!, before: start + i + 1, after: start + j + 1 });
        i++;
        j++;
      } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
        removed(i++);
      } else {
        added(j++);
      }
    }
    while (i < a.length) removed(i++);
    while (j < b.length) added(j++);
  }
  const offset = endAfter - endBefore;
  for (let i = endBefore; i < before.length; i++) {
    lines.push({ kind: 'same', text: before[i]!, before: i + 1, after: i + offset + 1 });
  }
  return lines;
}

/** Runs of unchanged lines longer than `2 × context` folded to their ends, as in `diff -U`. */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): FoldedLine[] {
  const out: FoldedLine[] = [];
  let run: DiffLine[] = [];
  const flush = (atStart: boolean, atEnd: boolean) => {
    const keepStart = atStart ? 0 : context;
    const keepEnd = atEnd ? 0 : context;
    if (run.length > keepStart + keepEnd + 1) {
      out.push(...run.slice(0, keepStart));
      out.push({ kind: 'folded', count: run.length - keepStart - keepEnd });
      out.push(...run.slice(run.length - keepEnd));
    } else {
      out.push(...run);
    }
    run = [];
  };
  let seenChange = false;
  for (const line of lines) {
    if (line.kind === 'same') {
      run.push(line);
      continue;
    }
    flush(!seenChange, false);
    seenChange = true;
    out.push(line);
  }
  flush(!seenChange, true);
  return out;
}

export type FoldedLine = DiffLine | { kind: 'folded'; count: number };

/**
 * The diff as two aligned columns (old left, new right): unchanged lines side by side, a block
 * of removed lines paired row by row with the added block that follows it.
 */
export function splitRows(
  lines: readonly FoldedLine[],
): ({ left: DiffLine | null; right: DiffLine | null } | { folded: number })[] {
  const rows: ({ left: DiffLine | null; right: DiffLine | null } | { folded: number })[] = [];
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(removed.length, added.length); i++) {
      rows.push({ left: removed[i] ?? null, right: added[i] ?? null });
    }
    removed = [];
    added = [];
  };
  for (const line of lines) {
    if (line.kind === 'removed') {
      if (added.length > 0) flush();
      removed.push(line);
    } else if (line.kind === 'added') {
      added.push(line);
    } else {
      flush();
      rows.push(line.kind === 'folded' ? { folded: line.count } : { left: line, right: line });
    }
  }
  flush();
  return rows;
}
