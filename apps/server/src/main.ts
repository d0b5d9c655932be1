import { runCli } from './cli/cli.ts';

// Exit explicitly: the server's pools and the log transport would otherwise keep the process up.
process.exit(await runCli(process.argv.slice(2)));
