// The data-access hook: while a module is enabled, the bus's four CPU access methods are replaced on the instance
// by checked ones (the translated instructions call `b.readWord` etc., so they pick the override up); with no
// module enabled the prototype's methods run untouched, so protection costs nothing. The loader/debug path
// (`peek`/`poke`) is never checked, as the debug interface is not on the execution unit's bus.
import { Bus, KIND_PER } from '../bus.ts';

/** Returns true when the access may go ahead; false refuses it (reads give 0, writes are dropped — except at
 *  peripherals on the shipped core, see installBusGuard). */
export type AccessCheck = (addr: number, write: boolean) => boolean;

const proto = Bus.prototype;
type Methods = Pick<Bus, 'readWord' | 'readByte' | 'writeWord' | 'writeByte'>;

/**
 * `protectedAt[a]` is 0 where no module's text or data lies (no check needed), non-zero elsewhere: only those
 * addresses go to `check`, so unprotected accesses cost one table read.
 */
export function installBusGuard(bus: Bus, protectedAt: Uint16Array, check: AccessCheck, peripheralsPerformed: boolean): void {
  const o = bus as unknown as Methods;
  // sancus-core b6b53bb (omsp_mem_backbone.v): data and program memory are gated by ~sm_violation, the peripheral
  // enable `eu_per_en = eu_mb_en & eu_per_sel` is not — a refused peripheral write still lands and a refused read
  // still happens (its side effects too) while the CPU sees 0 (do_mask_eu). `peripheralsPerformed` models that;
  // without it (board `sancus.peripheral_violation: "suppressed"`) a refused peripheral access never happens.
  const leaks = (a: number) => peripheralsPerformed && bus.kind[a] === KIND_PER;
  // Word accesses are checked at the even address the memory sees (bit 0 ignored); bytes at their own address.
  o.readWord = (addr: number) => {
    const a = addr & 0xfffe;
    if (protectedAt[a] === 0 || check(a, false)) return proto.readWord.call(bus, addr);
    if (leaks(a)) proto.readWord.call(bus, addr);
    return 0;
  };
  o.readByte = (addr: number) => {
    const a = addr & 0xffff;
    if (protectedAt[a] === 0 || check(a, false)) return proto.readByte.call(bus, addr);
    if (leaks(a)) proto.readByte.call(bus, addr);
    return 0;
  };
  o.writeWord = (addr: number, value: number) => {
    const a = addr & 0xfffe;
    if (protectedAt[a] === 0 || check(a, true) || leaks(a)) proto.writeWord.call(bus, addr, value);
  };
  o.writeByte = (addr: number, value: number) => {
    const a = addr & 0xffff;
    if (protectedAt[a] === 0 || check(a, true) || leaks(a)) proto.writeByte.call(bus, addr, value);
  };
}

export function removeBusGuard(bus: Bus): void {
  const o = bus as unknown as Record<string, unknown>;
  delete o.readWord;
  delete o.readByte;
  delete o.writeWord;
  delete o.writeByte;
}

/** Unchecked CPU-path accesses (for the interrupt logic the unit runs itself). */
export const rawBus = {
  readWord: (bus: Bus, addr: number) => proto.readWord.call(bus, addr),
  writeWord: (bus: Bus, addr: number, value: number) => proto.writeWord.call(bus, addr, value),
};
