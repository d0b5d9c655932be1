/**
 * Placeholder addresses: URLs on the domains reserved for documentation (example.com,
 * example.net, example.org and their subdomains, and the `.example` top-level domain). Templates
 * ship with them where the user's own endpoint belongs, and a new HTTP request node starts with
 * one. They never reach the user's service, so the editor lists each one as a thing to replace.
 * Not a problem that blocks publishing (a document may still be tried out): a warning.
 */
import type { ValidationIssue } from './validate.ts';
import { formatPath, type WorkflowDocument } from './workflow.ts';

const placeholderUrl =
  /\bhttps?:\/\/(?:[a-z0-9-]+\.)*(?:example\.(?:com|net|org)|[a-z0-9-]+\.example)(?=[:/?#\s"'}]|$)/i;

/** The placeholder address in `text`, or null when it holds none. */
export function findPlaceholderUrl(text: string): string | null {
  const match = placeholderUrl.exec(text);
  if (!match) return null;
  // The whole URL up to the first space or the start of an expression, for the message.
  const rest = text.slice(match.index);
  const end = rest.search(/\s|\{\{/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** The placeholder addresses in one node's config, each on its field path (`headers[0].value`). */
export function configPlaceholders(config: unknown): { field: string; message: string }[] {
  const found: { field: string; message: string }[] = [];
  const visit = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === 'string') {
      const url = findPlaceholderUrl(value);
      if (url !== null) {
        found.push({
          field: formatPath(path),
          message: `${url} is a placeholder address: replace it with your own`,
        });
      }
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, [...path, index]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  visit(config, []);
  return found;
}

/** One warning per config value that holds a placeholder address, on its field path. */
export function placeholderWarnings(document: WorkflowDocument): ValidationIssue[] {
  return document.nodes.flatMap((node) =>
    configPlaceholders(node.config).map((found) => ({ nodeId: node.id, ...found })),
  );
}
