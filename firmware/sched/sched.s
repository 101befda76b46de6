; The protected scheduler (issue 20 item 3; seed §4.6.4: "a protected scheduler that arms a timer before handing the
; CPU to untrusted code"). A naked Sancus module: host/deploy/scheduler.ts prepends its section, symbols and the
; policy tables generated from the deployment descriptor (the periodic entries and the local routes), and appends
; its data; `%` below is the module's name. Policy and code are both in the module's text: attested with the rest.
;
; One entry, reached every way in:
;   * Timer_A CCR0's interrupt (its vector is this entry; the timer is owned through the exclusive MMIO module
;     %_mmio, so no other context can stop or reprogram it): a round, then RETI to whatever was interrupted;
;   * the return of one of its own call-outs (ssp ≠ 0), to another module's entry or to %_mmio;
;   * a call by anyone (the untrusted runtime): a round, then entry r6 = 0 attest or 3 start, else 0xFFFF.
; An interrupt frame and a call are told apart by the word above the SR this entry pushes: an SR (< 0x0200) for an
; interrupt, a return address in program memory for a call. Whoever fakes one costs only itself.
;
; A round: first the events that sat in the outbox since the last round (nobody took them within a tick: left by
; calls others made, or for a runtime that does not drain) — the local ones delivered, the others dropped, so no
; runtime can hold back a duty's event or fill the outbox the duties need; then the time since the last round from
; the timer's free-running TAR (continuous mode, ACLK), CCR0 re-armed one tick (SCHED_TICK counts) ahead, every
; periodic entry that is due called, and every event those calls leave in the node's outbox delivered to the
; receiving module's input (entry 2, handle_input) when its connection is local, until none is left; events for the
; WAN or the HAN line are left to the runtime (it sends them at its next tick). It holds no key and
; reads no event: routing cannot forge, so the scheduler adds availability and nothing else to the TCB.
; Interrupts stay off throughout (a module's own clear GIE is honoured on secure_irq boards).

__sm_%_entry:
  push sr
  dint
  nop
  tst &__sm_%_ssp
  jnz __sm_%_resume
  mov r4, &__sm_%_regs
  mov r5, &__sm_%_regs+2
  mov r6, &__sm_%_regs+4
  mov r7, &__sm_%_regs+6
  mov r8, &__sm_%_regs+8
  mov r9, &__sm_%_regs+10
  mov r10, &__sm_%_regs+12
  mov r11, &__sm_%_regs+14
  mov r12, &__sm_%_regs+16
  mov r13, &__sm_%_regs+18
  mov r14, &__sm_%_regs+20
  mov r15, &__sm_%_regs+22
  mov sp, &__sm_%_usp
  mov #__sm_%_stack_top, sp
  call #__sm_%_round
  mov &__sm_%_usp, r15
  cmp #0x0200, 2(r15)
  jhs __sm_%_called
  ; an interrupt: the runtime's main loop woken (CPUOFF off in the frame's SR), and its tick counted if a round
  ; found CCR0's time come (a violation interrupt between ticks is not one: hostile code the runtime calls at each
  ; tick that violates at once would otherwise be called again at once, for ever)
  tst &__sm_%_ticked
  jz 2f
  clr &__sm_%_ticked
  inc &__rt_ticks
2:
  bic #0x0010, 2(r15)
  call #__sm_%_restore
  mov &__sm_%_usp, sp
  incd sp
  reti

__sm_%_called:
  mov &__sm_%_regs+4, r6
  tst r6
  jz __sm_%_attest
  cmp #3, r6
  jeq __sm_%_start
  mov #0xffff, r12
__sm_%_return:
  mov r12, &__sm_%_regs+16
  clr &__sm_%_regs+18
  clr &__sm_%_regs+20
  clr &__sm_%_regs+22
  call #__sm_%_restore
  mov &__sm_%_usp, sp
  reti

__sm_%_restore:
  mov &__sm_%_regs, r4
  mov &__sm_%_regs+2, r5
  mov &__sm_%_regs+4, r6
  mov &__sm_%_regs+6, r7
  mov &__sm_%_regs+8, r8
  mov &__sm_%_regs+10, r9
  mov &__sm_%_regs+12, r10
  mov &__sm_%_regs+14, r11
  mov &__sm_%_regs+16, r12
  mov &__sm_%_regs+18, r13
  mov &__sm_%_regs+20, r14
  mov &__sm_%_regs+22, r15
  ret

