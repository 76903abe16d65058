import { defineConfig } from 'vitest/config';

// One config, four projects: `vitest run --project <name>` runs a tier on its own (see package.json).
/** Log lines only show for a failing test (test/support/quiet-logs.ts); metrics are off; no SDK notices. */
const quiet = {
  setupFiles: ['test/support/quiet-logs.ts'],
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_METRICS_DISABLED: 'true' },
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // A fixed fast-check seed: `npm test` is deterministic, `npm run fuzz` explores fresh seeds.
          ...quiet,
          setupFiles: ['test/support/property-setup.ts', ...quiet.setupFiles],
          // Property tests run 10^4-10^5 cases (4-6 s alone): on a loaded 2-core machine the 5 s default
          // failed them by chance. Time is for the benchmarks, not for tests.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          ...quiet,
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          ...quiet,
          include: ['test/infra/**/*.test.ts'],
          globalSetup: ['test/infra/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          ...quiet,
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The local stack owns ports and child processes: one file at a time keeps it predictable.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          ...quiet,
          include: ['test/browser/**/*.test.ts'],
          // Builds the web app once; each file serves it beside its own in-memory stack.
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
