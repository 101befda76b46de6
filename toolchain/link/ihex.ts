// Intel HEX (the format FPGA flashers and mspdebug's `prog` read): data records (00), end of file (01), and on
// input the extended segment/linear address (02/04) and start address (03/05) records.
import { InputError } from '../common/errors.ts';

export interface Segment {
  address: number;
  bytes: Uint8Array;
}

function record(type: number, address: number, data: ArrayLike<number>): string {
  const bytes = [data.length, (address >> 8) & 0xff, address & 0xff, type, ...Array.from(data)];
  const sum = (-bytes.reduce((a, v) => a + v, 0)) & 0xff;
  return ':' + [...bytes, sum].map((v) => v.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** Writes segments as Intel HEX, 16 data bytes a record (16-bit addresses: the MSP430's whole space). */
export function writeIntelHex(segments: Segment[]): string {
  const lines: string[] = [];
  for (const seg of [...segments].sort((a, b) => a.address - b.address)) {
    for (let i = 0; i < seg.bytes.length; i += 16) {
      const addr = seg.address + i;
      if (addr > 0xffff) throw new Error(`address 0x${addr.toString(16)} does not fit Intel HEX 16-bit records`);
      lines.push(record(0, addr, seg.bytes.subarray(i, Math.min(i + 16, seg.bytes.length))));
    }
  }
  lines.push(record(1, 0, []));
  return lines.join('\n') + '\n';
}

/** Parses Intel HEX into contiguous segments; errors name the line. */
export function readIntelHex(text: string, file: string): { segments: Segment[]; start?: number } {
  const mem = new Map<number, number>();
  let base = 0;
  let start: number | undefined;
  let ended = false;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    const fail = (msg: string): never => {
      throw new InputError(msg, { file, line: n + 1 });
    };
    if (ended) fail('data after the end-of-file record');
    if (!/^:([0-9a-fA-F]{2})+$/.test(line)) fail('expected an Intel HEX record (":" followed by hex byte pairs)');
    const bytes = Buffer.from(line.slice(1), 'hex');
    const len = bytes[0]!;
    if (bytes.length !== len + 5) fail(`record length ${len} does not match the line (${bytes.length - 5} data bytes)`);
    const sum = bytes.reduce((a, v) => a + v, 0) & 0xff;
    if (sum !== 0) fail(`bad checksum (record sums to 0x${sum.toString(16)})`);
    const addr = (bytes[1]! << 8) | bytes[2]!;
    const type = bytes[3]!;
    const data = bytes.subarray(4, 4 + len);
    switch (type) {
      case 0:
        for (let i = 0; i < len; i++) mem.set(base + addr + i, data[i]!);
        break;
      case 1:
        ended = true;
        break;
      case 2:
        base = ((data[0]! << 8) | data[1]!) * 16;
        break;
      case 4:
        base = ((data[0]! << 8) | data[1]!) << 16;
        break;
      case 3:
        start = ((data[2]! << 8) | data[3]!) >>> 0;
        break;
      case 5:
        start = (((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0);
        break;
      default:
        fail(`unknown record type ${type}`);
    }
  }
  const addrs = [...mem.keys()].sort((a, b) => a - b);
  const segments: Segment[] = [];
  let i = 0;
  while (i < addrs.length) {
    let j = i;
    while (j + 1 < addrs.length && addrs[j + 1] === addrs[j]! + 1) j++;
    const bytes = new Uint8Array(j - i + 1);
    for (let k = i; k <= j; k++) bytes[k - i] = mem.get(addrs[k]!)!;
    segments.push({ address: addrs[i]!, bytes });
    i = j + 1;
  }
  return { segments, start };
}
