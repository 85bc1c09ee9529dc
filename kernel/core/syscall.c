/* System call dispatch: one case per entry of abi/syscalls.def. */
#include "abi/syscalls.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/invoke.h"
#include "core/syscall.h"
#include "kstring.h"

static err_t sys_debug_puts(uint64_t va, uint64_t len)
{
	char buf[DEBUG_PUTS_MAX + 1];

	if (len > DEBUG_PUTS_MAX)
		return E_RANGE;
	if (!arch_user_readable(va, len))
		return E_INVAL;
	memcpy(buf, (const void *)(uintptr_t)va, len);
	buf[len] = '\0';
	kprintf("%s", buf);
	return E_OK;
}

long syscall_dispatch(uint64_t nr, struct syscall_regs *r);

long syscall_dispatch(uint64_t nr, struct syscall_regs *r)
{
	uint64_t a0 = r->rdi, a1 = r->rsi;

	if (nr == SYS_CALL)
		return invoke_call(r);	/* reads its message registers, then sets rdx and r8 */
	r->rdx = 0;
	r->r8 = 0;
	if (nr >= SYS_COUNT)
		return E_NOSYS;
	switch ((enum syscall_nr)nr) {
	case SYS_DEBUG_PUTS:
		return sys_debug_puts(a0, a1);
	case SYS_DEBUG_EXIT:
		instance_root_exit(a0, false);
	case SYS_YIELD:
		return E_OK;	/* one thread per instance so far: nothing else to run */
	case SYS_CALL:
	case SYS_COUNT:
		break;
	}
	return E_NOSYS;
}
