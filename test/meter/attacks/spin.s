; Untrusted code that holds the CPU forever (issue 20: "spins forever"), interrupts left enabled.
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
  jmp atk_armed
