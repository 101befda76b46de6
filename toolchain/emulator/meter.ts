// Driving the meter node from tests, scenario files and `hasm meter run`: a typed handle on the board components of a
// Machine (boards/emulated.json: the relay, tamper switch, reconnect button, metrology front end, WAN and HAN UARTs),
// found by their board names. Every action happens at the machine's current cycle, in virtual time.
import { OperationError } from '../common/errors.ts';
import type { LoadProfile } from './load-profile.ts';
import type { Machine } from './machine.ts';
import { Ade7953 } from './peripherals/ade7953.ts';
import { Relay, type ContactChange } from './peripherals/relay.ts';
import { Switch } from './peripherals/switch.ts';
import { Uart } from './peripherals/uart.ts';

export interface MeterNames {
  relay: string;
  tamper: string;
  button: string;
  metrology: string;
  wan: string;
  han: string;
}

/** The board names `boards/emulated.json` gives its meter components. */
export const METER_NAMES: MeterNames = { relay: 'relay', tamper: 'tamper', button: 'button', metrology: 'metrology', wan: 'wan', han: 'han' };

export class MeterControls {
  readonly relayDevice: Relay;
  readonly tamperSwitch: Switch;
  readonly button: Switch;
  readonly metrology: Ade7953;
  readonly wan: Uart;
  readonly han: Uart;
  /** Bytes the firmware has sent, with the cycle each frame's stop bit ended. */
  readonly wanSent: { byte: number; cycle: number }[] = [];
  readonly hanSent: { byte: number; cycle: number }[] = [];

  constructor(readonly machine: Machine, names: MeterNames = METER_NAMES) {
    const get = <T>(name: string, cls: abstract new (...a: never[]) => T, what: string): T => {
      const d = machine.deviceByName.get(name);
      if (!(d instanceof cls)) throw new OperationError(`board '${machine.board.name}' has no ${what} named '${name}'`);
      return d;
    };
    this.relayDevice = get(names.relay, Relay, 'relay');
    this.tamperSwitch = get(names.tamper, Switch, 'switch');
    this.button = get(names.button, Switch, 'switch');
    this.metrology = get(names.metrology, Ade7953, 'ade7953 front end');
    this.wan = get(names.wan, Uart, 'uart');
    this.han = get(names.han, Uart, 'uart');
    for (const [u, log] of [[this.wan, this.wanSent], [this.han, this.hanSent]] as const) {
      const prev = u.onTransmit;
      u.onTransmit = (byte, cycle) => {
        log.push({ byte, cycle });
        prev(byte, cycle);
      };
    }
  }

  private cycles(ms: number): number {
    return Math.round((ms * this.machine.board.cpu.clock_hz) / 1000);
  }

  /** Presses the local reconnect button for `ms` milliseconds (default 200) from now. */
  pressButton(ms = 200): void {
    this.button.press(this.cycles(ms));
  }

  /** Opens (true) or closes (false) the meter case: the tamper switch. */
  setCaseOpen(open: boolean): void {
    this.tamperSwitch.set(open);
  }

  openCase(): void {
    this.setCaseOpen(true);
  }

  closeCase(): void {
    this.setCaseOpen(false);
  }

  /** A constant household load from now on, in watts. */
  setLoad(watts: number): void {
    this.metrology.setLoad(watts);
  }

  /** The part of a profile wired around the front end (setProfile's bypass fraction), from the cycle it began. */
  private bypassed: { profile: LoadProfile; fraction: number; start: number } | undefined;

  /**
   * The household follows a load profile from now on (interval 0 starts at the current cycle). `bypass`: the
   * fraction 0…1 of each interval's energy wired around the front end and the relay (energy theft, issue 21 item 2):
   * drawn from the supply (the feeder's transformer sees it), never measured; `energy().bypassWh` counts it.
   */
  setProfile(profile: LoadProfile, bypass = 0): void {
    if (!(bypass >= 0 && bypass <= 1)) throw new OperationError(`bypass fraction must be in 0…1, got ${bypass}`);
    this.bypassWhBefore += this.profileBypassWh();
    this.bypassed = bypass > 0 ? { profile, fraction: bypass, start: this.machine.cycle } : undefined;
    // The front end sees the rest, exactly: (1 − f)·E in whole mWh per interval, f in parts per million.
    const keep = BigInt(Math.round((1 - bypass) * 1_000_000));
    this.metrology.setProfile(bypass > 0 ? { ...profile, mwh: profile.mwh.map((e) => (e * keep) / 1_000_000n) } : profile);
  }

  private bypassWhBefore = 0;

  /** Energy of the profile's bypassed part since it began (Wh): whole intervals, then the elapsed part of the present one. */
  private profileBypassWh(): number {
    const b = this.bypassed;
    if (!b) return 0;
    const hz = this.machine.board.cpu.clock_hz;
    const elapsed = (this.machine.cycle - b.start) / hz / b.profile.intervalSeconds;
    let mwh = 0;
    for (let i = 0; i < Math.min(Math.floor(elapsed), b.profile.mwh.length); i++) mwh += Number(b.profile.mwh[i]!);
    const i = Math.floor(elapsed);
    if (i < b.profile.mwh.length) mwh += Number(b.profile.mwh[i]!) * (elapsed - i);
    return (mwh * b.fraction) / 1000;
  }

  /** Load wired around the meter (theft): drawn, never measured. */
  setBypass(watts: number): void {
    this.metrology.setBypass(watts);
  }

  /** The supply relay: is the coil driven, are the contacts closed, and their history. */
  get relay(): { energised: boolean; closed: boolean; history: readonly ContactChange[] } {
    const r = this.relayDevice;
    return { energised: r.energised, closed: r.closed, history: r.history };
  }

  /** Sends bytes to the firmware on the WAN line (the HAN port has no receive line: `han.receive` throws). */
  sendWan(bytes: Iterable<number>): void {
    this.wan.receive(bytes);
  }

  /** Energy through the front end since power-on (Wh), what its energy registers count (LSB), and the bypass (Wh:
   *  setBypass's constant load and setProfile's bypassed fraction). */
  energy(): { fedWh: number; fedLsb: bigint; lsbPerWh: number; bypassWh: number } {
    const bypassWh = this.metrology.bypassWh() + this.bypassWhBefore + this.profileBypassWh();
    return { fedWh: this.metrology.fed().wh, fedLsb: this.metrology.lsbFed(), lsbPerWh: this.metrology.opts.lsbPerWh, bypassWh };
  }
}

/** The meter controls of a machine built on a meter board. */
export function meterControls(machine: Machine, names?: MeterNames): MeterControls {
  return new MeterControls(machine, names);
}
