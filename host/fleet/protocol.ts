// Messages between the fleet's main thread (central system, data concentrator, evaluators) and its worker threads
// (emulated meters). Requests carry an id and get one reply with it; progress comes unasked.
import type { WanEnd } from '../deploy/deploy.ts';

export interface MeterSpec {
  id: string;
  /** The privacy generator's household (host/meter/household.ts) and seed. */
  household: number;
  seed: number;
  /** Fraction of the household's load wired around the metrology front end (theft), 0 = none. */
  bypass: number;
  /** Forward its HAN UART's bytes (an in-home display on the main thread reads them, one way). */
  han?: boolean;
}

/** One end of a meter's connection to or from the WAN, as the deployer keyed it (host/deploy). */
export type EndInfo = WanEnd;

export interface Frame {
  meter: string;
  connection: number;
  sealed: Uint8Array;
}

/** What the households really drew in one half hour (front end + bypass): the transformer's meter adds these up. */
export interface Truth {
  meter: string;
  /** Half hour index since the meter's clock started (its readings' t / 1800). */
  slot: number;
  wh: number;
}

export type Request =
  | { id: number; op: 'deploy'; descriptor: string; meters: MeterSpec[]; seed?: number }
  | { id: number; op: 'send'; meter: string; connection: number; sealed: Uint8Array }
  | { id: number; op: 'run'; seconds: number }
  | { id: number; op: 'press-button'; meter: string }
  | { id: number; op: 'close' };

export interface Deployed {
  meter: string;
  ends: EndInfo[];
  attested: boolean;
  deploy_ms: number;
}

export type ReplyBody =
  | { op: 'deploy'; meters: Deployed[] }
  | { op: 'send'; accepted: boolean; frames: Frame[] }
  | { op: 'run'; frames: Frame[]; truth: Truth[]; emulation_ms: number; relay: { meter: string; closed: boolean }[]; han: { meter: string; bytes: Uint8Array }[] }
  | { op: 'press-button' }
  | { op: 'close' };

export type Reply = ({ id: number; error?: undefined } & ReplyBody) | { id: number; error: string };

export interface Progress {
  progress: true;
  /** Meter-seconds simulated since the last progress message. */
  simulated: number;
  deployed?: number;
}
