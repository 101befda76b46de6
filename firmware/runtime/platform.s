; The untrusted runtime's platform layer (firmware/runtime/README.md): what the AssemblyScript runtime (index.ts)
; cannot say itself — start-up, interrupt handlers, SM_ENABLE, and the module calling convention (index in r6).
; Unprotected code, part of no module's TCB. The build (host/deploy/runtime-image.ts) prepends the board's
; constants: WAN_BASE, HAN_BASE (0: no HAN UART), WAN_BAUD, HAN_BAUD (UART dividers), TIMER_BASE, TICK_CCR0,
; STACK_BYTES, RX_RING, OUTBOX_BYTES, and the interrupt vector sections for the WAN receive and timer CCR0 interrupts.
; Routines follow the MSP430 EABI (arguments r12–r15, r4–r10 preserved) and are the `extern` imports of index.ts.

  .text
  .global __rt_start
__rt_start:
  mov #0x5a80, &0x0120          ; hold the watchdog
  mov #__rt_stack_top, sp         ; the runtime's own stack (module data may fill the rest of RAM)
  dint
  mov.b #0, &WAN_BASE           ; UART off while configured
  mov.b #WAN_BAUD & 0xff, &WAN_BASE+2
  mov.b #WAN_BAUD >> 8, &WAN_BASE+3
  mov.b #0x11, &WAN_BASE        ; EN | IEN_RX
  ; @if HAN
  mov.b #HAN_BAUD & 0xff, &HAN_BASE+2
  mov.b #HAN_BAUD >> 8, &HAN_BASE+3
  mov.b #0x01, &HAN_BASE        ; EN, no receive (the HAN line is transmit-only)
  ; @endif
  call #__hasm_init
  eint
  call #main
  .global __rt_halt
__rt_halt:
  jmp __rt_halt

