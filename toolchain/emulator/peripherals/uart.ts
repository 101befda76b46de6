// The openMSP430 FPGA projects' UART (fpga/*/rtl/verilog/omsp_uart.v): 8-bit registers CTRL, STATUS, BAUD_LO,
// BAUD_HI, DATA_TX, DATA_RX; 8N1 frames, one bit every BAUD+1 clock cycles; TX/RX interrupt lines. A board may wire
// a UART transmit-only (`receive: false`, the meter's HAN port behind its data diode): no receive line exists, so
// DATA_RX is not decoded (reads 0, writes vanish), no RX interrupt line is wired, and the host cannot send to it.
import type { PeripheralConfig } from '../../../boards/board.ts';
import type { Device, DeviceHost } from '../device.ts';
import { OperationError } from '../../common/errors.ts';
import { optNumber } from './registers.ts';

const CTRL = 0;
const STATUS = 1;
const BAUD_LO = 2;
const BAUD_HI = 3;
const DATA_TX = 4;
const DATA_RX = 5;
/** CTRL bits the RTL stores (ctrl_nxt & 0x73): IEN_TX, IEN_RX_OVFLW, IEN_RX, SMCLK_SEL, EN. */
const CTRL_MASK = 0x73;
const EN = 0x01;
const IEN_RX = 0x10;
const IEN_RX_OVFLW = 0x20;
const IEN_TX = 0x40;
const IEN_TX_EMPTY = 0x80;
const ST_TX_EMPTY_PND = 0x80;
const ST_TX_PND = 0x40;
const ST_RX_OVFLW_PND = 0x20;
const ST_RX_PND = 0x10;
const ST_TX_FULL = 0x08;
const ST_TX_BUSY = 0x04;
const ST_RX_BUSY = 0x01;
/** Start bit, 8 data bits, stop bit. */
const FRAME_BITS = 10;

export interface UartOptions {
  base: number;
  irqRx: number;
  irqTx: number;
  /** false: transmit-only wiring (no receive line). */
  receive?: boolean;
  /** The host holds its next byte while the last is unread (RX pending), as a sender honouring RTS/CTS would:
   *  the board's "flow_control". Without it a byte that arrives before the firmware cleared the last overruns. */
  flowControl?: boolean;
}

export function uartOptions(cfg: PeripheralConfig): UartOptions {
  return { base: cfg.base, irqRx: optNumber(cfg, 'irq_rx', 7), irqTx: optNumber(cfg, 'irq_tx', 6), receive: cfg.receive !== false, flowControl: cfg.flow_control === true };
}

export class Uart implements Device {
  readonly name: string;
  readonly addresses: number[];
  /** Called with every byte the firmware has finished sending, and the cycle its stop bit ended. */
  onTransmit: (byte: number, cycle: number) => void = () => {};
  private ctrl = 0;
  private pnd = 0;
  private baud = 0;
  private txData = 0;
  /** A byte written while a frame is on the wire (tx_full). */
  private txQueued: number | undefined;
  private txDoneAt = Infinity;
  private txShifting: number | undefined;
  private rxData = 0;
  private readonly rxQueue: number[] = [];
  /** flowControl: the next byte is due but held while the last is unread. */
  private rxHeld = false;
  private rxDoneAt = Infinity;
  /** The board wires a receive line to this UART. */
  readonly canReceive: boolean;

  constructor(
    private readonly host: DeviceHost,
    private readonly opts: UartOptions,
    name = 'uart',
  ) {
    this.name = name;
    this.canReceive = opts.receive !== false;
    this.addresses = Array.from({ length: this.canReceive ? 6 : 5 }, (_, i) => opts.base + i);
  }

  reset(): void {
    this.ctrl = this.pnd = this.baud = this.txData = this.rxData = 0;
    this.txQueued = this.txShifting = undefined;
    this.txDoneAt = this.rxDoneAt = Infinity;
  }

  /** Cycles one frame takes at the current divider. */
  get frameCycles(): number {
    return FRAME_BITS * (this.baud + 1);
  }

  private status(): number {
    let s = this.pnd;
    if (this.txShifting !== undefined || this.txQueued !== undefined) s |= ST_TX_BUSY;
    if (this.txQueued !== undefined) s |= ST_TX_FULL;
    if (this.rxDoneAt !== Infinity) s |= ST_RX_BUSY;
    return s;
  }

