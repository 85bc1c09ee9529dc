/* A tiny named-case test framework for the in-kernel test suite (in the spirit of sel4test). */
#ifndef USER_TEST_H
#define USER_TEST_H

#include "atoll.h"

struct test_env {
	const struct bootinfo *bi;
	unsigned index;		/* this case's number: it owns 64 empty slots of its own */
	unsigned failures;	/* checks failed in the current case */
};

/* Slot k (0..63) of the current case's private range of the initial CSpace. */
#define S(k) ((uint64_t)env->bi->empty_first + 64u * env->index + (k))

struct test_case {
	const char *name;
	void (*fn)(struct test_env *env);
};

void test_check(struct test_env *env, int ok, const char *expr, const char *file, int line);

/* CHECK(cond): records a failure with its text and line; the case goes on. */
#define CHECK(cond) test_check(env, !!(cond), #cond, __FILE__, __LINE__)
#define CHECK_ERR(expr, want)                                                           \
	do {                                                                            \
		long got_ = (expr);                                                     \
		if (got_ != (want))                                                     \
			printf("    %s:%d: %s returned %ld, expected %ld\n", __FILE__,    \
			       __LINE__, #expr, got_, (long)(want));                     \
		test_check(env, got_ == (want), #expr, __FILE__, __LINE__);              \
	} while (0)

/* Stack n (0..TEST_STACKS-1) for a test thread: its top as a function's first rsp. */
#define TEST_STACKS 4
uint64_t test_stack_top(unsigned n);

/* Retypes one object of type (size_bits for CNodes and untyped) into slot S(k); returns S(k). */
uint64_t test_make(struct test_env *env, unsigned type, unsigned size_bits, unsigned k);

/* A thread in S(k) that will run fn(arg) on stack n at priority prio; not resumed. */
uint64_t test_thread(struct test_env *env, unsigned k, void (*fn)(uint64_t), uint64_t arg,
		     unsigned n, unsigned prio);

/* The slot of the largest untyped the root task was given. */
uint64_t test_big_untyped(const struct bootinfo *bi);

/*
 * Runs every case of a suite, prints one PASS/FAIL line each, returns the number
 * that failed. first_index numbers the cases so that each owns its own slots.
 */
unsigned test_run_all(const struct bootinfo *bi, const char *suite, const struct test_case *cases,
		      unsigned n, unsigned first_index);

#endif
