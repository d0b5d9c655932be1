/**
 * The paste-a-sample form's rules: its texts become the request the API keeps, with one clear
 * message per field that does not read. The API checks the same way (the same functions from
 * @hookflow/nodes), so what the form accepts, the server accepts.
 */
import {
  parseHeaderText,
  parseQueryText,
  readSampleBody,
  type SampleRequestInput,
  sampleRequestSchema,
} from '@hookflow/nodes';

export const pasteContentTypes = [
  { value: 'application/json', label: 'JSON' },
  { value: 'application/x-www-form-urlencoded', label: 'Form fields (urlencoded)' },
  { value: 'text/plain', label: 'Text' },
] as const;

export const pasteMethods = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const;

export interface PasteForm {
  name: string;
  method: string;
  /** Used unless the headers name a Content-Type themselves. */
  contentType: string;
  headers: string;
  query: string;
  body: string;
}

export type PasteField = 'name' | 'method' | 'headers' | 'query' | 'body';

export type PasteResult =
  | { ok: true; name: string; request: SampleRequestInput; bodyKind: string }
  | { ok: false; errors: Partial<Record<PasteField, string>> };

/** Reads the form; every field's problem at once, so the person fixes them in one go. */
export function readPasteForm(form: PasteForm): PasteResult {
  const errors: Partial<Record<PasteField, string>> = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'Give the sample a name.';
  else if (name.length > 200) errors.name = 'The name is longer than 200 characters.';
  const headers = parseHeaderText(form.headers);
  if (!headers.ok) errors.headers = capitalise(headers.message);
  const query = parseQueryText(form.query);
  if (!query.ok) errors.query = capitalise(query.message);
  const allHeaders = {
    ...(form.contentType && form.body.trim() !== '' ? { 'content-type': form.contentType } : {}),
    ...(headers.ok ? headers.value : {}),
  };
  const body = readSampleBody(form.body, allHeaders['content-type']);
  if (!body.ok) errors.body = capitalise(body.message);
  const request = {
    method: form.method,
    headers: allHeaders,
    query: query.ok ? query.value : {},
    body: form.body,
  };
  const checked = sampleRequestSchema.safeParse(request);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = issue.path[0];
      if (field === 'method' || field === 'headers' || field === 'body') {
        errors[field] ??= capitalise(issue.message);
      }
    }
  }
  if (Object.keys(errors).length > 0 || !body.ok) return { ok: false, errors };
  return { ok: true, name, request, bodyKind: describeBody(body.value) };
}

/** How the workflow will see the body, in a few words: "JSON object, 4 fields". */
export function describeBody(value: unknown): string {
  if (value === null) return 'no body';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const count = Object.keys(value).length;
    return `an object with ${count} field${count === 1 ? '' : 's'}`;
  }
  if (typeof value === 'string') return `text (${value.length} characters)`;
  return `the value ${JSON.stringify(value)}`;
}

function capitalise(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?:]$/.test(sentence) ? sentence : `${sentence}.`;
}
