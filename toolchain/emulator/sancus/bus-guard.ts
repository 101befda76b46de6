// The data-access hook: while a module is enabled, the bus's four CPU access methods are replaced on the instance
// by checked ones (the translated instructions call `b.readWord` etc., so they pick the override up); with no
// module enabled the prototype's methods run untouched, so protection costs nothing. The loader/debug path
// (`peek`/`poke`) is never checked, as the debug interface is not on the execution unit's bus.
import { Bus } from '../bus.ts';

/** Returns true when the access may go ahead; false suppresses it (reads give 0, writes are dropped). */
export type AccessCheck = (addr: number, write: boolean) => boolean;

const proto = Bus.prototype;
type Methods = Pick<Bus, 'readWord' | 'readByte' | 'writeWord' | 'writeByte'>;

/**
 * `protectedAt[a]` is 0 where no module's text or data lies (no check needed), non-zero elsewhere: only those
 * addresses go to `check`, so unprotected accesses cost one table read.
 */
export function installBusGuard(bus: Bus, protectedAt: Uint16Array, check: AccessCheck): void {
  const o = bus as unknown as Methods;
  // Word accesses are checked at the even address the memory sees (bit 0 ignored); bytes at their own address.
  o.readWord = (addr: number) => {
    const a = addr & 0xfffe;
    return protectedAt[a] === 0 || check(a, false) ? proto.readWord.call(bus, addr) : 0;
  };
  o.readByte = (addr: number) => {
    const a = addr & 0xffff;
    return protectedAt[a] === 0 || check(a, false) ? proto.readByte.call(bus, addr) : 0;
  };
  o.writeWord = (addr: number, value: number) => {
    const a = addr & 0xfffe;
    if (protectedAt[a] === 0 || check(a, true)) proto.writeWord.call(bus, addr, value);
  };
  o.writeByte = (addr: number, value: number) => {
    const a = addr & 0xffff;
    if (protectedAt[a] === 0 || check(a, true)) proto.writeByte.call(bus, addr, value);
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
