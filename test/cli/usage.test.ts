// What a first user trips on at the command line (issue 15 item 3): one clean line for a bad flag, in every
// command, and help texts that document what the commands take. In-process through main(), with a captured io.
import { describe, expect, it } from 'vitest';
import { main } from '../../host/cli/main.ts';
import { usageMessage } from '../../host/cli/command.ts';
import { parseArgs } from 'node:util';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

async function hasm(...argv: string[]) {
  const c = capture();
  const status = await main(argv, c.io);
  return { status, stdout: c.out.join('\n'), stderr: c.err.join('\n') };
}

describe('hasm usage errors', () => {
  // Every command, sub-commands included: the flag parser is shared, so each one must answer the same way.
  const commands = [['as'], ['disas'], ['objcopy'], ['run'], ['deploy'], ['sancus', 'wrap'], ['sancus', 'permute'], ['mpc', 'auction'], ['privacy', 'attack']];
  for (const cmd of commands) {
    it(`hasm ${cmd.join(' ')} --foo: one line naming the flag, exit 2`, async () => {
      const r = await hasm(...cmd, '--foo');
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`hasm ${cmd[0]}: unknown option '--foo' (hasm ${cmd[0]} --help for usage)`);
      expect(r.stdout).toBe('');
    });
  }

  it('a flag without its value, a value on a boolean flag, a stray argument', async () => {
    expect((await hasm('run', 'x.elf', '--max-cycles')).stderr).toBe(`hasm run: option '--max-cycles' needs a value (hasm run --help for usage)`);
    expect((await hasm('as', 'x.s', '-o')).stderr).toBe(`hasm as: option '--output' needs a value (hasm as --help for usage)`);
    expect((await hasm('run', 'x.elf', '--json=yes')).stderr).toBe(`hasm run: option '--json' takes no value (hasm run --help for usage)`);
    expect((await hasm('sancus', 'wrap', 'extra')).stderr).toBe(`hasm sancus: unexpected argument 'extra' (hasm sancus --help for usage)`);
  });

  it('hasm meter run --dlms-profile: a known profile, and only with the WAN port a head-end reaches', async () => {
    expect((await hasm('meter', 'run', '--dlms-profile', 'x', '--uart', 'wan=tcp:5000')).stderr).toBe(`hasm meter: --dlms-profile: expected hardened or standard, got 'x' (hasm meter --help for usage)`);
    const r = await hasm('meter', 'run', 'firmware/meter-dlms.json', '--dlms-profile', 'standard');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--dlms-profile .* needs --uart wan=tcp:PORT/);
  });

  it("parseArgs's own text never reaches the user", () => {
    const parse = (args: string[]) => {
      try {
        parseArgs({ args, options: { board: { type: 'string' } }, allowPositionals: true, strict: true });
      } catch (e) {
        return usageMessage(e as Error);
      }
      throw new Error('parsed');
    };
    expect(parse(['--board', '--json'])).toBe(`option '--board' needs a value (write --board=VALUE for one that starts with '-')`);
    expect(parse(['-q'])).toBe(`unknown option '-q'`);
  });
});

describe('help texts', () => {
  it('run --help documents --call', async () => {
    const r = await hasm('run', '--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/hasm run IMAGE --call NAME \[ARG \.\.\.\]/);
    expect(r.stderr).toMatch(/^ {2}--call NAME ARG…/m);
  });

  it('build --help shows --board as optional, with its default', async () => {
    const r = await hasm('build', '--help');
    expect(r.status).toBe(0);
    const synopsis = r.stderr.split('\n\n')[0]!;
    expect(synopsis).toContain('[--board boards/emulated.json]');
    expect(synopsis).not.toMatch(/ --board B /);
  });
});
