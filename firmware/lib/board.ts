// Addresses the board file gives (boards are data, STYLE.md: no address is kept in firmware source). Each import of
// the `board` namespace is the start of the board's memory region or the base of its peripheral of that name, a
// constant of the build (toolchain/compiler/intrinsics.ts; a name the board lacks fails the build as an undefined
// symbol `__board_NAME`).

/** The non-volatile memory ("nvm" region of boards/emulated.json and emulated-dlms.json): sealed records. */
@external("board", "nvm") export declare function nvm(): usize;
/** The off-switch's non-volatile monotonic counter ("nvcount"): versions its sealed record (seed §4.6.3). */
@external("board", "nvcount") export declare function nvcount(): usize;
/** CS security's non-volatile monotonic counter ("nvcount_cs"): blocks of DLMS invocation counters reserved. */
@external("board", "nvcount_cs") export declare function nvcount_cs(): usize;
