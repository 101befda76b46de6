; Untrusted code that reprograms every timer it can reach, then returns (issue 20: "reprograms the timers"):
; Timer_A stopped (the runtime's 8 Hz tick), its CCR0 interrupt off, Basic Timer1 held (the clock module's time).
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
  mov #0x0004, &0x0160          ; TACTL = TACLR, MC = 0: stopped
  clr &0x0162                   ; TACCTL0: no CCIE
  mov.b #0x40, &0x0040          ; BTCTL = BTHOLD
  ret
