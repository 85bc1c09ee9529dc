/* Unit tests: guest-space numbering, mappings by cap, stale caps, and when a VCPU's TLB is stale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/cspace.h"
#include "obj/gspace.h"
#include "obj/vcpu.h"

/* Fake physical memory for the VCPU objects. */
#define HOST_BASE 0x40000000ull
static _Alignas(4096) uint8_t host_mem[1u << 17];

void *kobj_ptr(paddr_t pa)
{
	assert_true(pa >= HOST_BASE && pa - HOST_BASE < sizeof(host_mem));
	return host_mem + (pa - HOST_BASE);
}

/* As the kernel's hooks (kobj.c), for the two object types under test. */
void kobj_cap_deleted(const struct cap *cap)
{
	if (gspace_owns_mapping(cap))
		gspace_cap_deleted(cap);
}

void kobj_finalise(const struct cap *cap)
{
	if (cap->type == OBJ_GUEST_SPACE)
		gspace_release(cap->obj);
	if (cap->type == OBJ_VCPU)
		vcpu_finalise(kobj_ptr(cap->obj));
}

/* The vendor, faked: records what the generic code asked of it. */
static struct {
	unsigned unmaps, maps;
	paddr_t unmap_root, unmap_pa;
	uint64_t unmap_gpa;
	unsigned unmap_level;
	bool stale, uncached;
	err_t check;
	unsigned read_only;		/* a register id the vendor refuses to write */
	unsigned writes;		/* register writes made, in order */
	unsigned write_id[VCPU_RUN_WRITES_MAX];
	uint64_t write_value[VCPU_RUN_WRITES_MAX];
} fake;

bool virt_ready(void) { return true; }
void virt_vcpu_setup(struct vcpu *v) { (void)v; }
err_t virt_reg_check(unsigned id, bool write) { return write && id == fake.read_only ? E_INVAL : E_OK; }
uint64_t virt_reg_read(const struct vcpu *v, unsigned id) { (void)v; (void)id; return 0; }

void virt_reg_write(struct vcpu *v, unsigned id, uint64_t value)
{
	(void)v;
	assert_true(fake.writes < VCPU_RUN_WRITES_MAX);
	fake.write_id[fake.writes] = id;
	fake.write_value[fake.writes++] = value;
}

bool virt_vcpu_run(struct vcpu *v, paddr_t nested_root, bool tlb_stale, struct virt_exit *x)
{
	(void)v;
	(void)nested_root;
	fake.stale = tlb_stale;
	memset(x, 0, sizeof(*x));
	return true;
}

err_t virt_npt_check(paddr_t root, uint64_t gpa, unsigned level, bool frame)
{
	(void)root, (void)gpa, (void)level, (void)frame;
	return fake.check;
}

void virt_npt_map_table(paddr_t root, uint64_t gpa, unsigned level, paddr_t table)
{
	(void)root, (void)gpa, (void)level, (void)table;
	fake.maps++;
}

void virt_npt_map_frame(paddr_t root, uint64_t gpa, paddr_t frame, bool large, bool write, bool exec,
			bool uncached)
{
	(void)root, (void)gpa, (void)frame, (void)large, (void)write, (void)exec;
	fake.maps++;
	fake.uncached = uncached;
}

void virt_npt_unmap(paddr_t root, uint64_t gpa, unsigned level, paddr_t pa)
{
	fake.unmaps++;
	fake.unmap_root = root;
	fake.unmap_gpa = gpa;
	fake.unmap_level = level;
	fake.unmap_pa = pa;
}

#define SPACE_A 0x1000000ull	/* guest-space roots: never dereferenced by the generic code */
#define SPACE_B 0x2000000ull
#define FRAME 0x3000000ull

static struct cte space_a, space_b;

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	fake.read_only = VCPU_REG_NONE;
	memset(&space_a, 0, sizeof(space_a));
	memset(&space_b, 0, sizeof(space_b));
	space_a.cap = (struct cap){ .type = OBJ_GUEST_SPACE, .rights = CAP_ALL_RIGHTS, .obj = SPACE_A };
	space_b.cap = (struct cap){ .type = OBJ_GUEST_SPACE, .rights = CAP_ALL_RIGHTS, .obj = SPACE_B };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < GSPACE_MAX; i++)
		gspace_release(SPACE_A + 0x1000ull * (unsigned)i);
	gspace_release(SPACE_B);
	return 0;
}

