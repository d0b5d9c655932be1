import { z } from 'zod';

/**
 * Credentials: secrets kept in the server's encrypted store and referenced from node configs by
 * id, `{ "$credential": "cred_…" }`, wherever a secret (or a whole auth object) would be written.
 * Documents and exports hold only the reference. The executor and the ingress replace each
 * reference with the credential's value before the config is parsed by its node's schema, so
 * nodes never see a reference; validation leaves the schema check of a referenced value to that
 * moment, as it does for expressions.
 */

/** The key of a reference object. */
export const CREDENTIAL_REF_KEY = '$credential';

export interface CredentialRef {
  readonly $credential: string;
}

/** `{ "$credential": id }`. */
export function credentialRef(id: string): CredentialRef {
  return { $credential: id };
}

/** True for `{ "$credential": "<id>" }` with no other key. */
export function isCredentialRef(value: unknown): value is CredentialRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    keys[0] === CREDENTIAL_REF_KEY &&
    typeof (value as CredentialRef).$credential === 'string' &&
    (value as CredentialRef).$credential !== ''
  );
}

/** Every reference in a value, with the path where it sits. */
export function credentialRefsIn(
  value: unknown,
  path: readonly PropertyKey[] = [],
): { path: PropertyKey[]; id: string }[] {
  const found: { path: PropertyKey[]; id: string }[] = [];
  const walk = (item: unknown, at: PropertyKey[]) => {
    if (isCredentialRef(item)) found.push({ path: at, id: item.$credential });
    else if (Array.isArray(item)) {
      for (const [index, child] of item.entries()) walk(child, [...at, index]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) walk(child, [...at, key]);
    }
  };
  walk(value, [...path]);
  return found;
}

