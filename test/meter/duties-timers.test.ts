// Issue 20 item 2: untrusted code that reprograms every timer it can reach: Timer_A (now the scheduler's, through
// its exclusive MMIO module) and Basic Timer1 (the clock driver's). Both writes are refused — and on this board
// (`violation: reset`, a RESET_ON_VIOLATION build) a refused access resets the node: every module gone, the relay
// coil released. Not defended on a reset-on-violation core: any unprotected code can reset the node at will by
// touching any module's memory (test/meter/README.md "What cannot be defended").
import { dutyTests } from './duty-tests.ts';

dutyTests('timers', { han: 'missed', prepaid: 'reset', tamper: 'missed' });
