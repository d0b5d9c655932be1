import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Notice } from './notice.tsx';
import { Loading } from './page.tsx';
import { ProblemMessage } from './problem-message.tsx';

/**
 * A list page's content as its query stands: loading, the error, `empty` when there is nothing
 * to list, else the list that `children` draws from the data.
 */
export function ListState<T>({
  query,
  what,
  errorTitle,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T, unknown>;
  /** What is loading, as in "Loading {what}…". */
  what: string;
  errorTitle: string;
  isEmpty(data: T): boolean;
  empty: ReactNode;
  children(data: T): ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ProblemMessage title={errorTitle} error={query.error} />;
  return isEmpty(query.data) ? empty : children(query.data);
}

/** A column of a ListTable: its name, or its name and a class (`numeric` aligns figures). */
export type ListColumn = string | { label: string; className: string };

/**
 * A list page's table: the named columns and a last one, named for screen readers only, for
 * each row's actions (`<td className="row-actions">`); `children` are the rows.
 */
export function ListTable({
  testId,
  columns,
  children,
}: {
  testId: string;
  columns: readonly ListColumn[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => {
              const { label, className } =
                typeof column === 'string' ? { label: column, className: undefined } : column;
              return (
                <th key={label} scope="col" className={className}>
                  {label}
                </th>
              );
            })}
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A row's delete (or revoke) button: asks `question` with the browser's confirm first and calls
 * `onConfirm` only on yes. `onAsk` runs on every click, before the question (a page clears what
 * the last action said).
 */
export function ConfirmDeleteButton({
  question,
  onConfirm,
  onAsk,
  label = 'Delete',
  ariaLabel,
  testId,
  disabled,
  title,
}: {
  question: string;
  onConfirm(): void;
  onAsk?: () => void;
  label?: string;
  ariaLabel: string;
  testId: string;
  disabled: boolean;
  /** Why it is disabled, when it is. */
  title?: string | undefined;
}) {
  return (
    <button
      type="button"
      className="button button-small button-danger"
      onClick={() => {
        onAsk?.();
        if (window.confirm(question)) onConfirm();
      }}
      disabled={disabled}
      title={title}
      data-testid={testId}
      aria-label={ariaLabel}
    >
      {label}
    </button>
  );
}

/** An action on a list that failed: what could not be done, why, and how to put it away. */
export interface ActionFailure {
  title: string;
  error: unknown;
  reset(): void;
}

/**
 * What a list page's last action came to, above the list: its success `notice` or its
 * `failure`, each of which the person can dismiss.
 */
export function ActionOutcome({
  notice,
  noticeTestId,
  onDismissNotice,
  failure,
}: {
  notice: string | null;
  noticeTestId: string;
  onDismissNotice(): void;
  failure: ActionFailure | null;
}) {
  return (
    <>
      {notice && (
        <Notice tone="success" title={notice} testId={noticeTestId} onDismiss={onDismissNotice} />
      )}
      {failure && (
        <ProblemMessage title={failure.title} error={failure.error} onDismiss={failure.reset} />
      )}
    </>
  );
}
