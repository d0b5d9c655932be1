export { runCli } from './cli/cli.ts';
export { type Config, loadConfig } from './config.ts';
export { createHttpClient } from './http-client.ts';
export { createLogger } from './logger.ts';
export { createServer, type HookflowServer, type ServerDeps } from './server.ts';
export { createNodeServices } from './services.ts';
