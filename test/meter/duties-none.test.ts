// Issue 20 item 2: the positive twin — the three duties without an attacker, each within its deadline.
import { dutyTests } from './duty-tests.ts';

dutyTests(undefined, { han: 'met', prepaid: 'met', tamper: 'met' });
