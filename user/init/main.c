/* The root task of each instance: reports in, runs the checks it is asked for, exits. */
#include "atoll.h"
#include "spec_boot.h"
#include "tests.h"

int main(const struct bootinfo *bi);

struct suite {
	const char *name;
	const struct test_case *cases;
	const unsigned *n;
	bool slowpath;
};

static const struct suite suites[] = {
	{ "cspace", cspace_tests, &cspace_ntests, false },
	{ "threads", thread_tests, &thread_ntests, false },
	{ "threads-slowpath", thread_tests, &thread_ntests, true },
	{ "vspace", vspace_tests, &vspace_ntests, false },
	{ "more", more_tests, &more_ntests, false },
	{ "edges", edge_tests, &edge_ntests, false },
	{ "tlb", tlb_tests, &tlb_ntests, false },
	{ "devices", device_tests, &device_ntests, false },
	{ "msi", msi_tests, &msi_ntests, false },
	{ "pci", pci_tests, &pci_ntests, false },
	{ "iommu", iommu_tests, &iommu_ntests, false },
	{ "vcpu", vcpu_tests, &vcpu_ntests, false },
	{ "xcore", xcore_tests, &xcore_ntests, false },
};

int main(const struct bootinfo *bi)
{
	if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION) {
		printf("root task: bad boot info (magic %llx)\n", (unsigned long long)bi->magic);
		return 1;
	}
	printf("root task on instance %u of %u: user mode, partition %llu MiB at 0x%llx\n",
	       bi->instance, bi->ninstances, (unsigned long long)(bi->mem_bytes >> 20),
	       (unsigned long long)bi->mem_base);
	/* With a compiled system description among the boot modules, boot that instead. */
	int status = spec_boot_find(bi);
	if (status >= 0)
		return status;
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
	unsigned failed = 0, index = 0;

	for (unsigned i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		struct suite s = suites[i];
		const struct suite *su = &s;
		/* DMA through the IOMMU needs one, and the edu devices of iommu-edu.sh. */
		if (su->cases == iommu_tests && !iommu_suite_applies(bi))
			continue;
		if (su->cases == vcpu_tests && !vcpu_cpu_can_run_guests())
			s = (struct suite){ "novirt", novirt_tests, &novirt_ntests, false };
		/* The slow-path run repeats the IPC cases with the fastpath off: results must match. */
		if (su->slowpath)
			(void)sys_debug_fastpath(0, 0);
		failed += test_run_all(bi, su->name, su->cases, *su->n, index);
		if (su->slowpath)
			(void)sys_debug_fastpath(1, 0);
		index += *su->n;	/* each case owns its own slots of the initial CSpace */
	}
	printf("instance %u: %u tests, %u passed, %u failed\n", bi->instance, index,
	       index - failed, failed);
	return (int)failed;
}
