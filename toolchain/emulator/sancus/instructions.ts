// The ten Sancus instruction words 0x1380–0x1389 (single-operand format, opcode 7, command in bits 3..0; sancus-core
// openMSP430_defines.v, omsp_execution_unit.v, crypto/crypto_control.v), as an InstructionExtension of the machine.
// Operands are implicit registers r9–r15 (../shared/research/sancus.md §1). Results: SUCCESS writes r15 (disable:
// PC := r15) and clears Z; FAIL writes r15 := 0 and clears Z (crypto_control.v states SUCCESS/FAIL). Cycles: the
// instruction's E_EXEC cycle (1, register mode) + the crypto unit's E_SPM cycles (toolchain/sancus/cycles.md).
import { OperationError } from '../../common/errors.ts';
import {
  CHECK_FAIL_CYCLES,
  ID_CYCLES,
  disableCycles,
  enableCycles,
  rangeWords,
  readKeyFromMemory,
  unwrapCycles,
  verifyCycles,
  wrapCycles,
  type ModuleLayout,
} from '../../sancus/index.ts';
import type { InstructionExtension, InstructionFn } from '../machine.ts';
import { SANCUS_WORDS, SM } from '../../msp430/sancus-isa.ts';
import { CLIX_CYCLES } from './atomicity.ts';
import type { SancusUnit } from './unit.ts';

/** E_EXEC of a format-II register-mode instruction. */
const EXEC = 1;
const SR_Z = 2;
/** omsp_spm_control.v: reaching this ID is a violation. */
const ID_LIMIT = 0xfff0;

export function sancusExtension(unit: SancusUnit): InstructionExtension {
  return {
    translate(word, addr) {
      if (word < SANCUS_WORDS.first || word > SANCUS_WORDS.last) return undefined;
      const cmd = word & 0xf;
      if (cmd === SM.CLIX && !unit.config.atomicityMonitor) return undefined; // not decoded in this build
      const fn = semantics(unit, cmd, addr);
      return { fn, words: 1, cycles: EXEC };
    },
  };
}

