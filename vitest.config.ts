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
    // Test files share their worker process (not one fresh process each): importing the toolchain (binaryen, the
    // AssemblyScript compiler) and compiling the meter once per worker instead of once per file cut the suite from
    // 288 to 111 s on a quiet machine. So a file must leave no state behind: it closes what it started (servers,
    // child processes, ports) and keeps its files in its own temporary directory.
    isolate: false,
  },
});
