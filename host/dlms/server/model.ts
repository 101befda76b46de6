import { D } from '../axdr.ts';
import { parseObis } from '../obis.ts';
import { encodeDateTime } from '../datetime.ts';
import { ClockObject } from './clock.ts';
import { DataObject } from './data.ts';
import { DisconnectControlObject } from './disconnect-control.ts';
import { LimiterObject } from './limiter.ts';
import { ProfileGenericObject } from './profile-generic.ts';
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
  const clockCol = { classId: 8, ln: parseObis(OBIS.clock), attr: 2, dataIndex: 0 };
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
    // Load profile: 15-minute energy import readings (deterministic synthetic day, so selective access is testable).
    new ProfileGenericObject(
      parseObis(OBIS.loadProfile),
      [clockCol, { classId: 3, ln: parseObis(OBIS.energyImport), attr: 2, dataIndex: 0 }],
      900,
      () => LOAD_PROFILE,
      960,
    ),
    // Security event log: the server's own record of refused counters, failed authentications and key changes.
    new ProfileGenericObject(
      parseObis(OBIS.eventLog),
      [clockCol, { classId: 1, ln: parseObis('0.0.96.11.0.255'), attr: 2, dataIndex: 0 }],
      0,
      () => srv.state.data.events.map((e) => [D.octets(encodeDateTime(new Date(e.time))), D.u16(EVENT_CODE[e.kind])]),
      500,
    ),
    new DisconnectControlObject(parseObis(OBIS.disconnect)),
    new LimiterObject(parseObis(OBIS.limiter), { classId: 3, ln: parseObis('1.0.1.7.0.255'), attr: 2 }, parseObis('0.0.10.0.106.255')),
  ];
}

/** Event codes in the security event log (manufacturer range, documented here). */
export const EVENT_CODE = {
  'counter-replay': 230,
  'counter-jump': 231,
  'auth-failure': 232,
  'deciphering-failure': 233,
  reflection: 234,
  'key-change': 235,
} as const;

const LOAD_START = Date.UTC(2026, 0, 1);
const LOAD_PROFILE = (() => {
  const rows = [];
  let energy = 100_000;
  for (let i = 0; i < 96; i++) {
    energy += 50 + ((i * 37) % 100);
    rows.push([D.octets(encodeDateTime(new Date(LOAD_START + i * 900_000))), D.u32(energy)]);
  }
  return rows;
})();
