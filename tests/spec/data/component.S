/*
 * The smallest component image the tests compile: it prints nothing and exits.
 * component.elf is built from this file by hand and committed, so that golden
 * dumps do not change with the compiler:
 *   gcc -c -o /tmp/c.o tests/spec/data/component.S
 *   ld -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T user/lib/user.ld \
 *      -o tests/spec/data/component.elf /tmp/c.o && strip tests/spec/data/component.elf
 */
	.text
	.globl _start
_start:
	mov $1, %eax		/* SYS_DEBUG_EXIT */
	xor %edi, %edi
	syscall
	jmp .
	.data
counter:
	.quad 0
