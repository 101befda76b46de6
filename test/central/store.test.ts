// The central system's storage (host/central): the same suite against SQLite and against a throwaway PostgreSQL
// server (Debian's postgresql, started by postgres-server.ts; skipped, saying why, only when it is not installed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../host/central/migrations.ts';
import { openDatabase } from '../../host/central/open.ts';
import type { Database } from '../../host/central/sql.ts';
import { CentralStore, CounterExhaustedError, UnknownMeterError } from '../../host/central/store.ts';
import { BACKENDS, postgresMissing } from './backends.ts';

for (const backend of BACKENDS) {
  const skip = backend.name === 'postgres' ? postgresMissing : undefined;
  if (skip) process.stderr.write(`central storage on PostgreSQL skipped: ${skip}\n`);
  describe.skipIf(!!skip)(`central storage on ${backend.name}`, () => {
    beforeAll(() => backend.setup(), 120_000);
    afterAll(() => backend.teardown());

    const open = async (tag: string): Promise<{ db: Database; store: CentralStore }> => {
      const db = await openDatabase(await backend.fresh(tag));
      return { db, store: new CentralStore(db) };
    };

    it('migrations: numbered, applied once each in a transaction, recorded', async () => {
      const db = await openDatabase(await backend.fresh('migrate'), { migrate: false });
      try {
        expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
        expect(await migrate(db)).toEqual([]);
        expect(await schemaVersion(db)).toBe(MIGRATIONS.length);
        const rows = await db.all<{ version: unknown; name: string }>('SELECT version, name FROM schema_migrations');
        expect(rows.map((r) => Number(r.version)).sort()).toEqual(MIGRATIONS.map((m) => m.version));
        // A migration that fails half way leaves nothing behind: neither its tables nor its row.
        const bad = { version: 99, name: 'broken', statements: ['CREATE TABLE t2 (a INTEGER)', 'CREATE TABLE nonsense ('] };
        await expect(migrate(db, [...MIGRATIONS, bad])).rejects.toThrow(/nonsense/);
        expect(await schemaVersion(db)).toBe(MIGRATIONS.length);
        await expect(db.all('SELECT * FROM t2')).rejects.toThrow();
      } finally {
        await db.close();
      }
    });

    it('meters, keys, readings, logs, privacy settings', async () => {
      const { db, store } = await open('tables');
      try {
        await store.addMeter({ id: 'm1', feeder: 'f1', deployment: { descriptor: 'firmware/meter.json' } });
        await store.addMeter({ id: 'm2' });
        await store.markAttested('m1', '2026-01-01T00:00:00.000Z');
        expect((await store.meters()).map((m) => [m.id, m.feeder, m.attested_at])).toEqual([['m1', 'f1', '2026-01-01T00:00:00.000Z'], ['m2', null, null]]);
        expect((await store.meter('m1'))!.deployment).toEqual({ descriptor: 'firmware/meter.json' });
        await expect(store.queueCommand('nope', 'read', {}, Uint8Array.of(6, 0))).rejects.toBeInstanceOf(UnknownMeterError);

        const fp1 = await store.setKey('m1', 'cs-command', '00112233445566778899aabbccddeeff');
        const fp2 = await store.setKey('m1', 'cs-command', 'ffeeddccbbaa99887766554433221100');
        expect(fp1).not.toBe(fp2);
        expect(await store.activeKey('m1', 'cs-command')).toEqual({ key_hex: 'ffeeddccbbaa99887766554433221100', fingerprint: fp2 });

        expect(await store.addReading('m1', { t: 1800, wh: 120, tariff: 0, pseudonym: 0 })).toBe(true);
        expect(await store.addReading('m1', { t: 0, wh: 100, tariff: 1, pseudonym: 7 })).toBe(true);
        expect(await store.addReading('m1', { t: 1800, wh: 999, tariff: 0, pseudonym: 0 })).toBe(false); // a duplicate keeps the first
        expect(await store.readings('m1')).toEqual([{ t: 0, wh: 100, tariff: 1, pseudonym: 7 }, { t: 1800, wh: 120, tariff: 0, pseudonym: 0 }]);
        expect(await store.readings('m1', { from: 1800 })).toHaveLength(1);
        expect(await store.countReadings()).toBe(2);

        await store.addLog({ meter_id: 'm1', log: 'security', kind: 2, result: 0, aux: 5, value: 1000, t: 42 });
        await store.addLog({ meter_id: 'm1', log: 'offswitch', kind: 16, result: 0, aux: 0, value: 0, t: null });
        const logs = await store.logs('m1');
        expect(logs.map((l) => [l.log, l.kind, l.t])).toEqual([['offswitch', 16, null], ['security', 2, 42]]);

        const s = { round_wh: 100, omit_per_1024: 64, pseudonym_halfhours: 720, key_hex: '0f'.repeat(16) };
        await store.setPrivacy('m1', s, null, 'queued');
        await store.setPrivacy('m1', { ...s, round_wh: 50 }, 3, 'delivered');
        expect(await store.privacy('m1')).toMatchObject({ ...s, round_wh: 50, status: 'delivered', command_id: 3 });
        expect(await store.privacy('m2')).toBeUndefined();
      } finally {
        await db.close();
      }
    });

    it('commands: queued → sent under a reserved counter → an outcome', async () => {
      const { db, store } = await open('commands');
      try {
        await store.addMeter({ id: 'm1' });
        const c = await store.queueCommand('m1', 'disconnect', {}, Uint8Array.of(0x10, 0));
        expect(c).toMatchObject({ meter_id: 'm1', kind: 'disconnect', status: 'queued', payload_hex: '1000', counter: null });
        await store.ensureCounter('m1/c/fp', 'm1', 0xffff, 5);
        const r = await store.reserve('m1/c/fp', c.id, (v) => Uint8Array.of(v, 0xaa));
        expect(r.value).toBe(5);
        expect(await store.command(c.id)).toMatchObject({ status: 'sent', counter: 5, identity: 'm1/c/fp' });
        expect(Array.from((await store.counterUse('m1/c/fp', 5))!)).toEqual([5, 0xaa]);
        await store.setOutcome(c.id, 'delivered', 'ok');
        expect(await store.command(c.id)).toMatchObject({ status: 'delivered', outcome: 'ok' });
        expect((await store.commands({ status: 'queued' })).length).toBe(0);
      } finally {
        await db.close();
      }
    });

    it('leases: one process per meter; a lapsed lease can be taken over', async () => {
      const { db, store } = await open('leases');
      try {
        await store.addMeter({ id: 'm1' });
        expect(await store.claimLease('m1', 'A', 60_000)).toEqual({ ok: true });
        expect(await store.claimLease('m1', 'A', 60_000)).toEqual({ ok: true }); // renewed
        expect(await store.claimLease('m1', 'B', 60_000)).toMatchObject({ ok: false, holder: 'A' });
        await store.releaseLease('m1', 'B'); // not B's: nothing happens
        expect(await store.claimLease('m1', 'B', 60_000)).toMatchObject({ ok: false, holder: 'A' });
        await store.releaseLease('m1', 'A');
        expect(await store.claimLease('m1', 'B', -1)).toEqual({ ok: true }); // B's lease has already lapsed…
        expect(await store.claimLease('m1', 'C', 60_000)).toEqual({ ok: true }); // …so C takes it over
      } finally {
        await db.close();
      }
    });

    it('counters: every value once, also under concurrent reservations; a throw inside leaves nothing taken; the last value ends it', async () => {
      const { db, store } = await open('counters');
      try {
        await store.addMeter({ id: 'm1' });
        expect(await store.ensureCounter('id1', 'm1', 60)).toBe(0);
        expect(await store.ensureCounter('id1', 'm1', 60, 30)).toBe(0); // exists: unchanged
        const values = await Promise.all(Array.from({ length: 50 }, () => store.reserve('id1', null, (v) => Uint8Array.of(v)).then((r) => r.value)));
        expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        // a failure between taking the value and committing rolls the value back: it was never handed out
        await expect(store.reserve('id1', null, () => { throw new Error('seal failed'); })).rejects.toThrow('seal failed');
        expect(await store.nextCounter('id1')).toBe(50);
        for (let v = 50; v <= 60; v++) expect((await store.reserve('id1', null, () => Uint8Array.of(1))).value).toBe(v);
        await expect(store.reserve('id1', null, () => Uint8Array.of(1))).rejects.toBeInstanceOf(CounterExhaustedError);
      } finally {
        await db.close();
      }
    });
  });
}