  private reg(off: number): number {
    switch (off) {
      case CTRL:
        return this.ctrl;
      case STATUS:
        return this.status();
      case BAUD_LO:
        return this.baud & 0xff;
      case BAUD_HI:
        return this.baud >> 8;
      case DATA_TX:
        return this.txData;
      case DATA_RX:
        return this.rxData;
      default:
        return 0;
    }
  }

  read(addr: number, byte: boolean): number {
    const off = addr - this.opts.base;
    if (byte) return this.reg(off);
    return this.reg(off & ~1) | (this.reg((off & ~1) + 1) << 8);
  }

  /** Every register reads without side effect; STATUS changes only at a frame's end (an event) or by a write. */
  readStable(): boolean {
    return true;
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    const off = addr - this.opts.base;
    if (byte) this.writeReg(off, value & 0xff, now);
    else {
      this.writeReg(off & ~1, value & 0xff, now);
      this.writeReg((off & ~1) + 1, value >> 8, now);
    }
    this.host.changed();
  }

  private writeReg(off: number, v: number, now: number): void {
    switch (off) {
      case CTRL:
        this.ctrl = v & CTRL_MASK;
        if (this.ctrl & EN) this.startTx(now);
        return;
      case STATUS:
        this.pnd &= ~(v & (ST_TX_EMPTY_PND | ST_TX_PND | ST_RX_OVFLW_PND | ST_RX_PND)); // write 1 to clear
        if (this.rxHeld && !(this.pnd & ST_RX_PND)) {
          this.rxHeld = false;
          this.rxDoneAt = now + this.frameCycles;
        }
        return;
      case BAUD_LO:
        this.baud = (this.baud & 0xff00) | v;
        return;
      case BAUD_HI:
        this.baud = (this.baud & 0x00ff) | (v << 8);
        return;
      case DATA_TX:
        this.txData = v;
        this.txQueued = v;
        this.startTx(now);
        return;
      default:
    }
  }

  private startTx(now: number): void {
    if (this.txShifting !== undefined || this.txQueued === undefined || !(this.ctrl & EN)) return;
    this.txShifting = this.txQueued;
    this.txQueued = undefined;
    this.txDoneAt = now + 1 + this.frameCycles;
  }

  /** The host sends bytes to the firmware; they arrive one frame apart at the current divider. */
  receive(bytes: Iterable<number>): void {
    if (!this.canReceive) throw new OperationError(`UART '${this.name}' has no receive line on this board (transmit-only wiring)`);
    for (const b of bytes) this.rxQueue.push(b & 0xff);
    if (this.rxDoneAt === Infinity && this.rxQueue.length) this.rxDoneAt = this.host.now + this.frameCycles;
    this.host.changed();
  }

  nextEvent(): number {
    return Math.min(this.txDoneAt, this.rxDoneAt);
  }

  advance(now: number): void {
    while (this.nextEvent() <= now) {
      if (this.txDoneAt <= this.rxDoneAt) {
        const at = this.txDoneAt;
        const byte = this.txShifting!;
        this.txShifting = undefined;
        this.txDoneAt = Infinity;
        this.pnd |= ST_TX_PND;
        if (this.txQueued === undefined) this.pnd |= ST_TX_EMPTY_PND;
        this.onTransmit(byte, at);
        this.startTx(at);
      } else {
        const at = this.rxDoneAt;
        if (this.opts.flowControl && this.pnd & ST_RX_PND) {
          this.rxDoneAt = Infinity; // held until the firmware clears RX pending (writeReg STATUS)
          this.rxHeld = true;
          continue;
        }
        const byte = this.rxQueue.shift()!;
        if (this.pnd & ST_RX_PND) this.pnd |= ST_RX_OVFLW_PND;
        this.pnd |= ST_RX_PND;
        this.rxData = byte;
        this.rxDoneAt = this.rxQueue.length ? at + this.frameCycles : Infinity;
      }
    }
  }

  irq(): number {
    let lines = 0;
    if (this.canReceive && ((this.pnd & ST_RX_PND && this.ctrl & IEN_RX) || (this.pnd & ST_RX_OVFLW_PND && this.ctrl & IEN_RX_OVFLW))) lines |= 1 << this.opts.irqRx;
    if ((this.pnd & ST_TX_PND && this.ctrl & IEN_TX) || (this.pnd & ST_TX_EMPTY_PND && this.ctrl & IEN_TX_EMPTY)) lines |= 1 << this.opts.irqTx;
    return lines;
  }
}
