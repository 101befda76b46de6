// Secure interrupts of boards with `sancus.secure_irq` (issue 20 item 3; seed §4.6.4 "Availability and real-time
// guarantees": no unconditional interrupt disabling, only bounded atomic sections; interruptible protected modules).
// A model of what later sancus-core builds add to the shipped core, not of the shipped core (boards/openmsp430.json
// keeps that exactly); README.md "Secure interrupts" names the RTL each rule follows and where this model differs.
//
// 1. Bounded masking. With SANCUS_RESTRICT_GIE (omsp_register_file.v lines 281–290) code outside the privileged
//    module cannot clear GIE at all and gets atomicity only through SM_CLIX, at most ATOM_BOUND cycles
//    (omsp_atomicity_monitor.v). Here a clear GIE in unprotected code is honoured as such a section: an interrupt
//    pending while it is clear is held off at most ATOM_BOUND cycles, then taken as if GIE were set (asleep or
//    not). The runtime's own `dint … eint` sections (a few instructions) keep working unchanged; `dint` for ever
//    delays the interrupt by ATOM_BOUND cycles (0.5 ms at 20 MHz). Without `restrict_gie`, code inside a protected
//    module may keep interrupts off (its run is bounded by its attested text): the stubs' atomic entries stay.
//    With `restrict_gie` (SANCUS_RESTRICT_GIE proper): only SM 1 — priv_mode, sm_current_id == 1
//    (omsp_execution_unit.v line 219), the protected scheduler — holds interrupts off without bound: the RTL masks
//    them while SM 1 executes (omsp_atomicity_monitor.v `~(priv_mode & sm_executing)`, line 112), and a module SM 1
//    enters keeps the clear GIE it inherits (it cannot clear GIE itself, nor do our stubs set it). Every other
//    context — unprotected code and a module entered from it — gets at most ATOM_BOUND cycles; a module interrupted
//    mid-run is saved and resumed as in 2.
// 2. Interruptible modules. sancus-core's E_IRQ_EXT / E_IRQ_SSA states (omsp_frontend.v lines 960–990,
//    omsp_execution_unit.v lines 362–421, 672) save an interrupted module's registers in its state save area and
//    clear them before vectoring, and the handler's RETI goes to the module's entry (sm_reti_id, SM_REQ_PUBSTART),
//    whose own code restores them (core/sim/rtl_sim/src/sancus/sm_irq.s43). Here the unit keeps the saved registers
//    (not the module's data: our stubs carry no restore code), the frame is pushed on the stack the module was
//    entered with, below the caller's SR and r4–r11 that our stubs' entry saves there (CALLER_FRAME_BYTES; the RTL
//    sets SP to 0 and leaves the handler to find one), and the unit restores the registers
//    when that frame's RETI reaches the entry — the SP back where the frame was pushed. Any other entry of the
//    module starts a fresh call and leaves the saved registers for that RETI (the choice sm_irq.s43 leaves to the
//    module's entry code): the handler — the protected scheduler — may call the module it interrupted, and the
//    interrupted call still resumes afterwards. A second interrupt of the module (that fresh call, interrupted in
//    turn) saves its registers beside the first's, its frame lower on the stack: each frame's RETI resumes the call
//    whose frame it is, matched by the SP it comes back with. A RETI that matches none enters afresh with the
//    cleared registers, which leave r6 (our stubs' entry index) at 0xFFFF, a bad index: that call returns at once.
//    Safe for our stubs because they are only ever interrupted before their `dint` (no module state touched yet)
//    or, with restrict_gie, mid-run (then a fresh call is refused, below); a module running with interrupts on
//    would have to guard its own re-entry.
import { SR_GIE } from '../alu.ts';
import type { Machine } from '../machine.ts';
import { OperationError } from '../../common/errors.ts';
import { ATOM_BOUND } from './atomicity.ts';
import { CALLER_FRAME_BYTES } from '../../sancus/module/stub.ts';

/** What the hardware saved of a module interrupted inside its text. */
interface SavedContext {
  /** r0–r15 as they were (r0: the next instruction of the module). */
  regs: Uint16Array;
  /** SP the interrupt frame was pushed below: the stack the module was entered with. */
  sp: number;
  /** Accepted with GIE clear (a bound that ran out, restrict_gie): the module was stopped after its `dint`. */
  midRun: boolean;
}

