import { ConfigExpressionError, compileConfig, hasExpressionAt } from './config.ts';
import {
  type CredentialCatalog,
  credentialRefsIn,
  credentialTypeOf,
  hasCredentialAt,
} from './credentials.ts';
import {
  ERROR_HANDLE,
  MAIN_HANDLE,
  type NodeDefinition,
  type NodeRegistry,
  outputHandlesOf,
  secretValues,
} from './define-node.ts';
import { referencedStepKeys } from './expressions.ts';
import { formatPath, type WorkflowDocument, type WorkflowNode } from './workflow.ts';

export interface ValidationIssue {
  /** The node the problem belongs to; absent for problems of the whole workflow. */
  nodeId?: string;
  /** The config field, as a path such as `headers[0].value`. */
  field?: string;
  message: string;
}

export interface ValidateOptions {
  /**
   * The stored credentials (names and types). With it, a reference to a credential that does
   * not exist, or of a type the field does not take, is a problem; without it (in the browser,
   * in an execution thread) references are checked when the step runs.
   */
  credentials?: CredentialCatalog;
}

/**
 * Checks that a document means something runnable. Used live by the editor, on publish (which
 * refuses invalid workflows) and on import. Returns every problem found, not just the first.
 */
export function validateWorkflow(
  document: WorkflowDocument,
  registry: NodeRegistry,
  options: ValidateOptions = {},
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const nodesById = new Map<string, WorkflowNode>();
  const keys = new Map<string, string>();

  for (const node of document.nodes) {
    if (nodesById.has(node.id)) {
      issues.push({ nodeId: node.id, message: `node id "${node.id}" is used twice` });
      continue;
    }
    nodesById.set(node.id, node);
    const other = keys.get(node.key);
    if (other !== undefined) {
      issues.push({ nodeId: node.id, field: 'key', message: `key "${node.key}" is already used` });
    } else keys.set(node.key, node.id);
  }

  const triggers = document.nodes.filter((node) => registry.get(node.type)?.trigger === true);
  if (triggers.length === 0) issues.push({ message: 'the workflow needs a trigger' });
  if (triggers.length > 1) {
    for (const extra of triggers.slice(1)) {
      issues.push({ nodeId: extra.id, message: 'a workflow has exactly one trigger' });
    }
  }

  const children = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  for (const node of nodesById.values()) {
    children.set(node.id, []);
    parents.set(node.id, []);
  }
  for (const edge of document.edges) {
    const source = nodesById.get(edge.source);
    const target = nodesById.get(edge.target);
    if (!source) {
      issues.push({ message: `edge "${edge.id}" starts at a node that does not exist` });
      continue;
    }
    if (!target) {
      issues.push({
        nodeId: source.id,
        message: `edge "${edge.id}" ends at a node that does not exist`,
      });
      continue;
    }
    if (registry.get(target.type)?.trigger) {
      issues.push({ nodeId: target.id, message: 'nothing can connect into a trigger' });
    }
    const definition = registry.get(source.type);
    if (definition) {
      const handle = edge.sourceHandle ?? MAIN_HANDLE;
      const parsed = definition.config.safeParse(source.config);
      const handles = parsed.success
        ? outputHandlesOf(definition, parsed.data).map((h) => h.id)
        : null;
      const allowed =
        handle === ERROR_HANDLE
          ? source.onError === 'continue'
          : handles === null || handles.includes(handle);
      if (!allowed) {
        issues.push({
          nodeId: source.id,
          message:
            handle === ERROR_HANDLE
              ? `edge "${edge.id}" leaves the error output, but this node stops the run on error`
              : `edge "${edge.id}" leaves output "${handle}", which this node does not have`,
        });
      }
    }
    children.get(source.id)?.push(target.id);
    parents.get(target.id)?.push(source.id);
  }

  const order = topologicalOrder([...nodesById.keys()], children, parents);
  if (order === null)
    issues.push({ message: 'the workflow has a cycle: a node leads back to itself' });

  const trigger = triggers[0];
  if (trigger) {
    const reached = new Set<string>([trigger.id]);
    const queue = [trigger.id];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const child of children.get(id) ?? []) {
        if (!reached.has(child)) {
          reached.add(child);
          queue.push(child);
        }
      }
    }
    for (const node of nodesById.values()) {
      if (!reached.has(node.id)) {
        issues.push({ nodeId: node.id, message: 'this node cannot be reached from the trigger' });
      }
    }
  }

  const ancestors = order === null ? null : ancestorSets(order, parents);
  for (const node of nodesById.values()) {
    const definition = registry.get(node.type);
    if (!definition) {
      issues.push({ nodeId: node.id, field: 'type', message: `unknown node type "${node.type}"` });
      continue;
    }
    issues.push(...checkConfig(node, definition));
    issues.push(...checkCredentials(node, definition, options.credentials));
    issues.push(...checkExpressions(node, definition, keys, ancestors?.get(node.id) ?? null));
  }
  return issues;
}

