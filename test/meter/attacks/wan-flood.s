; Untrusted code that floods the WAN UART with bytes forever (issue 20: "floods the WAN UART"): the runtime's own
; frames (answers, uplinks) never get the line, and the CPU is held in the transmit loop.
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
  mov.b #0x55, r12
1:
  bit.b #0x08, &0x0081          ; WAN UART status: TX_FULL
  jnz 1b
  mov.b r12, &0x0084            ; WAN UART TX buffer
  jmp 1b
