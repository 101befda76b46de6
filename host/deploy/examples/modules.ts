// The example modules of examples/ as ModuleSpecs (the descriptor in two-modules.json says the same in JSON).
import { readFileSync } from 'node:fs';
import type { ModuleSpec } from '../../../toolchain/sancus/module/package.ts';

const src = (f: string) => readFileSync(new URL(f, import.meta.url), 'utf8');

export const METER: ModuleSpec = {
  name: 'meter',
  vendorId: 0x1234,
  source: src('./meter.s'),
  file: 'meter.s',
  entries: [{ name: 'meter_send', results: 1 }],
  io: { io: [{ kind: 'output', name: 'reading' }], slots: 2 },
};

export const RELAY: ModuleSpec = {
  name: 'relay',
  vendorId: 0x5678,
  source: src('./relay.s'),
  file: 'relay.s',
  entries: [{ name: 'relay_state', results: 1 }, { name: 'relay_count', results: 1 }],
  io: { io: [{ kind: 'input', name: 'switch', handler: 'relay_on_event' }], slots: 2 },
};
