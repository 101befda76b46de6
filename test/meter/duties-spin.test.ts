// Issue 20 item 2: untrusted code that spins forever. Not defended: the runtime's main loop, which calls the periodic
// entries and routes the duties' events, never gets the CPU back (modules run only when the untrusted runtime calls
// them).
import { dutyTests } from './duty-tests.ts';

dutyTests('spin', { han: 'missed', prepaid: 'missed', tamper: 'missed' });
