#!/usr/bin/env node
// Entry point of the `hasm` command. It runs the compiled JavaScript in dist/ (bin/dist.mjs builds it, and rebuilds
// it here whenever a source is newer, so the command never lags behind the code). Nothing goes through a TypeScript
// loader at run time: binaryen and the other dependencies load as plain Node modules.
import { setFlagsFromString } from 'node:v8';
import { ensureBuilt } from './dist.mjs';

// binaryen (loaded by `build` and the compiler's users) is a large wasm module: V8 compiles it once with its
// baseline compiler and again, in the background, with its optimising one, keeping both. A command runs for a
// second or two, too short for the second to pay off; baseline only saves about 70 MB of peak memory and no time
// (measured on `hasm build`, test/bench/startup.ts). Set before any wasm is compiled.
setFlagsFromString('--liftoff-only');

process.setSourceMapsEnabled(true); // stack traces of internal errors name the TypeScript sources
await ensureBuilt();
const { main } = await import('../dist/host/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
