/* Named-case runner: one line per case on the console, judged by the QEMU harness. */
#include "cap.h"
#include "test.h"

void test_check(struct test_env *env, int ok, const char *expr, const char *file, int line)
{
	if (ok)
		return;
	env->failures++;
	printf("    check failed: %s (%s:%d)\n", expr, file, line);
}

static uint8_t stacks[TEST_STACKS][4096] __attribute__((aligned(16)));

uint64_t test_stack_top(unsigned n)
{
	/* At a function's first instruction rsp + 8 is 16-byte aligned (psABI 3.2.2). */
	return (uint64_t)(uintptr_t)&stacks[n][sizeof(stacks[n])] - 8;
}

uint64_t test_make(struct test_env *env, unsigned type, unsigned size_bits, unsigned k)
{
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), type, size_bits, CAP_INIT_CNODE, S(k), 1),
		  E_OK);
	return S(k);
}

uint64_t test_thread(struct test_env *env, unsigned k, void (*fn)(uint64_t), uint64_t arg,
		     unsigned n, unsigned prio)
{
	uint64_t t = test_make(env, OBJ_TCB, 0, k);

	CHECK_ERR(tcb_write_registers(t, (uint64_t)(uintptr_t)fn, test_stack_top(n), arg), E_OK);
	CHECK_ERR(tcb_set_priority(t, prio), E_OK);
	return t;
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
