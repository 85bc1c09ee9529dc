/* Unit tests: kernel command line parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "lib/cmdline.h"

static void test_value_found(void **state)
{
	char v[16];

	(void)state;
	assert_int_equal(cmdline_get("quiet atoll.fault=3 x=1", "atoll.fault", v, sizeof(v)), E_OK);
	assert_string_equal(v, "3");
	assert_int_equal(cmdline_get("x=1\tatoll.fault=0x10\n", "atoll.fault", v, sizeof(v)), E_OK);
	assert_string_equal(v, "0x10");
}

static void test_bare_key_and_prefix(void **state)
{
	char v[16];

	(void)state;
	assert_int_equal(cmdline_get("atoll.qemu_exit", "atoll.qemu_exit", v, sizeof(v)), E_OK);
	assert_string_equal(v, "");
	/* A longer word that starts with the key is another key. */
	assert_int_equal(cmdline_get("atoll.faulty=1", "atoll.fault", v, sizeof(v)), E_NOENT);
	assert_false(cmdline_has("atoll.qemu_exitx", "atoll.qemu_exit"));
	assert_true(cmdline_has("a atoll.qemu_exit b", "atoll.qemu_exit"));
	assert_false(cmdline_has("", "atoll.qemu_exit"));
}

static void test_first_wins_and_too_long(void **state)
{
	char v[4];

	(void)state;
	assert_int_equal(cmdline_get("k=1 k=2", "k", v, sizeof(v)), E_OK);
	assert_string_equal(v, "1");
	assert_int_equal(cmdline_get("k=1234", "k", v, sizeof(v)), E_FULL);
	assert_int_equal(cmdline_get("k=123", "k", v, sizeof(v)), E_OK);
	assert_int_equal(cmdline_get("k=1", "", v, sizeof(v)), E_INVAL);
}

static void test_parse_numbers(void **state)
{
	uint64_t n;

	(void)state;
	assert_int_equal(cmdline_parse_u64("42", &n), E_OK);
	assert_int_equal(n, 42);
	assert_int_equal(cmdline_parse_u64("0xfeE0", &n), E_OK);
	assert_int_equal(n, 0xfee0);
	assert_int_equal(cmdline_parse_u64("18446744073709551615", &n), E_OK);
	assert_true(n == UINT64_MAX);
	assert_int_equal(cmdline_parse_u64("18446744073709551616", &n), E_INVAL);
	assert_int_equal(cmdline_parse_u64("abc", &n), E_INVAL);
	assert_int_equal(cmdline_parse_u64("", &n), E_INVAL);
	assert_int_equal(cmdline_parse_u64("0x", &n), E_INVAL);
	assert_int_equal(cmdline_parse_u64("12a", &n), E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_found),
		cmocka_unit_test(test_bare_key_and_prefix),
		cmocka_unit_test(test_first_wins_and_too_long),
		cmocka_unit_test(test_parse_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
