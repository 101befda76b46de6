// The metrology driver (seed §4.3.2 "Metrology component", Figure 4.3's "consumption readings" driver module, left
// as future work by §4.6.3): the only code that touches the ADE7953 front end's register window (0x0180–0x0187,
// boards/emulated.json "metrology"; register map in toolchain/emulator/peripherals/ade7953.ts), so every Wh the
// core registers comes from the chip through this module. It reads AENERGYA with reset (LCYCMODE.RSTREAD, the
// power-on default: each read hands out the LSBs since the last one, so none is counted twice or lost) and AWATT,
// and keeps the LSBs short of a whole Wh for the next poll: the registered energy equals the energy fed to the
// front end's resolution (issue 18 item 7 "billing is exact").
import { mmio_read16, mmio_write16 } from '../../toolchain/compiler/lib/hasm';

const MTR_ADDR: u16 = 0x0180;
const MTR_DATA_LO: u16 = 0x0182;
const MTR_DATA_HI: u16 = 0x0184;
const MTR_CMD: u16 = 0x0186;
const CMD_READ: u16 = 1;
const AENERGYA: u16 = 0x31e; // 32-bit address of the signed 24-bit register: sign-extended
const AWATT: u16 = 0x312; //   10 mW per LSB (the board's calibration)
/** AENERGYA LSBs per Wh: boards/emulated.json `lsb_per_wh` (the calibration the meter is sealed with). */
const LSB_PER_WH: u32 = 1000;

/** [Wh since the last event u32][active power W u32], for the core's energy input. */
export const ENERGY_BOX = memory.data(8);
let lsbs: u32 = 0;
let watts: u32 = 0;
let lastP: i32 = 0; // AWATT at the last poll, and lastW its value in W
let lastW: u32 = 0;
/** Above this many LSBs the division is cheaper than subtracting 1000 at a time. */
const CARRY_LIMIT: u32 = 8 * LSB_PER_WH;

function readRegister(addr: u16): u32 {
  mmio_write16(MTR_ADDR, addr);
  mmio_write16(MTR_CMD, CMD_READ);
  return (<u32>mmio_read16(MTR_DATA_HI) << 16) | <u32>mmio_read16(MTR_DATA_LO);
}

/** Reads the front end; returns 1 when ENERGY_BOX holds news for the core (whole Wh, or a change of power). */
export function metrologyPoll(): u32 {
  const e = <i32>readRegister(AENERGYA);
  const p = <i32>readRegister(AWATT);
  // Import only: this is a consumption meter's register (1.0.1.8.0); exported energy would read negative.
  if (e > 0) lsbs += <u32>e;
  // A poll brings a few Wh at most (1 s at household power), so whole Wh are carried out by subtraction; the
  // software division (no divider on the MSP430) only runs for a large backlog, which keeps the loop bounded.
  // Both give the same quotient and remainder: billing stays exact (issue 18 item 7) and faster (issue 18 "Measured").
  let wh: u32 = 0;
  if (lsbs >= CARRY_LIMIT) {
    wh = lsbs / LSB_PER_WH;
    lsbs -= wh * LSB_PER_WH;
  } else {
    while (lsbs >= LSB_PER_WH) {
      lsbs -= LSB_PER_WH;
      wh++;
    }
  }
  // The power changes far less often than it is polled: divide only when the register moved.
  if (p != lastP) {
    lastP = p;
    lastW = p > 0 ? <u32>p / 100 : 0;
  }
  const w = lastW;
  if (wh == 0 && w == watts) return 0;
  watts = w;
  store<u32>(ENERGY_BOX, wh);
  store<u32>(ENERGY_BOX, w, 4);
  return 1;
}
