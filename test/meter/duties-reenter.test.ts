// Issue 20 item 2: untrusted code that re-enters the relay and off-switch modules at a high rate (64 rounds every
// tick). Defended by what exists: each entry is bounded and leaves interrupts as it found them, a forged event is
// refused by the input path, and the runtime routes the duties' events between the attack's rounds. The unbounded
// variant (attacks/reenter-forever.s, bench only) is not: see test/meter/README.md.
import { dutyTests } from './duty-tests.ts';

dutyTests('reenter', { han: 'met', prepaid: 'met', tamper: 'met' });
