import type { ReactNode } from 'react';
import { useDocumentTitle } from '../lib/use-document-title.ts';

/** Every page's frame: a heading row with optional actions, then the content. */
export function Page({
  title,
  heading,
  actions,
  children,
}: {
  /** The tab title and, unless `heading` is given, the page heading. */
  title: string;
  heading?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  useDocumentTitle(title);
  return (
    <section className="page">
      <header className="page-header">
        <div className="page-heading">{heading ?? <h1>{title}</h1>}</div>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty-state" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </div>
  );
}
