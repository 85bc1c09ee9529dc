/* Kernel console: formats into a buffer and prints it under the cross-instance lock. */
#include "core/console.h"
#include "kstring.h"
#include "types.h"

/*
 * The debug UART is one device shared by every instance, so it needs one lock.
 * It lives alone in the .shared page, the only kernel memory mapped writable
 * into every instance. Holder ids are owner + 1 so that 0 means free.
 */
static volatile uint32_t console_lock __attribute__((section(".shared"), aligned(64)));
static unsigned owner_id;

void console_set_owner_id(unsigned id)
{
	owner_id = id;
}

static bool lock_console(void)
{
	uint32_t me = owner_id + 1;

	/* A fault while printing re-enters here on the same core: print anyway. */
	if (__atomic_load_n(&console_lock, __ATOMIC_ACQUIRE) == me)
		return false;
	for (;;) {
		uint32_t free = 0;
		if (__atomic_compare_exchange_n(&console_lock, &free, me, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
		__asm__ volatile("pause");
	}
}

static void unlock_console(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void vkprintf(const char *fmt, va_list ap)
{
	/* Large enough for a whole register dump, which must not be split. */
	char buf[1536];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	bool locked = lock_console();
	for (int i = 0; i < n; i++) {
		if (buf[i] == '\n')
			console_hw_putc('\r');
		console_hw_putc(buf[i]);
	}
	if (locked)
		unlock_console();
}

unsigned console_read(uint8_t *buf, unsigned max)
{
	unsigned n = 0;
	bool locked = lock_console();

	while (n < max && console_hw_getc(&buf[n]))
		n++;
	if (locked)
		unlock_console();
	return n;
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}
