// Test harness: the meter's DLMS/COSEM server (firmware/lib/dlms) with its entry points as exports.
export {
  dlms_configure, dlms_ic_boot, dlms_ic_wanted, dlms_ic_granted, dlms_server_ic, dlms_peer_ic, dlms_peer_restore,
  dlms_event_count, dlms_rx_ptr, dlms_rx_room, dlms_tx_ptr, dlms_link_reset, dlms_rx, dlms_set_energy, dlms_set_clock,
  dlms_set_disconnect_state, dlms_take_disconnect, dlms_take_time, dlms_fetch, dlms_log_entry,
} from '../../../firmware/lib/dlms/server';
export { dlms_set_registers } from '../../../firmware/lib/dlms/objects';

/** Where the test writes the configuration block (dlms_configure). */
const CFG: usize = memory.data(80);
export function cfg(): usize { return CFG; }
/** The end of static data (linear memory actually used by the server and its crypto). */
export function static_end(): usize { return __heap_base; }
