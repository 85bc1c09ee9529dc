/* x87/SSE register state: saving and loading it whole (FXSAVE/FXRSTOR, AMD APM vol. 2 11.4.4). */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include "arch/x86_64/cpu.h"

#define CR4_OSFXSR (1u << 9)

/*
 * The kernel and its threads use no FPU or SSE state, so it is not switched
 * between threads; only guests have any. CR4.OSFXSR makes FXSAVE/FXRSTOR
 * include the XMM registers and MXCSR; it is on only while a guest's state is
 * being moved, so that host threads still cannot use SSE (and leak through it).
 */
static inline void fpu_load(const void *area)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[512])area));
}

static inline void fpu_save(void *area)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])area));
}

#endif
