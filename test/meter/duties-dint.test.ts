// Issue 20 item 2: untrusted code that disables interrupts (dint) and then spins. Defended by the board's secure_irq
// (toolchain/emulator/sancus/secure-irq.ts): unprotected code's clear GIE holds the scheduler's Timer_A interrupt off
// for at most ATOM_BOUND (10,000) cycles, 0.5 ms, and the scheduler runs its round as under spin.
import { dutyTests } from './duty-tests.ts';

dutyTests('dint', { han: 'met', prepaid: 'met', tamper: 'met' });
