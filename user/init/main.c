/* The root task of each instance: reports in, runs the checks it is asked for, exits. */
#include "atoll.h"
#include "tests.h"

int main(const struct bootinfo *bi);

int main(const struct bootinfo *bi)
{
	if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION) {
		printf("root task: bad boot info (magic %llx)\n", (unsigned long long)bi->magic);
		return 1;
	}
	printf("root task on instance %u of %u: user mode, partition %llu MiB at 0x%llx\n",
	       bi->instance, bi->ninstances, (unsigned long long)(bi->mem_bytes >> 20),
	       (unsigned long long)bi->mem_base);
	if (bi->user_test == USER_TEST_WRITE_KERNEL) {
		/* The kernel maps this instance's partition here, supervisor-only. */
		volatile uint64_t *kernel = (volatile uint64_t *)(KERNEL_PHYSMAP_BASE + bi->mem_base);
		printf("root task on instance %u: writing kernel memory at %p (must fault)\n",
		       bi->instance, (void *)kernel);
		*kernel = 0;
		printf("root task on instance %u: KERNEL MEMORY WRITABLE FROM USER MODE\n",
		       bi->instance);
		return 1;
	}
	if (bi->user_test == USER_TEST_BENCH)
		return bench_run(bi);
	unsigned failed = test_run_all(bi, "cspace", cspace_tests, cspace_ntests, 0);
	failed += test_run_all(bi, "threads", thread_tests, thread_ntests, cspace_ntests);
	/* The same IPC cases again on the general path: the fastpath must not differ. */
	(void)sys_debug_fastpath(0, 0);
	failed += test_run_all(bi, "threads-slowpath", thread_tests, thread_ntests,
			       cspace_ntests + thread_ntests);
	(void)sys_debug_fastpath(1, 0);
	failed += test_run_all(bi, "vspace", vspace_tests, vspace_ntests,
			       cspace_ntests + 2 * thread_ntests);
	failed += test_run_all(bi, "more", more_tests, more_ntests,
			       cspace_ntests + 2 * thread_ntests + vspace_ntests);
	failed += test_run_all(bi, "devices", device_tests, device_ntests,
			       cspace_ntests + 2 * thread_ntests + vspace_ntests + more_ntests);
	failed += test_run_all(bi, "xcore", xcore_tests, xcore_ntests,
			       cspace_ntests + 2 * thread_ntests + vspace_ntests + more_ntests +
				       device_ntests);
	unsigned total = cspace_ntests + 2 * thread_ntests + vspace_ntests + more_ntests +
			 device_ntests + xcore_ntests;
	printf("instance %u: %u tests, %u passed, %u failed\n", bi->instance, total,
	       total - failed, failed);
	return (int)failed;
}
