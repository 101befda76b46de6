#!/usr/bin/env node
// Entry point of the `hasm` command. The sources are TypeScript; tsx's loader runs them directly so the
// command never lags behind the code (no separate build step to forget).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
