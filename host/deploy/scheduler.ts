// The protected scheduler's module (issue 20 item 3; firmware/sched/sched.s, seed §4.6.4): its code and its policy,
// both in its text, so the deployer's attestation of the module covers what it calls and routes. The policy comes
// from the descriptor, the same table the untrusted runtime gets its periodic work and routes from:
//   * periodic: every `periodic` entry of the node's other modules (every_ms in ACLK counts);
//   * routes: every connection whose both ends are modules of this node (the receiver's entry, handle_input).
// The scheduler owns Timer_A through an exclusive MMIO module (`"mmio": {"peripheral": "timer_a"}`, mmio.ts) and
// its CCR0 vector; the runtime then neither starts nor touches Timer_A (host/deploy/runtime-image.ts) and the
// deployer calls the scheduler's `start` (entry 3) instead of the runtime's periodic table.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Board, PeripheralConfig } from '../../boards/board.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import { mmioModuleName, tagPlaceholder } from '../../toolchain/sancus/module/mmio.ts';
import type { ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { MAX_EVENT, OUTBOX_SLOTS, OUTBOX_SLOT_BYTES, RUNTIME_ENTRIES } from '../../toolchain/sancus/module/runtime.ts';
import { sym } from '../../toolchain/sancus/module/stub.ts';
import type { Descriptor, ModuleDesc } from './descriptor.ts';
import { outboxOred, runtimeVectors, VECTOR_LINES } from './runtime-image.ts';

const SOURCE = fileURLToPath(new URL('../../firmware/sched/sched.s', import.meta.url));
/** The scheduler's round rate: Timer_A CCR0 every 1/8 s, as the runtime's tick (runtime-image.ts TICK_HZ). */
export const SCHED_TICK_HZ = 8;
/** The scheduler's entries a caller may use (r6): 0 attest, 3 start. */
export const SCHED_START = 3;
/** Timer_A registers as offsets in its window (MSP430x1xx family guide ch. 11: TACTL, TACCTL0, TAR, TACCR0). */
const TA = { CTL: 0x00, CCTL0: 0x02, R: 0x10, CCR0: 0x12 };
/** Timer_A's register window for the MMIO module: TACTL 0x0160 … TACCR2 0x0176 (TAIV at 0x012E stays outside). */
export const TIMER_A_WINDOW_BYTES = 0x18;
/** The scheduler's own stack: its deepest path (entry → round → callr → ocall) needs about 30 bytes. */
const DATA_STACK = 48;
const XSTACK = 64;
/** The event being delivered, copied out of the outbox (unprotected: the receiver's input path reads it). */
const EVBUF = MAX_EVENT + 8;

/**
 * The vector table the scheduler's text ends with (seed §4.6.4: "vector table inside a protected module's text"):
 * the runtime's lines (runtimeVectors: WAN receive → the runtime; Timer_A CCR0 and the violation interrupt → this
 * entry), every other line this entry too — an interrupt nobody handles costs one round, never a jump to 0xFFFF.
 */
function vectorTable(board: Board, name: string): string[] {
  const v = runtimeVectors(board, name);
  return Array.from({ length: VECTOR_LINES }, (_, line) => `  .word ${v.get(line) ?? sym(name, 'entry')} ; line ${line}`);
}

/**
 * `pending` (r12 := the mask of outbox slots holding an event, their first word non-zero; nothing else changed),
 * written out for the runtime's OUTBOX_SLOTS: the round looks at the outbox several times, mostly to find it empty
 * (issue 18 "Simulation speed"): the slots' words ORed first (7 instructions for an empty 4-slot outbox, the loop
 * before took 27), then one test per slot.
 */
function pendingRoutine(name: string): string[] {
  const slot = (k: number) => `&__em_outbox + ${k * OUTBOX_SLOT_BYTES}`;
  const done = sym(name, 'pending_done');
  const L = [`${sym(name, 'pending')}:`, ...outboxOred('r12')];
  L.push('  tst r12', `  jz ${done}`, '  clr r12'); // (mov and bis leave the flags alone)
  for (let k = 0; k < OUTBOX_SLOTS; k++) {
    L.push(`  tst ${slot(k)}`, `  jz ${sym(name, `pending${k}`)}`, `  bis #${1 << k}, r12`, `${sym(name, `pending${k}`)}:`);
  }
  L.push(`${done}:`, '  ret');
  return L;
}

export function isScheduler(m: ModuleDesc): boolean {
  return m.scheduler === true;
}

function timerA(board: Board, m: ModuleDesc, file: string): PeripheralConfig {
  const t = board.peripherals.find((p) => p.type === 'timer_a');
  if (!t) throw new InputError(`scheduler '${m.name}': board '${board.name}' has no Timer_A`, { file });
  if ((m.mmio?.peripheral ?? '') !== (t.name ?? t.type)) throw new InputError(`scheduler '${m.name}' must own Timer_A: "mmio": { "peripheral": "${t.name ?? t.type}" }`, { file });
  return t;
}

/**
 * The scheduler's naked module for node `node`: `specs` are the node's other modules' specs by name (their entry
 * lists give the periodic entries' indexes).
 */
export function schedulerSpec(d: Descriptor, m: ModuleDesc, board: Board, specs: Map<string, ModuleSpec>): ModuleSpec {
  const t = timerA(board, m, d.file);
  const aclk = Number((t as unknown as { aclk_hz?: number }).aclk_hz ?? 32768);
  const s = (w: string) => sym(m.name, w);
  const local = d.modules.filter((x) => x.node === m.node && x !== m);
  const periodic: string[] = [];
  for (const x of local) {
    for (const w of x.periodic ?? []) {
      const spec = specs.get(x.name)!;
      const i = spec.entries.findIndex((e) => (e.export ?? e.name) === w.entry);
      if (i < 0) throw new InputError(`module '${x.name}' has no entry '${w.entry}' (scheduler '${m.name}')`, { file: d.file });
      const counts = Math.round((w.every_ms * aclk) / 1000);
      if (counts < 1 || counts > 0xffff) throw new InputError(`module '${x.name}' entry '${w.entry}': every_ms ${w.every_ms} is outside the scheduler's 1..65535 ACLK counts`, { file: d.file });
      periodic.push(`  .word ${sym(x.name, 'entry')}, ${RUNTIME_ENTRIES.length + i}, ${counts} ; ${x.name}.${w.entry} every ${w.every_ms} ms`);
    }
  }
  const names = new Set(local.map((x) => x.name));
  const moduleOf = (end: string) => end.split('.')[0]!;
  // Outputs that leave the node (WAN, HAN) stay in the outbox until the runtime's tick; a receiver that may send
  // that many is delivered only when as many slots are free, else its event waits for the runtime or the next
  // round (the data-concentrator module's masked reading and three shares after the CS uplink: 5 > 4 slots).
  const leaving = (receiver: string) => Math.min(OUTBOX_SLOTS, d.connections.filter((c) => moduleOf(c.from) === receiver && !names.has(moduleOf(c.to))).length);
  const routes = d.connections
    .filter((c) => names.has(moduleOf(c.from)) && names.has(moduleOf(c.to)))
    .map((c) => `  .word ${c.id}, ${sym(moduleOf(c.to), 'entry')}, ${leaving(moduleOf(c.to))} ; ${c.from} -> ${c.to}`);
  const body = readFileSync(SOURCE, 'utf8').replaceAll('%', m.name);
  const source = [
    `; generated by host/deploy/scheduler.ts for '${m.name}' on node '${m.node}' (board '${board.name}')`,
    // `.vectors.*`: the linker places the text to end at 0xFFFE, its last words the vector table (toolchain/link).
    `  .section .vectors.sm.${m.name}, "ax"`,
    ...['entry', 'text_start', 'text_end', 'data_start', 'data_end', 'stub_end', 'runtime_end'].map((g) => `  .global ${s(g)}`),
    `  .set SCHED_TA_CTL, ${TA.CTL}`,
    `  .set SCHED_TA_CCTL0, ${TA.CCTL0}`,
    `  .set SCHED_TA_R, ${TA.R}`,
    `  .set SCHED_TA_CCR0, ${TA.CCR0}`,
    `  .set SCHED_TICK, ${Math.round(aclk / SCHED_TICK_HZ)}`,
    `  .set SCHED_OUTBOX_SLOTS, ${OUTBOX_SLOTS}`,
    `  .set SCHED_OUTBOX_SLOT, ${OUTBOX_SLOT_BYTES}`,
    `  .set SCHED_EVENT_MAX, ${MAX_EVENT + 8}`,
    `${s('text_start')}:`,
    body,
    ...pendingRoutine(m.name),
    `${s('stub_end')}:`,
    `${s('runtime_end')}:`,
    '  .even',
    `${s('periodic')}: ; the policy: entry, index, period (ACLK counts)`,
    ...periodic,
    `${s('periodic_end')}:`,
    `${s('routes')}: ; connection, receiver's entry (handle_input), its outputs that leave the node`,
    ...routes,
    `${s('routes_end')}:`,
    '  .even',
    tagPlaceholder(m.name, mmioModuleName(m.name)),
    '  .even',
    `${s('vectors')}: ; interrupt vectors 0-14 (0xFFE0-0xFFFD): immutable module text, attested with the policy`,
    ...vectorTable(board, m.name),
    `${s('text_end')}:`,
    `  .section .data.sm.${m.name}, "aw"`,
    '  .even',
    `${s('data_start')}:`,
    `${s('usp')}: .word 0`,
    `${s('ssp')}: .word 0`,
    `${s('regs')}: .space 24`,
    `${s('armed')}: .word 0`,
    `${s('last')}: .word 0`,
    `${s('due')}: .word 0`,
    `${s('ticked')}: .word 0`,
    `${s('since')}: .word 0`,
    `${s('soon')}: .word 0`,
    `${s('rtmask')}: .word 0`,
    `${s('dropped')}: .word 0`,
    `${s('dropmode')}: .word 0`,
    `${s('mmio_id')}: .word 0`,
    `${s('buf')}: .space 16`,
    `${s('left')}: .space ${Math.max(2, 2 * periodic.length)}`,
    `${s('stack')}: .space ${DATA_STACK}`,
    `${s('stack_top')}:`,
    `${s('data_end')}:`,
    // The call-out stack: unprotected (the callees' stubs push their caller frame there), used only while the
    // scheduler runs with interrupts off, so nothing else can touch it meanwhile.
    '  .section .bss, "aw"',
    '  .even',
    `${s('xstack')}: .space ${XSTACK}`,
    `${s('xstack_top')}:`,
    `${s('evbuf')}: .space ${EVBUF}`,
    '',
  ].join('\n');
  return {
    name: m.name,
    vendorId: m.vendor_id,
    source,
    file: SOURCE,
    entries: [{ name: s('entry') }],
    naked: true,
    verifies: [mmioModuleName(m.name)],
  };
}
