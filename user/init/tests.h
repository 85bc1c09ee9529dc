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
extern const struct test_case iommu_tests[];
extern const unsigned iommu_ntests;
/* DMA remapping is on and the two edu devices of iommu-edu.sh are there. */
bool iommu_suite_applies(const struct bootinfo *bi);
extern const struct test_case pci_tests[];
extern const unsigned pci_ntests;
extern const struct test_case edge_tests[];
extern const unsigned edge_ntests;
/* Guests: vcpu_tests where the CPU can run them, novirt_tests where it cannot. */
extern const struct test_case vcpu_tests[];
extern const unsigned vcpu_ntests;
extern const struct test_case novirt_tests[];
extern const unsigned novirt_ntests;
/* CPUID says SVM with nested paging, which is what the kernel needs to run guests. */
bool vcpu_cpu_can_run_guests(void);

/* Runs the benchmarks (docs/performance.md) and prints "bench NAME VALUE UNIT" lines. */
int bench_run(const struct bootinfo *bi);

#endif
