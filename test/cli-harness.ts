// Running `hasm` from tests. In-process (`hasm`) is the default: the dispatcher's own `main(argv, io)` with the
// output captured, so a test pays no process start and never blocks the event loop in spawnSync (see
// event-loop.ts). `hasmProcess` spawns the real command, asynchronously, for the few tests that are about the
// process itself (exit codes seen by a shell, stdin/stdout, the bin script).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../host/cli/main.ts';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export async function hasm(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const line = (t: string) => (t.endsWith('\n') ? t : t + '\n');
  const status = await main(argv, { out: (t) => void (stdout += line(t)), err: (t) => void (stderr += line(t)) });
  return { status, stdout, stderr };
}

export const HASM_BIN = fileURLToPath(new URL('../bin/hasm.mjs', import.meta.url));

export function hasmProcess(argv: string[], opts: SpawnOptions = {}): Promise<CliResult> {
  return spawnAsync(process.execPath, [HASM_BIN, ...argv], opts);
}

export interface SpawnOptions {
  cwd?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** spawnSync's result without blocking the event loop while the child runs. */
export function spawnAsync(command: string, args: string[], opts: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
