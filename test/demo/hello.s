; make demo: boots on boards/emulated.json, prints over the UART, sleeps between Timer_A ticks (10 ms at 20 MHz),
; toggles the relay pin, and halts after three ticks.
	.text
	.global	start
start:
	mov	#0x5a80, &0x0120	; stop the watchdog
	mov	#0x2a00, sp		; top of the 10 KiB data memory
	mov.b	#172, &0x0082		; UART BAUD_LO: 20 MHz / 115200 - 1
	mov.b	#0, &0x0083		; BAUD_HI
	mov.b	#1, &0x0080		; UART CTRL: enable
	bis.b	#1, &0x0022		; P1DIR: relay pin is an output
	mov	#hello, r12
	call	#puts
	mov	#24999, &0x0172		; TACCR0: 25 000 ticks of SMCLK/8 = 10 ms
	mov	#0x0010, &0x0162	; CCIE
	mov	#0x02d4, &0x0160	; SMCLK, /8, up mode, clear
	clr	r10
loop:
	bis	#0x18, sr		; sleep (LPM0) with interrupts on
	mov	#tick, r12
	call	#puts
	mov	r10, r12
	add	#0x30, r12		; one decimal digit
	call	#putc
	mov	#crlf, r12
	call	#puts
	cmp	#3, r10
	jlo	loop
drain:
	bit.b	#0x04, &0x0081		; STATUS.TX_BUSY: let the last byte leave the wire
	jnz	drain
	dint
halt:
	jmp	halt

; putc(r12): waits while the transmit buffer is full, then sends the byte
putc:
	bit.b	#0x08, &0x0081		; STATUS.TX_FULL
	jnz	putc
	mov.b	r12, &0x0084		; DATA_TX
	ret

; puts(r12): zero-terminated string
puts:
	mov	r12, r13
1:
	mov.b	@r13+, r12
	tst.b	r12
	jz	2f
	call	#putc
	jmp	1b
2:
	ret

; Timer_A CCR0: count, toggle the relay, wake the main loop
tick_isr:
	inc	r10
	xor.b	#1, &0x0021		; P1OUT.0
	bic	#0x10, 0(sp)		; return awake
	reti

	.section .rodata
hello:	.asciz	"Hello from the emulated meter node (openMSP430, 20 MHz)\r\n"
tick:	.asciz	"timer tick "
crlf:	.asciz	"\r\n"

	.section __interrupt_vector_10,"ax",@progbits
	.word	tick_isr
