// Issue 20 item 2: untrusted code that reprograms every timer it can reach: Timer_A (the scheduler's, through its
// exclusive MMIO module) and Basic Timer1 (the clock driver's). Both writes are refused, and on the meter's board
// (`violation: irq`, sancus-core's default build: RESET_ON_VIOLATION is off, CMakeLists.txt) each refused access is
// the violation interrupt — vector 13, the protected scheduler's entry, in its immutable text: the access is
// suppressed, the attacker loses one scheduler round, and the duties are met. The twin on a RESET_ON_VIOLATION
// board: duties-timers-reset.test.ts.
import { dutyTests } from './duty-tests.ts';

dutyTests('timers', { han: 'met', prepaid: 'met', tamper: 'met' });
