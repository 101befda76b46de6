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
    throw new UsageError(usageMessage(e as Error & { code?: string }));
  }
}

/**
 * parseArgs's messages are written for script authors ("To specify a positional argument starting with a '-',
 * place it at the end of the command after '--' …") and span lines; a user needs one short line naming the flag.
 * Keyed on the documented error codes; anything else keeps Node's text.
 */
export function usageMessage(e: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  // INVALID_OPTION_VALUE quotes the option as "-o, --output <value>": name it by its long form.
  const flag = (/--[\w-]+/.exec(quoted) ?? /-\w/.exec(quoted))?.[0] ?? quoted;
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(e.message)) return `option '${flag}' takes no value`;
      if (/ambiguous/.test(e.message)) return `option '${flag}' needs a value (write ${flag}=VALUE for one that starts with '-')`;
      return `option '${flag}' needs a value`;
    default:
      return e.message.split('\n')[0]!;
  }
}

export function printJson(io: CommandIO, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}
