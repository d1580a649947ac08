/* Linux boot measurement: an arm64 Image head (loaded at RAM base + 0x80000) that prints the
 * virtual counter at kernel entry, then enters the Linux Image that bench/run.py appends
 * 0x180000 bytes behind it, i.e. at RAM base + 2 MiB (a Linux Image wants a 2 MiB aligned base
 * and text_offset 0). run.py also patches image_size to cover Linux's own. The boot protocol
 * registers (x0 = DTB, x1-x3 = 0) pass through untouched; the MMU and caches are off.
 * Prints "BENCH-LINUX-ENTRY cntvct=N" on the PL011 at 0x09000000 (QEMU virt's and ZVM's). */
#define UART	0x09000000
#define LINUX_OFFSET 0x180000

	.text
	.globl	_start
_start:
	b	entry			/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	LINUX_OFFSET		/* image_size: run.py adds Linux's */
	.quad	0x2			/* flags: little endian, 4K pages */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

entry:
	isb
	mrs	x4, cntvct_el0
	ldr	x5, =UART
	adr	x6, msg
1:	ldrb	w7, [x6], #1
	cbz	w7, 2f
	str	w7, [x5]
	b	1b
	/* The counter in decimal: digits pushed onto a small buffer from the end. */
2:	adr	x6, digits_end
	mov	x8, #10
3:	udiv	x9, x4, x8
	msub	x10, x9, x8, x4
	add	w10, w10, #'0'
	strb	w10, [x6, #-1]!
	mov	x4, x9
	cbnz	x4, 3b
4:	ldrb	w7, [x6], #1
	cbz	w7, 5f
	str	w7, [x5]
	b	4b
5:	adr	x9, _start
	add	x9, x9, #LINUX_OFFSET
	br	x9			/* x0-x3 unchanged */

msg:	.asciz	"\r\nBENCH-LINUX-ENTRY cntvct="
	.balign	4
digits:	.space	24
digits_end:
	.asciz	"\r\n"
	.balign	8
	.ltorg
