// Issue 20 item 2: untrusted code that re-enters protected modules for ever without yielding (the relay driver's
// poll and a forged off-switch event, back to back). Its own polls fill the outbox with tamper reports it never
// routes; the scheduler preempts it, delivers what sat in the outbox since its last round (freeing each slot before
// the delivery, so the off-switch's command finds room), and the timer interrupt landing in a stub's first
// instructions saves and resumes the module (secure_irq) where the shipped core took an exec violation and reset.
import { dutyTests } from './duty-tests.ts';

dutyTests('reenter-forever', { han: 'met', prepaid: 'met', tamper: 'met' });