function checkConfig(node: WorkflowNode, definition: NodeDefinition): ValidationIssue[] {
  const result = definition.config.safeParse(node.config);
  if (result.success) return [];
  // A field holding an expression or a credential is checked when it has a value, at run time.
  return result.error.issues
    .filter(
      (issue) =>
        !hasExpressionAt(node.config, issue.path) && !hasCredentialAt(node.config, issue.path),
    )
    .map((issue) => ({
      nodeId: node.id,
      field: formatPath(issue.path) || undefined,
      message: issue.message,
    }));
}

/**
 * Each credential reference must name a stored credential of a type its field takes: the types
 * of the `credential` form field that edits it; elsewhere (a reference written by hand inside an
 * object) any type, the schema checks the resolved value when the step runs.
 */
function checkCredentials(
  node: WorkflowNode,
  definition: NodeDefinition,
  catalog: CredentialCatalog | undefined,
): ValidationIssue[] {
  if (!catalog) return [];
  const issues: ValidationIssue[] = [];
  for (const ref of credentialRefsIn(node.config)) {
    const field = formatPath(ref.path);
    const stored = catalog(ref.id);
    if (!stored) {
      issues.push({
        nodeId: node.id,
        field,
        message: `credential ${ref.id} does not exist: pick another or create it on the Credentials page (exported workflows carry references to credentials, never their values)`,
      });
      continue;
    }
    // The field a credential picker edits: the value itself, or an item of its list.
    const formField = definition.form.find(
      (candidate) =>
        candidate.kind === 'credential' &&
        (field === candidate.field ||
          (candidate.maxItems !== undefined &&
            /^\[\d+\]$/.test(field.slice(candidate.field.length)) &&
            field.startsWith(candidate.field))),
    );
    if (
      formField?.kind === 'credential' &&
      !formField.credentialTypes.includes(stored.type as never)
    ) {
      const label = (type: string) => credentialTypeOf(type)?.label ?? type;
      issues.push({
        nodeId: node.id,
        field,
        message: `credential "${stored.name}" is a ${label(stored.type)}; ${formField.label} takes ${formField.credentialTypes.map(label).join(' or ')}`,
      });
    }
  }
  return issues;
}

function checkExpressions(
  node: WorkflowNode,
  definition: NodeDefinition,
  keys: Map<string, string>,
  ancestors: Set<string> | null,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  let compiled: ReturnType<typeof compileConfig>;
  try {
    compiled = compileConfig(node.config, definition.literalFields);
  } catch (error) {
    if (error instanceof ConfigExpressionError) {
      return [{ nodeId: node.id, field: error.field, message: error.message }];
    }
    throw error;
  }
  for (const { field, template } of compiled.templates) {
    for (const expression of template.expressions) {
      for (const key of referencedStepKeys(expression.ast)) {
        const target = keys.get(key);
        if (target === undefined) {
          issues.push({ nodeId: node.id, field, message: `steps.${key} does not exist` });
        } else if (ancestors !== null && !ancestors.has(target)) {
          issues.push({
            nodeId: node.id,
            field,
            message: `steps.${key} does not run before this node`,
          });
        }
      }
    }
  }
  return issues;
}

/**
 * Secrets written into the document as text (not a credential, not an expression): they work,
 * but everyone who can open the workflow reads them and the database holds them in clear. Not
 * a problem that blocks publishing: a warning for the editor and the CLI.
 */
export function inlineSecretWarnings(
  document: WorkflowDocument,
  registry: NodeRegistry,
): ValidationIssue[] {
  const warnings: ValidationIssue[] = [];
  for (const node of document.nodes) {
    for (const field of registry.get(node.type)?.secretFields ?? []) {
      const written = secretValues(node.config, [field]).filter((value) => !value.includes('{{'));
      if (written.length > 0) {
        warnings.push({
          nodeId: node.id,
          field,
          message:
            'a secret is written in the workflow document, where everyone who can open the workflow reads it: keep it in a credential instead',
        });
      }
    }
  }
  return warnings;
}

/** Kahn's algorithm; null when the graph has a cycle. Ties keep document order. */
export function topologicalOrder(
  ids: readonly string[],
  children: ReadonlyMap<string, readonly string[]>,
  parents: ReadonlyMap<string, readonly string[]>,
): string[] | null {
  const remaining = new Map(ids.map((id) => [id, parents.get(id)?.length ?? 0]));
  const ready = ids.filter((id) => remaining.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const child of children.get(id) ?? []) {
      const left = (remaining.get(child) ?? 0) - 1;
      remaining.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  return order.length === ids.length ? order : null;
}

function ancestorSets(
  order: readonly string[],
  parents: ReadonlyMap<string, readonly string[]>,
): Map<string, Set<string>> {
  const sets = new Map<string, Set<string>>();
  for (const id of order) {
    const set = new Set<string>();
    for (const parent of parents.get(id) ?? []) {
      set.add(parent);
      for (const above of sets.get(parent) ?? []) set.add(above);
    }
    sets.set(id, set);
  }
  return sets;
}
