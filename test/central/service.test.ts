// The dispatch loop when a meter's link breaks: the command whose bytes may or may not have left stays 'sent' and
// is carried again byte for byte before anything newer; other meters are not held back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from '../../host/central/open.ts';
import { queueCommand } from '../../host/central/queue.ts';
import { CentralSystem } from '../../host/central/service.ts';
import { CentralStore } from '../../host/central/store.ts';
import { LoopbackLink, readWire } from './loopback-link.ts';

class FlakyLink extends LoopbackLink {
  failures = 0;
  override async send(sealed: Uint8Array): Promise<boolean> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('modem hung up');
    }
    return super.send(sealed);
  }
}

it('a broken link holds back only its meter; the unconfirmed command goes again, identical, first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasm-central-svc-'));
  const store = new CentralStore(await openDatabase(join(dir, 'c.sqlite')));
  const problems: string[] = [];
  const central = new CentralSystem(store, (m) => problems.push(m));
  try {
    const a = new FlakyLink('a', '11'.repeat(16), join(dir, 'wire-a'));
    const b = new LoopbackLink('b', '22'.repeat(16), join(dir, 'wire-b'));
    await central.attach(a);
    await central.attach(b);
    a.failures = 2;
    const a1 = await queueCommand(store, 'a', 'disconnect', {});
    const a2 = await queueCommand(store, 'a', 'reconnect', {});
    const b1 = await queueCommand(store, 'b', 'disconnect', {});
    // round 1: a's first command is reserved but its link throws; b's goes through
    expect((await central.dispatch()).map((r) => [r.command, r.status])).toEqual([[b1.id, 'delivered']]);
    expect(await store.command(a1.id)).toMatchObject({ status: 'sent', counter: 0 });
    expect(await store.command(a2.id)).toMatchObject({ status: 'queued' });
    expect(problems[0]).toMatch(/modem hung up.*carried again/);
    // round 2: the retransmission fails too; nothing newer goes to a
    expect(await central.dispatch()).toEqual([]);
    expect(await store.command(a2.id)).toMatchObject({ status: 'queued' });
    // round 3: the same bytes under counter 0, then the next command under 1
    const r = await central.dispatch();
    expect(r.map((x) => [x.command, x.status, x.counter])).toEqual([[a1.id, 'delivered', 0], [a2.id, 'delivered', 1]]);
    expect(readWire(join(dir, 'wire-a')).map((l) => l.value)).toEqual([0, 1]);
    expect(await store.nextCounter(a.identity)).toBe(2);
  } finally {
    await store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a second process cannot attach a meter another one holds, until it lets go', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasm-central-lease-'));
  const store = new CentralStore(await openDatabase(join(dir, 'c.sqlite')));
  const one = new CentralSystem(store);
  const two = new CentralSystem(store);
  try {
    await one.attach(new LoopbackLink('a', '11'.repeat(16), join(dir, 'wire-a')));
    await expect(two.attach(new LoopbackLink('a', '11'.repeat(16), join(dir, 'wire-a')))).rejects.toThrow(/attached to another central system process/);
    await one.close();
    await two.attach(new LoopbackLink('a', '11'.repeat(16), join(dir, 'wire-a')));
    expect(two.linked('a')).toBe(true);
  } finally {
    await store.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
