#!/usr/bin/env node
// The `hookflow` command. It runs the compiled server (apps/server/dist, made by `pnpm build`,
// which `pnpm start` runs first) while that is newer than every source file it was built from;
// otherwise, and always under `node --watch` (`pnpm dev`), the TypeScript sources through tsx.
// Compiled, the server starts faster and needs about 70 MB less memory (docs/performance.md).
import { readFileSync, statSync } from 'node:fs';

const repo = new URL('../../../', import.meta.url);
const dist = new URL('../dist/', import.meta.url);

/** True when dist/ was built after the last change to each source file it contains. */
function compiledIsCurrent() {
  try {
    const info = JSON.parse(readFileSync(new URL('build-info.json', dist), 'utf8'));
    return info.inputs.every((input) => statSync(new URL(input, repo)).mtimeMs < info.startedAt);
  } catch {
    return false; // not built, or a source file is gone
  }
}

// Node's watch mode reloads on changes to the files loaded, which must be the sources.
const watching = process.env.WATCH_REPORT_DEPENDENCIES !== undefined;
if (!watching && compiledIsCurrent()) {
  await import(new URL('main.js', dist).href);
} else {
  if (!watching && process.argv[2] === 'start') {
    process.stderr.write(
      'hookflow: running from the TypeScript sources: apps/server/dist is missing or older than them (`pnpm build` compiles it; compiled, the server needs less memory)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
