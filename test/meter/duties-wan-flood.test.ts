// Issue 20 item 2: untrusted code that floods the WAN UART forever. Not defended: it holds the CPU as the spin does.
import { dutyTests } from './duty-tests.ts';

dutyTests('wan-flood', { han: 'missed', prepaid: 'missed', tamper: 'missed' });
