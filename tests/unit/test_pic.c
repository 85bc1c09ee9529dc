/* Unit tests: the VMM's 8259A pair (user/vmm/pic.c): initialisation, priority, masks, EOI, cascade. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/vmm.h"

static void out(struct vm *vm, uint16_t port, uint8_t v)
{
	struct io io = { .port = port, .size = 1, .write = true, .value = v };

	pic_access(vm, &io);
}

static uint8_t in(struct vm *vm, uint16_t port)
{
	struct io io = { .port = port, .size = 1, .value = 0xFF };

	pic_access(vm, &io);
	return (uint8_t)io.value;
}

/* What Linux's i8259 driver does: vectors 0x30 and 0x38, cascade on irq 2, 8086 mode. */
static void linux_init(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	pic_init(vm);
	out(vm, 0x20, 0x11);
	out(vm, 0x21, 0x30);
	assert_int_equal(pic_pending(vm), -1);	/* nothing is delivered mid-initialisation */
	out(vm, 0x21, 0x04);
	out(vm, 0x21, 0x01);
	out(vm, 0xA0, 0x11);
	out(vm, 0xA1, 0x38);
	out(vm, 0xA1, 0x02);
	out(vm, 0xA1, 0x01);
	out(vm, 0x21, 0x00);
	out(vm, 0xA1, 0x00);
}

static void test_starts_masked(void **state)
{
	static struct vm vm;

	(void)state;
	pic_init(&vm);
	pic_raise(&vm, 0);
	assert_int_equal(pic_pending(&vm), -1);
	assert_int_equal(in(&vm, 0x21), 0xFF);
}

static void test_deliver_ack_eoi(void **state)
{
	static struct vm vm;

	(void)state;
	linux_init(&vm);
	pic_raise(&vm, 0);
	assert_int_equal(pic_pending(&vm), 0x30);
	pic_ack(&vm, 0x30);
	assert_int_equal(pic_pending(&vm), -1);
	out(&vm, 0x20, 0x0B);			/* OCW3: read ISR */
	assert_int_equal(in(&vm, 0x20), 0x01);
	pic_raise(&vm, 0);			/* the next tick waits for the EOI */
	assert_int_equal(pic_pending(&vm), -1);
	out(&vm, 0x20, 0x60);			/* specific EOI, irq 0 */
	assert_int_equal(pic_pending(&vm), 0x30);
	out(&vm, 0x20, 0x0A);			/* OCW3: read IRR */
	assert_int_equal(in(&vm, 0x20), 0x01);
}

static void test_priority_and_mask(void **state)
{
	static struct vm vm;

	(void)state;
	linux_init(&vm);
	pic_raise(&vm, 4);
	pic_raise(&vm, 1);
	assert_int_equal(pic_pending(&vm), 0x31);	/* lower number, higher priority */
	pic_ack(&vm, 0x31);
	assert_int_equal(pic_pending(&vm), -1);		/* irq 4 waits behind irq 1 */
	pic_raise(&vm, 0);
	assert_int_equal(pic_pending(&vm), 0x30);	/* irq 0 nests above it */
	out(&vm, 0x21, 0x01);				/* mask irq 0 */
	assert_int_equal(pic_pending(&vm), -1);
	out(&vm, 0x20, 0x20);				/* non-specific EOI: irq 1 */
	assert_int_equal(pic_pending(&vm), 0x34);
}

static void test_slave_cascade(void **state)
{
	static struct vm vm;

	(void)state;
	linux_init(&vm);
	pic_raise(&vm, 12);
	assert_int_equal(pic_pending(&vm), 0x3C);
	pic_ack(&vm, 0x3C);
	out(&vm, 0x20, 0x0B);
	out(&vm, 0xA0, 0x0B);
	assert_int_equal(in(&vm, 0x20), 0x04);		/* the cascade line is in service too */
	assert_int_equal(in(&vm, 0xA0), 0x10);
	out(&vm, 0xA1, 0x10);				/* masked on the slave: nothing more */
	pic_raise(&vm, 12);
	out(&vm, 0xA0, 0x20);
	out(&vm, 0x20, 0x20);
	assert_int_equal(pic_pending(&vm), -1);
	out(&vm, 0xA1, 0x00);
	assert_int_equal(pic_pending(&vm), 0x3C);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_masked),
		cmocka_unit_test(test_deliver_ack_eoi),
		cmocka_unit_test(test_priority_and_mask),
		cmocka_unit_test(test_slave_cascade),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
