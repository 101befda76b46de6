#!/usr/bin/env node
// Entry point of the `hasm` command. It runs the compiled JavaScript in dist/ (bin/dist.mjs builds it, and rebuilds
// it here whenever a source is newer, so the command never lags behind the code). Nothing goes through a TypeScript
// loader at run time: binaryen and the other dependencies load as plain Node modules.
import { ensureBuilt } from './dist.mjs';

process.setSourceMapsEnabled(true); // stack traces of internal errors name the TypeScript sources
await ensureBuilt();
const { main } = await import('../dist/host/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
