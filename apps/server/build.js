// Builds the compiled server that `pnpm start`, `hookflow start` and the benchmark run:
// dist/main.js (the `hookflow` command) and dist/execution-thread.js, with the workspace packages'
// TypeScript bundled in and third-party packages loaded from node_modules as they are.
//
// Run from here, the server needs no TypeScript loader: under tsx, the main thread and each
// execution thread kept a loader thread of their own and the transformed sources, about 70 MB
// (docs/performance.md). bin/hookflow.js uses this build only while it is newer than every
// source file it was made from (dist/build-info.json lists them).
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const serverDir = dirname(fileURLToPath(import.meta.url));
const repoDir = join(serverDir, '../..');
const outdir = join(serverDir, 'dist');
// Built beside dist/ and put in its place when complete: a failed build leaves the last good one,
// and a server running from dist/ never finds it half written. (Stop Hookflow before building
// all the same: a running server starts new execution threads from dist/.)
const staging = join(serverDir, 'dist.next');
const previous = join(serverDir, 'dist.previous');
const posix = (path) => path.split(sep).join('/');

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const workspaceSources = {
  name: 'hookflow-workspace',
  setup(builder) {
    // Third-party packages stay external: the compiled files resolve them from apps/server,
    // so each must be a dependency of @hookflow/server (pnpm links only declared ones).
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@hookflow/') || args.path.startsWith('node:')) return undefined;
      const name = packageName(args.path);
      if (existsSync(join(serverDir, 'node_modules', name, 'package.json')))
        return { external: true };
      return {
        errors: [
          {
            text: `${name} is not a dependency of @hookflow/server: add it to apps/server/package.json ("catalog:") so that the compiled server can load it`,
          },
        ],
      };
    });
    // In the workspace's sources `import.meta.url` keeps meaning the source file: the database
    // package finds its migrations beside it, the checkpoint thread its SQLite driver.
    builder.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const fromBundle = JSON.stringify(posix(relative(outdir, args.path)));
      return {
        contents: source.replaceAll(
          'import.meta.url',
          `new URL(${fromBundle}, import.meta.url).href`,
        ),
        loader: 'ts',
      };
    });
  },
};

const startedAt = Date.now();
rmSync(staging, { recursive: true, force: true });
const result = await build({
  entryPoints: {
    main: join(serverDir, 'src/main.ts'),
    'execution-thread': join(serverDir, 'src/worker/execution-thread.ts'),
  },
  // A sibling of dist/, so the paths made relative to dist/ above hold for it too.
  outdir: staging,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Read by the executor: the compiled execution thread is dist/execution-thread.js.
  define: { HOOKFLOW_COMPILED: 'true' },
  // Not loaded by default (that would cost memory): `NODE_OPTIONS=--enable-source-maps` maps
  // stack traces back to the TypeScript sources.
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  plugins: [workspaceSources],
});
const inputs = Object.keys(result.metafile.inputs)
  .map((input) => posix(relative(repoDir, join(process.cwd(), input))))
  .filter((input) => !input.includes('node_modules/'))
  .sort();
mkdirSync(staging, { recursive: true });
writeFileSync(
  join(staging, 'build-info.json'),
  `${JSON.stringify({ startedAt, inputs }, null, 2)}\n`,
);
rmSync(previous, { recursive: true, force: true });
if (existsSync(outdir)) renameSync(outdir, previous);
renameSync(staging, outdir);
rmSync(previous, { recursive: true, force: true });
