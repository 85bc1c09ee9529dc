/* Unit tests: the VMM's 8254 on the TSC (user/vmm/pit.c): periodic and one-shot irq 0, owed ticks, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/vmm.h"

/* The TSC as the tests set it: at PIT_HZ kHz one PIT tick is exactly 1000 TSC ticks. */
static uint64_t fake_now;
#define TICK 1000ull

uint64_t tsc_now(void)
{
	return fake_now;
}

static void out(struct vm *vm, uint16_t port, uint8_t v)
{
	struct io io = { .port = port, .size = 1, .write = true, .value = v };

	pit_access(vm, &io);
}

static uint8_t in(struct vm *vm, uint16_t port)
{
	struct io io = { .port = port, .size = 1, .value = 0xFF };

	pit_access(vm, &io);
	return (uint8_t)io.value;
}

static void setup_vm(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->tsc_khz = PIT_HZ;
	irq_init(vm);
	fake_now = 5000;
}

static void test_periodic_and_owed_ticks(void **state)
{
	static struct vm vm;

	(void)state;
	setup_vm(&vm);
	out(&vm, 0x43, 0x34);		/* channel 0, low then high byte, mode 2 */
	out(&vm, 0x40, 100);
	out(&vm, 0x40, 0);
	assert_int_equal(pit_next_deadline(&vm), 5000 + 100 * TICK);
	pit_update(&vm, 5000 + 100 * TICK - 1);
	assert_int_equal(vm.pic[0].irr & 1, 0);
	pit_update(&vm, 5000 + 100 * TICK);
	assert_int_equal(vm.pic[0].irr & 1, 1);
	/* Three more periods pass while that one waits: they are owed, not lost. */
	pit_update(&vm, 5000 + 450 * TICK);
	assert_int_equal(vm.pit[0].owed, 3);
	assert_int_equal(pit_next_deadline(&vm), 5000 + 500 * TICK);
	for (unsigned left = 3; left > 0; left--) {
		vm.pic[0].irr &= (uint8_t)~1;	/* the guest took it */
		pit_update(&vm, 5000 + 450 * TICK);
		assert_int_equal(vm.pic[0].irr & 1, 1);
		assert_int_equal(vm.pit[0].owed, left - 1);
	}
	/* A new mode word stops the count until a new one is written. */
	out(&vm, 0x43, 0x34);
	assert_int_equal(pit_next_deadline(&vm), 0);
}

static void test_one_shot(void **state)
{
	static struct vm vm;

	(void)state;
	setup_vm(&vm);
	out(&vm, 0x43, 0x38);		/* mode 4, Linux's one-shot */
	out(&vm, 0x40, 50);
	out(&vm, 0x40, 0);
	pit_update(&vm, 5000 + 50 * TICK);
	assert_int_equal(vm.pic[0].irr & 1, 1);
	assert_int_equal(pit_next_deadline(&vm), 0);
	vm.pic[0].irr = 0;
	pit_update(&vm, 5000 + 500 * TICK);
	assert_int_equal(vm.pic[0].irr, 0);	/* once only */
}

static void test_latched_count(void **state)
{
	static struct vm vm;

	(void)state;
	setup_vm(&vm);
	out(&vm, 0x43, 0x34);
	out(&vm, 0x40, 0x34);
	out(&vm, 0x40, 0x12);		/* 0x1234 */
	fake_now += 0x34 * TICK;
	out(&vm, 0x43, 0x00);		/* latch channel 0 */
	fake_now += 7 * TICK;		/* the latch keeps the value of its moment */
	assert_int_equal(in(&vm, 0x40), 0x00);
	assert_int_equal(in(&vm, 0x40), 0x12);
	/* Unlatched, the count reads as it is now, low byte then high byte. */
	assert_int_equal(in(&vm, 0x40), (0x1234 - 0x34 - 7) & 0xFF);
	assert_int_equal(in(&vm, 0x40), (0x1234 - 0x34 - 7) >> 8);
}

static void test_channel2_gate_and_output(void **state)
{
	static struct vm vm;

	(void)state;
	setup_vm(&vm);
	out(&vm, 0x61, 0x00);
	out(&vm, 0x43, 0xB0);		/* channel 2, mode 0 */
	out(&vm, 0x42, 10);
	out(&vm, 0x42, 0);
	fake_now += 100 * TICK;
	assert_int_equal(in(&vm, 0x61) & 0x20, 0);	/* gate low: not counting */
	out(&vm, 0x61, 0x01);				/* the gate's rising edge starts it */
	fake_now += 10 * TICK - 1;
	assert_int_equal(in(&vm, 0x61) & 0x20, 0);
	fake_now += 1;
	assert_int_equal(in(&vm, 0x61), 0x21);		/* output high, gate still set */
	assert_int_equal(vm.pic[0].irr, 0);		/* channel 2 raises no interrupt */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periodic_and_owed_ticks),
		cmocka_unit_test(test_one_shot),
		cmocka_unit_test(test_latched_count),
		cmocka_unit_test(test_channel2_gate_and_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
