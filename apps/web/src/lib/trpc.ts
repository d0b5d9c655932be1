/**
 * The typed API client. Components call `useTRPC()` and pass its option builders to
 * TanStack Query (`useQuery(trpc.runs.list.queryOptions(...))`). The clients are built once in
 * main.tsx and handed to the providers; tests can build their own with these factories.
 */
import type { AppRouter } from '@hookflow/api';
import { QueryClient } from '@tanstack/react-query';
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from '@trpc/client';
import {
  createTRPCContext,
  type inferInput,
  type inferOutput,
  type TRPCOptionsProxy,
} from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * Sent with every call: the server refuses a browser's change without it, and a page on another
 * site cannot send it (the guard against cross-site request forgery). The session cookie goes
 * along by itself (same origin).
 */
export const csrfHeaders = { 'x-hookflow-csrf': '1' } as const;

export function createApiClient(url = '/trpc') {
  return createTRPCClient<AppRouter>({
    links: [
      // Subscriptions (live runs, requests) arrive as server-sent events; the rest is batched,
      // except a query that asks not to wait for its neighbours (`context: { skipBatch: true }`),
      // such as a slow count beside a fast page.
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({ url }),
        false: splitLink({
          condition: (operation) => operation.context.skipBatch === true,
          true: httpLink({ url, headers: csrfHeaders }),
          false: httpBatchLink({ url, headers: csrfHeaders }),
        }),
      }),
    ],
  });
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A refusal (not found, bad input) will not change by asking again; a dropped connection may.
        retry: (failureCount, error) => failureCount < 2 && !isClientError(error),
        refetchOnWindowFocus: true,
      },
    },
  });
}

export type ApiError = TRPCClientError<AppRouter>;

export function isApiError(error: unknown): error is ApiError {
  return error instanceof TRPCClientError;
}

function isClientError(error: unknown): boolean {
  const status = isApiError(error) ? error.data?.httpStatus : undefined;
  return status !== undefined && status >= 400 && status < 500;
}

type Api = TRPCOptionsProxy<AppRouter>;

/** What a page may use to start loading its data before it is shown (see `route`'s preload). */
export interface PreloadContext {
  queryClient: QueryClient;
  trpc: Api;
}

export type WorkflowSummary = inferOutput<Api['workflows']['list']>[number];
export type WorkflowDetail = inferOutput<Api['workflows']['get']>;
export type RunSummary = inferOutput<Api['runs']['list']>['items'][number];
export type RunDetail = inferOutput<Api['runs']['get']>;
export type RunStep = RunDetail['steps'][number];
export type RunStatus = RunSummary['status'];
export type RunListInput = inferInput<Api['runs']['list']>;
export type TestRunResult = inferOutput<Api['testRuns']['run']>;
export type Sample = inferOutput<Api['samples']['list']>[number];
export type CredentialSummary = inferOutput<Api['credentials']['list']>[number];
