// The central system's link to one meter (seed §4.3: the head end talks to the meter's CS security module end to
// end; whatever carries the bytes — the data concentrator, a WAN modem, the untrusted runtime — can neither read
// nor forge them). Today over the CS-security module's authenticated events (host/deploy: a connection from the
// host on the WAN, `wan.NAME`, to `cs.command`, and the meter's outputs to `wan.*`); once the meter speaks
// DLMS/COSEM the same interface is carried by a host/dlms client.

/** One authenticated plaintext the meter sent, already opened and checked under its connection key. */
export interface Received {
  /** The channel it came on (the WAN endpoint's name, e.g. `uplink`, `logs`). */
  channel: string;
  plaintext: Uint8Array;
}

export interface MeterLink {
  readonly meter: string;
  /** What the command channel's counter belongs to: the channel and its key (fingerprint), never a process. */
  readonly identity: string;
  /** The command channel's key, hex (kept in the database as the meter's key for that purpose). */
  readonly keyHex: string;
  /** The first counter value the meter will accept on this key, as the link found it at attachment. */
  readonly firstCounter: number;
  /** The last counter value the channel can carry (a Sancus event counter is 32 bits: MAX_EVENT_COUNTER). */
  readonly maxCounter: number;
  /** Seals a plaintext under the command key with counter `value` (pure: the same inputs give the same bytes). */
  seal(value: number, plaintext: Uint8Array): Uint8Array;
  /** Carries sealed bytes to the meter; resolves true when the meter accepted them (its runtime says so). */
  send(sealed: Uint8Array): Promise<boolean>;
  /** The authenticated plaintexts the meter sent since the last call (events that fail their check are counted, not returned). */
  receive(): Promise<Received[]>;
  /** Events that arrived and failed authentication (forged, replayed, reordered). */
  readonly rejected: number;
  close(): Promise<void>;
}
