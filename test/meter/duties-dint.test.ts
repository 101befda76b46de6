// Issue 20 item 2: untrusted code that disables interrupts and spins. Not defended: the shipped core lets any code
// clear GIE for ever.
import { dutyTests } from './duty-tests.ts';

dutyTests('dint', { han: 'missed', prepaid: 'missed', tamper: 'missed' });
