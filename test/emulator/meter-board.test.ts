// The meter node's hardware on boards/emulated.json, each driven by an assembled MSP430 program: Basic Timer1 on
// the 32,768 Hz crystal, the supply relay and its contact feedback, tamper switch and reconnect button, the WAN and
// transmit-only HAN UARTs, and the ADE7953 metrology front end fed a load profile (exact energy, CF1 pulses, IRQ).
import { describe, expect, it } from 'vitest';
import { InputError, OperationError } from '../../toolchain/common/errors.ts';
import { kwhToMwh, parseLoadCsv } from '../../toolchain/emulator/load-profile.ts';
import { meterControls } from '../../toolchain/emulator/meter.ts';
import { machineFor } from './asm.ts';

const PRO = `start:\n  mov #0x5a80, &0x0120\n  mov #0x2a00, sp\n`;
const CLOCK = 20_000_000;
/** `.section` of interrupt line n (the linker numbers vectors from 1). */
const vec = (line: number, label: string) => `  .section __interrupt_vector_${line + 1},"ax",@progbits\n  .word ${label}\n`;

describe('Basic Timer1 (32,768 Hz crystal)', () => {
  it('BTDIV with BTIP=6: one interrupt per second, exactly on the second, with BTIE in IE2.7', () => {
    const { m, sym } = machineFor(`${PRO}
  mov.b #0x26, &0x0040     ; BTDIV, BTIP=6: ACLK/256/128 = 1 Hz
  bis.b #0x80, &0x0001     ; BTIE
loop:
  bis #0x18, sr
  jmp loop
isr:
  inc r10
  mov.b &0x0003, r11       ; IFG2 inside the ISR: BTIFG already cleared by the acceptance
  reti
${vec(0, 'isr')}`, 'emulated');
    m.setBreakpoint(sym('isr'));
    const at: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(m.run({ maxCycles: 5 * CLOCK }).stop).toBe('breakpoint');
      at.push(m.cycle);
    }
    // the flag rises at k seconds; the CPU wakes from LPM0 and takes the interrupt (6 cycles) then
    expect(at).toEqual([CLOCK + 6, 2 * CLOCK + 6, 3 * CLOCK + 6]);
    m.clearBreakpoint(sym('isr'));
    m.run({ maxCycles: 3600 * CLOCK + 10 }); // an hour: no drift against MCLK
    expect(m.r[10]).toBe(3600);
    expect(m.r[11]! & 0x80).toBe(0);
  });

  it('BTIP=0 without BTDIV: every 2 ACLK periods, at exact rational times (no drift), BTCNT1 counts ACLK', () => {
    const { m, sym } = machineFor(`${PRO}
  mov.b #0x00, &0x0040
  bis.b #0x80, &0x0001
loop:
  bis #0x18, sr
  jmp loop
isr:
  inc r10
  mov.b &0x0046, r12
  reti
${vec(0, 'isr')}`, 'emulated');
    m.setBreakpoint(sym('isr'));
    for (let k = 1; k <= 20; k++) {
      expect(m.run({ maxCycles: CLOCK }).stop).toBe('breakpoint');
      // ACLK edge j at cycle ceil(j · 20e6 / 32768); the flag at edge 2k
      expect(m.cycle).toBe(Math.ceil((2 * k * CLOCK) / 32768) + 6);
    }
    m.clearBreakpoint(sym('isr'));
    m.run({ maxCycles: m.cycle + 10 });
    expect(m.r[12]).toBe(40); // BTCNT1 = ACLK edges so far, mod 256
  });

  it('BTIFG shows in IFG2.7 without BTIE; BTHOLD stops it', () => {
    const { m } = machineFor(`${PRO}
  mov.b #0x26, &0x0040
1: bit.b #0x80, &0x0003
  jz 1b
  mov.b #0x66, &0x0040     ; BTHOLD
  bic.b #0x80, &0x0003
  mov.b &0x0047, r10
done: jmp done
`, 'emulated');
    expect(m.run({ maxCycles: 2 * CLOCK }).stop).toBe('halt');
    expect(m.cycle).toBeGreaterThan(CLOCK);
    expect(m.cycle).toBeLessThan(CLOCK + 100);
    expect(m.r[10]).toBe(0x80); // 32768 = 0x80:00
    const c = m.cycle;
    m.run({ maxCycles: c + 3 * CLOCK });
    expect(m.bus.readByte(0x0003) & 0x80).toBe(0);
  });
});

