// Issue 20 item 2: untrusted code that rewrites the interrupt vector table (0xFFE0–0xFFFC). Met by construction:
// vectors 0–14 are the last words of the protected scheduler's text (the linker's `.vectors.*` placement,
// host/deploy/scheduler.ts), and Sancus refuses every write to module text — each write is a violation, which on the
// meter's board (`violation: irq`) costs the attacker a scheduler round and leaves Timer_A's vector the scheduler's
// entry. On a RESET_ON_VIOLATION board the same writes reset the node (test/bench/meter-duties.ts, config `reset`).
import { dutyTests } from './duty-tests.ts';

dutyTests('vectors', { han: 'met', prepaid: 'met', tamper: 'met' });
