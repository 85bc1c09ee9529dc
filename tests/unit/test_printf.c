/* Unit tests: the kernel's vsnprintf subset, checked against what C99 requires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>

#include "kstring.h"

#define CHECK(expect, ...)                                                \
	do {                                                              \
		char b[128];                                              \
		int n = snprintf(b, sizeof(b), __VA_ARGS__);              \
		assert_string_equal(b, expect);                           \
		assert_int_equal(n, (int)sizeof(expect) - 1);             \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK("0", "%d", 0);
	CHECK("-42", "%d", -42);
	CHECK("-2147483648", "%d", INT32_MIN);
	CHECK("4294967295", "%u", 4294967295u);
	CHECK("-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK("ffffffff", "%x", 0xffffffffu);
	CHECK("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK("fee00000", "%lx", 0xfee00000ul);
	CHECK("7", "%zu", (size_t)7);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("00ff", "%04x", 0xffu);
	CHECK("  12", "%4d", 12);
	CHECK("12  |", "%-4d|", 12);
	CHECK("0000000000000001", "%016llx", 1ull);
	CHECK("-0042", "%05d", -42);
	CHECK("  -42", "%5d", -42);
	CHECK("-42  |", "%-5d|", -42);
	CHECK("abc", "%2s", "abc");
	CHECK("  ab", "%4s", "ab");
	CHECK("ab  |", "%-4s|", "ab");
}

static void test_strings_and_misc(void **state)
{
	const char *volatile none = NULL;

	(void)state;
	CHECK("x(null)y", "x%sy", none);
	CHECK("100%", "100%%");
	CHECK("c=Z", "c=%c", 'Z');
	CHECK("0x1000", "%p", (void *)0x1000);
}

static void test_truncation(void **state)
{
	char b[5];

	(void)state;
	assert_int_equal(snprintf(b, sizeof(b), "%s", "abcdefgh"), 8);
	assert_string_equal(b, "abcd");
	assert_int_equal(snprintf(NULL, 0, "%d", 12345), 5);
	b[0] = 'q';
	assert_int_equal(snprintf(b, 1, "%d", 9), 1);
	assert_int_equal(b[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_strings_and_misc),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
