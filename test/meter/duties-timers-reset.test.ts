// Issue 20 item 2: the timers attack (duties-timers.test.ts) on the meter's board built with RESET_ON_VIOLATION
// (`violation: reset`): a refused access resets the node — every module gone, the relay coil released — so any
// unprotected code can reset the node at will by touching any module's memory. Not defended on such a core
// (test/meter/README.md "What cannot be defended"); the meter's board takes the violation interrupt instead.
import { dutyTests } from './duty-tests.ts';

dutyTests('timers', { han: 'missed', prepaid: 'reset', tamper: 'missed' }, 'reset');
