// Starts a benchmark child process (a floor server) from its TypeScript source.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
