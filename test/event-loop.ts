// Long tests give the event loop a turn between chunks of work. Why: vitest's worker talks to the main process
// over RPC with a 60 s timeout; a test that keeps the loop busy (a synchronous loop, spawnSync) for that long —
// as a 20 s test does on a loaded 2-core machine — makes the pending call time out and the run report
// "Timeout calling onTaskUpdate" though every test passed. No verdict may depend on machine load.
export const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
