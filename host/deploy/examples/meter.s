; Module "meter": keeps the last reading secret and sends it as an authenticated, encrypted event on output 0.
; Entry 3: meter_send(value) → 1 when the event was written to the node's outbox.
meter_send:
  mov r12, &meter_reading
  clr r12
  mov #meter_reading, r13
  mov #2, r14
  call #__sm_meter_output
  ret

  .section .data.sm.meter, "aw"
meter_reading: .word 0
