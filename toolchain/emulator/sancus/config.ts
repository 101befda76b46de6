// The Sancus parameters of a board (boards/schema.json `sancus`), as the core's build configuration fixes them
// (sancus-core core/rtl/verilog/config.v.in: NB_SPMS, MASTER_KEY, SECURITY; RESET_ON_VIOLATION; ATOMICITY_MONITOR).
import type { Board } from '../../../boards/board.ts';
import { InputError } from '../../common/errors.ts';
import { DEFAULT_NODE_KEY } from '../../sancus/index.ts';

export type ViolationPolicy = 'reset' | 'irq';

export interface SancusConfig {
  /** Module slots (NB_SPMS). */
  modules: number;
  /** Node master key, 8 bytes in memory order. */
  nodeKey: Uint8Array;
  /** reset: a violation is a PUC; irq: the non-maskable violation interrupt (line 13). */
  violation: ViolationPolicy;
  /** SM_CLIX exists only in ATOMICITY_MONITOR builds. */
  atomicityMonitor: boolean;
  /**
   * A refused access at a peripheral address: 'performed' as sancus-core b6b53bb does (omsp_mem_backbone.v gates
   * dmem and pmem with ~sm_violation but not eu_per_en: the write lands, the read happens and returns 0), or
   * 'suppressed' (the same gate on eu_per_en: a core that protects exclusive MMIO ranges as it protects RAM).
   */
  peripheralViolation: 'performed' | 'suppressed';
  /** Bounded interrupt masking and interruptible modules (secure-irq.ts); false: the core as shipped. */
  secureIrq: boolean;
  /** With secureIrq (else false): only SM 1 masks without bound, modules too are bounded (SANCUS_RESTRICT_GIE; secure-irq.ts). */
  restrictGie: boolean;
}

/** sancus-core's CMake default: 4 module slots. */
export const DEFAULT_SLOTS = 4;

/** The board's Sancus configuration, or undefined for a plain openMSP430 (no `sancus` object). */
export function sancusConfig(board: Board): SancusConfig | undefined {
  const s = board.sancus;
  if (!s) return undefined;
  const key = (s.node_key as string | undefined) ?? undefined;
  let nodeKey = DEFAULT_NODE_KEY;
  if (key !== undefined) {
    if (!/^[0-9a-fA-F]{16}$/.test(key)) throw new InputError(`sancus.node_key must be 16 hex digits, got '${key}'`, { file: board.file });
    nodeKey = Uint8Array.from(key.match(/../g)!.map((h) => parseInt(h, 16)));
  }
  const config: SancusConfig = {
    modules: (s.modules as number | undefined) ?? DEFAULT_SLOTS,
    nodeKey,
    violation: (s.violation as ViolationPolicy | undefined) ?? 'reset',
    atomicityMonitor: (s.atomicity_monitor as boolean | undefined) ?? false,
    peripheralViolation: (s.peripheral_violation as 'performed' | 'suppressed' | undefined) ?? 'performed',
    secureIrq: (s.secure_irq as boolean | undefined) ?? false,
    // restrict_gie refines secure_irq's bound (whom it spares): a core without secure_irq has no bound to refine.
    restrictGie: ((s.secure_irq as boolean | undefined) ?? false) && ((s.restrict_gie as boolean | undefined) ?? false),
  };
  return config;
}
