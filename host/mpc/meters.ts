import { InputError } from '../../toolchain/common/errors.ts';

// The meters file for the operational settlement (seed §6.6.4): one row per smart meter and settlement period.
// Header `meter,region,import_supplier,export_supplier,import,export`; region 1..N_d (the DSO region, public: a DSO
// knows its meters), suppliers 1..N_s (secret, shared by the meter), energies in Wh (secret).

export interface Meter {
  meter: number;
  region: number;
  importSupplier: number;
  exportSupplier: number;
  import: number;
  export: number;
}

export const METERS_HEADER = 'meter,region,import_supplier,export_supplier,import,export';
export const MAX_SETTLEMENT_SUPPLIERS = 64;
export const MAX_REGIONS = 1024;
/** Per-meter energy bound: aggregates over a region stay < 2^31 − 1 for ≤ 1 M meters of ≤ 2 kWh per period. */
export const MAX_ENERGY_WH = 1_000_000;

export function parseMeters(text: string, file = 'meters.csv'): Meter[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== METERS_HEADER) throw new InputError(`expected header '${METERS_HEADER}'`, { file, line: 1 });
  const out: Meter[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    const f = raw.split(',').map((s) => s.trim());
    if (f.length !== 6) throw new InputError(`expected 6 fields, got ${f.length}`, { file, line });
    const num = (k: number, what: string, min: number, max: number) => {
      const t = f[k]!;
      if (!/^[0-9]+$/.test(t)) throw new InputError(`${what} '${t}' is not a non-negative integer`, { file, line });
      const v = Number(t);
      if (v < min || v > max) throw new InputError(`${what} ${v} is outside ${min}..${max}`, { file, line });
      return v;
    };
    out.push({
      meter: num(0, 'meter', 0, Number.MAX_SAFE_INTEGER),
      region: num(1, 'region', 1, MAX_REGIONS),
      importSupplier: num(2, 'import_supplier', 1, MAX_SETTLEMENT_SUPPLIERS),
      exportSupplier: num(3, 'export_supplier', 1, MAX_SETTLEMENT_SUPPLIERS),
      import: num(4, 'import', 0, MAX_ENERGY_WH),
      export: num(5, 'export', 0, MAX_ENERGY_WH),
    });
  }
  return out;
}

export function formatMeters(ms: Meter[]): string {
  return [METERS_HEADER, ...ms.map((m) => `${m.meter},${m.region},${m.importSupplier},${m.exportSupplier},${m.import},${m.export}`)].join('\n') + '\n';
}