; rt_ready(): the runtime reached its main loop (the deployer's debug loader stops here after a reset)
  .global rt_ready
  .global __node_idle
rt_ready:
__node_idle:
  ret

; rt_untrusted(): the untrusted code linked into the runtime (`hasm meter run --untrusted FILE.s`: its global
; `attack`, called every tick with the EABI); without such code the build leaves the call out (runtime-image.ts) and
; this is a bare return: eight ticks a second (issue 18 "Simulation speed")
  .global rt_untrusted
rt_untrusted:
  ; @if UNTRUSTED
  push r4
  push r5
  push r6
  push r7
  push r8
  push r9
  push r10
  call #attack
  pop r10
  pop r9
  pop r8
  pop r7
  pop r6
  pop r5
  pop r4
  ; @endif
  ret

; rt_wan_rx() → byte or -1: the next byte the receive interrupt buffered
  .global rt_wan_rx
rt_wan_rx:
  dint
  nop
  cmp.b &__rt_rx_head, &__rt_rx_tail
  jeq 1f
  mov.b &__rt_rx_tail, r13
  mov.b __rt_rx_ring(r13), r12
  inc.b r13
  and.b #RX_RING - 1, r13
  mov.b r13, &__rt_rx_tail
  clr r13
  eint
  ret
1:
  mov #-1, r12
  mov #-1, r13
  eint
  ret

; rt_wan_tx(b), rt_han_tx(b): one byte out, waiting while the transmit buffer is full
  .global rt_wan_tx
rt_wan_tx:
  bit.b #0x08, &WAN_BASE+1
  jnz rt_wan_tx
  mov.b r12, &WAN_BASE+4
  ret
  .global rt_han_tx
rt_han_tx:
  ; @if HAN
  bit.b #0x08, &HAN_BASE+1
  jnz rt_han_tx
  mov.b r12, &HAN_BASE+4
  ; @endif
  ret

; rt_take_ticks() → timer ticks since the last call
  .global rt_take_ticks
rt_take_ticks:
  dint
  nop
  mov &__rt_ticks, r12
  clr &__rt_ticks
  clr r13
  eint
  ret

; rt_timer_start(): Timer_A up mode from ACLK, CCR0 interrupt every tick — unless a protected scheduler owns
; Timer_A (host/deploy/scheduler.ts leaves this out): then the scheduler counts the ticks and wakes the main loop
  .global rt_timer_start
rt_timer_start:
  ; @if TIMER
  mov #TICK_CCR0, &TIMER_BASE+0x12
  mov #0x0010, &TIMER_BASE+2    ; TACCTL0 = CCIE
  mov #0x0114, &TIMER_BASE      ; TACTL = TASSEL_1 (ACLK) | MC_1 (up) | TACLR
  ; @endif
  ret

; rt_idle(quiet): low-power mode 0 until there is work for the runtime's main loop: a received byte, or a tick.
; With `quiet` (the main loop's word: no frame half received, nothing queued, no periodic entries of its own — a node
; whose protected scheduler calls the modules), a tick finding the outbox empty needs nothing of the main loop but
; the untrusted code's call (`attack`, every tick as before; left out when no untrusted code is linked in): done
; here, and back to sleep. So the scheduler's eight wake-ups a second cost a look and that call, not a pass of the
; main loop (issue 18 "Simulation speed"). Such ticks are not counted in the main loop's tick count: only its own
; periodic entries use it, and with those it is not quiet.
  .global rt_idle
rt_idle:
  mov r12, r11                  ; quiet (kept across rt_untrusted below: pushed)
1:
  dint
  nop
  cmp.b &__rt_rx_head, &__rt_rx_tail
  jne 9f
  tst &__rt_ticks
  jz 5f
  tst r11
  jz 9f
  ; @outbox-or r12              (each outbox slot's "full" word ORed into r12: host/deploy/runtime-image.ts writes it)
  tst r12                       ; (mov and bis leave the flags alone)
  jnz 9f
  dec &__rt_ticks               ; a quiet tick, taken
  eint
  ; @if UNTRUSTED
  push r11
  call #rt_untrusted
  pop r11
  ; @endif
  jmp 1b
5:
  bis #0x18, sr                 ; GIE | CPUOFF: the interrupt's RETI clears CPUOFF in the saved SR
  jmp 1b
9:
  eint
  ret

; rt_sm_call(entry, index, regs) → r12: module entry `index` with r12–r15 from the 4 words at linear `regs`,
; results written back there (the stub's convention: index in r6, r4–r11 preserved by the stub)
  .global rt_sm_call
rt_sm_call:
  push r6
  push r10
  mov r12, r11                  ; entry
  mov r14, r6                   ; index
  mov 6(sp), r10                ; regs (third argument: on the stack after two pushes and the return address)
  add #__hasm_mem, r10
  push r10
  mov 0(r10), r12
  mov 2(r10), r13
  mov 4(r10), r14
  mov 6(r10), r15
  call r11
  pop r10
  mov r12, 0(r10)
  mov r13, 2(r10)
  mov r14, 4(r10)
  mov r15, 6(r10)
  clr r13
  pop r10
  pop r6
  ret

; rt_sm_enable(regs) → ID: SM_ENABLE with r9–r15 from the 7 words at linear `regs`
; (r9 tag*, r10 nonce, r11 vendor id, r12/r13 text start/end, r14/r15 data start/end)
  .global rt_sm_enable
rt_sm_enable:
  push r9
  push r10
  mov r12, r15
  add #__hasm_mem, r15
  mov 0(r15), r9
  mov 2(r15), r10
  mov 4(r15), r11
  mov 6(r15), r12
  mov 8(r15), r13
  mov 10(r15), r14
  mov 12(r15), r15
  .word 0x1381
  mov r15, r12
  clr r13
  pop r10
  pop r9
  ret

; rt_mem_base() → the absolute address of linear memory offset 0; rt_outbox() → the outbox's address
  .global rt_mem_base
rt_mem_base:
  mov #__hasm_mem, r12
  clr r13
  ret
  .global rt_outbox
rt_outbox:
  mov #__em_outbox, r12
  clr r13
  ret

; rt_peek(dst linear, src absolute, len), rt_poke(dst absolute, src linear, len): byte copies (len on the stack)
  .global rt_peek
rt_peek:
  add #__hasm_mem, r12
  jmp 1f
  .global rt_poke
rt_poke:
  add #__hasm_mem, r14
1:
  mov 2(sp), r15
  tst r15
  jz 3f
2:
  mov.b @r14+, 0(r12)           ; 4 instructions a byte (the runtime copies every event through here)
  inc r12
  dec r15
  jnz 2b
3:
  ret

; rt_outbox_used(stride) → bit k set when the outbox slot at k·stride holds an output (first word non-zero);
; rt_clear16(dst absolute): zero the word there (a taken slot)
  .global rt_outbox_used
rt_outbox_used:
  mov r12, r14                  ; stride
  clr r12
  mov #1, r13
  clr r15                       ; offset of slot k
1:
  tst __em_outbox(r15)
  jz 2f
  bis r13, r12
2:
  rla r13
  add r14, r15
  cmp #OUTBOX_BYTES, r15
  jlo 1b
  clr r13
  ret
  .global rt_clear16
rt_clear16:
  clr 0(r12)
  ret

; Interrupts (vectors: see the generated prologue). The WAN receive interrupt buffers the byte; the timer counts
; ticks; both wake the main loop (CPUOFF cleared in the saved SR).
  .global __rt_wan_rx_isr
__rt_wan_rx_isr:
  push r15
  push r14
  mov.b &WAN_BASE+5, r15
  mov.b #0x10, &WAN_BASE+1      ; RX_PND: write 1 to clear
  mov.b &__rt_rx_head, r14
  mov.b r15, __rt_rx_ring(r14)
  inc.b r14
  and.b #RX_RING - 1, r14
  cmp.b r14, &__rt_rx_tail
  jeq 1f                        ; ring full: the byte is lost (the frame's checksum fails; the host retries)
  mov.b r14, &__rt_rx_head
1:
  pop r14
  pop r15
  bic #0xf0, 0(sp)
  reti

  .global __rt_timer_isr
__rt_timer_isr:
  inc &__rt_ticks
  bic #0xf0, 0(sp)
  reti

  .data
  .even
  .global __rt_ticks
__rt_ticks: .word 0
__rt_rx_head: .byte 0
__rt_rx_tail: .byte 0
__rt_rx_ring: .space RX_RING
  .even
  .global __em_outbox
__em_outbox: .space OUTBOX_BYTES
  .even
__rt_stack: .space STACK_BYTES
  .global __rt_stack_top
__rt_stack_top:
