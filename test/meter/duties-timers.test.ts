// Issue 20 item 2: untrusted code that stops Timer_A and holds Basic Timer1. Not defended: the runtime's 8 Hz tick,
// which drives every periodic duty, stops.
import { dutyTests } from './duty-tests.ts';

dutyTests('timers', { han: 'missed', prepaid: 'missed', tamper: 'missed' });
