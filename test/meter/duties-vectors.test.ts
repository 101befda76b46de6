// Issue 20 item 2: untrusted code that rewrites the interrupt vector table. Defended on the emulated board only
// because the emulator keeps program memory read-only to the CPU; the shipped core lets the CPU write it
// (toolchain/emulator/sancus/README.md), so there the timer vector would be the attacker's.
import { dutyTests } from './duty-tests.ts';

dutyTests('vectors', { han: 'met', prepaid: 'met', tamper: 'met' });
