/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guest of pitvm.c, loaded at guest-physical 0x1000 (CS = 0):
 * programs the PIC and PIT channel 0 (mode 2, count 11932 = 100 Hz) and
 * reports every timer interrupt with an OUT to port 0xf0.  With BX = 1 it
 * uses one-shot mode 0 instead and re-arms it with the same count in every
 * interrupt, as a one-shot clockevent does: also 100 Hz.
 */
	.section .rodata
	.globl	guest_start
	.globl	guest_end
guest_start:
	.code16
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$0x8000, %sp
	/* IVT entry of vector 0x20 (PIC base 0x20 + IRQ0) */
	movw	$(handler - guest_start + 0x1000), 0x80
	movw	$0, 0x82
	/* PIC: ICW1..ICW4, then mask all but IRQ0 */
	movb	$0x11, %al
	outb	%al, $0x20
	movb	$0x20, %al
	outb	%al, $0x21
	movb	$0x04, %al
	outb	%al, $0x21
	movb	$0x01, %al
	outb	%al, $0x21
	movb	$0xfe, %al
	outb	%al, $0x21
	/* PIT channel 0: lobyte/hibyte, binary, mode 2 (BX = 1: mode 0), 100 Hz */
	movb	$0x34, %al
	cmpw	$1, %bx
	jne	2f
	movb	$0x30, %al
2:	outb	%al, $0x43
	call	arm
	sti
1:	hlt
	jmp	1b
arm:
	movb	$(11932 & 0xff), %al
	outb	%al, $0x40
	movb	$(11932 >> 8), %al
	outb	%al, $0x40
	ret
handler:
	pushw	%ax
	cmpw	$1, %bx			/* one-shot: arm the next interrupt */
	jne	3f
	call	arm
3:	movb	$0x20, %al		/* EOI */
	outb	%al, $0x20
	movb	$1, %al			/* report the tick */
	outb	%al, $0xf0
	popw	%ax
	iret
	.code64
guest_end:
	.section .note.GNU-stack, "", @progbits
