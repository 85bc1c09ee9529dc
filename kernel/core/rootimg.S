/* The root task's ELF image, built from user/init and carried inside the kernel. */
	.section .rodata
	.balign 16
	.globl rootimg_start, rootimg_end
rootimg_start:
	.incbin "build/user/init.elf"
rootimg_end:
