import {
  inlineSecretWarnings,
  maskSecrets,
  parseWorkflowDocument,
  placeholderWarnings,
  validateWorkflow,
  type WorkflowDocument,
  workflowDocumentSchema,
} from '@hookflow/engine';
import { findTemplate, sampleRequestSchema, workflowTemplates } from '@hookflow/nodes';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import {
  CHECK_DEFAULT_EVENTS,
  CHECK_MAX_EVENTS,
  type CheckSummary,
  checkDraft,
  documentFingerprint,
} from '../draft-check.ts';
import { badRequest, editorProcedure, notFound, viewerProcedure } from '../trpc.ts';
import { credentialCatalog } from './credentials.ts';
import { keepHandMadeSample } from './samples.ts';
import { runnableDraft, testExecutor } from './test-runs.ts';

const idInput = z.object({ id: z.string().min(1) });

export const triggerUrl = (ctx: ApiContext, token: string) => `${ctx.publicUrl}/hooks/${token}`;

function parseDocument(input: unknown): WorkflowDocument {
  const parsed = parseWorkflowDocument(input);
  if (!parsed.ok) {
    const first = parsed.issues[0]!;
    throw badRequest(
      `the workflow document is not valid: ${first.path || 'document'}: ${first.message}`,
      parsed.issues,
    );
  }
  return parsed.document;
}

function requireValid(ctx: ApiContext, document: WorkflowDocument): void {
  const issues = validateWorkflow(document, ctx.registry, { credentials: credentialCatalog(ctx) });
  if (issues.length > 0) {
    throw badRequest(
      `the workflow cannot be published: ${issues.length} problem${issues.length === 1 ? '' : 's'} (${issues[0]!.message})`,
      issues,
    );
  }
}

function maskDocument(ctx: ApiContext, document: WorkflowDocument): WorkflowDocument {
  return {
    ...document,
    nodes: document.nodes.map((node) => ({
      ...node,
      config: maskSecrets(node.config, ctx.registry.get(node.type)?.secretFields) as Record<
        string,
        unknown
      >,
    })),
  };
}

/**
 * What is allowed but worth fixing: secrets written in the document (keep them in credentials)
 * and placeholder addresses (a template's example.com URLs) still to replace.
 */
function warningsOf(ctx: ApiContext, document: WorkflowDocument) {
  return [...inlineSecretWarnings(document, ctx.registry), ...placeholderWarnings(document)];
}

function loadWorkflow(ctx: ApiContext, id: string) {
  const workflow = ctx.store.workflows.get(id);
  if (!workflow) throw notFound(`workflow ${id}`);
  return workflow;
}

function publish(ctx: ApiContext, id: string, document: WorkflowDocument, note?: string) {
  requireValid(ctx, document);
  // The last check counts only if it checked exactly this document.
  const check = ctx.store.workflows.draftCheck(id);
  const checkSummary =
    check && check.fingerprint === documentFingerprint(document) ? check.summary : undefined;
  const version = ctx.store.workflows.publish(id, {
    document,
    ...(note ? { note } : {}),
    ...(checkSummary !== undefined ? { checkSummary } : {}),
    // Who published it, for the versions list (the CLI acts as the system: no one).
    ...(ctx.actor?.kind === 'user' ? { createdBy: ctx.actor.userId } : {}),
  });
  ctx.onWorkflowChanged?.(id);
  const checked = checkSummary as CheckSummary | undefined;
  audit(
    ctx,
    'workflow.published',
    { id, name: document.name },
    {
      version: version.number,
      ...(note ? { note } : {}),
      ...(checked ? { check: { checked: checked.checked, changed: checked.changed } } : {}),
    },
  );
  return version;
}

/** Draft saves by one person within this long are one `workflow.updated` entry. */
const DRAFT_SAVES_MERGE_MS = 15 * 60_000;

function saveDraft(
  ctx: ApiContext,
  id: string,
  document: WorkflowDocument,
  baseRevision: number | undefined,
  /** The version number when the draft is a published version copied back. */
  restoredVersion?: number,
): number {
  const result = ctx.store.workflows.updateDraft(id, {
    name: document.name,
    document,
    ...(baseRevision === undefined ? {} : { baseRevision }),
  });
  if (result.kind === 'not-found') throw notFound(`workflow ${id}`);
  if (result.kind === 'conflict') {
    throw new TRPCError({
      code: 'CONFLICT',
      message: `the draft was saved elsewhere (another tab or person) after you opened it: it is at revision ${result.revision}, yours was based on ${baseRevision}`,
    });
  }
  // An unpublished workflow's trigger answers with the draft's settings.
  ctx.onWorkflowChanged?.(id);
  if (restoredVersion !== undefined) {
    audit(
      ctx,
      'workflow.restored',
      { id, name: document.name },
      { version: restoredVersion, revision: result.revision },
    );
    return result.revision;
  }
  const renamed = result.previousName !== document.name;
  audit(
    ctx,
    'workflow.updated',
    { id, name: document.name },
    {
      revision: result.revision,
      saves: 1,
      ...(renamed ? { renamed: { from: result.previousName, to: document.name } } : {}),
    },
    // A rename is worth an entry of its own; other saves add to the newest one.
    renamed
      ? {}
      : {
          merge: {
            withinMs: DRAFT_SAVES_MERGE_MS,
            detail: (previous) => ({
              ...previous,
              revision: result.revision,
              saves: Number(previous?.saves ?? 1) + 1,
            }),
          },
        },
  );
  return result.revision;
}

