// Issue 20 item 2: untrusted code that floods the WAN UART for ever (the CPU held in its transmit loop). Defended as
// spin: the scheduler preempts it; the duties need nothing from the WAN line.
import { dutyTests } from './duty-tests.ts';

dutyTests('wan-flood', { han: 'met', prepaid: 'met', tamper: 'met' });
