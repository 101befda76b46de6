// The Sancus protection unit of one emulated node: module table, access control, violation policy, and the crypto
// unit the instructions drive (instructions.ts). Attach one per Machine with `attachSancus`; it is a Device with no
// registers so the machine's reset/PUC clears it as puc_rst clears the core's module table.
import { OperationError } from '../../common/errors.ts';
import { INTERRUPT_CYCLES } from '../../msp430/cycles.ts';
import { SancusCryptoUnit, type WordMemory } from '../../sancus/index.ts';
import { KIND_ROM } from '../bus.ts';
import type { Device } from '../device.ts';
import { SR_GIE } from '../alu.ts';
import { GUARD_REFUSED, GUARD_STOP, type Machine } from '../machine.ts';
import { AtomicityMonitor } from './atomicity.ts';
import { installBusGuard, rawBus, removeBusGuard } from './bus-guard.ts';
import { sancusConfig, type SancusConfig } from './config.ts';
import { sancusExtension } from './instructions.ts';
import { ModuleTable, type ModuleSlot } from './modules.ts';
import { SecureIrq } from './secure-irq.ts';
import { describeViolation, type Violation, type ViolationKind } from './violations.ts';

const TEXT = 0x100;
const MANY = 0x8000;

/** The violation interrupt: IRQ 13, vector 0xFFFA (sancus-core omsp_frontend.v `irq[13] | sm_irq`). */
export const VIOLATION_IRQ = 13;
export const VIOLATION_VECTOR = 0xffe0 + 2 * VIOLATION_IRQ;

export interface SancusOptions {
  /** End `run` with stop 'violation' instead of applying the board's policy (debugging, tests). */
  stopOnViolation?: boolean;
}

export class SancusUnit implements Device {
  readonly name = 'sancus';
  readonly addresses: readonly number[] = [];
  readonly table: ModuleTable;
  readonly crypto = new SancusCryptoUnit();
  /** Every violation since the unit was made (a PUC does not clear the log). */
  readonly violations: Violation[] = [];
  stopOnViolation: boolean;

  /** Slot index of the module the current instruction runs in (−1: unprotected). */
  cur = -1;
  /** Address of the instruction being executed (the RTL's current_inst_pc). */
  pc = 0;
  /** ID of the previously executing context (omsp_spm_control.v `spm_prev_id`). */
  prevId = 0;
  /**
   * ID of the context the current instruction runs in, latched when it was entered (a register in the RTL), so a
   * module that disabled itself is still the previous context when its continuation runs.
   */
  private curId = 0;
  /** SM_STACK_GUARD register (0: off). */
  stackGuard = 0;
  /** SM_CLIX sections (ATOMICITY_MONITOR builds only: `config.atomicityMonitor`). */
  readonly atomicity = new AtomicityMonitor();
  private pending: Violation | undefined;
  private guarded = false;
  /** Per word: slot + 1 of the module whose text holds it, 0 outside every text (the machine's domain map). */
  readonly domainOf = new Uint8Array(0x8000);
  /**
   * Per byte address: 0 where no module's text or data lies; else slot + 1 (bits 7..0) of the one module there,
   * TEXT for its text, MANY where ranges of several modules overlap (the full check decides).
   */
  readonly protectedAt = new Uint16Array(0x10000);
  private layoutKey = '';
  /** Bounded masking and interruptible modules (boards with `secure_irq`; secure-irq.ts), else undefined. */
  readonly secureIrq: SecureIrq | undefined;

  constructor(readonly machine: Machine, readonly config: SancusConfig, options: SancusOptions = {}) {
    this.table = new ModuleTable(config.modules);
    this.stopOnViolation = options.stopOnViolation ?? false;
    const unit = this;
    if (config.secureIrq) {
      const s = new SecureIrq({
        machine,
        get cur() {
          return unit.cur;
        },
        get currentId() {
          return unit.currentId;
        },
        textIndex: (a) => unit.table.textIndex(a),
        textStart: (i) => unit.table.slots[i]!.layout.textStart,
        moduleId: (i) => unit.table.slots[i]!.id,
      }, config.restrictGie);
      this.secureIrq = s;
      machine.irqPolicy = { maskBound: s.maskBound, forceable: () => s.forceable(), accept: () => s.accept() };
    }
    machine.domains = {
      domainOf: this.domainOf,
      get current() {
        return unit.cur + 1;
      },
      get quiet() {
        return unit.pending === undefined && unit.stackGuard === 0 && !unit.atomicity.active;
      },
    };
  }

