/* Root-task entry: the kernel passes the boot-info address in rdi and a stack in rsp. */
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call main
	mov %eax, %edi
	call exit
	ud2
