// The atomicity monitor of ATOMICITY_MONITOR builds (sancus-core b6b53bb core/rtl/verilog/omsp_atomicity_monitor.v,
// wired in omsp_execution_unit.v lines 222–244): SM_CLIX (0x1389) holds interrupts off for a number of cycles
// taken from r15. Cycle-level facts, all from that RTL:
//
// * The clix instruction takes 2 cycles, E_EXEC then one E_SPM: every Sancus command sets `exec_spm`
//   (omsp_frontend.v line 942), E_EXEC goes to E_SPM (line 1008) and, the crypto unit not being started for clix
//   (omsp_execution_unit.v line 661 lists no SM_CLIX), E_SPM leaves at once (line 1010, exec_done line 1034).
//   `sm_command` is latched at decode (omsp_frontend.v lines 631–637), so `inst_clix` is high in both cycles.
// * Length: N = r15[14:0] (ATOM_CNT_WIDTH = clog2(ATOM_BOUND) + 1 = 15 bits, monitor lines 25–29). N > ATOM_BOUND
//   (10000, openMSP430_defines.v line 665) is a violation (monitor line 122).
// * Counting (monitor lines 57–70): in the clix's first cycle C the monitor loads the counter with N; from cycle C+1
//   it is inside the section and counts down one per cycle; it finishes in the cycle C+1+N where the counter is 0,
//   or earlier in the first cycle in which SR.GIE reads 1 ("a request to end the clix", line 38) or the CPU is
//   taking an interrupt (`handling_irq`, line 41: the violation interrupt).
// * gie (monitor lines 111–119): 0 while `inst_clix` (cycles C, C+1) and inside the section before it finishes;
//   in the finishing cycle it is forced to 1 (`r2_gie | clix_finished`), even with SR.GIE = 0, then it is SR.GIE
//   again. The interrupt logic samples gie in an instruction's last cycle (omsp_frontend.v lines 347–350), so an
//   interrupt is held off after every instruction whose last cycle lies in [C, C + max(N, 1)], and one pending at
//   the boundary whose last cycle is exactly C+1+N is taken even with GIE clear (a quirk of the RTL, kept).
// * Violations (monitor line 122–123): a clix while already inside a section (`inside_clix_prev`), a clix with
//   N > ATOM_BOUND, and entering a protected module while inside a section (`enter_sm & inside_clix`). They go
//   through `violation` like any Sancus violation (omsp_execution_unit.v line 208), so the board's policy applies.
// * A PUC resets the monitor (line 50).
import { SR_GIE } from '../alu.ts';

/** openMSP430_defines.v line 665: the longest clix section. */
export const ATOM_BOUND = 10000;
/** monitor line 25: the counter width, clog2(ATOM_BOUND) + 1. */
export const ATOM_CNT_MASK = (1 << 15) - 1;
/** Cycles of the clix instruction itself: E_EXEC + one E_SPM. */
export const CLIX_CYCLES = 2;

export class AtomicityMonitor {
  /** A clix section is open, or closed so recently that `inside_clix_prev` still reads 1. */
  active = false;
  /** Cycle C: the clix's E_EXEC cycle. */
  private start = 0;
  /** Last cycle with `inside_clix` = 1: C+1+N, or the earlier cycle in which SR.GIE read 1. */
  private end = 0;

  reset(): void {
    this.active = false;
  }

  /**
   * SM_CLIX executed with its E_EXEC cycle at `cycle`. Returns the violation it raises, if any: nesting (a section
   * open in the cycle before, `inside_clix_prev`) or a length above ATOM_BOUND. A nested clix does not restart the
   * counter (monitor line 57: an open section takes the decrement branch).
   */
  clix(cycle: number, r15: number): 'nested' | 'bound' | undefined {
    const n = r15 & ATOM_CNT_MASK;
    if (this.inside(cycle - 1)) return 'nested';
    this.active = true;
    this.start = cycle;
    this.end = cycle + 1 + n;
    return n > ATOM_BOUND ? 'bound' : undefined;
  }

  /** The section's finishing cycle (its last with `inside_clix` = 1). */
  get finish(): number {
    return this.end;
  }

  /** `inside_clix` in cycle t. */
  inside(t: number): boolean {
    return this.active && t >= this.start + 1 && t <= this.end;
  }

  /**
   * Before the instruction fetched in cycle `cycle`, with SR.GIE as it reads in that cycle (an instruction's own
   * SR write lands after its last cycle): a set GIE finishes an open section in this cycle (monitor line 41). The
   * clix's own cycles are behind us here, so inst_clix no longer masks that finishing cycle.
   */
  beforeFetch(cycle: number, srGie: boolean): void {
    if (!this.active) return;
    if (cycle > this.end + 1) this.active = false;
    else if (srGie && cycle <= this.end) this.end = cycle;
  }

  /** gie as the interrupt logic sees it at the end of an instruction whose last cycle is `last` (0 or SR_GIE). */
  gate(gie: number, last: number): number {
    if (!this.active) return gie;
    // inst_clix masks C and C+1; the open section masks up to the cycle before it finishes.
    if (last >= this.start && last <= Math.max(this.end - 1, this.start + 1)) return 0;
    // The finishing cycle: gie = r2_gie | clix_finished (monitor line 111), unless inst_clix (N = 0).
    if (last === this.end && this.end >= this.start + 2) return SR_GIE;
    return gie;
  }
}