  /** Rebuilds the domain map and the protected-address table when the module table's layout changed. */
  private relayout(): void {
    const s = this.table.slots;
    const key = s.map((m) => (m ? `${m.layout.textStart},${m.layout.textEnd},${m.layout.dataStart},${m.layout.dataEnd}` : '-')).join(';');
    if (key === this.layoutKey) return;
    this.layoutKey = key;
    this.domainOf.fill(0);
    this.protectedAt.fill(0);
    const mark = (from: number, to: number, v: number) => {
      for (let a = from; a < to && a < 0x10000; a++) this.protectedAt[a] = this.protectedAt[a] === 0 ? v : MANY;
    };
    for (let i = 0; i < s.length; i++) {
      const m = s[i];
      if (m === undefined) continue;
      const l = m.layout;
      for (let a = l.textStart; a < l.textEnd && a < 0x10000; a += 2) this.domainOf[a >> 1] = i + 1;
      mark(l.textStart, l.textEnd, (i + 1) | TEXT);
      mark(l.dataStart, l.dataEnd, i + 1);
    }
    this.machine.protectionChanged();
  }

  // ---- Device: only reset matters ----------------------------------------------------------------------------
  reset(): void {
    this.table.reset();
    this.cur = -1;
    this.prevId = 0;
    this.stackGuard = 0;
    this.pending = undefined;
    this.machine.bus.fault = 0;
    this.atomicity.reset(); // omsp_atomicity_monitor.v line 50: puc_rst clears the monitor
    this.secureIrq?.reset();
    this.update();
  }
  read(): number {
    return 0;
  }
  write(): void {}
  nextEvent(): number {
    return Infinity;
  }
  advance(): void {}
  irq(): number {
    return 0;
  }
  /** An interrupt accepted: `handling_irq` finishes an open clix section (omsp_atomicity_monitor.v line 41). */
  acknowledge(): void {
    if (this.atomicity.active) {
      this.atomicity.reset();
      this.update();
    }
  }

  // ---- Module queries (debugger view) ------------------------------------------------------------------------
  modules(): ModuleSlot[] {
    return this.table.slots.filter((m): m is ModuleSlot => m !== undefined);
  }

  moduleById(id: number): ModuleSlot | undefined {
    const i = this.table.byId(id);
    return i < 0 ? undefined : this.table.slots[i];
  }

  /**
   * Runs `fn` (host-side accesses through the bus: a debugger, the untrusted event manager) as unprotected code:
   * its accesses are checked as if made outside every module, whatever instruction ran last.
   */
  asUnprotected<T>(fn: () => T): T {
    const cur = this.cur;
    const pc = this.pc;
    this.cur = -1;
    try {
      return fn();
    } finally {
      this.cur = cur;
      this.pc = pc;
    }
  }

  get currentId(): number {
    return this.cur < 0 ? 0 : this.curId;
  }

  // ---- Hooks -------------------------------------------------------------------------------------------------
  /** Installs or removes the fetch and bus hooks: present only while a module is enabled or something is pending. */
  update(): void {
    this.relayout();
    const need = this.table.enabled > 0 || this.stackGuard !== 0 || this.pending !== undefined || this.atomicity.active;
    // The gate is consulted at every instruction boundary, which the guard's per-instruction path provides.
    this.machine.gieGate = this.atomicity.active ? (gie, last) => this.atomicity.gate(gie, last) : undefined;
    if (need && !this.guarded) {
      this.machine.guard = (pc) => this.fetch(pc);
      installBusGuard(this.machine.bus, this.protectedAt, (a, w) => this.checkCpu(a, w), this.config.peripheralViolation === 'performed');
      this.guarded = true;
      // The machine's fast loop (no guard) re-reads its conditions only when told something changed.
      this.machine.changed();
    } else if (!need && this.guarded) {
      this.machine.guard = undefined;
      removeBusGuard(this.machine.bus);
      this.guarded = false;
      this.cur = -1;
    }
  }

