/* A static arm64 Linux program for the bench initramfs: prints "BENCH-LINUX-INIT cntvct=N"
 * (the virtual counter, readable at EL0 under Linux) on stdout and exits. No libc. */
	.text
	.globl	_start
_start:
	isb
	mrs	x4, cntvct_el0
	adr	x6, end
	mov	x8, #10
1:	udiv	x9, x4, x8
	msub	x10, x9, x8, x4
	add	w10, w10, #'0'
	strb	w10, [x6, #-1]!
	mov	x4, x9
	cbnz	x4, 1b
	/* Prefix: copy the message in front of the digits. */
	adr	x7, msg_end
	adr	x11, msg
2:	ldrb	w10, [x7, #-1]!
	strb	w10, [x6, #-1]!
	cmp	x7, x11
	b.ne	2b
	adr	x7, nl_end
	sub	x2, x7, x6		/* length: message + digits + newline */
	mov	x1, x6
	mov	x0, #1
	mov	x8, #64			/* write */
	svc	#0
	mov	x0, #0
	mov	x8, #93			/* exit */
	svc	#0

msg:	.ascii	"BENCH-LINUX-INIT cntvct="
msg_end:

	.data
buf:	.space	64
end:	.ascii	"\n"
nl_end:
