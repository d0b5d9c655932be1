import {
  type CredentialRecord,
  CredentialUnreadableError,
  NoEncryptionKeyError,
} from '@hookflow/db';
import {
  type CredentialCatalog,
  credentialIdsOf,
  credentialTypeIds,
  credentialTypeOf,
  SECRET_MASK,
} from '@hookflow/engine';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { adminProcedure, badRequest, notFound, viewerProcedure } from '../trpc.ts';

/** The stored credentials' names and types, for validating references in documents. */
export function credentialCatalog(ctx: ApiContext): CredentialCatalog {
  const byId = new Map(ctx.store.credentials.list().map((record) => [record.id, record]));
  return (id) => byId.get(id);
}

/** The workflows whose draft or published version references each credential. */
function usage(ctx: ApiContext): Map<string, { id: string; name: string }[]> {
  const users = new Map<string, { id: string; name: string }[]>();
  for (const workflow of ctx.store.workflows.documents()) {
    const ids = new Set([
      ...credentialIdsOf(workflow.draft),
      ...credentialIdsOf(workflow.published),
    ]);
    for (const id of ids) {
      users.set(id, [...(users.get(id) ?? []), { id: workflow.id, name: workflow.name }]);
    }
  }
  return users;
}

/**
 * A credential as the API shows it: never its secret value, only a mask in place of each
 * secret field (and the fields that are not secret, such as a user name).
 */
function present(record: CredentialRecord, usedBy: readonly { id: string; name: string }[]) {
  const definition = credentialTypeOf(record.type);
  const fields: Record<string, string> = {};
  for (const field of definition?.fields ?? []) {
    fields[field.name] = field.secret ? SECRET_MASK : (record.details[field.name] ?? '');
  }
  return {
    id: record.id,
    name: record.name,
    type: record.type,
    fields,
    keyId: record.keyId,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    usedBy: [...usedBy],
  };
}

const nameInput = z.string().trim().min(1, 'a name is required').max(200);
/** Field name to text; a secret field left out (or empty) on update keeps its stored value. */
const valueInput = z.record(z.string(), z.string().max(65_536));

/** Checks a value against its type; the messages name fields and rules, never the value. */
function parseValue(type: string, value: Record<string, string>) {
  const definition = credentialTypeOf(type);
  if (!definition) throw badRequest(`unknown credential type "${type}"`);
  const parsed = definition.schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: ['value', ...issue.path].join('.'),
      message: issue.message,
    }));
    throw badRequest(
      `the credential is not valid: ${issues[0]!.path}: ${issues[0]!.message}`,
      issues,
    );
  }
  const data = parsed.data as Record<string, unknown>;
  const details: Record<string, string> = {};
  for (const field of definition.fields) {
    const text = data[field.name];
    if (!field.secret && typeof text === 'string') details[field.name] = text;
  }
  return { value: data, details };
}

function assertNameFree(ctx: ApiContext, name: string, except?: string) {
  const taken = ctx.store.credentials
    .list()
    .find((record) => record.id !== except && record.name.toLowerCase() === name.toLowerCase());
  if (taken) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: `a credential named "${taken.name}" already exists: choose another name`,
    });
  }
}

/** Store errors a person can act on, as API errors. */
function storeError(error: unknown): never {
  if (error instanceof NoEncryptionKeyError || error instanceof CredentialUnreadableError) {
    throw new TRPCError({ code: 'PRECONDITION_FAILED', message: error.message, cause: error });
  }
  throw error;
}

function load(ctx: ApiContext, id: string): CredentialRecord {
  const record = ctx.store.credentials.get(id);
  if (!record) throw notFound(`credential ${id}`);
  return record;
}

/**
 * Credentials: secrets for HTTP requests and trigger verification, encrypted at rest. Anyone who
 * may read workflows sees the list (names, types, what uses them: the editor's picker needs it);
 * only admins create, change and delete. No procedure ever returns a saved value.
 */
export const credentialsRouter = {
  list: viewerProcedure.query(({ ctx }) => {
    const users = usage(ctx);
    return ctx.store.credentials
      .list()
      .map((record) => present(record, users.get(record.id) ?? []));
  }),

  create: adminProcedure
    .input(z.object({ name: nameInput, type: z.enum(credentialTypeIds), value: valueInput }))
    .mutation(({ ctx, input }) => {
      assertNameFree(ctx, input.name);
      const { value, details } = parseValue(input.type, input.value);
      let record: CredentialRecord;
      try {
        record = ctx.store.credentials.create({
          name: input.name,
          type: input.type,
          value,
          details,
        });
      } catch (error) {
        storeError(error);
      }
      ctx.onCredentialsChanged?.();
      audit(ctx, 'credential.created', { id: record.id, name: record.name }, { type: record.type });
      return present(record, []);
    }),

  /**
   * Renames a credential and changes its value. A secret field left out (or empty) keeps the
   * stored value; no `value` at all keeps the whole value. Its type cannot change.
   */
  update: adminProcedure
    .input(
      z.object({ id: z.string().min(1), name: nameInput.optional(), value: valueInput.optional() }),
    )
    .mutation(({ ctx, input }) => {
      const record = load(ctx, input.id);
      if (input.name !== undefined) assertNameFree(ctx, input.name, record.id);
      let changed: { value: unknown; details: Record<string, string> } | undefined;
      if (input.value !== undefined) {
        const given = Object.fromEntries(
          Object.entries(input.value).filter(([, text]) => text !== ''),
        );
        const definition = credentialTypeOf(record.type);
        const missing = (definition?.fields ?? []).some(
          (field) => !Object.hasOwn(given, field.name),
        );
        let stored: Record<string, string> = {};
        if (missing) {
          try {
            stored = (ctx.store.credentials.reveal(record.id)?.value ?? {}) as Record<
              string,
              string
            >;
          } catch (error) {
            storeError(error);
          }
        }
        changed = parseValue(record.type, { ...stored, ...given });
      }
      let updated: CredentialRecord | null;
      try {
        updated = ctx.store.credentials.update(record.id, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(changed ?? {}),
        });
      } catch (error) {
        storeError(error);
      }
      if (!updated) throw notFound(`credential ${input.id}`);
      ctx.onCredentialsChanged?.();
      // Names what changed, never the value.
      audit(
        ctx,
        'credential.updated',
        { id: updated.id, name: updated.name },
        {
          ...(input.name !== undefined && input.name !== record.name
            ? { renamed: { from: record.name, to: input.name } }
            : {}),
          valueChanged: changed !== undefined,
        },
      );
      return present(updated, usage(ctx).get(record.id) ?? []);
    }),

  /** Refused while a workflow (its draft or its published version) references it. */
  delete: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => {
    const record = load(ctx, input.id);
    const users = usage(ctx).get(record.id) ?? [];
    if (users.length > 0) {
      throw new TRPCError({
        code: 'CONFLICT',
        message: `credential "${record.name}" is used by ${users.length === 1 ? 'workflow' : `${users.length} workflows`} ${users.map((workflow) => `"${workflow.name}" (${workflow.id})`).join(', ')}: choose another credential in ${users.length === 1 ? 'it' : 'them'} (and publish) first`,
      });
    }
    ctx.store.credentials.delete(record.id);
    ctx.onCredentialsChanged?.();
    audit(ctx, 'credential.deleted', { id: record.id, name: record.name }, { type: record.type });
    return { deleted: true };
  }),
} satisfies TRPCRouterRecord;
