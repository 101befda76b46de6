import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../../toolchain/common/errors.ts';

/** One `hasm` subcommand (or group of sub-subcommands, like `hasm sancus …`). */
export interface Command {
  /** One line for `hasm --help`. */
  summary: string;
  /** Full text for `hasm NAME --help`. */
  help: string;
  /** Runs the command; returns the exit status. Throws typed errors for the caller to report. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

/** Where a command writes: stdout for data (exactly one JSON object with --json), stderr for humans. */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CommandIO = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with its errors turned into UsageError (exit 2) and --help always accepted. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function printJson(io: CommandIO, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}