static struct cap frame(void)
{
	return (struct cap){ .type = OBJ_FRAME_4K, .rights = CAP_ALL_RIGHTS, .obj = FRAME };
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(gspace_number(SPACE_A, false), GSPACE_MAX);	/* would get one */
	assert_int_equal(gspace_number(SPACE_A, true), 0);
	assert_int_equal(gspace_number(SPACE_A, false), 0);
	assert_int_equal(gspace_number(SPACE_B, true), 1);
	for (int i = 2; i < GSPACE_MAX; i++)
		assert_int_equal(gspace_number(SPACE_A + 0x1000ull * (unsigned)i, true), i);
	assert_int_equal(gspace_number(SPACE_A + 0x1000ull * GSPACE_MAX, false), -1);
	struct cap f = frame();
	assert_int_equal(gspace_decode_map(&f, SPACE_A + 0x1000ull * GSPACE_MAX, 0, 0), E_FULL);
	gspace_release(SPACE_B);
	assert_int_equal(gspace_number(SPACE_A + 0x1000ull * GSPACE_MAX, true), 1);
	gspace_release(SPACE_A + 0x1000ull * GSPACE_MAX);
}

static void test_map_records_and_delete_unmaps(void **state)
{
	(void)state;
	struct cap f = frame();
	assert_int_equal(gspace_decode_map(&f, SPACE_A, 0x5000, CAP_WRITE), E_OK);
	gspace_invoke_map(&f, SPACE_A, 0x5000, CAP_WRITE);
	assert_int_equal(fake.maps, 1);
	assert_true(gspace_owns_mapping(&f));
	assert_int_equal(f.data, 0x5000);
	assert_int_equal(gspace_decode_map(&f, SPACE_A, 0x6000, 0), E_BUSY);	/* one per cap */
	uint32_t before = gspace_epoch(gspace_number(SPACE_A, false));
	gspace_cap_deleted(&f);
	assert_int_equal(fake.unmaps, 1);
	assert_int_equal(fake.unmap_root, SPACE_A);
	assert_int_equal(fake.unmap_gpa, 0x5000);
	assert_int_equal(fake.unmap_level, 0);
	assert_int_equal(fake.unmap_pa, FRAME);
	assert_int_not_equal(gspace_epoch(gspace_number(SPACE_A, false)), before);
}

/* A BAR frame goes into the nested tables uncached, RAM does not. */
static void test_device_frames_map_uncached(void **state)
{
	(void)state;
	struct cap ram = frame(), bar = frame();
	bar.flags = CAP_FLAG_DEVICE | CAP_FLAG_MMIO;
	bar.obj = FRAME + 0x1000;
	gspace_invoke_map(&ram, SPACE_A, 0x5000, CAP_WRITE);
	assert_false(fake.uncached);
	gspace_invoke_map(&bar, SPACE_A, 0x6000, CAP_WRITE);
	assert_true(fake.uncached);
}

static void test_rights_and_vendor_errors(void **state)
{
	(void)state;
	struct cap f = frame();
	f.rights = CAP_READ;
	assert_int_equal(gspace_decode_map(&f, SPACE_A, 0, CAP_WRITE), E_RIGHTS);
	assert_int_equal(gspace_decode_map(&f, SPACE_A, 0, CAP_EXEC), E_RIGHTS);
	assert_int_equal(gspace_decode_map(&f, SPACE_A, 0, 0), E_OK);
	fake.check = E_ALIGN;
	assert_int_equal(gspace_decode_map(&f, SPACE_A, 0, 0), E_ALIGN);
	assert_int_equal(fake.maps, 0);		/* decode changes nothing */
	assert_int_equal(gspace_number(SPACE_A, false), GSPACE_MAX);
}

/* A host mapping (its number below VSPACE_MAX, no tag) is not the guest code's to touch. */
static void test_host_mapping_is_not_ours(void **state)
{
	(void)state;
	struct cap f = frame();
	f.flags = CAP_FLAG_MAPPED;
	f.guard_bits = 0;
	assert_false(gspace_owns_mapping(&f));
	(void)gspace_number(SPACE_A, true);
	gspace_cap_deleted(&f);
	assert_int_equal(fake.unmaps, 0);
}

