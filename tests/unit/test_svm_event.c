/* Unit tests: which cut-off event an SVM entry delivers again (kernel/arch/x86_64/svm/event.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/x86_64/svm/event.h"

/* An EXITINTINFO value: valid, with vector, type and, if err >= 0, an error code. */
static uint64_t ev(unsigned type, unsigned vector, long long err)
{
	uint64_t e = SVM_EVENT_VALID | (uint64_t)type << 8 | vector;
	return err >= 0 ? e | 1u << 11 | (uint64_t)err << 32 : e;
}

static void test_external_interrupt_and_nmi_again(void **state)
{
	(void)state;
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_INTR, 0x30, -1), false), ev(SVM_EVENT_INTR, 0x30, -1));
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_INTR, 0xEF, -1), false), ev(SVM_EVENT_INTR, 0xEF, -1));
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_NMI, 2, -1), false), ev(SVM_EVENT_NMI, 2, -1));
}

static void test_faults_again_with_error_code(void **state)
{
	(void)state;
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 14, 0x6), false),
			 ev(SVM_EVENT_EXCEPTION, 14, 0x6));
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 13, 0), false),
			 ev(SVM_EVENT_EXCEPTION, 13, 0));
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 0, -1), false),
			 ev(SVM_EVENT_EXCEPTION, 0, -1));
}

/* INTn, INT3 and INTO: rip is still at the instruction, which raises the event again. */
static void test_instruction_events_run_again(void **state)
{
	(void)state;
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_SOFT, 0x80, -1), false), 0);
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 3, -1), false), 0);
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 4, -1), false), 0);
}

/* What VMRUN would refuse: QEMU labels a cut-off external interrupt "exception 32+". */
static void test_malformed_dropped(void **state)
{
	(void)state;
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 0x30, -1), false), 0);
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 2, -1), false), 0);
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_NMI, 5, -1), false), 0);
	assert_int_equal(svm_event_redeliver(ev(1, 0x30, -1), false), 0);
	assert_int_equal(svm_event_redeliver(ev(5, 0x30, -1), false), 0);
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_INTR, 0x30, -1) | 1u << 20, false), 0);
}

static void test_nothing_after_shutdown_or_invalid(void **state)
{
	(void)state;
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_EXCEPTION, 14, 0), true), 0);
	assert_int_equal(svm_event_redeliver(ev(SVM_EVENT_INTR, 0x30, -1) & ~SVM_EVENT_VALID, false), 0);
	assert_int_equal(svm_event_redeliver(0, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_external_interrupt_and_nmi_again),
		cmocka_unit_test(test_faults_again_with_error_code),
		cmocka_unit_test(test_instruction_events_run_again),
		cmocka_unit_test(test_malformed_dropped),
		cmocka_unit_test(test_nothing_after_shutdown_or_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
