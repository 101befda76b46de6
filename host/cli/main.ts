import { InputError, OperationError, UsageError } from '../../toolchain/common/errors.ts';
import { processIO, type Command, type CommandIO } from './command.ts';

// The registry: every capability of the product is reachable from here (../shared/CLI.md). Each entry carries its
// one-line summary so `hasm --help` loads no command; a command's module (and its dependencies: binaryen for
// `build`, the DLMS stack for `dlms`) loads only when that command runs.
interface Entry {
  summary: string;
  load: () => Promise<Command>;
}
const commands: Record<string, Entry> = {
  as: {
    summary: 'assemble MSP430 sources (GNU/LLVM syntax) and link them into an ELF image',
    load: async () => (await import('./commands/as.ts')).asCommand,
  },
  disas: {
    summary: 'disassemble an ELF or Intel HEX image, or raw bytes, to GNU/LLVM MSP430 syntax',
    load: async () => (await import('./commands/disas.ts')).disasCommand,
  },
  objcopy: {
    summary: 'convert an ELF image to Intel HEX or a raw binary',
    load: async () => (await import('./commands/objcopy.ts')).objcopyCommand,
  },
  build: {
    summary: 'compile an AssemblyScript module (or a .wasm) to an MSP430 image',
    load: async () => (await import('./commands/build.ts')).buildCommand,
  },
  run: {
    summary: 'run an ELF or Intel HEX image on the cycle-exact openMSP430 emulator',
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  sancus: {
    summary: 'Sancus crypto: SPONGENT, SpongeWrap wrap/unwrap/MAC, vendor and module keys',
    load: async () => (await import('./commands/sancus.ts')).sancusCommand,
  },
  deploy: {
    summary: 'load, protect, attest and connect Sancus modules on emulated nodes',
    load: async () => (await import('./commands/deploy.ts')).deployCommand,
  },
  meter: { summary: 'build, deploy and run the meter on its emulated node with a load profile', load: async () => (await import('./commands/meter.ts')).meterCommand },
  dlms: {
    summary: 'DLMS/COSEM reference server and client (serve, get, set, action, associate, scan)',
    load: async () => (await import('./commands/dlms.ts')).dlmsCommand,
  },
  mpc: {
    summary: 'MPC local electricity market: evaluators, auction, settlement, data generator',
    load: async () => (await import('./commands/mpc.ts')).mpcCommand,
  },
  privacy: {
    summary: 'de-pseudonymisation study of half-hourly meter data (seed ch. 5)',
    load: async () => (await import('./commands/privacy.ts')).privacyCommand,
  },
  central: {
    summary: 'the central system (head end): API server, meters, readings, commands',
    load: async () => (await import('./commands/central.ts')).centralCommand,
  },
  fleet: {
    summary: 'many emulated meters with the central system, data concentrator and market evaluators',
    load: async () => (await import('./commands/fleet.ts')).fleetCommand,
  },
  ihd: {
    summary: 'the in-home display: a live page from the meter\'s HAN frames',
    load: async () => (await import('./commands/ihd.ts')).ihdCommand,
  },
  scenario: {
    summary: 'run a scenario file (steps and timed expectations) against the emulated meter or a board',
    load: async () => (await import('./commands/scenario.ts')).scenarioCommand,
  },
};

/** Lets a later feature add its group without touching the dispatcher's logic. */
export function registeredCommands(): string[] {
  return Object.keys(commands);
}

const usage = (summaries: string) => `usage: hasm <command> [options]   (hasm <command> --help for details)
       hasm --version

commands:
${summaries}`;

export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`);
    io.err(usage(lines.join('\n')));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`hasm ${await version()}`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.err(`hasm: unknown command '${name}' (known: ${Object.keys(commands).join(', ')})`);
    return 2;
  }
  const cmd = await entry.load();
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

/** The package's version, from package.json (the one place it is kept). */
async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
