; Module "relay": acts only on authenticated events on input 0 (its io id 0).
; Entry 3: relay_state() → the last accepted value; entry 4: relay_count() → events accepted.
relay_on_event:
  mov @r12, &relay_value
  inc &relay_events
  ret

relay_state:
  mov &relay_value, r12
  ret

relay_count:
  mov &relay_events, r12
  ret

  .section .data.sm.relay, "aw"
relay_value: .word 0
relay_events: .word 0
