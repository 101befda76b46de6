import { UsageError } from '../../../toolchain/common/errors.ts';
import { loadDescriptor } from '../../deploy/descriptor.ts';
import { deploy, type DeployReport } from '../../deploy/deploy.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

// `hasm deploy DESCRIPTOR.json [--json]` (../shared/CLI.md § Sancus): load, protect, attest and key the modules
// of a deployment descriptor on emulated nodes, then run its script. Exit 1 when attestation fails, a module
// refuses its key, an expected result differs, a forged/replayed event is accepted or a violation occurred.

const HELP = `usage: hasm deploy DESCRIPTOR.json [--json]

Builds each node's image (node runtime + the modules placed on it), loads it on an emulated Sancus node,
enables every module, attests each with a fresh 16-byte challenge (MAC under the module key the deployer
derives), installs a fresh key per connection wrapped under both ends' module keys, then runs the script:
  {"call": "MODULE.ENTRY", "args": [..], "expect": V}   output events are routed by the untrusted event manager
  {"forge": CONN, "payload": HEX}                       the event manager injects an event with a made-up tag
  {"replay": CONN}                                      the event manager re-sends the connection's last event
Descriptor format: host/deploy/README.md, schema host/deploy/descriptor.schema.json.
Example: hasm deploy host/deploy/examples/two-modules.json`;

function human(io: CommandIO, r: DeployReport): void {
  for (const m of r.modules) {
    io.err(`module ${m.name} on ${m.node}: id ${m.id}, text ${m.layout.text_start}..${m.layout.text_end} (${m.text_bytes} B), data ${m.layout.data_start}..${m.layout.data_end}${m.confidential ? ', loaded confidentially' : ''}`);
    io.err(`  TCB ${m.tcb.text} B text (stub ${m.tcb.stub}, runtime ${m.tcb.runtime}, code ${m.tcb.code}), ${m.tcb.data} B data`);
    io.err(`  attested: challenge ${m.attestation.challenge} → tag ${m.attestation.tag} ${m.attestation.ok ? 'ok' : 'MISMATCH'} (${m.attestation.cycles} cycles)`);
  }
  for (const c of r.connections) {
    const host = [c.from, c.to].find((e) => e.startsWith('wan.'));
    io.err(`connection ${c.id}: ${c.from} → ${c.to}, key installed ${host ? `at the module; ${host}'s end held by the host` : 'at both ends'}`);
  }
  for (const s of r.startup) {
    const ms = (c: number) => `${((c / s.clock_hz) * 1000).toFixed(1)} ms`;
    io.err(`start-up of ${s.node}: load ${ms(s.load_cycles)}, protect ${ms(s.protect_cycles)}, attest ${ms(s.attest_cycles)}, key ${ms(s.key_cycles)}: ${ms(s.total_cycles)} at ${s.clock_hz / 1e6} MHz`);
  }
  for (const s of r.script) {
    const res = s.result === undefined ? '' : ` → ${s.result}${s.expected !== undefined ? ` (expected ${s.expected})` : ''}`;
    io.err(`[${s.step}] ${s.what}${res}${s.ok ? '' : '  ✗'}`);
    for (const e of s.events) io.err(`      event on connection ${e.connection}: ${e.sealed} ${e.accepted ? 'accepted' : 'REFUSED'}`);
  }
  for (const v of r.violations) io.err(`violation: ${v}`);
  io.err(r.ok ? 'deploy: ok' : 'deploy: FAILED');
}

export const deployCommand: Command = {
  summary: 'load, protect, attest and connect Sancus modules on emulated nodes',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('hasm deploy: expected one DESCRIPTOR.json');
    const report = await deploy(loadDescriptor(positionals[0]!));
    if (values.json) printJson(io, report);
    else human(io, report);
    return report.ok ? 0 : 1;
  },
};
