import { InputError, OperationError, UsageError } from '../../toolchain/common/errors.ts';
import { processIO, type Command, type CommandIO } from './command.ts';

// The registry: every capability of the product is reachable from here (../shared/CLI.md).
// Commands load lazily so `hasm as` never pays for the DLMS stack.
const commands: Record<string, () => Promise<Command>> = {
  as: async () => (await import('./commands/as.ts')).asCommand,
  disas: async () => (await import('./commands/disas.ts')).disasCommand,
  objcopy: async () => (await import('./commands/objcopy.ts')).objcopyCommand,
  dlms: async () => (await import('./commands/dlms.ts')).dlmsCommand,
  privacy: async () => (await import('./commands/privacy.ts')).privacyCommand,
  mpc: async () => (await import('./commands/mpc.ts')).mpcCommand,
  build: async () => (await import('./commands/build.ts')).buildCommand,
  run: async () => (await import('./commands/run.ts')).runCommand,
  sancus: async () => (await import('./commands/sancus.ts')).sancusCommand,
  deploy: async () => (await import('./commands/deploy.ts')).deployCommand,
};

/** Lets a later feature add its group without touching the dispatcher's logic. */
export function registeredCommands(): string[] {
  return Object.keys(commands);
}

const usage = (summaries: string) => `usage: hasm <command> [options]   (hasm <command> --help for details)

commands:
${summaries}`;

export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines: string[] = [];
    for (const [n, load] of Object.entries(commands)) lines.push(`  ${n.padEnd(9)} ${(await load()).summary}`);
    io.err(usage(lines.join('\n')));
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    io.err(`hasm: unknown command '${name}' (known: ${Object.keys(commands).join(', ')})`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.err(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    return reportError(e, name, rest.includes('--json'), io);
  }
}

function reportError(e: unknown, name: string, json: boolean, io: CommandIO): number {
  let code: number;
  if (e instanceof UsageError || e instanceof InputError) code = 2;
  else if (e instanceof OperationError) code = 1;
  else {
    // An unexpected exception is our bug: show the stack so it can be reported, exit 1.
    io.err(`hasm ${name}: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
  const msg = (e as Error).message;
  // One line for a usage error: the message and where the usage is (issue 15).
  io.err(`hasm ${name}: ${msg}${e instanceof UsageError ? ` (hasm ${name} --help for usage)` : ''}`);
  if (json) {
    const details = e instanceof OperationError ? e.details : undefined;
    io.out(JSON.stringify({ error: msg, ...(details ?? {}) }));
  }
  return code;
}
