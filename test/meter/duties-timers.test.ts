// Issue 20 item 2: untrusted code that reprograms the timers it can reach: Timer_A stopped (the runtime's 8 Hz tick,
// which drives every periodic duty: not defended), then Basic Timer1's BTCTL written — a register the clock driver
// owns through its exclusive MMIO module, so that write is a Sancus violation, which on this board resets the node:
// every module gone, the relay coil released (the supply off, though not by the prepaid duty, and not locked).
import { dutyTests } from './duty-tests.ts';

dutyTests('timers', { han: 'missed', prepaid: 'reset', tamper: 'missed' });
