import { configDefaults, defineConfig } from 'vitest/config';

// Two projects. The Slurm tests share one real cluster and some stop its controller, so their
// files run one at a time (fileParallelism: false) and only after every other file has finished
// (a higher groupOrder runs later); everything else runs in parallel as before.
const SLURM_TESTS = 'test/integration/slurm/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          // Each file works under a temporary root of its own; what it leaves running there is killed.
          globalSetup: ['test/support/temp-root.global.ts'],
          setupFiles: ['test/support/temp-root.setup.ts'],
          exclude: [...configDefaults.exclude, SLURM_TESTS],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'slurm',
          include: [SLURM_TESTS],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
