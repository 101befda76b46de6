import { D } from '../axdr.ts';
import { parseObis } from '../obis.ts';
import { ClockObject } from './clock.ts';
import { DataObject } from './data.ts';
import type { CosemObject } from './object.ts';
import { RegisterObject } from './register.ts';
import { SecuritySetupObject } from './security-setup.ts';
import type { DlmsServer } from './server.ts';

// The reference meter's object model (OBIS codes per IEC 62056-6-1 / Blue Book): what `hasm dlms serve` offers.

export const OBIS = {
  clock: '0.0.1.0.0.255',
  frameCounter: '0.0.43.1.0.255',
  logicalDeviceName: '0.0.42.0.0.255',
  securitySetup: '0.0.43.0.0.255',
  energyImport: '1.0.1.8.0.255',
  energyExport: '1.0.2.8.0.255',
  loadProfile: '1.0.99.1.0.255',
  eventLog: '0.0.99.98.0.255',
  disconnect: '0.0.96.3.10.255',
  limiter: '0.0.17.0.0.255',
} as const;

export function buildObjects(srv: DlmsServer): CosemObject[] {
  const clock = new ClockObject(parseObis(OBIS.clock));
  return [
    clock,
    // The frame counter: the last invocation counter this server accepted from the configured client, readable by
    // the public client so a client that lost its counter can restart above it (../shared/CLI.md).
    new DataObject(parseObis(OBIS.frameCounter), () => D.u32(srv.state.clientCounter(srv.cfg.frameCounterClient))),
    new DataObject(parseObis(OBIS.logicalDeviceName), D.octets(new TextEncoder().encode('HASM-REF-METER-01')), false),
    new SecuritySetupObject(parseObis(OBIS.securitySetup), {
      policy: () => 3, // authenticated and encrypted requests
      suite: () => srv.cfg.suite,
      clientTitle: () => srv.keys.clientSystemTitle,
      serverTitle: () => srv.keys.serverSystemTitle,
      kek: () => srv.keys.kek,
      keyBytes: () => srv.suite.keyBytes,
      scheduleKeyChange: (k) => srv.scheduleKeyChange(k),
    }),
    // Active energy import/export, Wh with scaler 0 (unit 30 = Wh).
    new RegisterObject(parseObis(OBIS.energyImport), 123456, 0, 30),
    new RegisterObject(parseObis(OBIS.energyExport), 7890, 0, 30),
  ];
}
