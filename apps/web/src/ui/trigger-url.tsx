import { CopyButton } from './copy-button.tsx';

/** A workflow's trigger URL, selectable, with a copy button. */
export function TriggerUrl({ url, testId = 'trigger-url' }: { url: string; testId?: string }) {
  return (
    <span className="trigger-url">
      <code className="trigger-url-text" data-testid={testId} title={url}>
        {url}
      </code>
      <CopyButton text={url} label="Copy trigger URL" testId={`copy-${testId}`} />
    </span>
  );
}
