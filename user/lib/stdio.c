/* User-level printf over SYS_DEBUG_PUTS. */
#include <stdarg.h>

#include "atoll.h"
#include "kstring.h"

int printf(const char *fmt, ...)
{
	char buf[DEBUG_PUTS_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	(void)sys_debug_puts((uint64_t)(uintptr_t)buf, len);
	return n;
}

void exit(int status)
{
	for (;;)
		(void)sys_debug_exit((uint64_t)status, 0);
}
