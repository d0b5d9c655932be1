import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { credentialsRouter } from './routers/credentials.ts';
import { liveRouter } from './routers/live.ts';
import { requestsRouter } from './routers/requests.ts';
import { runsRouter } from './routers/runs.ts';
import { samplesRouter } from './routers/samples.ts';
import { statsRouter } from './routers/stats.ts';
import { testRunsRouter } from './routers/test-runs.ts';
import { tokensRouter } from './routers/tokens.ts';
import { usersRouter } from './routers/users.ts';
import { workflowsRouter } from './routers/workflows.ts';
import { createCallerFactory, router } from './trpc.ts';

/** The whole API at a glance. */
export const appRouter = router({
  workflows: workflowsRouter,
  runs: runsRouter,
  requests: requestsRouter,
  live: liveRouter,
  samples: samplesRouter,
  testRuns: testRunsRouter,
  stats: statsRouter,
  credentials: credentialsRouter,
  audit: auditRouter,
  auth: authRouter,
  users: usersRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