describe('supply relay', () => {
  it('the contacts (and the feedback pin) follow the coil after 10 ms closing, 5 ms opening; a PUC opens them', () => {
    const { m, sym } = machineFor(`${PRO}
  cmp #0xbeef, &0x2000     ; restarted by the watchdog: stay off
  jeq parked
  bis.b #1, &0x0022        ; P1DIR.0: the coil pin drives
  bis.b #1, &0x0021        ; coil on
on:
1: bit.b #8, &0x0020       ; P1IN.3: contacts closed?
  jz 1b
closed:
  bic.b #1, &0x0021        ; coil off
off:
1: bit.b #8, &0x0020
  jnz 1b
opened:
  bis.b #1, &0x0021        ; coil on again, then let the watchdog expire (PUC)
1: bit.b #8, &0x0020
  jz 1b
  mov #0xbeef, &0x2000
  mov #0x5a00, &0x0120     ; watchdog mode, /32768
parked: bis #0x10, sr      ; asleep (until the watchdog resets the CPU)
  jmp parked
`, 'emulated');
    const meter = meterControls(m);
    const stopAt = (l: string) => {
      m.setBreakpoint(sym(l));
      expect(m.run({ maxCycles: m.cycle + CLOCK }).stop).toBe('breakpoint');
      m.clearBreakpoint(sym(l));
      return m.cycle;
    };
    const tOn = stopAt('on');
    expect(meter.relay).toMatchObject({ energised: true, closed: false });
    const tClosed = stopAt('closed');
    expect(tClosed - tOn).toBeGreaterThanOrEqual(200_000);
    expect(tClosed - tOn).toBeLessThan(200_020);
    const tOff = stopAt('off');
    const tOpened = stopAt('opened');
    expect(tOpened - tOff).toBeGreaterThanOrEqual(100_000);
    expect(tOpened - tOff).toBeLessThan(100_020);
    m.run({ maxCycles: m.cycle + 0.03 * CLOCK }); // closing 10 ms, the watchdog's 1.6 ms, the 5 ms release
    expect(m.pucLog.length).toBe(1);
    const h = meter.relay.history;
    expect(h.map((x) => x.closed)).toEqual([true, false, true, false]);
    expect(h[3]!.cycle - m.pucLog[0]!.cycle).toBe(100_000); // released 5 ms after the PUC undrove the coil
  });
});

describe('tamper switch and reconnect button', () => {
  it('opening the case and pressing the button interrupt through P2 (rising edges); the button releases itself', () => {
    const { m } = machineFor(`${PRO}
  bis.b #0x03, &0x002D     ; P2IE.0 (tamper), P2IE.1 (button); P2IES = 0: rising edges
loop:
  bis #0x18, sr
  jmp loop
isr:
  mov.b &0x002B, r10       ; P2IFG
  bis r10, r9
  bic.b r10, &0x002B
  inc r8
  reti
${vec(3, 'isr')}`, 'emulated');
    const meter = meterControls(m);
    expect(m.run({ maxCycles: 1000 }).stop).toBe('sleep');
    meter.openCase();
    m.run({ maxCycles: m.cycle + 1000 });
    expect(m.r[9]).toBe(1);
    expect(m.bus.readByte(0x0028) & 1).toBe(1); // P2IN.0: the case is open
    meter.pressButton(200);
    m.run({ maxCycles: m.cycle + 1000 });
    expect(m.r[9]).toBe(3);
    expect(m.bus.readByte(0x0028) & 2).toBe(2);
    m.run({ maxCycles: m.cycle + 0.2 * CLOCK });
    expect(m.bus.readByte(0x0028) & 2).toBe(0); // released after 200 ms: a falling edge, no interrupt
    expect(m.r[8]).toBe(2);
    meter.closeCase();
    expect(m.bus.readByte(0x0028) & 1).toBe(0);
  });
});

