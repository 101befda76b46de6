// The bytes a node sends on its WAN line (host/deploy/wan.ts FrameParser): the runtime's frames and, on a meter whose
// CS security hosts the DLMS server, wrapper frames — told apart by their first byte, as the runtime does on receive.
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameParser, T } from '../../host/deploy/wan.ts';
import { seededBytes } from './vectors.ts';

/** A wrapper frame (IEC 62056-47: version 1, wPorts 1 → 16, length) around `apdu`. */
const wrapper = (apdu: Uint8Array) => Uint8Array.from([0, 1, 0, 1, 0, 0x10, apdu.length >> 8, apdu.length & 0xff, ...apdu]);

/** Every frame the parser yields, fed `chunks` one after another. */
function parse(chunks: Uint8Array[]): { frames: { type: number; payload: number[] }[]; wrappers: number[][]; bad: number } {
  const wrappers: number[][] = [];
  const p = new FrameParser((f) => wrappers.push([...f]));
  const frames = chunks.flatMap((c) => p.push(c)).map((f) => ({ type: f.type, payload: [...f.payload] }));
  return { frames, wrappers, bad: p.bad };
}

describe('the WAN line as the host reads it', () => {
  // A ciphered APDU holds any byte: here 0x7E followed by what reads as a type and a length of 0x7F, so a parser
  // hunting for 0x7E through it would wait for 131 bytes and swallow the runtime's next frame whole.
  const apdu = Uint8Array.from([0xdb, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x20, 0x30, 0, 0, 0, 9, 0x7e, 0x10, 0x7f]);
  const reading = encodeFrame(T.output, Uint8Array.from([2, 0, 9, 9, 9, 9, 9, 9, 9, 9]));

  it('takes a wrapper frame whole by its length and reads the runtime frame after it', () => {
    const whole = parse([wrapper(apdu), reading]);
    expect(whole.wrappers).toEqual([[...wrapper(apdu)]]);
    expect(whole.frames).toEqual([{ type: T.output, payload: [2, 0, 9, 9, 9, 9, 9, 9, 9, 9] }]);
    expect(whole.bad).toBe(0);
    // Byte by byte, the same.
    const bytes = [...wrapper(apdu), ...reading].map((b) => Uint8Array.of(b));
    expect(parse(bytes)).toEqual(whole);
    // A parser nobody asked for wrapper frames (the host's own, firmware-node.ts) skips them all the same.
    const own = new FrameParser();
    expect([...own.push(wrapper(apdu)), ...own.push(reading)].map((f) => f.type)).toEqual([T.output]);
  });

  it('skips noise between frames, a lone 0x00 included, and still counts bad checksums', () => {
    const broken = Uint8Array.from(reading);
    broken[5] ^= 1;
    const r = parse([Uint8Array.of(0x00, 0x42, 0x00), broken, Uint8Array.of(0x13), wrapper(apdu), Uint8Array.of(0x00), reading]);
    expect(r.frames).toHaveLength(1);
    expect(r.wrappers).toHaveLength(1);
    expect(r.bad).toBe(1);
  });

  it('a wrapper header claiming more than a meter sends is noise: the runtime frame after it is read', () => {
    const r = parse([Uint8Array.of(0, 1, 0, 1, 0, 0x10, 0xff, 0xff), reading]);
    expect(r.frames).toHaveLength(1);
    expect(r.wrappers).toHaveLength(0);
  });

  it('seeded: runtime frames and wrapper frames of random APDUs interleaved frame by frame, every one of each comes out', () => {
    const rnd = seededBytes(19);
    const chunks: Uint8Array[] = [];
    const want = { frames: 0, wrappers: 0 };
    for (let i = 0; i < 200; i++) {
      const [kind, len] = rnd(2) as unknown as [number, number];
      if (kind & 1) {
        chunks.push(wrapper(rnd(1 + (len % 200))));
        want.wrappers++;
      } else {
        chunks.push(encodeFrame(T.output, rnd(10 + (len % 100))));
        want.frames++;
      }
    }
    const r = parse(chunks);
    expect({ frames: r.frames.length, wrappers: r.wrappers.length, bad: r.bad }).toEqual({ ...want, bad: 0 });
  });
});
