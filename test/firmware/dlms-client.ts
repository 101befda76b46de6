// host/dlms's client on an EmulatedMeter's byte pipe (dlms-meter.ts) with a generous answer timeout: the emulated
// MSP430 runs every request, which takes seconds of wall time on a loaded machine; no verdict depends on it.
import { DlmsClient, type ClientOptions } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import { demoKeys, type EmulatedMeter } from './dlms-meter.ts';

export function patientClient(meter: EmulatedMeter, sap: number, o: Partial<ClientOptions> & Pick<ClientOptions, 'mechanism' | 'profile'>): DlmsClient {
  return new DlmsClient(new WrapperChannel(meter.stream(), { clientSap: sap, serverSap: 1 }, 120_000), { keys: demoKeys, counters: new MemoryCounterStore(), ...o });
}