  /** Before each fetch: apply a pending violation, the stack guard and the entry-point rule; track the context. */
  private fetch(pc: number): number {
    if (this.pending) return this.applyPolicy();
    const m = this.machine;
    if (this.atomicity.active) {
      if (this.table.enabled > 0 && m.cycle >= this.atomicity.finish) {
        // A module was enabled inside the section: at its end SANCUS_RESTRICT_GIE writes the forced gie into the
        // SR of code outside SM 1 (omsp_register_file.v lines 284–290), which is not modelled.
        throw new OperationError(`not implemented: a SM_CLIX section ending at cycle ${this.atomicity.finish} with a module enabled (SANCUS_RESTRICT_GIE)`, { pc });
      }
      this.atomicity.beforeFetch(m.cycle, (m.r[2]! & SR_GIE) !== 0);
      if (!this.atomicity.active) this.update();
    }
    if (this.stackGuard !== 0 && m.r[1]! < this.stackGuard) {
      // omsp_register_file.v stops the SP update itself; here the update is seen at the next fetch.
      this.record('stack', this.pc, m.r[1]!, -1, false);
      this.stackGuard = 0;
      return this.applyPolicy();
    }
    const idx = this.table.textIndex(pc);
    if (idx !== this.cur) {
      if (idx >= 0 && pc !== this.table.slots[idx]!.layout.textStart) {
        this.pc = pc;
        this.record('exec', pc, pc, idx, false);
        return this.applyPolicy();
      }
      // omsp_atomicity_monitor.v line 123: enter_sm while inside a clix section. enter_sm is high in the first cycle
      // of the module's first instruction (omsp_spm_control.v lines 148–151); the entry itself still executes and
      // the violation is taken at its end, as for any violation raised during an instruction.
      if (idx >= 0 && this.config.atomicityMonitor) {
        if (this.atomicity.inside(m.cycle)) this.record('atomicity', pc, pc, idx, false);
        else {
          // omsp_atomicity_monitor.v lines 78–98: every entry opens a SM_ENTRY_ATOM_PERIOD section, and with
          // SANCUS_RESTRICT_GIE the module's SR.GIE follows the monitor: not modelled, so refuse rather than guess.
          throw new OperationError(`not implemented: entering module ${this.table.slots[idx]!.id} at 0x${pc.toString(16)} on an atomicity-monitor board (SM entry period, SANCUS_RESTRICT_GIE; see toolchain/emulator/sancus/README.md)`, { pc });
        }
      }
      this.prevId = this.currentId;
      const from = this.cur;
      this.cur = idx;
      this.curId = idx < 0 ? 0 : this.table.slots[idx]!.id;
      this.secureIrq?.transfer(from);
      // secure_irq: the RETI of an interrupted module's frame resumes it (the fetch moves to where it was).
      if (idx >= 0 && this.secureIrq?.enter(idx)) return GUARD_REFUSED;
    }
    this.pc = pc;
    return 0;
  }

  /** A CPU data access by the current instruction (omsp_spm.v mem_violation), at an address a module holds. */
  private checkCpu(addr: number, write: boolean): boolean {
    const t = this.protectedAt[addr]!;
    // one module here: its own code may read its text and read/write its data
    if (!(t & MANY) && (t & 0xff) - 1 === this.cur && !(write && t & TEXT)) return true;
    return this.check(addr, write, false, false);
  }

