/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest payloads for pvio-vmm.  They are never executed by the host: the
 * VMM copies the bytes between guest_code_start and guest_code_end into the
 * guest's code page and points RIP at one entry.  All of them run in 64-bit
 * mode with the registers the VMM loaded, use only relative jumps, and end
 * with an OUT to a report port (PORT_DONE 0xf4 or PORT_FAIL 0xf5) that the
 * VMM treats as "guest finished"; it never resumes the vCPU after that.
 */
	.section .rodata
	.code64

	.globl guest_code_start
guest_code_start:

/*
 * g_call: one hypercall.  RAX/RBX/RCX/RDX are the call, RAX comes back to
 * the VMM through KVM_GET_REGS at the report exit.
 */
	.globl g_call
g_call:
	vmmcall
	outb	%al, $0xf4
1:	jmp	1b

/*
 * g_loop: R8 back-to-back calls of RAX=R10, RBX/RCX/RDX unchanged (the
 * host only writes RAX).  Every call must return RDX (the op count); the
 * first one that does not ends the loop at PORT_FAIL with R8 = calls left.
 */
	.globl g_loop
g_loop:
	mov	%r10, %rax
	vmmcall
	cmp	%rdx, %rax
	jne	2f
	dec	%r8
	jnz	g_loop
	outb	%al, $0xf4
1:	jmp	1b
2:	outb	%al, $0xf5
1:	jmp	1b

/* g_copy: RCX quadwords from [RSI] to [RDI], through the guest's own stores. */
	.globl g_copy
g_copy:
	cld
	rep movsq
	outb	%al, $0xf4
1:	jmp	1b


/*
 * g_native: the reference path.  Executes the op array at RCX (RDX ops)
 * with the guest's own IN/OUT/MOV instructions, writes read results back
 * into the array like the host handler does, returns RAX = RDX.  Used to
 * check that every expectation of the positive cases holds for plain,
 * unbatched I/O on any KVM, handler or not.  Each op jumps through a table
 * of relative offsets (the code runs wherever the VMM copied it) indexed by
 * (kind - 1) * 4 + log2(width); a kind or width the table has no
 * instruction for ends at PORT_FAIL.
 */
	.globl g_native
g_native:
	mov	%rcx, %rsi		/* current op */
	mov	%rdx, %r9		/* ops left */
	mov	%rdx, %r11		/* return value */
	lea	.Lops(%rip), %r12
10:	test	%r9, %r9
	jz	90f
	movzbl	0(%rsi), %ecx		/* kind */
	movzbl	1(%rsi), %ebx		/* width */
	mov	8(%rsi), %rdi		/* port or address */
	mov	16(%rsi), %rax		/* value */
	mov	%edi, %edx
	dec	%ecx
	cmp	$3, %ecx
	ja	95f
	lea	-1(%rbx), %r8d		/* width must be a power of two */
	test	%r8d, %ebx
	jnz	95f
	bsf	%ebx, %ebx		/* log2(width); ZF: width 0 */
	jz	95f
	cmp	$3, %ebx
	ja	95f
	lea	(%rbx, %rcx, 4), %ecx
	movslq	(%r12, %rcx, 4), %rcx
	add	%r12, %rcx
	jmp	*%rcx
.Lout1:	outb	%al, %dx
	jmp	80f
.Lout2:	outw	%ax, %dx
	jmp	80f
.Lout4:	outl	%eax, %dx
	jmp	80f
.Lin1:	inb	%dx, %al
	movzbl	%al, %eax
	jmp	70f
.Lin2:	inw	%dx, %ax
	movzwl	%ax, %eax
	jmp	70f
.Lin4:	inl	%dx, %eax
	jmp	70f
.Lmw1:	movb	%al, (%rdi)
	jmp	80f
.Lmw2:	movw	%ax, (%rdi)
	jmp	80f
.Lmw4:	movl	%eax, (%rdi)
	jmp	80f
.Lmw8:	movq	%rax, (%rdi)
	jmp	80f
.Lmr1:	movzbl	(%rdi), %eax
	jmp	70f
.Lmr2:	movzwl	(%rdi), %eax
	jmp	70f
.Lmr4:	movl	(%rdi), %eax
	jmp	70f
.Lmr8:	movq	(%rdi), %rax
70:	mov	%rax, 16(%rsi)		/* write the result back */
80:	add	$24, %rsi
	dec	%r9
	jmp	10b
90:	mov	%r11, %rax
	outb	%al, $0xf4
1:	jmp	1b
95:	outb	%al, $0xf5
1:	jmp	1b

	.balign	4
.Lops:	/* by kind (PIO OUT, PIO IN, MMIO write, MMIO read), then width 1/2/4/8 */
	.long	.Lout1 - .Lops, .Lout2 - .Lops, .Lout4 - .Lops, 95b - .Lops
	.long	.Lin1 - .Lops, .Lin2 - .Lops, .Lin4 - .Lops, 95b - .Lops
	.long	.Lmw1 - .Lops, .Lmw2 - .Lops, .Lmw4 - .Lops, .Lmw8 - .Lops
	.long	.Lmr1 - .Lops, .Lmr2 - .Lops, .Lmr4 - .Lops, .Lmr8 - .Lops

/*
 * g_pit: the PIT divisor cases (pit.c).  Programs the PIC (IRQ0 at vector
 * 0x20, all else masked) and PIT channel 0 for 100 Hz (count 11932), then
 * halts; every timer interrupt is reported with an OUT to port 0xf0.  RBX 0:
 * periodic mode 2.  RBX 1: one-shot mode 0, re-armed with the same count in
 * every interrupt, as a one-shot clockevent does.  The VMM points vector
 * 0x20 at g_pit_irq.
 */
	.globl g_pit
g_pit:
	mov	$0x11, %al		/* PIC ICW1..ICW4, then the mask */
	outb	%al, $0x20
	mov	$0x20, %al
	outb	%al, $0x21
	mov	$0x04, %al
	outb	%al, $0x21
	mov	$0x01, %al
	outb	%al, $0x21
	mov	$0xfe, %al
	outb	%al, $0x21
	mov	$0x34, %al		/* ch0, lobyte/hibyte, mode 2 */
	test	%rbx, %rbx
	jz	1f
	mov	$0x30, %al		/* mode 0 */
1:	outb	%al, $0x43
	call	pit_arm
	sti
2:	hlt
	jmp	2b

pit_arm:
	mov	$(11932 & 0xff), %al
	outb	%al, $0x40
	mov	$(11932 >> 8), %al
	outb	%al, $0x40
	ret

	.globl g_pit_irq
g_pit_irq:
	push	%rax
	test	%rbx, %rbx
	jz	1f
	call	pit_arm
1:	mov	$0x20, %al		/* EOI */
	outb	%al, $0x20
	outb	%al, $0xf0		/* the tick */
	pop	%rax
	iretq

	.globl guest_code_end
guest_code_end:

	.section .note.GNU-stack, "", @progbits
