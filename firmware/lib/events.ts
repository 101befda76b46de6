// Event codes shared by the meter's modules: the kinds of log entries (seed §4.5 "Separate logs") and the commands
// of the central system (seed §4.3.4 applications). One table, so a log read back names the same event the module
// that wrote it meant. Log entries are 8 bytes from the writer — kind u8, result u8, aux u16, value u32 — and the
// logs module stamps its own time on them (lib/ring.ts).

/** Where the generated input path leaves an event's plaintext: linear memory [16, 80) (firmware/README.md, "The
 *  mechanism"). The modules parse it at this constant address: the compiler then needs no bounds check per byte
 *  (a constant address inside memory is proven safe), which keeps the TCB small (test/bench/meter-tcb.ts). */
export const IN: usize = 16;

// Central-system commands: the first byte of a plaintext that CS security unwrapped (firmware/cs).
export const CMD_TARIFF: u8 = 0x01; //   [01][nT u8][nS u8][0][price u32 × nT][minute u16, tariff u8, 0 × nS]
export const CMD_PREPAID: u8 = 0x02; //  [02][mode u8][0 u16][threshold i32]
export const CMD_TOPUP: u8 = 0x03; //    [03][0 u8 ×3][amount u32][token u32]
export const CMD_APPLIANCE: u8 = 0x04; // [04][appliance u8][on u8][0]
export const CMD_PRIVACY: u8 = 0x05; //  [05][0][round_wh u16][omit_per_1024 u16][pseudonym_halfhours u16][key 16 B]
export const CMD_READ: u8 = 0x06; //     [06][0]: the billing registers, attributable (seed §5.3.1: monthly aggregate)
export const CMD_LOG_READ: u8 = 0x07; // [07][log u8][index u16]: one entry, 0 = newest, to the central system
export const CMD_TIME: u8 = 0x08; //     [08][0][0 u16][t u32]: sets the meter clock (firmware/clock)
export const CMD_DLMS: u8 = 0x09; //     [09][part u8]…: the DLMS server's keys and settings (firmware/cs/dlms.ts)
export const CMD_DISCONNECT: u8 = 0x10; // [10][0]: remote disconnect (§4.3.4)
export const CMD_RECONNECT: u8 = 0x11; //  [11][0]: remote reconnect: arms, the local button completes it (§4.3.4)
export const CMD_UNLOCK: u8 = 0x12; //     [12][0]: leaves the tamper lock; supply stays off until the button
export const CMD_DC_KEY: u8 = 0x30; //     [30][index u8][group u8][peer u8][key 16 B]: one pairwise mask key

// Security log (§4.5: prepaid switches, top-up attempts, tariff updates, appliance commands, valid or not).
export const EV_PREPAID: u8 = 1;
export const EV_TOPUP: u8 = 2;
export const EV_TARIFF: u8 = 3;
export const EV_APPLIANCE: u8 = 4;
export const EV_PRIVACY: u8 = 5;
export const EV_CS_REJECT: u8 = 6; // a CS plaintext with no known command byte
export const EV_DC_KEY: u8 = 7;
export const EV_REFUSED: u8 = 9; //  an event the input path refused (forged, replayed, reordered): aux = connection, value = length
export const EV_DLMS: u8 = 8; //     the DLMS server configured (aux: part); a DLMS security event (result 16 + kind, value: its count)

// Off-switch log (§4.5: every on/off command, every credit-exhaustion trip).
export const EV_DISCONNECT: u8 = 16;
export const EV_RECONNECT: u8 = 17;
export const EV_UNLOCK: u8 = 18;
export const EV_CREDIT_TRIP: u8 = 19;
export const EV_CREDIT_ARM: u8 = 20;
export const EV_BUTTON: u8 = 21;
export const EV_TAMPER: u8 = 22;
export const EV_CONTACT: u8 = 23; // relay contact feedback disagrees with the commanded state

// Metrology log (§4.5: consumption with a time stamp): value = Wh of the half hour, aux = its tariff.
export const EV_HALF_HOUR: u8 = 32;

// Results (the `result` byte): 0 accepted, otherwise why not.
export const OK: u8 = 0;
export const BAD_FORMAT: u8 = 1;
export const BAD_VALUE: u8 = 2;
export const TOO_SOON: u8 = 3; //       load balancing: minimum time between switches (§4.4.2)
export const WEEKLY_CAP: u8 = 4; //     load balancing: switch-offs per week (§4.4.2)
export const NO_CHANGE: u8 = 5;
export const REUSED_TOKEN: u8 = 6; //   top-up token not newer than the last one accepted
export const LOCKED: u8 = 7; //         refused in the tamper lock
export const NOT_ARMED: u8 = 8;
export const UNAUTHENTIC: u8 = 9; //  did not unwrap under the connection's key and next counter

// Credit messages core → off-switch (the only two things the core may say to it, §4.5).
export const CREDIT_EXHAUSTED: u8 = 1;
export const CREDIT_RESTORED: u8 = 2;

// Local events relay driver → off-switch.
export const LOCAL_BUTTON: u8 = 1;
export const LOCAL_TAMPER: u8 = 2;
export const LOCAL_CONTACT: u8 = 3; // [03][closed u8]
