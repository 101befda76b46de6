// Issue 20 item 2: untrusted code that spins forever (interrupts on). Defended: the protected scheduler's Timer_A
// interrupt preempts it every 1/8 s and the scheduler itself calls the periodic entries and routes the duties'
// events (on the shipped core the runtime's main loop never got the CPU back: duties-shipped.test.ts).
import { dutyTests } from './duty-tests.ts';

dutyTests('spin', { han: 'met', prepaid: 'met', tamper: 'met' });
