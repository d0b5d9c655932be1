import { describeProblem } from '../lib/api-error.ts';
import { Notice } from './notice.tsx';

/** An error as an alert: a title, the API's message and its list of problems, if any. */
export function ProblemMessage({
  title,
  error,
  onDismiss,
}: {
  title: string;
  error: unknown;
  onDismiss?: () => void;
}) {
  const { message, issues } = describeProblem(error);
  return (
    <Notice tone="error" title={title} testId="error-message" {...(onDismiss ? { onDismiss } : {})}>
      <p>{message}</p>
      {issues.length > 0 && (
        <ul className="issue-list" data-testid="error-issues">
          {issues.map((issue, index) => (
            <li key={index}>
              <code>{issue.where}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}
