import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Real components (QEMU, oned, netns labs) must not run side by side on a 2-core machine.
    fileParallelism: true,
    pool: 'forks',
  },
});
