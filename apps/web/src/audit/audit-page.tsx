import type { AppRouter } from '@hookflow/api';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { inferOutput, TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { formatDateTime } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link } from '../lib/router.tsx';
import { useTRPC } from '../lib/trpc.ts';
import { EmptyState, Loading, Page } from '../ui/page.tsx';
import { ProblemMessage } from '../ui/problem-message.tsx';
import { actionLabel, actorLabel, auditActionGroups, detailLabels } from './audit-entry.ts';
import './audit.css';

type AuditEntry = inferOutput<TRPCOptionsProxy<AppRouter>['audit']['list']>['items'][number];

const PAGE_SIZE = 50;

/**
 * `/audit` (admins): who created, changed, published, activated or deleted workflows and
 * credentials, who changed users and API tokens, and when, newest first.
 */
export function AuditPage() {
  const trpc = useTRPC();
  const [action, setAction] = useState('');
  const entries = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { limit: PAGE_SIZE, ...(action ? { action } : {}) },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const items = entries.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Page title="Audit log">
      <p className="muted">
        Who changed which workflow, credential, user or API token, and when. Entries are kept when
        run history is pruned. Several draft saves by one person within 15 minutes are one entry.
      </p>
      <div className="audit-filters">
        <label className="audit-filter">
          <span>Show</span>
          <select
            className="select"
            value={action}
            onChange={(event) => setAction(event.target.value)}
            data-testid="audit-filter"
          >
            {auditActionGroups.map((group) => (
              <option key={group.value} value={group.value}>
                {group.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {entries.isPending ? (
        <Loading what="the audit log" />
      ) : entries.isError ? (
        <ProblemMessage title="Could not load the audit log" error={entries.error} />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing recorded yet" testId="audit-empty">
          <p>Changes to workflows, credentials, users and API tokens appear here.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Details</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {items.map((entry) => (
                  <AuditRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
          {entries.hasNextPage && (
            <button
              type="button"
              className="button audit-more"
              onClick={() => entries.fetchNextPage()}
              disabled={entries.isFetchingNextPage}
              data-testid="audit-more"
            >
              {entries.isFetchingNextPage ? 'Loading…' : 'Show older changes'}
            </button>
          )}
        </>
      )}
    </Page>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const { target } = entry;
  const name = target.name ?? target.id ?? '';
  return (
    <tr data-testid="audit-row" data-action={entry.action}>
      <td className="muted small audit-when">{formatDateTime(entry.at)}</td>
      <td>{actorLabel(entry.actor)}</td>
      <td>
        {actionLabel(entry.action)}{' '}
        {target.type === 'workflow' && target.id && target.exists ? (
          <Link to={paths.workflow(target.id)}>{name}</Link>
        ) : (
          name && <strong>{name}</strong>
        )}
      </td>
      <td className="small">{detailLabels(entry).join(' · ')}</td>
      <td className="muted small">{entry.remoteAddress ?? ''}</td>
    </tr>
  );
}