static void test_stale_cap_leaves_reused_number_alone(void **state)
{
	(void)state;
	struct cap f = frame();
	assert_int_equal(gspace_decode_map(&f, SPACE_A, 0x5000, 0), E_OK);
	gspace_invoke_map(&f, SPACE_A, 0x5000, 0);
	gspace_release(SPACE_A);
	assert_int_equal(gspace_number(SPACE_B, true), 0);	/* same number, new generation */
	gspace_cap_deleted(&f);
	assert_int_equal(fake.unmaps, 0);
}

static void test_vcpu_tlb_stale_only_after_a_change(void **state)
{
	(void)state;
	struct virt_exit x;
	vcpu_init(HOST_BASE);
	struct vcpu *v = kobj_ptr(HOST_BASE);

	assert_int_equal(vcpu_decode_run(v), E_NOENT);
	assert_int_equal(vcpu_decode_set_space(&space_a), E_OK);
	vcpu_invoke_set_space(v, &space_a);
	assert_int_equal(vcpu_decode_run(v), E_OK);
	assert_true(vcpu_invoke_run(v, &x) && fake.stale);	/* first run */
	assert_true(vcpu_invoke_run(v, &x) && !fake.stale);
	struct cap f = frame();
	gspace_invoke_map(&f, SPACE_A, 0x5000, 0);
	assert_true(vcpu_invoke_run(v, &x) && !fake.stale);	/* a new entry replaces nothing */
	gspace_cap_deleted(&f);
	assert_true(vcpu_invoke_run(v, &x) && fake.stale);	/* a translation left */
	assert_true(vcpu_invoke_run(v, &x) && !fake.stale);
	vcpu_invoke_set_space(v, &space_b);
	assert_true(vcpu_invoke_run(v, &x) && fake.stale);	/* another space */
	/* The VCPU holds a copy of the space's cap: space B is not final while it does. */
	assert_false(cspace_is_final(&space_b));
	vcpu_finalise(v);
	assert_true(cspace_is_final(&space_b));
}

/* VCPU_RUN's register writes: all checked before any is made, then made in order. */
static void test_run_writes_checked_then_made(void **state)
{
	(void)state;
	uint64_t words[VCPU_RUN_WRITE_WORD + 2 * VCPU_RUN_WRITES_MAX + 2] = { 0 };
	struct vcpu_write w[VCPU_RUN_WRITES_MAX];
	struct vcpu *v = kobj_ptr(HOST_BASE);

	assert_int_equal(vcpu_decode_run_writes(NULL, 0, w), E_OK);	/* none: no buffer needed */
	assert_int_equal(vcpu_decode_run_writes(NULL, 1, w), E_NOENT);
	assert_int_equal(vcpu_decode_run_writes(words, VCPU_RUN_WRITES_MAX + 1, w), E_RANGE);
	words[VCPU_RUN_WRITE_WORD] = VCPU_RIP;
	words[VCPU_RUN_WRITE_WORD + 1] = 0x1234;
	words[VCPU_RUN_WRITE_WORD + 2] = VCPU_REG_COUNT;	/* unknown */
	assert_int_equal(vcpu_decode_run_writes(words, 2, w), E_RANGE);
	words[VCPU_RUN_WRITE_WORD + 2] = VCPU_RAX;
	words[VCPU_RUN_WRITE_WORD + 3] = 0x5A;
	fake.read_only = VCPU_RAX;
	assert_int_equal(vcpu_decode_run_writes(words, 2, w), E_INVAL);
	assert_int_equal(fake.writes, 0);	/* the decode writes nothing */
	fake.read_only = VCPU_REG_NONE;
	assert_int_equal(vcpu_decode_run_writes(words, 2, w), E_OK);
	words[VCPU_RUN_WRITE_WORD + 1] = 0x9999;	/* changed after the check: not what is written */
	vcpu_invoke_run_writes(v, w, 2);
	assert_int_equal(fake.writes, 2);
	assert_int_equal(fake.write_id[0], VCPU_RIP);
	assert_int_equal(fake.write_value[0], 0x1234);
	assert_int_equal(fake.write_id[1], VCPU_RAX);
	assert_int_equal(fake.write_value[1], 0x5A);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_records_and_delete_unmaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rights_and_vendor_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_frames_map_uncached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_mapping_is_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_cap_leaves_reused_number_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_tlb_stale_only_after_a_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_writes_checked_then_made, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