export const workflowsRouter = {
  list: viewerProcedure.query(({ ctx }) =>
    ctx.store.workflows.list().map((workflow) => ({
      ...workflow,
      triggerUrl: triggerUrl(ctx, workflow.triggerToken),
    })),
  ),

  get: viewerProcedure.input(idInput).query(({ ctx, input }) => {
    const workflow = loadWorkflow(ctx, input.id);
    const document = workflowDocumentSchema.parse(workflow.draft);
    return {
      id: workflow.id,
      name: workflow.name,
      active: workflow.active,
      publishedVersionId: workflow.publishedVersionId,
      triggerUrl: triggerUrl(ctx, workflow.triggerToken),
      document,
      draftRevision: workflow.draftRevision,
      issues: validateWorkflow(document, ctx.registry, { credentials: credentialCatalog(ctx) }),
      /** Allowed, not recommended: secrets written in the document, placeholder addresses. */
      warnings: warningsOf(ctx, document),
      versions: ctx.store.workflows.listVersions(workflow.id).map((version) => ({
        ...version,
        checkSummary: (version.checkSummary as CheckSummary | null) ?? null,
      })),
    };
  }),

  /** Creates a workflow from a document; with `publish`, it must be valid and goes live at once. */
  import: editorProcedure
    .input(z.object({ document: z.unknown(), publish: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => {
      const document = parseDocument(input.document);
      if (input.publish) requireValid(ctx, document);
      const workflow = ctx.store.workflows.create({ name: document.name, document });
      audit(
        ctx,
        'workflow.created',
        { id: workflow.id, name: workflow.name },
        { nodes: document.nodes.length },
      );
      const version = input.publish ? publish(ctx, workflow.id, document) : null;
      return {
        id: workflow.id,
        triggerUrl: triggerUrl(ctx, workflow.triggerToken),
        publishedVersion: version?.number ?? null,
        warnings: warningsOf(ctx, document),
      };
    }),

  /**
   * Creates a workflow from one of the templates (packages/nodes/src/templates), with the
   * template's sample request kept as a named sample so a test run works at once. Its
   * placeholder addresses come back as warnings, to replace before publishing.
   */
  createFromTemplate: editorProcedure
    .input(
      z.object({
        templateId: z.string().min(1),
        name: z.string().trim().min(1).max(200).optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const template = findTemplate(input.templateId);
      if (!template) {
        throw notFound(
          `template ${input.templateId} (there are ${workflowTemplates.map((t) => t.id).join(', ')})`,
        );
      }
      // Checked with this server's registry, like any document that comes in.
      const document = parseDocument({
        ...template.document,
        name: input.name ?? template.document.name,
      });
      const workflow = ctx.store.workflows.create({ name: document.name, document });
      audit(
        ctx,
        'workflow.created',
        { id: workflow.id, name: workflow.name },
        { nodes: document.nodes.length, template: template.id },
      );
      const sample = keepHandMadeSample(
        ctx,
        workflow.id,
        template.sample.name,
        sampleRequestSchema.parse(template.sample.request),
      );
      return {
        id: workflow.id,
        triggerUrl: triggerUrl(ctx, workflow.triggerToken),
        sampleId: sample.id,
        warnings: warningsOf(ctx, document),
      };
    }),

  /**
   * Saves the draft. With `baseRevision` (the `draftRevision` the editor loaded or last saved),
   * a draft saved since elsewhere (another tab, another person) is not overwritten: CONFLICT.
   */
  saveDraft: editorProcedure
    .input(
      z.object({
        id: z.string().min(1),
        document: z.unknown(),
        baseRevision: z.number().int().positive().optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const document = parseDocument(input.document);
      const saved = saveDraft(ctx, input.id, document, input.baseRevision);
      return {
        issues: validateWorkflow(document, ctx.registry, { credentials: credentialCatalog(ctx) }),
        revision: saved,
      };
    }),

  /** Copies a published version into the draft (secrets included), as a draft save. */
  restoreVersion: editorProcedure
    .input(
      z.object({
        id: z.string().min(1),
        versionId: z.string().min(1),
        baseRevision: z.number().int().positive().optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      loadWorkflow(ctx, input.id);
      const version = ctx.store.workflows.getVersion(input.versionId);
      if (!version || version.workflowId !== input.id) {
        throw notFound(`version ${input.versionId} of workflow ${input.id}`);
      }
      const document = workflowDocumentSchema.parse(version.document);
      const revision = saveDraft(ctx, input.id, document, input.baseRevision, version.number);
      return { document, revision, number: version.number };
    }),

  publish: editorProcedure
    .input(z.object({ id: z.string().min(1), note: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) => {
      const workflow = loadWorkflow(ctx, input.id);
      const document = parseDocument(workflow.draft);
      const version = publish(ctx, workflow.id, document, input.note);
      return {
        versionId: version.id,
        number: version.number,
        /** The check against past events recorded on it (the draft published was the one checked). */
        checkSummary: (version.checkSummary as CheckSummary | null) ?? null,
      };
    }),

  /**
   * Replays the workflow's last `limit` real events through a draft (unsaved edits included) as
   * a dry run: no node with side effects acts (HTTP requests are not sent, delays do not wait),
   * nothing is written to the run history. Each event is compared with what its recorded run
   * did. Publishing exactly this draft afterwards records the summary on the version.
   */
  checkDraft: editorProcedure
    .input(
      z.object({
        id: z.string().min(1),
        document: z.unknown(),
        limit: z.number().int().min(1).max(CHECK_MAX_EVENTS).default(CHECK_DEFAULT_EVENTS),
      }),
    )
    .mutation(async ({ ctx, input, signal }) => {
      const document = runnableDraft(ctx, input.id, input.document, 'checked');
      const executeTest = testExecutor(ctx);
      const result = await checkDraft(
        { ...ctx, executeTest },
        {
          workflowId: input.id,
          document,
          limit: input.limit,
          signal: signal ?? new AbortController().signal,
        },
      );
      const { items: _items, durationMs: _duration, fingerprint, ...summary } = result;
      // An empty check says nothing worth keeping on a version.
      if (summary.checked > 0) {
        ctx.store.workflows.recordDraftCheck(input.id, { fingerprint, summary });
      }
      return result;
    }),

  setActive: editorProcedure
    .input(z.object({ id: z.string().min(1), active: z.boolean() }))
    .mutation(({ ctx, input }) => {
      const workflow = loadWorkflow(ctx, input.id);
      if (!ctx.store.workflows.setActive(input.id, input.active))
        throw notFound(`workflow ${input.id}`);
      ctx.onWorkflowChanged?.(input.id);
      // Requests kept while it was deactivated run now.
      const released = input.active ? ctx.store.runs.releaseHeld(input.id) : 0;
      if (released > 0) ctx.onRunQueued?.('');
      if (workflow.active !== input.active) {
        audit(
          ctx,
          input.active ? 'workflow.activated' : 'workflow.deactivated',
          { id: workflow.id, name: workflow.name },
          released > 0 ? { releasedRuns: released } : null,
        );
      }
      return { active: input.active, released };
    }),

  rotateToken: editorProcedure.input(idInput).mutation(({ ctx, input }) => {
    const workflow = loadWorkflow(ctx, input.id);
    const token = ctx.store.triggers.rotate(input.id);
    if (!token) throw notFound(`workflow ${input.id}`);
    ctx.onWorkflowChanged?.(input.id);
    // The new token is a secret: the entry says only that it changed.
    audit(ctx, 'workflow.token_rotated', { id: workflow.id, name: workflow.name });
    return { triggerUrl: triggerUrl(ctx, token) };
  }),

  delete: editorProcedure.input(idInput).mutation(({ ctx, input }) => {
    const workflow = loadWorkflow(ctx, input.id);
    if (!ctx.store.workflows.delete(input.id)) throw notFound(`workflow ${input.id}`);
    ctx.onWorkflowChanged?.(input.id);
    audit(ctx, 'workflow.deleted', { id: workflow.id, name: workflow.name });
    return { deleted: true };
  }),

  /** The draft as a portable document (what `hookflow export` writes), secrets masked. */
  export: viewerProcedure.input(idInput).query(({ ctx, input }) => {
    const workflow = loadWorkflow(ctx, input.id);
    return maskDocument(ctx, workflowDocumentSchema.parse(workflow.draft));
  }),

  /** One published version as it was (what a run ran: the run history draws it), secrets masked. */
  version: viewerProcedure
    .input(z.object({ versionId: z.string().min(1) }))
    .query(({ ctx, input }) => {
      const version = ctx.store.workflows.getVersion(input.versionId);
      if (!version) throw notFound(`version ${input.versionId}`);
      return {
        id: version.id,
        workflowId: version.workflowId,
        number: version.number,
        note: version.note,
        createdBy: version.createdBy,
        createdAt: version.createdAt,
        document: maskDocument(ctx, workflowDocumentSchema.parse(version.document)),
      };
    }),
} satisfies TRPCRouterRecord;
