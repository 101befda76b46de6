// Issue 20 item 2: the timers attack (duties-timers.test.ts) on a core whose Sancus violations raise the violation
// interrupt instead of a reset (`violation: irq`; vector 13 is the protected scheduler's entry). The refused writes
// to Timer_A and Basic Timer1 are suppressed, each costs the attacker one scheduler round, and the duties are met.
import { dutyTests } from './duty-tests.ts';

dutyTests('timers', { han: 'met', prepaid: 'met', tamper: 'met' }, 'irq');