; A call-out returned (its callee's exit went to this entry): back to the instruction after the call-out's call
; (`call #__sm_%_xcall` in __sm_%_ocall, or the caller of __sm_%_mmio).
__sm_%_resume:
  mov &__sm_%_ssp, sp
  clr &__sm_%_ssp
  ret

; Call-out: r11 = the callee's entry, r6 = its index, r12–r15 its arguments. The callee's stub pushes its caller
; frame on the scheduler's own call-out stack (unprotected memory, but nothing else runs until the callee returns),
; never on a stack the interrupted code chose. r4, r5 (the route's slot masks) and r7–r9 (the periodic look's
; place and counts) survive: saved here, as a module is not trusted to keep them; nothing reads r6 or r10 after a
; call-out before setting it again.
__sm_%_ocall:
  push r4
  push r5
  push r7
  push r8
  push r9
  call #__sm_%_xcall
  pop r9
  pop r8
  pop r7
  pop r5
  pop r4
  ret

; The bare call-out (r11 = the callee's entry): nothing saved. Only for the MMIO module, whose whole code is known —
; mmio.ts, its identity MAC checked below — and changes r6 and r12–r15 only (its return lands on the entry above).
__sm_%_xcall:
  mov sp, &__sm_%_ssp
  mov #__sm_%_xstack_top, sp
  push #__sm_%_entry
  mov r11, pc

; r11 := %_mmio's entry when %_mmio is the genuine MMIO module, else 0 (and the scheduler disarmed). It is checked
; once per boot against its identity MAC kept in this text (SM_VERIFY_ADDR), as the drivers check theirs; later only
; that the module at its address still has the ID it had then (IDs are never reused before a reset).
__sm_%_mmio_check:
  mov #__sm_%_mmio_text_start, r15
  sancus.get_id
  tst r15
  jz 9f
  cmp &__sm_%_mmio_id, r15
  jeq 1f
  push r12
  push r13
  mov #__sm_%_mmio_text_start, r14
  mov #__sm_%_tag_%_mmio, r15
  sancus.verify_address
  pop r13
  pop r12
  tst r15
  jz 9f
  mov r15, &__sm_%_mmio_id
1:
  mov #__sm_%_mmio_entry, r11
  ret
9:
  clr &__sm_%_armed
  clr r11
  ret

; %_mmio op r6 (1 read16, 3 write16), r12 = offset in Timer_A's window, r13 = value → r12 (0 when %_mmio is not the
; genuine module); r6, r11, r13–r15 clobbered, r4, r5, r7–r10 kept (the bare call-out: the MMIO module's code
; touches none of them). A round checks once and makes its two accesses with __sm_%_xcall itself: nothing else runs
; between them (interrupts off).
__sm_%_mmio:
  call #__sm_%_mmio_check
  tst r11
  jnz __sm_%_xcall
  clr r12
  ret

; Entry 3, start (the deployer's last step): Timer_A continuous from ACLK, CCR0's interrupt one tick ahead, every
; periodic entry due one period from now. r12 = 1, or 0 when %_mmio is not the genuine MMIO module.
__sm_%_start:
  mov #1, &__sm_%_armed
  mov #3, r6
  mov #SCHED_TA_CCR0, r12
  mov #SCHED_TICK, r13
  call #__sm_%_mmio
  mov #3, r6
  mov #SCHED_TA_CCTL0, r12
  mov #0x0010, r13
  call #__sm_%_mmio
  mov #3, r6
  mov #SCHED_TA_CTL, r12
  mov #0x0124, r13              ; TASSEL_1 (ACLK) | MC_2 (continuous) | TACLR
  call #__sm_%_mmio
  clr &__sm_%_last
  mov #SCHED_TICK, &__sm_%_due
  clr &__sm_%_ticked
  clr &__sm_%_since
  clr &__sm_%_soon
  mov #__sm_%_periodic, r8
  mov #__sm_%_left, r7
1:
  cmp #__sm_%_periodic_end, r8
  jhs 2f
  mov 4(r8), 0(r7)
  add #6, r8
  incd r7
  jmp 1b
2:
  mov &__sm_%_armed, r12
  jmp __sm_%_return

; Entry 0, attest(challenge*, tag*): tag := MAC under this module's key of the 16-byte challenge (the module
; runtime's attest, toolchain/sancus/module/runtime.ts), both buffers outside this module's data.
__sm_%_attest:
  mov &__sm_%_regs+16, r12
  mov &__sm_%_regs+18, r13
  mov r12, r14
  call #__sm_%_outside
  jnz 9f
  mov r13, r14
  call #__sm_%_outside
  jnz 9f
  mov #__sm_%_buf, r14
  mov #8, r15
1:
  mov @r12+, 0(r14)
  incd r14
  dec r15
  jnz 1b
  mov r13, r15
  clr r9
  mov #__sm_%_buf, r10
  mov #__sm_%_buf+16, r11
  mov r11, r12
  mov r11, r13
  mov r11, r14
  sancus.wrap
  mov r15, r12
  jmp __sm_%_return
9:
  clr r12
  jmp __sm_%_return

; Z clear when [r14, r14 + 16) overlaps this module's data (clobbers r15).
__sm_%_outside:
  cmp #__sm_%_data_end, r14
  jhs 1f
  mov r14, r15
  add #16, r15
  cmp #__sm_%_data_start + 1, r15
  jlo 1f
  mov #1, r15
  tst r15
  ret
1:
  clr r15
  tst r15
  ret

; One round (see the top). Registers are the scheduler's own here.
__sm_%_round:
  tst &__sm_%_armed
  jnz 1f
  ret
1:
  ; events that sat in the outbox since the last round's end (nobody took them within a tick: a runtime that does
  ; not drain, or calls made by others): the local ones delivered now, the others dropped. Mostly there are none:
  ; one look at the outbox (issue 18 "Simulation speed": eight rounds a second)
  call #__sm_%_pending
  mov r12, r5
  and &__sm_%_rtmask, r12
  jz 2f
  bic r12, r5
  clr r4
  mov #1, &__sm_%_dropmode
  call #__sm_%_route
  clr &__sm_%_dropmode
2:
  ; time: ACLK counts since the last round; CCR0 one tick past now (the MMIO module checked once for both)
  call #__sm_%_mmio_check
  tst r11
  jnz 21f
  ret
21:
  mov #1, r6
  mov #SCHED_TA_R, r12
  call #__sm_%_xcall
  mov r12, r9
  sub &__sm_%_last, r9
  mov r12, &__sm_%_last
  ; a tick only once CCR0's time has come (now - due >= 0; TAR wraps every 2 s): then CCR0 one tick past now. A round
  ; that an interrupt or a call entered between ticks (the violation interrupt) leaves CCR0 and the tick count alone
  mov r12, r13
  sub &__sm_%_due, r13
  jn 3f
  mov r12, r13
  add #SCHED_TICK, r13
  mov r13, &__sm_%_due
  mov #1, &__sm_%_ticked
  mov #3, r6
  mov #SCHED_TA_CCR0, r12
  mov #__sm_%_mmio_entry, r11
  call #__sm_%_xcall
3:
  ; the periodic entries: looked at only once the counts since the last look (`since`) reach the nearest entry's
  ; (`soon`, the least `left` that look left): most rounds none is due (issue 18 "Simulation speed"). The same
  ; calls, at the same rounds, as subtracting each round's counts from every `left` at every round: until `soon`
  ; is reached no entry is due, and the counts subtract the same in one sum as one by one
  mov &__sm_%_since, r10
  add r9, r10
  jc 41f
  cmp &__sm_%_soon, r10
  jhs 42f
  mov r10, &__sm_%_since
  jmp 8f
41:
  ; the sum passes 16 bits (rounds delayed past a second): the counts before this round first, with nothing due
  ; (they were short of `soon`), then this round's
  push r9
  mov &__sm_%_since, r9
  call #__sm_%_periodic_look
  pop r10
42:
  mov r10, r9
  clr &__sm_%_since
  call #__sm_%_periodic_look
8:
  call #__sm_%_pending
  mov r12, &__sm_%_rtmask
  ret

; Every periodic entry, r9 = the counts since the last look: left -= r9; due when r9 ≥ left (then left = period −
; lateness, at least 1) and called; `soon` := the least left.
__sm_%_periodic_look:
  mov #0xffff, &__sm_%_soon
  mov #__sm_%_periodic, r8
  mov #__sm_%_left, r7
5:
  cmp #__sm_%_periodic_end, r8
  jhs 8f
  mov @r7, r10
  cmp r10, r9
  jhs 6f
  sub r9, r10
  mov r10, 0(r7)
  cmp &__sm_%_soon, r10
  jhs 7f
  mov r10, &__sm_%_soon
  jmp 7f
6:
  mov r9, r12
  sub r10, r12                  ; lateness
  mov 4(r8), r10
  sub r12, r10
  jlo __sm_%_late
  jnz __sm_%_set
__sm_%_late:
  mov 4(r8), r10
__sm_%_set:
  mov r10, 0(r7)
  cmp &__sm_%_soon, r10
  jhs 61f
  mov r10, &__sm_%_soon
61:
  mov @r8, r11
  mov 2(r8), r6
  call #__sm_%_callr
7:
  add #6, r8
  incd r7
  jmp 5b
8:
  ret

; Calls entry r6 of the module entered at r11 with r12–r15 = 0 (a periodic entry's arguments), then routes what it
; left in the outbox: every slot that turned pending since (r5: pending before; r4: slots left for the runtime) goes
; to its receiver's input when the connection is local, is freed, and what that delivery leaves is routed in turn.
__sm_%_callr:
  call #__sm_%_pending
  mov r12, r5
  clr r4
  clr r12
  clr r13
  clr r14
  clr r15
  call #__sm_%_ocall
; Routes every pending slot not in r5 (nor in r4: left to the runtime), until none is left. A local event is first
; copied out of the outbox into the scheduler's event buffer and its slot freed, so that the delivery's own outputs
; find room (a receiver's output dropped for want of a slot is lost: its counter does not advance, but nothing sends
; it again — an off-switch command after a tamper report, say). Delivered in slot order, one at a time.
__sm_%_route:
1:
  call #__sm_%_pending
  bic r5, r12
  bic r4, r12
  tst r12
  jnz 2f
  ret
2:
  mov #__em_outbox, r13
  mov #1, r14
3:
  bit r14, r12
  jnz 4f
  add #SCHED_OUTBOX_SLOT, r13
  rla r14
  jmp 3b
4:
  mov 2(r13), r15               ; its connection
  mov #__sm_%_routes, r10
5:
  cmp #__sm_%_routes_end, r10
  jhs 6f
  cmp @r10, r15
  jeq 7f
  add #6, r10
  jmp 5b
6:
  tst &__sm_%_dropmode
  jnz 61f
  bis r14, r4                   ; not local: the runtime's (WAN, HAN)
  jmp 1b
61:
  clr 0(r13)                    ; stale and not local: dropped
  inc &__sm_%_dropped
  jmp 1b
7:
  tst 4(r10)                    ; room for what the receiver may send off the node (the route's third word)?
  jz 75f
  push r13
  push r14
  call #__sm_%_pending
  mov #SCHED_OUTBOX_SLOTS + 1, r11   ; free slots once this event's own is freed
  mov #SCHED_OUTBOX_SLOTS, r13
73:
  rra r12
  jnc 74f
  dec r11
74:
  dec r13
  jnz 73b
  pop r14
  pop r13
  cmp 4(r10), r11
  jhs 75f
  bis r14, r4                   ; not now: left for the runtime's tick (it routes it) or the next round
  jmp 1b
75:
  mov 4(r13), r14               ; length; cipher ‖ tag (at most SCHED_EVENT_MAX bytes: longer cannot be genuine)
  mov r14, r12
  add #8, r12
  cmp #SCHED_EVENT_MAX + 1, r12
  jlo 71f
  mov #SCHED_EVENT_MAX, r12
71:
  inc r12
  rra r12
  push r13
  add #6, r13
  mov #__sm_%_evbuf, r11
72:
  mov @r13+, 0(r11)
  incd r11
  dec r12
  jnz 72b
  pop r13
  clr 0(r13)                    ; the slot is free
  mov 2(r10), r11
  mov #2, r6
  mov r15, r12
  mov #__sm_%_evbuf, r13
  clr r15
  call #__sm_%_ocall
  jmp 1b