describe('WAN and HAN UARTs', () => {
  it('HAN is transmit-only: bytes go out, DATA_RX is not there, the host cannot send; WAN works both ways', () => {
    const { m } = machineFor(`${PRO}
  mov.b #0x01, &0x0088     ; HAN CTRL: EN
  mov.b #0x48, &0x008C     ; 'H'
1: bit.b #0x04, &0x0089    ; TX busy
  jnz 1b
  mov.b #0x5a, &0x008D     ; no DATA_RX on this port: the write goes nowhere
  mov.b &0x008D, r10
  mov.b #0x01, &0x0080     ; WAN CTRL: EN
  mov.b #0x57, &0x0084     ; 'W'
1: bit.b #0x10, &0x0081    ; WAN RX pending
  jz 1b
  mov.b &0x0085, r11
1: bit.b #0x04, &0x0081    ; WAN TX busy
  jnz 1b
done: jmp done
`, 'emulated');
    const meter = meterControls(m);
    expect(() => meter.han.receive([1])).toThrow(OperationError);
    meter.sendWan([0x42]);
    expect(m.run({ maxCycles: 10_000 }).stop).toBe('halt');
    expect(meter.hanSent.map((x) => x.byte)).toEqual([0x48]);
    expect(meter.wanSent.map((x) => x.byte)).toEqual([0x57]);
    expect(m.r[10]).toBe(0);
    expect(m.r[11]).toBe(0x42);
    expect(m.board.peripherals.find((p) => p.name === 'han')!.pins).toEqual({ tx: 'han_txd' });
  });
});

/** Reads an ADE7953 register through the window: MTR_ADDR, MTR_CMD=1, then DATA_LO/HI into the given registers. */
const rd = (reg: number, lo: string, hi: string) => `  mov #0x${reg.toString(16)}, &0x0180\n  mov #1, &0x0186\n  mov &0x0182, ${lo}\n  mov &0x0184, ${hi}\n`;
const wr = (reg: number, v: number) => `  mov #0x${reg.toString(16)}, &0x0180\n  mov #0x${(v & 0xffff).toString(16)}, &0x0182\n  mov #0x${(v >>> 16).toString(16)}, &0x0184\n  mov #2, &0x0186\n`;

/** Meter firmware in miniature: relay on, CF1 at 1000 imp/kWh counted on P2.3, AENERGYA read every second. */
const METERING = `${PRO}
  clr r10
  clr r11
  clr r12
  clr r13
  bis.b #1, &0x0022
  bis.b #1, &0x0021        ; supply on
${rd(0x22e, 'r8', 'r9')}   ; RSTIRQSTATA: the power-up RESET flag, and the IRQ line goes high
  mov.b &0x0028, r7        ; P2IN after: bit 2 (IRQ, active low) high
${wr(0x103, 1000)}         ; CF1DEN = 1000: one pulse per 1000 mWh
${wr(0x107, 0x0200)}       ; CFMODE: CF1 on (CF1DIS clear), active power A
  bis.b #0x08, &0x002C     ; P2IES.3: falling edge (CF1 is active low)
  bis.b #0x08, &0x002D     ; P2IE.3
  mov.b #0x26, &0x0040     ; Basic Timer1: 1 s
  bis.b #0x80, &0x0001
loop:
  bis #0x18, sr
  jmp loop
bt_isr:
${rd(0x21e, 'r14', 'r15')}
  add r14, r11
  addc r15, r12
  inc r13
  reti
p2_isr:
  bic.b #0x08, &0x002B
  inc r10
  reti
${vec(0, 'bt_isr')}${vec(3, 'p2_isr')}`;

