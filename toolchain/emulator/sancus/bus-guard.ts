// The data-access hook: while a module is enabled, the bus's four CPU access methods check every access at an
// address a module holds (Bus.protectedAt, Bus.check: the check is part of the methods, so the translated
// instructions make one call per access); with no module enabled the table is all zero and nothing is checked. The
// loader/debug path (`peek`/`poke`) is never checked, as the debug interface is not on the execution unit's bus.
import { ALLOW, UNPROTECTED, type Bus } from '../bus.ts';

/** Returns true when the access may go ahead; false refuses it (reads give 0, writes are dropped — except at
 *  peripherals on the shipped core, see installBusGuard). */
export type AccessCheck = (addr: number, write: boolean) => boolean;

/**
 * `protectedAt[a]` is 0 where no module's text or data lies (no check needed), non-zero elsewhere: only those
 * addresses go to `check`, so unprotected accesses cost one table read.
 */
export function installBusGuard(bus: Bus, protectedAt: Uint16Array, check: AccessCheck, peripheralsPerformed: boolean): void {
  // sancus-core b6b53bb (omsp_mem_backbone.v): data and program memory are gated by ~sm_violation, the peripheral
  // enable `eu_per_en = eu_mb_en & eu_per_sel` is not — a refused peripheral write still lands and a refused read
  // still happens (its side effects too) while the CPU sees 0 (do_mask_eu). `peripheralsPerformed` models that;
  // without it (board `sancus.peripheral_violation: "suppressed"`) a refused peripheral access never happens.
  bus.protectedAt = protectedAt;
  bus.check = check;
  bus.refusedPeripheralsPerformed = peripheralsPerformed;
}

export function removeBusGuard(bus: Bus): void {
  bus.protectedAt = UNPROTECTED;
  bus.check = ALLOW;
  bus.refusedPeripheralsPerformed = false;
}

/** Unchecked CPU-path accesses (for the interrupt logic the unit runs itself). */
export const rawBus = {
  readWord: (bus: Bus, addr: number) => bus.readWordUnchecked(addr),
  writeWord: (bus: Bus, addr: number, value: number) => bus.writeWordUnchecked(addr, value),
};
