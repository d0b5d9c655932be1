import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
// vitest's defineConfig is vite's plus the `test` block: the root vitest run uses this file too.
import { defineConfig } from 'vitest/config';

/** Where `pnpm --filter @hookflow/web dev` sends API and webhook requests (`pnpm dev` listens there). */
const serverUrl = process.env.HOOKFLOW_SERVER_URL ?? 'http://127.0.0.1:3000';

/**
 * The browser bundle may hold the engine and the node catalogue, never server code: the api
 * package is imported for its types only (`import type`), and the database never. This fails the
 * build at the first such import instead of shipping SQLite bindings to the browser.
 */
function keepServerCodeOut(): Plugin {
  const serverPackages = ['@hookflow/api', '@hookflow/db', '@hookflow/server'];
  return {
    name: 'hookflow:keep-server-code-out',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      const forbidden = serverPackages.find(
        (name) => source === name || source.startsWith(`${name}/`),
      );
      if (forbidden) {
        this.error(
          `${forbidden} is server code and must not be bundled (imported by ${importer}); use \`import type\``,
        );
      }
      return null;
    },
  };
}

/**
 * Libraries in their own chunks: they change less often than the app (better caching), and
 * no single file grows past Rollup's 500 kB warning as the editor arrives.
 */
function vendorChunk(id: string): string | undefined {
  if (!id.includes('/node_modules/')) return undefined;
  if (/\/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
  if (/\/node_modules\/@(tanstack|trpc)\//.test(id)) return 'query';
  // CodeMirror, the largest library: only expression and JSON fields load it, when shown.
  if (/\/node_modules\/(@codemirror|@lezer|@marijn|crelt|style-mod|w3c-keyname)\//.test(id)) {
    return 'codemirror';
  }
  // The canvas and its helpers: only the editor page loads them.
  if (/\/node_modules\/(@xyflow|d3-[a-z]+|zustand|zundo|classcat)\//.test(id)) return 'canvas';
  return 'vendor';
}

export default defineConfig({
  plugins: [react(), keepServerCodeOut()],
  // The workflow checker's worker imports the engine as modules (shared chunks).
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      output: { manualChunks: vendorChunk },
      onwarn(warning, warn) {
        // zod's sources carry `@__PURE__` comments in places Rollup ignores; harmless, not ours.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/trpc': serverUrl,
      '/hooks': serverUrl,
    },
  },
  test: {
    name: 'web',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'e2e/**/*.test.ts'],
  },
});
