/* The suites of the in-kernel test run. */
#ifndef USER_TESTS_H
#define USER_TESTS_H

#include "test.h"

extern const struct test_case cspace_tests[];
extern const unsigned cspace_ntests;
extern const struct test_case thread_tests[];
extern const unsigned thread_ntests;
extern const struct test_case vspace_tests[];
extern const unsigned vspace_ntests;
extern const struct test_case xcore_tests[];
extern const unsigned xcore_ntests;
extern const struct test_case more_tests[];
extern const unsigned more_ntests;
extern const struct test_case device_tests[];
extern const unsigned device_ntests;
extern const struct test_case msi_tests[];
extern const unsigned msi_ntests;
extern const struct test_case tlb_tests[];
extern const unsigned tlb_ntests;
extern const struct test_case edge_tests[];
extern const unsigned edge_ntests;

/* Runs the benchmarks (docs/performance.md) and prints "bench NAME VALUE UNIT" lines. */
int bench_run(const struct bootinfo *bi);

#endif
