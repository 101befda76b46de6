import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Both cores (vitest's default leaves one idle on a 2-core machine). Safe because no verdict depends on time:
    // tests run in virtual time, and none keeps its worker's event loop busy for long (test/event-loop.ts).
    maxWorkers: 2,
    minWorkers: 1,
  },
});
