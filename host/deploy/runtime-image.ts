// A node image with the untrusted firmware runtime (firmware/runtime: index.ts in AssemblyScript + platform.s) and
// the node's modules (issue 18 item 4). The platform layer gets the board's facts as assembler constants: which
// UART is the WAN (the one named "wan", else the first) and which the HAN (named "han", optional, transmit-only),
// their dividers, Timer_A for the runtime's tick, the stack top, and the interrupt vectors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Board, PeripheralConfig } from '../../boards/board.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import type { NodeImage } from '../../toolchain/sancus/module/node-image.ts';
import type { ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { OUTBOX_SLOTS, OUTBOX_SLOT_BYTES } from '../../toolchain/sancus/module/runtime.ts';
import { linkNodeOnce } from './build.ts';
import { compileAs } from './compile-as.ts';

export const RUNTIME_DIR = fileURLToPath(new URL('../../firmware/runtime/', import.meta.url));
const PLATFORM = fileURLToPath(new URL('../../firmware/runtime/platform.s', import.meta.url));
/** Runtime ticks per second (Timer_A CCR0 on ACLK). */
export const TICK_HZ = 8;
/** Symbol the runtime passes once its main loop is about to start (the debug loader stops there). */
export const RUNTIME_READY = 'rt_ready';
const RX_RING = 128;
/** The runtime's stack (its deepest path: main → dispatch → call → a module's entry, which pushes 18 bytes). */
const STACK_BYTES = 320;

export interface RuntimeBoard {
  wan: PeripheralConfig;
  han?: PeripheralConfig;
  timer: PeripheralConfig;
}

export function runtimeBoard(board: Board): RuntimeBoard {
  const uarts = board.peripherals.filter((p) => p.type === 'uart');
  const wan = uarts.find((u) => u.name === 'wan') ?? uarts[0];
  if (!wan) throw new InputError(`board '${board.name}' has no UART for the runtime's WAN line`);
  const han = uarts.find((u) => u.name === 'han' && u !== wan);
  const timer = board.peripherals.find((p) => p.type === 'timer_a');
  if (!timer) throw new InputError(`board '${board.name}' has no Timer_A for the runtime's tick`);
  return { wan, han, timer };
}

const num = (p: PeripheralConfig, k: string, d: number): number => {
  const v = (p as unknown as Record<string, unknown>)[k];
  return v === undefined ? d : typeof v === 'string' ? Number(v) : (v as number);
};

/** Interrupt lines 0–14 (vectors 0xFFE0–0xFFFC); line 15 is the reset vector. */
export const VECTOR_LINES = 15;
/** The Sancus violation interrupt's line (vector 0xFFFA) on `violation: irq` boards. */
const VIOLATION_LINE = 13;

/**
 * The node's interrupt vectors 0–14 for the firmware runtime, line → handler: the one table both the runtime's
 * platform layer (no scheduler) and the protected scheduler's text (host/deploy/scheduler.ts) are written from.
 * With a scheduler (`scheduler`, its name) Timer_A's CCR0 and the Sancus violation interrupt are its entry (a
 * refused access costs the attacker one scheduler round, not the node a reset); without one, a violation interrupt
 * resets the node from the runtime (`__rt_violation_reset`), as a RESET_ON_VIOLATION core would.
 */
export function runtimeVectors(board: Board, scheduler?: string): Map<number, string> {
  const rb = runtimeBoard(board);
  const v = new Map<number, string>();
  v.set(num(rb.wan, 'irq_rx', 7), '__rt_wan_rx_isr');
  v.set(num(rb.timer, 'irq_ccr0', 9), scheduler ? `__sm_${scheduler}_entry` : '__rt_timer_isr');
  if (scheduler) v.set(VIOLATION_LINE, `__sm_${scheduler}_entry`);
  else if (board.sancus?.violation === 'irq') v.set(VIOLATION_LINE, '__rt_violation_reset');
  return v;
}

/**
 * Without a protected scheduler, a `violation: irq` board's violation interrupt resets the node: a write to
 * WDTCTL without its password is a PUC (MSP430x1xx family guide §10.2.1), every module gone as after a
 * RESET_ON_VIOLATION core's reset.
 */
function violationReset(board: Board): string[] {
  if (board.sancus?.violation !== 'irq') return [];
  const wdt = board.peripherals.find((p) => p.type === 'watchdog');
  if (!wdt) throw new InputError(`board '${board.name}' takes Sancus violations as an interrupt (violation: irq) but has no watchdog for the runtime to reset the node with: deploy a protected scheduler ("scheduler": true)`);
  return ['  .text', '__rt_violation_reset:', `  mov #0, &0x${wdt.base.toString(16)} ; no password: a PUC`];
}

/**
 * The platform layer's source for a board: generated constants and vectors, then platform.s. With a protected
 * scheduler module (`scheduler`, its name: host/deploy/scheduler.ts) the vectors 0–14 are the last words of the
 * scheduler's text (runtimeVectors: immutable, attested with its policy) and only the reset vector is the
 * runtime's; the runtime's own Timer_A code is left out (the timer is the scheduler's exclusive MMIO). Without
 * `untrusted` code linked in, rt_untrusted is a bare return (its register saves and the call of the empty `attack`
 * are left out: they ran eight times a second).
 */
export function platformAssembly(board: Board, scheduler?: string, untrusted = true): string {
  const rb = runtimeBoard(board);
  const clock = board.cpu.clock_hz;
  const div = (u: PeripheralConfig) => Math.max(1, Math.round(clock / num(u, 'baud', 115200)) - 1);
  const aclk = num(rb.timer, 'aclk_hz', 32768);
  const consts: Record<string, number> = {
    WAN_BASE: rb.wan.base, WAN_BAUD: div(rb.wan), HAN_BASE: rb.han?.base ?? 0, HAN_BAUD: rb.han ? div(rb.han) : 0,
    TIMER_BASE: rb.timer.base, TICK_CCR0: Math.round(aclk / TICK_HZ) - 1, STACK_BYTES,
    RX_RING, OUTBOX_BYTES: OUTBOX_SLOTS * OUTBOX_SLOT_BYTES,
  };
  const vec = (irq: number, isr: string) => [`  .section __interrupt_vector_${irq + 1},"ax",@progbits`, `  .word ${isr}`];
  const head = [
    `; generated for board '${board.name}' by host/deploy/runtime-image.ts`,
    ...Object.entries(consts).map(([k, v]) => `  .set ${k}, 0x${v.toString(16)}`),
    ...(scheduler ? [] : [...runtimeVectors(board)].flatMap(([irq, isr]) => vec(irq, isr))),
    ...(scheduler ? [] : violationReset(board)),
    ...vec(15, '__rt_start'),
  ];
  let body = readFileSync(PLATFORM, 'utf8');
  if (!rb.han) body = body.replace(/^\s*; @if HAN$[\s\S]*?^\s*; @endif$/gm, '');
  if (scheduler) body = body.replace(/^\s*; @if TIMER$[\s\S]*?^\s*; @endif$/gm, '');
  if (!untrusted) body = body.replace(/^\s*; @if UNTRUSTED$[\s\S]*?^\s*; @endif$/gm, '');
  body = body.replace(/^\s*; @outbox-or (r\d+)\b.*$/gm, (_, reg: string) => outboxOred(reg).join('\n'));
  return head.join('\n') + '\n' + body;
}

const compiled = new Map<string, Promise<string>>();

/** The runtime's compiled assembly for a board (compiled once per process and board). */
export function runtimeUnit(board: Board): Promise<string> {
  let p = compiled.get(board.name);
  if (!p) {
    p = compileAs(RUNTIME_DIR, board).then((r) => r.backend.asm);
    compiled.set(board.name, p);
  }
  return p;
}

/**
 * `reg` := every outbox slot's first word ("full") ORed, for the slot count of the module runtime (OUTBOX_SLOTS):
 * the quick "is anything pending" of the runtime's idle loop and of the protected scheduler's round (scheduler.ts),
 * one instruction per slot, no loop. Leaves the flags as they were (mov, bis): the caller tests `reg`.
 */
export function outboxOred(reg: string): string[] {
  const slot = (k: number) => `&__em_outbox + ${k * OUTBOX_SLOT_BYTES}`;
  return Array.from({ length: OUTBOX_SLOTS }, (_, k) => `  ${k ? 'bis' : 'mov'} ${slot(k)}, ${reg}`);
}

/** Untrusted code linked into the runtime (`hasm meter run --untrusted FILE.s`): must define a global `attack`. */
export interface UntrustedCode {
  source: string;
  file: string;
}

const NO_ATTACK = { source: '  .text\n  .global attack\nattack:\n  ret\n', file: '<no untrusted code>' };

export async function buildRuntimeNodeImage(board: Board, modules: ModuleSpec[], untrusted?: UntrustedCode, scheduler?: string): Promise<NodeImage> {
  const unit = await runtimeUnit(board);
  return linkNodeOnce(board, [{ source: platformAssembly(board, scheduler, untrusted !== undefined), file: 'firmware/runtime/platform.s' }, { source: unit, file: 'firmware/runtime/index.ts.s' }, untrusted ?? NO_ATTACK], modules);
}
