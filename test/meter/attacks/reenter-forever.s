; Untrusted code that re-enters protected modules as fast as it can, for ever (issue 20: "re-enters modules"): the
; relay driver's poll (its entry 4) and a forged event for the off-switch module's input path (entry 2), in turn.
; test/meter/duties-reenter-forever.test.ts; the bounded variant is reenter.s.
; Armed after 24 ticks (3 s of the runtime's 8 Hz timer), so the host can deploy and program the meter first.
  .data
  .even
atk_ticks: .word 0
atk_junk: .space 16
  .text
  .global attack
attack:
  cmp #24, &atk_ticks
  jhs atk_armed
  inc &atk_ticks
  ret
atk_armed:
  mov #4, r6
  call #__sm_relay_entry
  mov #2, r6
  mov #21, r12                  ; connection relay.local -> offswitch.local
  mov #atk_junk, r13
  mov #8, r14
  clr r15
  call #__sm_offswitch_entry
  jmp atk_armed
