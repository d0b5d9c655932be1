import { type WorkflowTemplate, workflowTemplates } from '@hookflow/nodes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { usePermission } from '../account/session.tsx';
import { nodeTypeLabel } from '../lib/node-types.ts';
import { paths } from '../lib/paths.ts';
import { openPage } from '../lib/router.tsx';
import { useTRPC } from '../lib/trpc.ts';
import { Dialog } from '../ui/dialog.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import './template-gallery.css';

/** "New from template": opens the gallery; choosing a template creates a workflow from it. */
export function NewFromTemplateButton({
  className = 'button',
  testId = 'new-from-template',
}: {
  className?: string;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const editor = usePermission('editor');
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => setOpen(true)}
        disabled={!editor.allowed}
        data-testid={testId}
        title={editor.reason ?? 'Start from a ready workflow with a sample event'}
      >
        New from template
      </button>
      {open && <TemplateGallery onClose={() => setOpen(false)} />}
    </>
  );
}

/** The node types of a template in the order they run, each once. */
export function templateNodeTypes(template: WorkflowTemplate): string[] {
  return [...new Set(template.document.nodes.map((node) => node.type))];
}

function TemplateGallery({ onClose }: { onClose(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string | null>(null);
  const create = useMutation(
    trpc.workflows.createFromTemplate.mutationOptions({
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.workflows.pathKey() });
        void openPage(paths.editWorkflow(created.id, { sampleId: created.sampleId }));
      },
    }),
  );
  const use = (template: WorkflowTemplate) => {
    setChosen(template.id);
    create.mutate({ templateId: template.id });
  };
  return (
    <Dialog
      title="New workflow from a template"
      onClose={onClose}
      testId="template-gallery"
      className="template-dialog"
      initialFocus=".template-card"
    >
      <p className="muted">
        Each template is a working workflow with a sample event from its sender, ready for a test
        run. Replace its placeholder addresses (marked in the editor) with your own before you
        publish.
      </p>
      {create.isError && (
        <ProblemMessage title="Could not create the workflow" error={create.error} />
      )}
      <ul className="template-grid" aria-label="Templates">
        {workflowTemplates.map((template) => {
          const busy = create.isPending && chosen === template.id;
          return (
            <li key={template.id}>
              <button
                type="button"
                className="template-card"
                onClick={() => use(template)}
                disabled={create.isPending}
                aria-busy={busy || undefined}
                data-testid="template-card"
                data-template={template.id}
              >
                <span className="template-card-source muted small">{template.source}</span>
                <strong className="template-card-name">{template.name}</strong>
                <span className="template-card-description">{template.description}</span>
                <span className="template-card-nodes">
                  {templateNodeTypes(template).map((type) => {
                    const label = nodeTypeLabel(type);
                    return (
                      <span key={type} className="template-node" title={label.label}>
                        <span className="node-icon" aria-hidden="true">
                          {label.icon}
                        </span>
                        <span className="template-node-label">{label.label}</span>
                      </span>
                    );
                  })}
                </span>
                <span className="template-card-action">
                  {busy ? 'Creating…' : 'Use this template →'}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