  /**
   * The access rules for one address: a module's text is read only by itself and written by nobody (enable,
   * disable and verify read it through the crypto unit: `exemptText`); its data is touched only by its own text.
   */
  check(addr: number, write: boolean, exemptText: boolean, crypto: boolean): boolean {
    const s = this.table.slots;
    for (let i = 0; i < s.length; i++) {
      const m = s[i];
      if (m === undefined) continue;
      const l = m.layout;
      if (addr >= l.textStart && addr < l.textEnd && !exemptText && (write || i !== this.cur)) {
        this.record(write ? 'write' : 'read', this.machine.bus.pc, addr, i, crypto);
        return false;
      }
      if (addr >= l.dataStart && addr < l.dataEnd && i !== this.cur) {
        this.record(write ? 'write' : 'read', this.machine.bus.pc, addr, i, crypto);
        return false;
      }
    }
    return true;
  }

  /** The word memory the crypto unit works on: checked like the CPU's accesses, writes land in program memory too. */
  cryptoMemory(exemptText: boolean): WordMemory {
    const bus = this.machine.bus;
    return {
      readWord: (addr) => (this.check(addr & 0xfffe, false, exemptText, true) ? rawBus.readWord(bus, addr) : 0),
      writeWord: (addr, value) => {
        const a = addr & 0xfffe;
        if (!this.check(a, true, exemptText, true)) return;
        // sancus-core's memory backbone lets the execution unit write program memory (omsp_mem_backbone.v
        // pmem_wen): disable's zero-fill and a confidential load's decryption land there, so go through the
        // loader path for ROM.
        if (bus.kind[a] === KIND_ROM) {
          bus.poke(a, value & 0xff);
          bus.poke(a + 1, (value >> 8) & 0xff);
        } else rawBus.writeWord(bus, a, value);
      },
    };
  }

  record(kind: ViolationKind, pc: number, address: number, slot: number, crypto: boolean): void {
    const v: Violation = {
      kind,
      pc,
      address,
      module: slot < 0 ? 0 : this.table.slots[slot]!.id,
      from: this.currentId,
      crypto,
      cycle: this.machine.cycle,
    };
    this.violations.push(v);
    // The first violation of an instruction decides; the RTL buffers it for the rest of the instruction.
    if (!this.pending) this.pending = v;
    // Translated code stops after this instruction; the guard applies the policy at the next fetch.
    this.machine.bus.fault = 1;
    this.machine.attention();
    this.update();
  }

  /** The violation's consequence, at the instruction boundary after it. */
  private applyPolicy(): number {
    const v = this.pending!;
    this.pending = undefined;
    const m = this.machine;
    m.bus.fault = 0;
    if (this.stopOnViolation) {
      this.update();
      return GUARD_STOP;
    }
    // Taking the violation interrupt (or the PUC) is `handling_irq`: it finishes an open clix section.
    this.atomicity.reset();
    if (this.config.violation === 'reset') {
      // RESET_ON_VIOLATION: sm_irq pulls the reset line → PUC; this unit's reset() then clears the module table.
      m.puc(`sancus ${describeViolation(v)}`);
      return GUARD_REFUSED;
    }
    // The violation interrupt is taken whatever GIE says (omsp_frontend.v: do_sm_irq is not gated by gie).
    const r = m.r;
    const sp = (r[1]! - 2) & 0xfffe;
    rawBus.writeWord(m.bus, sp, r[0]!);
    rawBus.writeWord(m.bus, sp - 2, r[2]!);
    r[1] = (sp - 2) & 0xfffe;
    r[2] = 0;
    r[0] = rawBus.readWord(m.bus, VIOLATION_VECTOR) & 0xfffe;
    m.cycle += INTERRUPT_CYCLES;
    this.update();
    return GUARD_REFUSED;
  }
}

/** Adds the Sancus unit to a machine whose board has a `sancus` object; undefined for a plain openMSP430. */
export function attachSancus(machine: Machine, options: SancusOptions = {}): SancusUnit | undefined {
  const config = sancusConfig(machine.board);
  if (!config) return undefined;
  const unit = new SancusUnit(machine, config, options);
  machine.devices.push(unit);
  machine.extensions.push(sancusExtension(unit));
  return unit;
}
