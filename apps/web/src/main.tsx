// Before anything that parses with zod.
import './lib/csp.ts';
import type { AppRouter } from '@hookflow/api';
import { QueryClientProvider } from '@tanstack/react-query';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadApp } from './app.tsx';
import { createApiClient, createQueryClient, TRPCProvider } from './lib/trpc.ts';
import './styles.css';

const queryClient = createQueryClient();
const trpcClient = createApiClient('/trpc');
preloadApp(window.location.pathname, {
  queryClient,
  trpc: createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient }),
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <App />
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