/** The ids of the credentials a workflow document's nodes reference, each once. */
export function credentialIdsOf(document: unknown): string[] {
  const nodes = (document as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const ids = new Set<string>();
  for (const node of nodes) {
    for (const ref of credentialRefsIn((node as { config?: unknown } | null)?.config)) {
      ids.add(ref.id);
    }
  }
  return [...ids];
}

/** A copy of `value` with every reference replaced by what `resolve` gives for its id. */
export function resolveCredentialRefs(value: unknown, resolve: (id: string) => unknown): unknown {
  if (isCredentialRef(value)) return resolve(value.$credential);
  if (Array.isArray(value)) return value.map((item) => resolveCredentialRefs(item, resolve));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, key, {
        value: resolveCredentialRefs(item, resolve),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return value;
}

/**
 * A copy of a resolved config with the references put back at their paths (where the path still
 * exists): what a step's recorded config shows, so history names the credential that was used.
 */
export function restoreCredentialRefs(
  config: unknown,
  refs: readonly { path: readonly PropertyKey[]; id: string }[],
): unknown {
  let out = config;
  for (const { path, id } of refs) out = setAt(out, path, credentialRef(id));
  return out;
}

function setAt(value: unknown, path: readonly PropertyKey[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number' && head < value.length) {
    const copy = [...value];
    copy[head] = setAt(value[head], rest, replacement);
    return copy;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const key = String(head);
    if (!Object.hasOwn(value, key)) return value;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    Object.defineProperty(copy, key, {
      value: setAt((value as Record<string, unknown>)[key], rest, replacement),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return copy;
  }
  return value;
}

/** True when the value at `path` in a config (or any value above it) is a reference. */
export function hasCredentialAt(config: unknown, path: readonly PropertyKey[]): boolean {
  let value: unknown = config;
  for (const part of path) {
    if (isCredentialRef(value)) return true;
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return isCredentialRef(value);
}

/** Messages name the rule, never the value. */
const oneLine = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .refine((value) => !/[\r\n\0]/.test(value), `${what} must be on one line`);

const headerName = z
  .string()
  .trim()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name, like X-Api-Key');

export interface CredentialFieldDescription {
  name: string;
  label: string;
  /** Encrypted at rest, never shown again once saved, scrubbed from everything recorded. */
  secret: boolean;
  multiline?: boolean;
  placeholder?: string;
}

interface CredentialTypeShape<Schema extends z.ZodObject> {
  type: string;
  label: string;
  /** What it is for, in one sentence: shown where a credential is created. */
  description: string;
  fields: readonly CredentialFieldDescription[];
  schema: Schema;
  /** What a reference to a credential of this type becomes in a node's config. */
  resolve(value: z.output<Schema>): unknown;
}

function credentialType<Schema extends z.ZodObject>(
  definition: CredentialTypeShape<Schema>,
): CredentialTypeShape<Schema> {
  return definition;
}

/**
 * The kinds of credential. A type's `resolve` says what a reference becomes: the auth object of
 * the HTTP request node for `bearer`, `basic` and `http-header`; the secret text for the others,
 * which fit anywhere a secret text goes (a trigger's `secrets`).
 */
export const credentialTypes = [
  credentialType({
    type: 'bearer',
    label: 'Bearer token',
    description: 'Sent by the HTTP request node as Authorization: Bearer <token>.',
    fields: [{ name: 'token', label: 'Token', secret: true }],
    schema: z.object({ token: oneLine('a token') }),
    resolve: ({ token }) => ({ type: 'bearer', token }),
  }),
  credentialType({
    type: 'basic',
    label: 'Basic auth (user name and password)',
    description: 'Sent by the HTTP request node as Authorization: Basic <base64(user:password)>.',
    fields: [
      { name: 'username', label: 'User name', secret: false },
      { name: 'password', label: 'Password', secret: true },
    ],
    schema: z.object({
      // RFC 7617: the user id cannot hold a colon, the password can.
      username: z.string().refine((value) => !value.includes(':'), 'cannot contain ":"'),
      password: z.string().min(1, 'a password is required'),
    }),
    resolve: ({ username, password }) => ({ type: 'basic', username, password }),
  }),
  credentialType({
    type: 'http-header',
    label: 'HTTP header (API key)',
    description: 'A header the HTTP request node sends with every request, like X-Api-Key.',
    fields: [
      { name: 'name', label: 'Header name', secret: false, placeholder: 'X-Api-Key' },
      { name: 'value', label: 'Value', secret: true },
    ],
    schema: z.object({ name: headerName, value: oneLine('a value') }),
    resolve: ({ name, value }) => ({ type: 'header', name, value }),
  }),
  credentialType({
    type: 'hmac-secret',
    label: 'Signing secret (HMAC)',
    description:
      'The secret a sender signs its webhooks with: GitHub, Stripe (whsec_…), Shopify, Slack, Twilio, Standard Webhooks, any HMAC, or a JWT HS256 secret.',
    fields: [{ name: 'secret', label: 'Secret', secret: true }],
    schema: z.object({ secret: z.string().min(1, 'a secret is required') }),
    resolve: ({ secret }) => secret,
  }),
  credentialType({
    type: 'jwt-key',
    label: 'JWT key',
    description:
      "A trigger's JWT verification key: an HS256 secret or the sender's PEM public key (RS256, ES256).",
    fields: [
      {
        name: 'key',
        label: 'Key',
        secret: true,
        multiline: true,
        placeholder: '-----BEGIN PUBLIC KEY-----',
      },
    ],
    schema: z.object({ key: z.string().trim().min(1, 'a key is required') }),
    resolve: ({ key }) => key,
  }),
  credentialType({
    type: 'generic-secret',
    label: 'Secret text',
    description:
      'Any other secret: a trigger token or Basic password, a Meta verify token, a value for an expression.',
    fields: [{ name: 'value', label: 'Value', secret: true, multiline: true }],
    schema: z.object({ value: z.string().min(1, 'a value is required') }),
    resolve: ({ value }) => value,
  }),
] as const;

export type CredentialType = (typeof credentialTypes)[number]['type'];
export type CredentialTypeDefinition = CredentialTypeShape<z.ZodObject>;

export const credentialTypeIds = credentialTypes.map((definition) => definition.type) as [
  CredentialType,
  ...CredentialType[],
];

export function credentialTypeOf(type: string): CredentialTypeDefinition | undefined {
  return (credentialTypes as readonly CredentialTypeDefinition[]).find(
    (definition) => definition.type === type,
  );
}

/** A credential as a node config sees it once resolved, and the texts to scrub for it. */
export interface ResolvedCredential {
  id: string;
  name: string;
  type: string;
  /** What the reference becomes (the type's `resolve`). */
  value: unknown;
  /** Its secret texts: scrubbed by value from everything a run records. */
  secrets: readonly string[];
}

/** Resolves a stored value into what a reference becomes; throws on a value that does not fit. */
export function resolveCredentialValue(
  credential: { id: string; name: string; type: string },
  stored: unknown,
): ResolvedCredential {
  const definition = credentialTypeOf(credential.type);
  if (!definition) {
    throw new CredentialError(
      `credential "${credential.name}" (${credential.id}) has an unknown type "${credential.type}"`,
    );
  }
  const parsed = definition.schema.safeParse(stored);
  if (!parsed.success) {
    throw new CredentialError(
      `credential "${credential.name}" (${credential.id}) holds a value that does not fit its type ${credential.type}`,
    );
  }
  const secrets = definition.fields
    .filter((field) => field.secret)
    .map((field) => parsed.data[field.name])
    .filter((value): value is string => typeof value === 'string' && value !== '');
  return { ...credential, value: definition.resolve(parsed.data), secrets };
}

/**
 * The executor's way to the credential store (NodeServices.credentials): the credential with
 * this id, resolved; throws CredentialError naming it when it is missing or cannot be read.
 */
export type CredentialResolver = (id: string) => ResolvedCredential;

/** A credential that cannot be used: missing, or not readable with the server's keys. */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  readonly code = 'CREDENTIAL';
  constructor(
    message: string,
    /** The config field that holds the reference, when known. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** What validation knows about stored credentials: their names and types, never values. */
export type CredentialCatalog = (id: string) => { name: string; type: string } | undefined;
