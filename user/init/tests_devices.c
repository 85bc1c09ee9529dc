/* In-kernel test suite, devices: I/O port ranges and interrupts (the RTC), the console cap. */
#include "cap.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define IRQC CAP_INIT_IRQ_CONTROL
#define PORTS CAP_INIT_IO_PORT
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define RTC_IRQ 8	/* ISA IRQ 8, GSI 8 on QEMU's q35 and i440FX (no override) */

static uint8_t cmos_read(unsigned reg)
{
	(void)io_port_out(PORTS, CMOS_INDEX, 1, reg);
	return (uint8_t)io_port_in(PORTS, CMOS_DATA, 1);
}

static void cmos_write(unsigned reg, uint8_t v)
{
	(void)io_port_out(PORTS, CMOS_INDEX, 1, reg);
	(void)io_port_out(PORTS, CMOS_DATA, 1, v);
}

/*
 * Only instance 0 was given devices; the others find no ports and an IRQ
 * control without lines (it only hands out MSI vectors, tests_msi.c).
 */
static bool owns_devices(struct test_env *env)
{
	const struct bootinfo *bi = env->bi;

	if (bi->instance == 0)
		return true;
	CHECK(bi->irq_count == 0 && bi->io_port_count == 0);
	CHECK_ERR(irq_control_get(IRQC, RTC_IRQ, S(0)), E_RANGE);
	CHECK(atoll_call(PORTS, INV_IO_PORT_IN, CMOS_DATA, 1, 0, 0).err == E_EMPTY);
	return false;
}

static void io_ports_in_range_only(struct test_env *env)
{
	if (!owns_devices(env))
		return;
	CHECK(env->bi->io_port_first == CMOS_INDEX && env->bi->io_port_count == 2);
	/* CMOS RAM byte 0x5F is general-purpose storage: write, read back. */
	cmos_write(0x5F, 0xA5);
	CHECK(cmos_read(0x5F) == 0xA5);
	cmos_write(0x5F, 0x5A);
	CHECK(cmos_read(0x5F) == 0x5A);
	struct call_result r = atoll_call(PORTS, INV_IO_PORT_IN, 0x60, 1, 0, 0);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(0));	/* the keyboard port is not ours */
	CHECK_ERR(io_port_out(PORTS, CMOS_DATA, 2, 0), E_RANGE);	/* 0x71-0x72 runs past */
	r = atoll_call(PORTS, INV_IO_PORT_IN, CMOS_INDEX, 3, 0, 0);
	CHECK(r.err == E_INVAL && r.arg == ARG_MR(1));
	CHECK_ERR(cnode_copy(ROOT, S(0), PORTS, CAP_READ), E_OK);
	CHECK(atoll_call(S(0), INV_IO_PORT_IN, CMOS_DATA, 1, 0, 0).err == E_RIGHTS);
}

static void rtc_interrupts_reach_notification(struct test_env *env)
{
	if (!owns_devices(env))
		return;
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_NOTIFICATION, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(irq_control_get(IRQC, RTC_IRQ, S(1)), E_OK);
	struct call_result r = atoll_call(IRQC, INV_IRQ_CONTROL_GET, RTC_IRQ, S(2), 0, 0);
	CHECK(r.err == E_BUSY && r.arg == ARG_MR(0));	/* one handler per line */
	r = atoll_call(IRQC, INV_IRQ_CONTROL_GET, 99, S(2), 0, 0);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(0));
	CHECK_ERR(irq_handler_set_ntfn(S(1), ROOT), E_WRONGTYPE);
	CHECK_ERR(irq_handler_set_ntfn(S(1), S(0)), E_OK);

	/* RTC periodic interrupt at 1024 Hz (rate 6 in register A, PIE in register B). */
	(void)cmos_read(0x0C);
	cmos_write(0x0A, (uint8_t)((cmos_read(0x0A) & 0xF0) | 6));
	uint8_t b = cmos_read(0x0B);
	cmos_write(0x0B, b | 0x40);
	unsigned got = 0;
	for (unsigned i = 0; i < 3; i++) {
		struct msg m = ipc_recv(S(0));
		if (m.err == E_OK && (m.badge & (1u << RTC_IRQ)))
			got++;
		(void)cmos_read(0x0C);	/* the RTC raises no new interrupt until C is read */
		CHECK_ERR(irq_handler_ack(S(1)), E_OK);
	}
	cmos_write(0x0B, b & (uint8_t)~0x40);
	(void)cmos_read(0x0C);
	CHECK(got == 3);
	/* Deleting the handler masks the line and frees it for the next taker. */
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
	CHECK_ERR(irq_control_get(IRQC, RTC_IRQ, S(1)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
}

/* The console cap: nothing arrives in the suite (QEMU's stdin is empty); reading needs Read. */
static void console_reads_need_read_right(struct test_env *env)
{
	uint8_t buf[24];

	(void)env;
	CHECK(console_read(CAP_INIT_CONSOLE, buf) == 0);
	CHECK_ERR(cnode_copy(ROOT, S(0), CAP_INIT_CONSOLE, CAP_WRITE), E_OK);
	CHECK(console_read(S(0), buf) == -E_RIGHTS);
	CHECK(atoll_call(CAP_INIT_CONSOLE, INV_IO_PORT_IN, 0, 0, 0, 0).err == E_INVAL);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
}

const struct test_case device_tests[] = {
	{ "console_reads_need_read_right", console_reads_need_read_right },
	{ "io_ports_in_range_only", io_ports_in_range_only },
	{ "rtc_interrupts_reach_notification", rtc_interrupts_reach_notification },
};
const unsigned device_ntests = sizeof(device_tests) / sizeof(device_tests[0]);
