// The firmware runtime's WAN protocol (wan.ts) over a real serial line (`serialport`, in this process: the deployer
// is asynchronous here, so the line's events run on the main loop). One request at a time; an answer that does not
// come within the timeout is an error naming the line (a frame lost on the wire is not retried: the runtime's
// handling of a request is not idempotent — a repeated set_key or event is refused by the module, as it should be).
import { SerialPort } from 'serialport';
import { OperationError } from '../../toolchain/common/errors.ts';
import { FrameParser, NoAnswerError, type Frame, type WanLink } from './wan.ts';

export async function openSerialWan(o: { serial: string; baud: number; timeoutMs?: number }): Promise<WanLink> {
  const timeoutMs = o.timeoutMs ?? 20_000; // a board answers in milliseconds; this only bounds a failure (and a loaded test machine)
  const port = new SerialPort({ path: o.serial, baudRate: o.baud, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(new OperationError(`serial ${o.serial}: ${e.message}`, { path: o.serial })) : res())));
  const parser = new FrameParser();
  const frames: Frame[] = [];
  let wake: (() => void) | undefined;
  port.on('data', (b: Buffer) => {
    frames.push(...parser.push(b));
    wake?.();
  });
  return {
    async exchange(request, isAnswer) {
      await new Promise<void>((res, rej) => port.write(Buffer.from(request), (e) => (e ? rej(new OperationError(`serial ${o.serial}: ${e.message}`)) : port.drain(() => res()))));
      const until = Date.now() + timeoutMs;
      for (;;) {
        const i = frames.findIndex(isAnswer);
        if (i >= 0) return frames.splice(0, i + 1);
        const left = until - Date.now();
        if (left <= 0) throw new NoAnswerError(`serial ${o.serial}: no answer from the node's runtime to message 0x${request[1]!.toString(16)} within ${timeoutMs} ms`, { path: o.serial });
        await new Promise<void>((res) => {
          const t = setTimeout(res, left);
          wake = () => {
            clearTimeout(t);
            res();
          };
        });
        wake = undefined;
      }
    },
    close: () => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())),
  };
}
