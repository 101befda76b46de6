// Issue 20 item 2: untrusted code that re-enters protected modules at a high rate (64 rounds of the relay driver's
// poll and a forged event for the off-switch each tick). Met: each entry is bounded and atomic, forged events are
// refused, and an interrupt landing in a stub's first instructions (before its dint) saves and resumes the module
// (secure_irq) instead of an exec violation on the handler's return.
import { dutyTests } from './duty-tests.ts';

dutyTests('reenter', { han: 'met', prepaid: 'met', tamper: 'met' });
