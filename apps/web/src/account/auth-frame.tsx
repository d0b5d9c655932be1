import type { ReactNode } from 'react';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import './account.css';

/** The frame of the pages seen before signing in: the brand and one card in the middle. */
export function AuthFrame({
  title,
  intro,
  children,
  testId,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  useDocumentTitle(title);
  return (
    <main className="auth-screen" data-testid={testId}>
      <div className="auth-brand">
        <span className="brand-mark" aria-hidden="true">
          H
        </span>
        Hookflow
      </div>
      <section className="auth-card">
        <h1>{title}</h1>
        {intro && <div className="auth-intro">{intro}</div>}
        {children}
      </section>
    </main>
  );
}
