import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { usePermission } from '../account/session.tsx';
import { type Sample, useTRPC } from '../lib/trpc.ts';
import { Dialog } from '../ui/dialog.tsx';
import { describedBy, FormActions, FormField } from '../ui/form.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import {
  type PasteField,
  type PasteForm,
  pasteContentTypes,
  pasteMethods,
  readPasteForm,
} from './paste-sample.ts';
import { useTestData } from './test-data.ts';

/** "Paste a sample": a request typed or pasted by hand, kept as a named sample and chosen. */
export function PasteSampleButton() {
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<Sample | null>(null);
  // Keeping a sample changes the workflow's test data: editors only.
  const editor = usePermission('editor');
  return (
    <>
      <button
        type="button"
        className="button button-small"
        onClick={() => {
          setSaved(null);
          setOpen(true);
        }}
        disabled={!editor.allowed}
        title={
          editor.reason ?? 'Type or paste a request (its JSON body, headers, query) to test with'
        }
        data-testid="paste-sample"
      >
        Paste a sample
      </button>
      {saved && (
        <p className="muted small" role="status" data-testid="pasted">
          Kept “{saved.name}” and chose it.
        </p>
      )}
      {open && (
        <PasteSampleDialog
          onClose={() => setOpen(false)}
          onSaved={(sample) => {
            setSaved(sample);
            setOpen(false);
          }}
        />
      )}
    </>
  );
}

const emptyForm: PasteForm = {
  name: 'Pasted sample',
  method: 'POST',
  contentType: 'application/json',
  headers: '',
  query: '',
  body: '',
};

function PasteSampleDialog({
  onClose,
  onSaved,
}: {
  onClose(): void;
  onSaved(sample: Sample): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workflowId = useTestData((state) => state.workflowId);
  const chooseSample = useTestData((state) => state.chooseSample);
  const [form, setForm] = useState(emptyForm);
  // Problems show once the person tried to save, then follow each edit.
  const [tried, setTried] = useState(false);
  const id = useId();
  const result = readPasteForm(form);
  const errors: Partial<Record<PasteField, string>> = tried && !result.ok ? result.errors : {};
  const save = useMutation(
    trpc.samples.create.mutationOptions({
      onSuccess: (sample) => {
        chooseSample(sample.id);
        void queryClient.invalidateQueries({
          queryKey: trpc.samples.list.queryKey({ workflowId }),
        });
        onSaved(sample);
      },
    }),
  );
  const edit = (field: keyof PasteForm) => (event: { currentTarget: { value: string } }) =>
    setForm({ ...form, [field]: event.currentTarget.value });
  const submit = () => {
    setTried(true);
    if (!result.ok) return;
    save.mutate({ workflowId, name: result.name, request: result.request });
  };
  const fieldProps = (field: PasteField) => ({
    id: `${id}-${field}`,
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': describedBy(`${id}-${field}`, { problem: Boolean(errors[field]) }),
  });
  const problem = (field: PasteField) => ({
    problem: errors[field],
    problemTestId: `paste-error-${field}`,
  });

  return (
    <Dialog
      title="Paste a sample event"
      onClose={onClose}
      testId="paste-sample-dialog"
      className="paste-dialog"
      initialFocus="textarea"
    >
      <form
        className="paste-form"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
        noValidate
      >
        <p className="muted small">
          Paste the request as the sender sends it, e.g. from its documentation or its delivery log.
          It is kept as a named sample of this workflow, for test runs and the data panel.
        </p>
        <FormField
          id={`${id}-body`}
          label="Body"
          help={
            result.ok &&
            form.body.trim() !== '' && (
              <>
                The workflow reads <code>trigger.body</code> as {result.bodyKind}.
              </>
            )
          }
          helpTestId="paste-body-reads"
          {...problem('body')}
        >
          <textarea
            className="input input-mono paste-body"
            rows={9}
            spellCheck={false}
            placeholder={'{\n  "order": { "id": 1042, "status": "paid" }\n}'}
            value={form.body}
            onChange={edit('body')}
            data-testid="paste-body"
            {...fieldProps('body')}
          />
        </FormField>
        <div className="paste-row">
          <FormField id={`${id}-contentType`} label="Body type">
            <select
              id={`${id}-contentType`}
              className="select input"
              value={form.contentType}
              onChange={edit('contentType')}
              data-testid="paste-content-type"
            >
              {pasteContentTypes.map((type) => (
                <option key={type.value} value={type.value}>
                  {type.label}
                </option>
              ))}
            </select>
          </FormField>
          <FormField id={`${id}-method`} label="Method" {...problem('method')}>
            <select
              className="select input"
              value={form.method}
              onChange={edit('method')}
              data-testid="paste-method"
              {...fieldProps('method')}
            >
              {pasteMethods.map((method) => (
                <option key={method}>{method}</option>
              ))}
            </select>
          </FormField>
          <FormField id={`${id}-name`} label="Name" className="paste-name" {...problem('name')}>
            <input
              className="input"
              type="text"
              maxLength={200}
              value={form.name}
              onChange={edit('name')}
              data-testid="paste-name"
              {...fieldProps('name')}
            />
          </FormField>
        </div>
        <details className="paste-more" open={Boolean(errors.headers || errors.query) || undefined}>
          <summary>Headers and query (optional)</summary>
          <FormField
            id={`${id}-headers`}
            label="Headers"
            help={
              <>
                One <code>Name: value</code> per line, or a JSON object. A Content-Type here wins
                over the body type.
              </>
            }
            {...problem('headers')}
          >
            <textarea
              className="input input-mono"
              rows={4}
              spellCheck={false}
              placeholder={'X-GitHub-Event: push\nUser-Agent: GitHub-Hookshot/1'}
              value={form.headers}
              onChange={edit('headers')}
              data-testid="paste-headers"
              {...fieldProps('headers')}
            />
          </FormField>
          <FormField
            id={`${id}-query`}
            label="Query"
            help={
              <>
                <code>a=1&amp;b=2</code>, a whole URL, or a JSON object.
              </>
            }
            {...problem('query')}
          >
            <input
              className="input input-mono"
              type="text"
              spellCheck={false}
              placeholder="?source=shop&amp;region=eu"
              value={form.query}
              onChange={edit('query')}
              data-testid="paste-query"
              {...fieldProps('query')}
            />
          </FormField>
        </details>
        {save.isError && <ProblemMessage title="Could not keep the sample" error={save.error} />}
        <FormActions
          label="Keep this sample"
          saving={save.isPending}
          testId="paste-save"
          onCancel={onClose}
          inDialog
        />
      </form>
    </Dialog>
  );
}
