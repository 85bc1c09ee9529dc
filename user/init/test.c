/* Named-case runner: one line per case on the console, judged by the QEMU harness. */
#include "test.h"

void test_check(struct test_env *env, int ok, const char *expr, const char *file, int line)
{
	if (ok)
		return;
	env->failures++;
	printf("    check failed: %s (%s:%d)\n", expr, file, line);
}

uint64_t test_big_untyped(const struct bootinfo *bi)
{
	unsigned best = 0;

	for (unsigned i = 1; i < bi->untyped_count; i++)
		if (bi->untyped[i].size_bits > bi->untyped[best].size_bits)
			best = i;
	return bi->untyped_first + best;
}

unsigned test_run_all(const struct bootinfo *bi, const char *suite, const struct test_case *cases,
		      unsigned n, unsigned first_index)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < n; i++) {
		struct test_env env = { .bi = bi, .index = first_index + i, .failures = 0 };
		cases[i].fn(&env);
		printf("instance %u: test %s/%s %s\n", bi->instance, suite, cases[i].name,
		       env.failures ? "FAIL" : "PASS");
		if (env.failures)
			failed++;
	}
	printf("instance %u: suite %s: %u tests, %u failed\n", bi->instance, suite, n, failed);
	return failed;
}
