/* The suites of the in-kernel test run. */
#ifndef USER_TESTS_H
#define USER_TESTS_H

#include "test.h"

extern const struct test_case cspace_tests[];
extern const unsigned cspace_ntests;

#endif
