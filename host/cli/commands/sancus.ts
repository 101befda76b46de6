import { OperationError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseHexBytes, parseInteger, toHex } from '../../../toolchain/common/numbers.ts';
import { deriveModuleKeyFromVendorKey, deriveVendorKey, type ModuleLayout } from '../../../toolchain/sancus/keys.ts';
import { KEY_BYTES, TAG_BYTES } from '../../../toolchain/sancus/params.ts';
import { SPONGENT_BYTES, spongentPermute } from '../../../toolchain/sancus/spongent.ts';
import { mac, unwrap, wrap, type WrapOptions } from '../../../toolchain/sancus/spongewrap.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

// `hasm sancus …` (../shared/CLI.md § Sancus): the Sancus crypto of the default build (SECURITY = 64) as the core
// computes it. --library switches wrap/unwrap/mac to the C library's byte-granular semantics (sancus-crypto).

const HELP = `usage: hasm sancus <permute|wrap|unwrap|mac|vendor-key|module-key> … [--json]

  permute STATE                                   one 176-bit SPONGENT permutation of a 22-byte state  → {"state"}
  wrap --key K --ad HEX --body HEX                SpongeWrap as the core's wrap instruction             → {"cipher","tag"}
  unwrap --key K --ad HEX --cipher HEX --tag HEX  decrypt and check the tag (exit 1 on mismatch)        → {"body"}
  mac --key K HEX                                 the tag of HEX with an empty body                     → {"tag"}
  vendor-key --node-key K --vendor ID             MAC(node key, vendor id little-endian)                → {"key"}
  module-key --vendor-key K --text HEX --layout TS:TE:DS:DE
                                                  MAC(vendor key, text ‖ the four addresses LE)         → {"key"}

Keys and tags are 8 bytes of hex; ID and addresses decimal or 0x-hex.
Hardware semantics (default): ranges are whole 16-bit words, so an odd-length AD or body also takes the byte after
it (00 here) and the cipher has the rounded-up length; with empty AD the core writes no cipher and a tag unrelated
to the library's. --library gives the C library (sancus-crypto, libspongent) instead; the two agree on even
lengths with non-empty AD.`;

const keyFlag = (text: string | undefined, flag: string, size = KEY_BYTES): Uint8Array => {
  if (text === undefined) throw new UsageError(`${flag} is required`);
  const b = parseHexBytes(text, flag);
  if (b.length !== size) throw new UsageError(`${flag}: expected ${size} bytes (${2 * size} hex digits), got ${b.length}`);
  return b;
};

const hexFlag = (text: string | undefined, flag: string): Uint8Array => {
  if (text === undefined) throw new UsageError(`${flag} is required`);
  return parseHexBytes(text, flag);
};

function parseLayout(text: string | undefined): ModuleLayout {
  if (text === undefined) throw new UsageError('--layout TS:TE:DS:DE is required');
  const parts = text.split(':');
  if (parts.length !== 4) throw new UsageError(`--layout: expected TS:TE:DS:DE, got '${text}'`);
  const [textStart, textEnd, dataStart, dataEnd] = parts.map((p, i) => {
    const v = parseInteger(p, `--layout field ${i + 1}`);
    if (v < 0 || v > 0xffff) throw new UsageError(`--layout: ${p} is not a 16-bit address`);
    return v;
  }) as [number, number, number, number];
  return { textStart, textEnd, dataStart, dataEnd };
}

/** Prints the result: one JSON object with --json, else `name: value` lines. */
function emit(io: CommandIO, json: boolean | undefined, result: Record<string, string>): number {
  if (json) printJson(io, result);
  else for (const [k, v] of Object.entries(result)) io.out(`${k}: ${v}`);
  return 0;
}

function semantics(library: boolean | undefined): WrapOptions {
  return { semantics: library ? 'library' : 'hardware' };
}

function noteHardware(io: CommandIO, opts: WrapOptions, ad: Uint8Array, body: Uint8Array): void {
  if (opts.semantics === 'library') return;
  if (ad.length === 0) io.err('note: empty AD — the core writes no cipher and its tag differs from the library (see --help)');
  if (ad.length % 2 || body.length % 2) io.err('note: odd length — the core works on whole 16-bit words; the missing byte is taken as 00');
}

