import { hex } from '../bytes.ts';
import type { DlmsKeys } from '../keys.ts';
import { suiteOf, type Suite } from '../security/suites.ts';
import { rightsFor, type Rights } from './access.ts';
import type { ServerConfig } from './config.ts';
import { buildObjects } from './model.ts';
import type { CosemObject } from './object.ts';
import type { KeyName } from './security-setup.ts';
import { ServerSession, type Association } from './session.ts';
import { ServerState } from './state.ts';

// The reference COSEM server: configuration, current keys, the object model shared by all connections, and the
// durable state. Transports (wrapper, HDLC, in-process) open one ServerSession per connection.

export class DlmsServer {
  readonly objects: CosemObject[];
  private readonly byLn = new Map<number, CosemObject>();
  keys: DlmsKeys;
  readonly suite: Suite;
  private scheduled: { name: KeyName; key: Uint8Array }[] = [];
  private readonly outstanding = new Set<string>();
  now: () => Date = () => new Date();
  /** Told of every refused request with the rule that refused it (the `serve` log; issue 16). */
  onRefusal?: (what: string) => void;

  constructor(
    readonly cfg: ServerConfig,
    readonly state: ServerState = new ServerState(undefined),
    extraObjects: CosemObject[] = [],
  ) {
    this.suite = suiteOf(cfg.suite);
    this.keys = { ...cfg.keys };
    // Keys changed by key_transfer survive a restart.
    for (const [name, v] of Object.entries(state.data.keys)) {
      if (name === 'guek' || name === 'gak' || name === 'kek') this.keys[name] = Uint8Array.from(Buffer.from(v, 'hex'));
    }
    this.objects = [...buildObjects(this), ...extraObjects];
    for (const o of this.objects) this.byLn.set(lnKey(o.ln), o);
  }

  session(): ServerSession {
    return new ServerSession(this);
  }

  object(ln: Uint8Array): CosemObject | undefined {
    return ln.length === 6 ? this.byLn.get(lnKey(ln)) : undefined;
  }

  visibleObjects(a: Association): { obj: CosemObject; rights: Rights }[] {
    const out: { obj: CosemObject; rights: Rights }[] = [];
    for (const obj of a.lnObject ? [a.lnObject, ...this.objects] : this.objects) {
      const rights = rightsFor(a.cfg, obj);
      if (rights) out.push({ obj, rights });
    }
    return out;
  }

  scheduleKeyChange(keys: { name: KeyName; key: Uint8Array }[]): void {
    this.scheduled.push(...keys);
  }

  /** Applies key_transfer results once the response that acknowledged them is protected and encoded. */
  applyScheduledKeyChanges(): void {
    if (this.scheduled.length === 0) return;
    for (const { name, key } of this.scheduled) {
      if (name === 'gbek') continue; // no broadcast service here: accepted and not used
      this.keys[name] = key;
      this.state.setKey(name, hex(key));
    }
    this.state.record({ kind: 'key-change', client: '-', detail: this.scheduled.map((k) => k.name).join(',') });
    this.scheduled = [];
  }

  isOutstandingChallenge(c: Uint8Array): boolean {
    return this.outstanding.has(hex(c));
  }

  addOutstandingChallenge(c: Uint8Array): void {
    if (this.outstanding.size > 10_000) this.outstanding.clear(); // bounded: abandoned associations leave theirs
    this.outstanding.add(hex(c));
  }

  removeOutstandingChallenge(c: Uint8Array): void {
    this.outstanding.delete(hex(c));
  }
}

/** A logical name as one number (48 bits): looked up on every request, so no string is built for it. */
function lnKey(ln: Uint8Array): number {
  return ((((ln[0]! * 256 + ln[1]!) * 256 + ln[2]!) * 256 + ln[3]!) * 256 + ln[4]!) * 256 + ln[5]!;
}
