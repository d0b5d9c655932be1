#!/usr/bin/env node
// `pnpm bench`: loads the TypeScript sources through tsx, then runs the benchmarks.
import { register } from 'tsx/esm/api';

register();
await import('./src/main.ts');
