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

	.globl guest_code_end
guest_code_end:

	.section .note.GNU-stack, "", @progbits
