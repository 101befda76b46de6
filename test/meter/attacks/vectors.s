; Untrusted code that rewrites the interrupt vector table (0xFFE0–0xFFFC; the reset vector kept) to a handler of
; its own that returns at once, then lets the runtime go on (issue 20: "rewrites the interrupt vector table").
; Armed after 24 ticks (3 s of the runtime's 8 Hz timer), so the host can deploy and program the meter first.
  .data
  .even
atk_ticks: .word 0
  .text
  .global attack
attack:
  cmp #24, &atk_ticks
  jhs atk_armed
  inc &atk_ticks
  ret
atk_armed:
  mov #0xffe0, r15
1:
  mov #atk_isr, 0(r15)
  incd r15
  cmp #0xfffe, r15
  jlo 1b
  ret
atk_isr:
  bic #0xf0, 0(sp)
  reti
