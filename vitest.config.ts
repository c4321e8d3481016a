import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the workspace packages from source, like `tsx --conditions=@inkwell/source`.
    alias: [
      { find: /^@inkwell\/db$/, replacement: src('./packages/db/src/index.ts') },
      { find: /^@inkwell\/db\/testing$/, replacement: src('./packages/db/src/testing/index.ts') },
      { find: /^@inkwell\/api$/, replacement: src('./packages/api/src/index.ts') },
      { find: /^@inkwell\/worker$/, replacement: src('./packages/worker/src/index.ts') },
      { find: /^@inkwell\/client$/, replacement: src('./packages/client/src/index.ts') },
    ],
  },
  test: {
    // bench/test holds only the Kubernetes manifest check; the benchmarks run with `pnpm bench`.
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine,
    // though most files spend their time waiting on servers, child processes and timers.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
