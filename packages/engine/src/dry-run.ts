/**
 * Reading a recorded step back as the effect it had: what a check of a draft against past
 * traffic compares. A step's recorded config is its resolved config with secrets masked and
 * credential references in place of their values (see execute.ts); the node's `effect()` reads
 * it once each reference stands for its credential with the secrets masked.
 */
import { credentialTypeOf, isCredentialRef, resolveCredentialRefs } from './credentials.ts';
import { type NodeDefinition, SECRET_MASK } from './define-node.ts';

/** What a check knows of a stored credential: its type and the fields that are not secret. */
export type CredentialDetails = (
  id: string,
) => { type: string; details: Readonly<Record<string, string>> } | undefined;

/**
 * What a reference to this credential becomes with its secret fields masked (its non-secret
 * ones, such as a header name, as stored): the form an effect shows, where a credential's value
 * is masked anyway. Undefined when the credential is unknown.
 */
export function maskedCredentialValue(
  credential: { type: string; details: Readonly<Record<string, string>> } | undefined,
): unknown {
  if (!credential) return undefined;
  const definition = credentialTypeOf(credential.type);
  if (!definition) return undefined;
  const fields = Object.fromEntries(
    definition.fields.map((field) => [
      field.name,
      field.secret ? SECRET_MASK : (credential.details[field.name] ?? SECRET_MASK),
    ]),
  );
  const parsed = definition.schema.safeParse(fields);
  return parsed.success ? definition.resolve(parsed.data) : undefined;
}

export type RecordedEffect =
  | { ok: true; effect: Record<string, unknown> }
  | { ok: false; reason: string };

/**
 * The effect of a recorded step of a node with side effects, read from its recorded config.
 * Not ok when the node has none, or the config cannot be read back (it was cut from the history
 * for its size, or names a credential that is gone).
 */
export function recordedEffect(
  definition: NodeDefinition,
  recordedConfig: unknown,
  credentials: CredentialDetails,
): RecordedEffect {
  const effects = definition.sideEffects;
  if (!effects) return { ok: false, reason: `a ${definition.label} node has no side effects` };
  let missing: string | undefined;
  const config = resolveCredentialRefs(recordedConfig, (id) => {
    const value = maskedCredentialValue(credentials(id));
    if (value === undefined) missing = id;
    return value;
  });
  if (missing !== undefined) {
    return { ok: false, reason: `the credential ${missing} it used no longer exists` };
  }
  const parsed = definition.config.safeParse(config);
  if (!parsed.success || isCredentialRef(config)) {
    return { ok: false, reason: 'its recorded settings cannot be read back (cut for their size?)' };
  }
  try {
    return { ok: true, effect: effects.effect(parsed.data) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
