/* User and idle contexts. */
#include "abi/bootinfo.h"
#include "arch/x86_64/context.h"
#include "arch/x86_64/desc.h"
#include "kstring.h"

#define RFLAGS_IF (1u << 9)
#define RFLAGS_RESERVED1 (1u << 1)
#define IDLE_STACK_SIZE 1024

extern const char idle_loop[];
static uint8_t idle_stack[IDLE_STACK_SIZE] __attribute__((aligned(16)));

void ctx_init_user(struct trap_frame *f, uint64_t pc, uint64_t sp, uint64_t arg)
{
	memset(f, 0, sizeof(*f));
	f->rip = pc;
	f->rsp = sp;
	f->rdi = arg;
	f->cs = SEL_UCODE | 3;
	f->ss = SEL_UDATA | 3;
	f->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
}

void ctx_init_idle(struct trap_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->rip = (uint64_t)(uintptr_t)idle_loop;
	f->rsp = (uint64_t)(uintptr_t)&idle_stack[IDLE_STACK_SIZE];
	f->cs = SEL_KCODE;
	f->ss = SEL_KDATA;
	f->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
}

bool ctx_set_pc_sp(struct trap_frame *f, uint64_t pc, uint64_t sp)
{
	/* Both must be user addresses: iretq to a kernel or non-canonical rip is not allowed. */
	if (pc >= USER_TOP || sp >= USER_TOP)
		return false;
	f->rip = pc;
	f->rsp = sp;
	return true;
}
