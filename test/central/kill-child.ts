// The process the kill -9 test kills (kill.test.ts): a central system on the given database that attaches a
// loopback meter (recovering whatever the previous, killed, process left), then queues and sends top-up commands
// one after another, printing each counter value it got; after each, the meter sends two half-hourly readings and
// the central system collects them (one transaction), printing their times once collect has returned — those must
// survive any later kill. Usage: kill-child.ts DB WIRE COUNT
import { CentralSystem } from '../../host/central/service.ts';
import { encodeCommand } from '../../host/central/messages.ts';
import { openDatabase } from '../../host/central/open.ts';
import { CentralStore } from '../../host/central/store.ts';
import { LoopbackLink } from './loopback-link.ts';

const [db, wire, count] = process.argv.slice(2) as [string, string, string];
const store = new CentralStore(await openDatabase(db));
// The killed process never released its lease on the meter: a lease of 1 ms lapses by the time the next one starts.
const central = new CentralSystem(store, undefined, { leaseMs: 1 });
const link = new LoopbackLink('m1', '00112233445566778899aabbccddeeff', wire);
// Lines at each step of a command's life, so the parent's kill lands after the reservation (before the wire),
// after the wire (before the outcome is recorded), or after the outcome.
link.onSend = (stage, value) => process.stdout.write(`${stage} ${value}\n`);
const recovered = await central.attach(link);
// Reading times go on from the last one stored (by this or a killed process), so each is new.
let t = ((await store.readings('m1')).at(-1)?.t ?? 0) + 1;
const reading = (wh: number): Uint8Array => {
  const b = new Uint8Array(16);
  const d = new DataView(b.buffer);
  d.setUint16(0, 0x80, true); // CS security's reading uplink (host/central/messages.ts decodeUplink)
  d.setUint32(8, t++, true);
  d.setUint32(12, wh, true);
  return b;
};
for (const r of recovered) process.stdout.write(`recovered ${r.command} ${r.counter}\n`);
for (let i = 0; i < Number(count); i++) {
  const token = Date.now() * 1000 + i; // strictly rising across runs, as the meter requires of top-up tokens
  await store.queueCommand('m1', 'topup', { amount: 1000, token }, encodeCommand('topup', { amount: 1000, token: token % 0xffffffff || 1 }));
  for (const r of await central.dispatch()) process.stdout.write(`sent ${r.command} ${r.counter} ${r.status}\n`);
  link.pending.push({ channel: 'uplink', plaintext: reading(2 * i) }, { channel: 'uplink', plaintext: reading(2 * i + 1) });
  const got = await central.collect();
  process.stdout.write(`stored ${got.map((g) => (g.uplink.type === 'reading' ? g.uplink.t : NaN)).join(' ')}\n`);
}
await store.db.close();
