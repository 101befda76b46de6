; Untrusted code that disables interrupts (dint) and then holds the CPU forever (issue 20).
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
  dint
  nop
1:
  jmp 1b