/** The unit's side the model needs: the module of the last instruction and the module table's texts. */
export interface SecureIrqHost {
  readonly machine: Machine;
  /** Slot of the module the last instruction ran in (−1: unprotected). */
  readonly cur: number;
  /** ID of the module the last instruction ran in (0: unprotected). */
  readonly currentId: number;
  textIndex(addr: number): number;
  textStart(slot: number): number;
  moduleId(slot: number): number;
}

export class SecureIrq {
  readonly maskBound = ATOM_BOUND;
  /** Per slot: the SP the module was last entered with from another context. */
  private readonly entrySp: number[] = [];
  /** Per slot: the contexts of its calls stopped by an interrupt, the latest (lowest frame) last. */
  private readonly saved: SavedContext[][] = [];
  /** Interrupts taken inside a module and resumed, for tests and the duty bench. */
  interrupted = 0;
  resumed = 0;
  /** Of those, taken with GIE clear (restrict_gie: a module's bound ran out after its `dint`). */
  midRun = 0;
  /** restrict_gie: the CPU runs SM 1, or a module SM 1 entered (through module-to-module transfers only). */
  private privileged = false;

  constructor(private readonly host: SecureIrqHost, private readonly restrictGie = false) {}

  reset(): void {
    this.saved.length = 0;
    this.entrySp.length = 0;
    this.privileged = false;
  }

  /**
   * May a pending interrupt held off by a clear GIE be forced in after the bound? Unprotected code: always. A module:
   * never without restrict_gie; with it, unless SM 1 holds the mask (itself or a module it called).
   */
  forceable(): boolean {
    if (this.host.cur < 0) return true;
    return this.restrictGie && !this.privileged;
  }

  /** The CPU moved from context `from` (slot, −1 unprotected) to the current one: tracks SM 1's privilege. */
  transfer(from: number): void {
    if (!this.restrictGie) return;
    const h = this.host;
    this.privileged = h.cur >= 0 && (h.currentId === 1 || (this.privileged && from >= 0));
  }

  /** An interrupt accepted: inside a module, its registers are saved and cleared, the frame goes on its entry SP. */
  accept(): void {
    const h = this.host;
    const r = h.machine.r;
    const slot = h.textIndex(r[0]!);
    if (slot < 0 || slot !== h.cur) return;
    // Below what the entry stub saved on the caller's stack: a frame at the entry SP itself overwrote the caller's
    // saved SR and r11, and the module's return then restored garbage (an SR of CPUOFF without GIE: a node asleep
    // for ever, test/firmware/dlms-backed; test/sancus/secure-irq "mid-run").
    const sp = (this.entrySp[slot] ?? r[1]!) - CALLER_FRAME_BYTES;
    const midRun = (r[2]! & SR_GIE) === 0;
    (this.saved[slot] ??= []).push({ regs: Uint16Array.from(r), sp, midRun });
    this.interrupted++;
    if (midRun) this.midRun++;
    r.fill(0, 3);
    // r6 is the entry index of our stubs' calling convention: 0xFFFF, a bad index, so that a RETI to the entry
    // finding no saved context (another call entered the module meanwhile) makes a call that returns at once
    // instead of entry 0 with zero arguments.
    r[6] = 0xffff;
    r[1] = sp;
    // The frame's PC is the entry (the RTL's RETI address for an interrupted module); its SR only GIE: no flag
    // of the module's computation leaves.
    r[0] = h.textStart(slot);
    r[2] = SR_GIE;
  }

  /**
   * The CPU enters module `slot` at its entry from another context. Returns true when this is the RETI of the
   * frame `accept` pushed (SP back above it): the registers are restored and the module resumes where it was.
   */
  enter(slot: number): boolean {
    const h = this.host;
    const r = h.machine.r;
    const list = this.saved[slot] ?? [];
    const s = list.find((c) => c.sp === r[1]);
    if (s !== undefined) {
      // Frames below this one belong to calls that can no longer be resumed: their stack is being given back.
      this.saved[slot] = list.filter((c) => c.sp > s.sp);
      r.set(s.regs);
      this.resumed++;
      return true;
    }
    // A fresh call into a module stopped mid-run would reset its secure stack under the suspended call (our stubs
    // are not reentrant; the RTL leaves this to the module's entry code, sm_irq.s43): refuse loudly, no guessing.
    if (list.some((c) => c.midRun)) throw new OperationError(`not modelled: module ${h.moduleId(slot)} entered afresh while an interrupt (its ATOM_BOUND run out, restrict_gie) holds its call suspended mid-run`, { pc: r[0]! });
    this.entrySp[slot] = r[1]!;
    return false;
  }
}