function semantics(u: SancusUnit, cmd: number, addr: number): InstructionFn {
  const m = u.machine;
  const r = m.r;
  const next = (addr + 2) & 0xffff;
  /** r15 and Z as SUCCESS/FAIL leave them. */
  const result = (v: number): void => {
    r[15] = v & 0xffff;
    r[2] = r[2]! & ~SR_Z;
  };
  const selfIndex = (): number => u.table.textIndex(addr);
  switch (cmd) {
    case SM.DISABLE:
      return () => {
        r[0] = next;
        const i = selfIndex();
        if (i < 0) {
          result(0);
          return EXEC + CHECK_FAIL_CYCLES;
        }
        const l = u.table.slots[i]!.layout;
        u.crypto.disable(u.cryptoMemory(true), l);
        u.table.slots[i] = undefined;
        r[2] = r[2]! & ~SR_Z;
        r[0] = r[15]! & 0xfffe; // SUCCESS writes the continuation into PC (dest mask 0x0001)
        u.update();
        return EXEC + disableCycles(rangeWords(l.textStart, l.textEnd), rangeWords(l.dataStart, l.dataEnd));
      };
    case SM.ENABLE:
      return () => {
        r[0] = next;
        const layout: ModuleLayout = { textStart: r[12]!, textEnd: r[13]!, dataStart: r[14]!, dataEnd: r[15]! };
        const nonce = r[10]!;
        const id = u.table.nextId++;
        if (id === ID_LIMIT) u.record('id-overflow', addr, id, -1, false);
        const clash = u.table.overlapsText(layout.textStart, layout.textEnd);
        if (clash >= 0) u.record('create', addr, layout.textStart, clash, false);
        const slot = u.table.freeSlot();
        const valid = layout.textStart < layout.textEnd && layout.dataStart <= layout.dataEnd && slot >= 0 && clash < 0;
        if (!valid) {
          // CHECK_SM finds no slot holding r12: FAIL, the enable is cancelled and its ID given back.
          u.table.nextId--;
          result(0);
          return EXEC + CHECK_FAIL_CYCLES + 1;
        }
        u.table.slots[slot] = { id, vendorId: r[11]!, layout, key: new Uint8Array(8) };
        u.update();
        const res = u.crypto.enable(u.cryptoMemory(true), u.config.nodeKey, r[11]!, layout,
          nonce !== 0 ? { nonce, tagPtr: r[9]! } : undefined);
        const t = rangeWords(layout.textStart, layout.textEnd);
        if (!res.ok || !res.key) {
          u.table.slots[slot] = undefined;
          u.table.nextId--;
          u.update();
          result(0);
          return EXEC + enableCycles(t, 'bad');
        }
        u.table.slots[slot]!.key = res.key;
        result(id);
        return EXEC + enableCycles(t, nonce !== 0 ? 'ok' : 'no');
      };
    case SM.VERIFY_ADDR:
    case SM.VERIFY_PREV:
      return () => {
        r[0] = next;
        const i = cmd === SM.VERIFY_ADDR ? u.table.textIndex(r[14]!) : u.table.byId(u.prevId);
        if (i < 0) {
          result(0);
          return EXEC + CHECK_FAIL_CYCLES;
        }
        const target = u.table.slots[i]!;
        const res = u.crypto.verify(u.cryptoMemory(true), target.layout, r[15]!);
        result(res.ok ? target.id : 0);
        return EXEC + verifyCycles(rangeWords(target.layout.textStart, target.layout.textEnd));
      };
    case SM.AE_WRAP:
    case SM.AE_UNWRAP:
      return () => {
        r[0] = next;
        const mem = u.cryptoMemory(false);
        const keyInMemory = r[9]! !== 0;
        let key: Uint8Array;
        if (keyInMemory) key = readKeyFromMemory(mem, r[9]!); // LOAD_KEY: no module needed
        else {
          const i = selfIndex();
          if (i < 0) {
            result(0);
            return EXEC + CHECK_FAIL_CYCLES;
          }
          key = u.table.slots[i]!.key;
        }
        const a = rangeWords(r[10]!, r[11]!);
        const b = rangeWords(r[12]!, r[13]!);
        const wrap = cmd === SM.AE_WRAP;
        const res = wrap
          ? u.crypto.wrap(mem, key, r[10]!, r[11]!, r[12]!, r[13]!, r[14]!, r[15]!)
          : u.crypto.unwrap(mem, key, r[10]!, r[11]!, r[12]!, r[13]!, r[14]!, r[15]!);
        if (res.hang) {
          throw new OperationError(`Sancus core stalls at 0x${addr.toString(16)}: ${wrap ? 'wrap' : 'unwrap'} with both ranges empty never completes (toolchain/sancus/cycles.md)`, { pc: addr });
        }
        result(res.ok ? 1 : 0);
        return EXEC + (wrap ? wrapCycles(a, b, keyInMemory) : unwrapCycles(a, b, keyInMemory));
      };
    case SM.ID:
      return () => {
        r[0] = next;
        const i = u.table.textIndex(r[15]!);
        result(i < 0 ? 0 : u.table.slots[i]!.id);
        return EXEC + ID_CYCLES;
      };
    case SM.PREV_ID:
      return () => {
        r[0] = next;
        result(u.prevId);
        return EXEC + ID_CYCLES;
      };
    case SM.STACK_GUARD:
      return () => {
        r[0] = next;
        u.stackGuard = r[15]!;
        u.update();
        return EXEC;
      };
    case SM.CLIX:
      // Decoded only in ATOMICITY_MONITOR builds (translate above). No register or flag changes: the crypto unit is
      // not started (omsp_execution_unit.v line 661) and nothing writes a destination; the monitor does the rest.
      return () => {
        if (u.table.enabled > 0) {
          // With a module enabled, SANCUS_RESTRICT_GIE (defined with ATOMICITY_MONITOR, openMSP430_defines.v lines
          // 664–682) makes code outside SM 1 write the monitor's gie back into SR.GIE every cycle
          // (omsp_register_file.v lines 284–290) and masks interrupts inside SM 1: not modelled.
          throw new OperationError(`not implemented: SM_CLIX at 0x${addr.toString(16)} with a module enabled (SANCUS_RESTRICT_GIE; see toolchain/emulator/sancus/README.md)`, { pc: addr });
        }
        r[0] = next;
        const bad = u.atomicity.clix(m.bus.start, r[15]!); // bus.start: this instruction's first cycle, on every path
        if (bad !== undefined) u.record('atomicity', addr, r[15]!, -1, false);
        u.update();
        return CLIX_CYCLES;
      };
    default:
      throw new Error(`sancus command ${cmd}`);
  }
}
