// Issue 20 item 2: untrusted code that rewrites the interrupt vector table. Met: the emulator keeps program memory
// read-only to the CPU, so the writes do not land and Timer_A's vector stays the scheduler's entry (on the shipped
// core, which lets the CPU write program memory, see test/meter/README.md "What cannot be defended").
import { dutyTests } from './duty-tests.ts';

dutyTests('vectors', { han: 'met', prepaid: 'met', tamper: 'met' });
