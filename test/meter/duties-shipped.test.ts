// Issue 20 item 2, the defence's twin: the same spin (duties-spin.test.ts) on the node as sancus-core b6b53bb ships
// it — no protected scheduler, secure_irq off — where the runtime both calls and routes everything and never gets
// the CPU back: every duty missed. What makes the difference is the scheduler and the board flag, not the fixture.
import { dutyTests } from './duty-tests.ts';

dutyTests('spin', { han: 'missed', prepaid: 'missed', tamper: 'missed' }, 'shipped');
