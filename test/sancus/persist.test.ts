// State across a reset (issue 18 item 3, seed §4.6.3): the off-switch seals its holds into the board's non-volatile
// memory under its own module key, versioned by the non-volatile monotonic counter (firmware/offswitch/persist.ts).
// Each deploy below is a power cycle of the same board: a fresh machine (RAM, module table, runtime all gone) whose
// non-volatile memory and counter are the previous boot's, as the chips would keep them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { deploy, type DeployReport } from '../../host/deploy/deploy.ts';
import { parseDescriptor } from '../../host/deploy/descriptor.ts';
import type { EmulatedNode } from '../../host/deploy/node.ts';
import { meterControls } from '../../toolchain/emulator/meter.ts';
import type { MonotonicCounter } from '../../toolchain/emulator/peripherals/monotonic-counter.ts';
import { seededBytes } from './vectors.ts';

const board = loadBoard('emulated');
const NVM = board.memory.find((m) => m.kind === 'nvm')!;
const REMOTE = 1, TAMPER = 4; // firmware/offswitch/offswitch.ts holds
const FRESH = 0, RESTORED = 1, ROLLED_BACK = 2, TAMPERED = 3; // firmware/offswitch/persist.ts

/** What the non-volatile chips hold between boots. */
interface Chips { nvm: Uint8Array; count: number }

type Step = Record<string, unknown>;

/** One boot: the chips as given (or a fresh board), `prepare` on the machine, the script; returns the report and
 *  the chips as the boot left them. */
async function boot(chips: Chips | undefined, script: Step[], prepare?: (n: EmulatedNode) => void): Promise<{ r: DeployReport; chips: Chips }> {
  const dir = mkdtempSync(join(tmpdir(), 'persist-'));
  const desc = {
    nodes: [{ name: 'n', board: 'emulated' }],
    modules: [
      { name: 'relay', node: 'n', vendor_id: '0x1003', source: resolve('firmware/relay'), mmio: { peripheral: 'gpio', ports: [1, 2] } },
      { name: 'offswitch', node: 'n', vendor_id: '0x2003', source: resolve('firmware/offswitch') },
    ],
    connections: [
      { id: 1, from: 'wan.central', to: 'offswitch.command' },
      { id: 2, from: 'relay.local', to: 'offswitch.local' },
      { id: 3, from: 'offswitch.relay', to: 'relay.relay' },
    ],
    script,
  };
  const file = join(dir, 'persist.json');
  writeFileSync(file, JSON.stringify(desc));
  let node: EmulatedNode | undefined;
  const r = await deploy(parseDescriptor(JSON.stringify(desc), file), {
    random: seededBytes(51),
    beforeEnable: (n) => {
      node = n;
      const counter = n.machine.devices.find((d) => d.name === 'nvcount') as MonotonicCounter;
      if (chips) {
        chips.nvm.forEach((b, i) => n.machine.bus.poke(NVM.start + i, b));
        counter.count = chips.count;
      }
      prepare?.(n);
    },
  });
  const m = node!.machine;
  const nvm = Uint8Array.from({ length: NVM.size }, (_, i) => (m.bus.peekWord((NVM.start + i) & ~1) >> (((NVM.start + i) & 1) * 8)) & 0xff);
  return { r, chips: { nvm, count: (m.devices.find((d) => d.name === 'nvcount') as MonotonicCounter).count } };
}

/** offswitch.status(): the start's verdict on the record and the holds. */
const verdict = (s: number) => s >> 8;
const holds = (s: number) => (s >> 4) & 7;
const results = (r: DeployReport) => r.script.map((s) => (s as { result?: number }).result ?? -1);

describe('the off-switch across a power cycle (sealed in non-volatile memory, versioned by the monotonic counter)', () => {
  it('a tamper lock survives a power cycle until the central system unlocks; older, altered or missing records fail safe into the lock', async () => {
    // Boot A, a fresh board: nothing saved yet; a remote disconnect is sealed (record version 1).
    const a = await boot(undefined, [{ call: 'offswitch.status' }, { send: 1, payload: '1000' }, { call: 'offswitch.status' }]);
    expect(a.r.ok).toBe(true);
    expect(verdict(results(a.r)[0]!)).toBe(FRESH);
    expect(holds(results(a.r)[0]!)).toBe(0);
    expect(holds(results(a.r)[2]!)).toBe(REMOTE);
    expect(a.chips.count).toBe(1);
    // The record is sealed: the holds are not in the clear in the non-volatile memory.
    expect([...a.chips.nvm.slice(0, 4)]).toEqual([1, 0, 0, 0]); // the version, the only plaintext
    // Boot B: the disconnect is back; the case is opened: the tamper lock is sealed on top (version 2).
    const b = await boot(a.chips, [{ call: 'offswitch.status' }, { call: 'relay.poll' }, { call: 'offswitch.status' }], (n) => meterControls(n.machine).openCase());
    expect(verdict(results(b.r)[0]!)).toBe(RESTORED);
    expect(holds(results(b.r)[0]!)).toBe(REMOTE);
    expect(holds(results(b.r)[2]!)).toBe(REMOTE | TAMPER);
    expect(b.chips.count).toBe(2);
    // Boot C, case closed again: still locked after the power cycle, until the central system unlocks.
    const c = await boot(b.chips, [{ call: 'offswitch.status' }, { call: 'relay.poll' }, { send: 1, payload: '1200' }, { call: 'offswitch.status' }]);
    expect(c.r.ok).toBe(true);
    expect(verdict(results(c.r)[0]!)).toBe(RESTORED);
    expect(holds(results(c.r)[0]!)).toBe(REMOTE | TAMPER);
    expect(holds(results(c.r)[3]!)).toBe(REMOTE); // unlocked by the central system; its disconnect stays
    // Rollback: boot A's record (no tamper lock) replayed beside the counter at 2 — refused, the lock holds.
    const d = await boot({ nvm: a.chips.nvm, count: b.chips.count }, [{ call: 'offswitch.status' }]);
    expect(verdict(results(d.r)[0]!)).toBe(ROLLED_BACK);
    expect(holds(results(d.r)[0]!) & TAMPER).toBe(TAMPER);
    // An altered record (one bit of the sealed state): the tag fails, the lock holds.
    const forged = Uint8Array.from(b.chips.nvm);
    forged[4]! ^= TAMPER;
    const e = await boot({ nvm: forged, count: b.chips.count }, [{ call: 'offswitch.status' }]);
    expect(verdict(results(e.r)[0]!)).toBe(TAMPERED);
    expect(holds(results(e.r)[0]!) & TAMPER).toBe(TAMPER);
    // The counter advanced by untrusted code (it can only count up): the record is stale — the lock, not an unlock.
    const f = await boot({ nvm: b.chips.nvm, count: b.chips.count + 1 }, [{ call: 'offswitch.status' }]);
    expect(verdict(results(f.r)[0]!)).toBe(ROLLED_BACK);
    expect(holds(results(f.r)[0]!) & TAMPER).toBe(TAMPER);
  }, 300_000);
});