describe('ADE7953 metrology front end', () => {
  const profile = parseLoadCsv(`meter,timestamp,kwh
1001,2009-07-14T00:00,0.0123
1001,2009-07-14T00:01,0.0456
1001,2009-07-14T00:02,0
1001,2009-07-14T00:03,0.1000
`);

  it('parses the privacy CSV exactly (mWh) and refuses uneven or too fine rows', () => {
    expect(profile.intervalSeconds).toBe(60);
    expect(profile.mwh).toEqual([12300n, 45600n, 0n, 100000n]);
    expect(kwhToMwh('1.2345678')).toMatch(/at most 6 decimals/);
    expect(() => parseLoadCsv('m,2009-07-14T00:00,1\nm,2009-07-14T00:30,1\nm,2009-07-14T02:00,1\n')).toThrow(InputError);
    expect(() => parseLoadCsv('m,2009-07-14T00:00,1\nm,2009-07-14T00:07,1\n')).toThrow(/dividing 3600/);
  });

  it('registers exactly the energy fed: AENERGYA read-with-reset slices add up to the profile, CF1 pulses per Wh', () => {
    const { m } = machineFor(METERING, 'emulated');
    const meter = meterControls(m);
    // the relay closes 10 ms after the firmware drives it; feed the profile from then on
    m.run({ maxCycles: 0.011 * CLOCK });
    expect(meter.relay.closed).toBe(true);
    expect(m.r[9]).toBe(0x0010); // IRQSTATA bit 20 (RESET) in DATA_HI
    expect(m.r[7]! & 0x04).toBe(0x04);
    meter.setProfile(profile);
    m.run({ maxCycles: m.cycle + 242 * CLOCK });
    const total = 12300 + 45600 + 100000;
    expect(m.r[11]! + 65536 * m.r[12]!).toBe(total); // 1 LSB = 1 mWh
    expect(meter.energy().fedLsb).toBe(BigInt(total));
    expect(m.r[10]).toBe(Math.floor(total / 1000)); // 157 pulses
    expect(m.r[13]).toBe(242);
  });

  it('no energy while the contacts are open; bypassed load is never registered', () => {
    const { m } = machineFor(METERING.replace('  bis.b #1, &0x0021        ; supply on', ''), 'emulated');
    const meter = meterControls(m);
    meter.setLoad(3000);
    meter.setBypass(500);
    m.run({ maxCycles: 10 * CLOCK });
    expect(m.r[11]).toBe(0);
    expect(meter.energy().fedLsb).toBe(0n);
    expect(meter.energy().bypassWh).toBeCloseTo((500 * 10) / 3600, 6);
  });

  it('instantaneous power, RMS current and voltage, power factor, period; AEHFA on the IRQ line', () => {
    const { m, sym } = machineFor(`${PRO}
  bis.b #1, &0x0022
  bis.b #1, &0x0021
${rd(0x22e, 'r8', 'r9')}
1: bit.b #8, &0x0020
  jz 1b
  mov #0x5000, r5          ; let some time pass at the load
2: dec r5
  jnz 2b
${rd(0x212, 'r4', 'r5')}
${rd(0x21a, 'r6', 'r7')}
${rd(0x21c, 'r8', 'r9')}
${rd(0x10a, 'r10', 'r11')}
${rd(0x10e, 'r12', 'r13')}
${wr(0x22c, 1)}             ; IRQENA: AEHFA only
  bis.b #0x04, &0x002C     ; P2IES.2: falling edge (IRQ is active low)
  bis.b #0x04, &0x002D
measured:
loop:
  bis #0x18, sr
  jmp loop
isr:
  bic.b #0x04, &0x002B
${rd(0x22e, 'r14', 'r15')}
  reti
${vec(3, 'isr')}`, 'emulated');
    const meter = meterControls(m);
    meter.setLoad(7380.5);
    m.setBreakpoint(sym('measured'));
    expect(m.run({ maxCycles: CLOCK }).stop).toBe('breakpoint');
    expect(m.r[4]! + 65536 * m.r[5]!).toBe(738050); // 10 mW
    expect(m.r[6]! + 65536 * m.r[7]!).toBe(Math.round(7380500 / 230)); // mA
    expect(m.r[8]! + 65536 * m.r[9]!).toBe(230000); // mV
    expect(m.r[10]).toBe(0x7fff);
    expect(m.r[12]).toBe(4474);
    m.clearBreakpoint(sym('measured'));
    // half full: 2^22 mWh at 7380.5 W ≈ 2046 s after the contacts closed
    const closedAt = meter.relay.history[0]!.cycle;
    const due = closedAt + Math.ceil((2 ** 22 * 3600 * CLOCK) / 7380500);
    m.run({ maxCycles: due - 10 });
    expect(m.r[14]).toBe(0);
    m.run({ maxCycles: due + 100 });
    expect(m.r[14]).toBe(5); // RSTIRQSTATA read AEHFA and VAEHFA (apparent = active energy) in the ISR
  });

  it('the chip survives a PUC of the MSP430 (the window resets, the energy does not)', () => {
    const { m } = machineFor(`${PRO}
${wr(0x004, 0)}            ; LCYCMODE: RSTREAD off, energy accumulates across reads
  mov #0x1234, &0x0180
wait: bis #0x10, sr
  jmp wait
`, 'emulated');
    const meter = meterControls(m);
    meter.metrology.setSupply(true);
    meter.setLoad(1000);
    m.run({ maxCycles: CLOCK });
    m.puc('test');
    m.run({ maxCycles: m.cycle + 10 });
    expect(m.bus.readWord(0x0180)).toBe(0);
    expect(meter.energy().fedLsb).toBeGreaterThan(250n);
    expect(() => { m.bus.writeWord(0x0180, 0x004); m.bus.writeWord(0x0182, 1); m.bus.writeWord(0x0186, 2); }).toThrow(/line-cycle/);
  });
});
