import type { ValidationIssue } from '@hookflow/engine';
import { useId, useState } from 'react';
import { Dialog } from '../ui/dialog.tsx';
import { IssueList } from './config-panel.tsx';

/** The longest note a version keeps (the API's limit). */
export const PUBLISH_NOTE_MAX = 500;

/**
 * Publish asks what changed (an optional note the versions list shows) and, while the draft
 * still holds placeholder addresses, says so first: publishing then sends real events to them.
 */
export function PublishDialog({
  nextVersion,
  placeholders,
  onShowNode,
  onPublish,
  onClose,
}: {
  nextVersion: number;
  placeholders: readonly ValidationIssue[];
  onShowNode(id: string): void;
  onPublish(note: string): void;
  onClose(): void;
}) {
  const [note, setNote] = useState('');
  const id = useId();
  return (
    <Dialog
      title={`Publish version ${nextVersion}`}
      onClose={onClose}
      testId="publish-dialog"
      className="publish-dialog"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onPublish(note.trim());
        }}
      >
        <p className="muted small">
          The trigger URL runs the published version from now on; the draft stays editable.
        </p>
        {placeholders.length > 0 && (
          <div className="publish-placeholders" data-testid="publish-placeholders">
            <p>
              <strong>
                {placeholders.length} placeholder address{placeholders.length === 1 ? '' : 'es'}{' '}
                still to replace.
              </strong>{' '}
              Published as it is, real events are sent there, not to your service.
            </p>
            <IssueList
              issues={placeholders}
              onShowNode={(nodeId) => {
                onClose();
                onShowNode(nodeId);
              }}
              testId="publish-placeholder-list"
            />
          </div>
        )}
        <div className="form-field">
          <label className="form-field-label" htmlFor={`${id}-note`}>
            What changed? <span className="muted small">(optional)</span>
          </label>
          <textarea
            id={`${id}-note`}
            className="input"
            rows={3}
            maxLength={PUBLISH_NOTE_MAX}
            placeholder="e.g. Only pushes to main; the message lists each commit"
            value={note}
            onChange={(event) => setNote(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Ctrl/⌘+Enter publishes from the note.
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                onPublish(note.trim());
              }
            }}
            data-testid="publish-note"
          />
          <p className="form-field-help">
            Shown in the versions list beside who published and when. {note.length}/
            {PUBLISH_NOTE_MAX}
          </p>
        </div>
        <div className="dialog-footer">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="publish-confirm">
            {placeholders.length > 0 ? 'Publish anyway' : `Publish version ${nextVersion}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
