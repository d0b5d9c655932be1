import { formatJson } from '../lib/format.ts';

/** A labelled, scrollable block of pretty JSON. */
export function JsonBlock({
  label,
  value,
  testId,
  tone,
}: {
  label: string;
  value: unknown;
  testId?: string;
  tone?: 'error';
}) {
  return (
    <figure className={tone === 'error' ? 'json-block json-block-error' : 'json-block'}>
      <figcaption>{label}</figcaption>
      <pre data-testid={testId}>{formatJson(value)}</pre>
    </figure>
  );
}