const common = { json: { type: 'boolean' }, library: { type: 'boolean' } } as const;

const subcommands: Record<string, (argv: string[], io: CommandIO) => number> = {
  permute(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected one STATE (22 bytes of hex)');
    const state = keyFlag(positionals[0], 'STATE', SPONGENT_BYTES);
    return emit(io, values.json, { state: toHex(spongentPermute(state)) });
  },
  wrap(argv, io) {
    const { values, positionals } = parseFlags(argv, { ...common, key: { type: 'string' }, ad: { type: 'string' }, body: { type: 'string' } }, false);
    void positionals;
    const key = keyFlag(values.key, '--key');
    const ad = hexFlag(values.ad, '--ad');
    const body = hexFlag(values.body, '--body');
    const opts = semantics(values.library);
    noteHardware(io, opts, ad, body);
    const r = wrap(key, ad, body, opts);
    return emit(io, values.json, { cipher: toHex(r.cipher), tag: toHex(r.tag) });
  },
  unwrap(argv, io) {
    const { values } = parseFlags(argv, { ...common, key: { type: 'string' }, ad: { type: 'string' }, cipher: { type: 'string' }, tag: { type: 'string' } }, false);
    const key = keyFlag(values.key, '--key');
    const ad = hexFlag(values.ad, '--ad');
    const cipher = hexFlag(values.cipher, '--cipher');
    const tag = keyFlag(values.tag, '--tag', TAG_BYTES);
    const opts = semantics(values.library);
    noteHardware(io, opts, ad, cipher);
    const body = unwrap(key, ad, cipher, tag, opts);
    if (body === null) throw new OperationError('tag mismatch: the message is not authentic under this key');
    return emit(io, values.json, { body: toHex(body) });
  },
  mac(argv, io) {
    const { values, positionals } = parseFlags(argv, { ...common, key: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('expected one message (hex; "" for empty)');
    const key = keyFlag(values.key, '--key');
    const msg = hexFlag(positionals[0], 'message');
    const opts = semantics(values.library);
    if (!values.library && msg.length === 0) io.err('note: empty message — on the core this tag does not depend on the key');
    noteHardware(io, opts, msg.length === 0 ? new Uint8Array(2) : msg, new Uint8Array(0));
    return emit(io, values.json, { tag: toHex(mac(key, msg, opts)) });
  },
  'vendor-key'(argv, io) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' }, 'node-key': { type: 'string' }, vendor: { type: 'string' } }, false);
    const nodeKey = keyFlag(values['node-key'], '--node-key');
    if (values.vendor === undefined) throw new UsageError('--vendor ID is required');
    const id = parseInteger(values.vendor, '--vendor');
    if (id < 0 || id > 0xffff) throw new UsageError(`--vendor: ${values.vendor} is not a 16-bit id`);
    return emit(io, values.json, { key: toHex(deriveVendorKey(nodeKey, id)) });
  },
  'module-key'(argv, io) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' }, 'vendor-key': { type: 'string' }, text: { type: 'string' }, layout: { type: 'string' } }, false);
    const vendorKey = keyFlag(values['vendor-key'], '--vendor-key');
    const text = hexFlag(values.text, '--text');
    const layout = parseLayout(values.layout);
    if (layout.textEnd - layout.textStart !== text.length) {
      throw new UsageError(`--text is ${text.length} bytes but --layout's text range TS:TE spans ${layout.textEnd - layout.textStart}`);
    }
    return emit(io, values.json, { key: toHex(deriveModuleKeyFromVendorKey(vendorKey, text, layout)) });
  },
};

export const sancusCommand: Command = {
  summary: 'Sancus crypto: SPONGENT, SpongeWrap wrap/unwrap/MAC, vendor and module keys',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError(`expected a subcommand: ${Object.keys(subcommands).join(', ')}`);
    const fn = subcommands[sub];
    if (!fn) throw new UsageError(`unknown subcommand '${sub}' (known: ${Object.keys(subcommands).join(', ')})`);
    return fn(rest, io);
  },
};
