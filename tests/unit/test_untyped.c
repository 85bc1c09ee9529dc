/* Unit tests: untyped retype arithmetic, placement, zeroing, reuse and copy rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "obj/cnode.h"
#include "obj/untyped.h"

/* Fake physical memory: HOST_BASE.. maps to host_mem. */
#define HOST_BASE 0x40000000ull
#define HOST_SIZE (32u << 20)
#define ROOT_PA HOST_BASE			/* radix 10: 1024 slots */
#define BIG_PA (HOST_BASE + (16u << 20))	/* a 2 MiB untyped */
#define UT_PA BIG_PA				/* its first half: the 1 MiB untyped under test */
#define NDEST 256

static _Alignas(1u << 21) uint8_t host_mem[HOST_SIZE];

#define LOG_MAX 1024
static struct cap finalised[LOG_MAX];
static unsigned nfinalised, ndeleted;

void *kobj_ptr(paddr_t pa)
{
	/* Anything outside the fake memory is a wild pointer in the code under test. */
	assert_true(pa >= HOST_BASE && pa - HOST_BASE < HOST_SIZE);
	return host_mem + (pa - HOST_BASE);
}

void kobj_cap_deleted(const struct cap *cap)
{
	(void)cap;
	ndeleted++;
}

void kobj_finalise(const struct cap *cap)
{
	assert_true(nfinalised < LOG_MAX);
	finalised[nfinalised++] = *cap;
}

static unsigned times_finalised(uint8_t type, paddr_t obj)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nfinalised; i++)
		if (finalised[i].type == type && finalised[i].obj == obj)
			n++;
	return n;
}

static struct cap root;
static struct cte *dest[NDEST];

static struct cte *slot(unsigned i)
{
	return &cspace_slots(&root)[i];
}

/* Slot 0: a 2 MiB boot untyped; slot 1: the 1 MiB untyped under test, made from it. */
static int setup(void **state)
{
	(void)state;
	memset(host_mem, 0, HOST_SIZE);
	nfinalised = ndeleted = 0;
	root = (struct cap){ .type = OBJ_CNODE, .rights = CAP_ALL_RIGHTS, .size_bits = 10,
			     .guard_bits = 54, .obj = ROOT_PA };
	for (unsigned i = 0; i < NDEST; i++)
		dest[i] = slot(100 + i);
	slot(0)->cap = (struct cap){ .type = OBJ_UNTYPED, .rights = CAP_ALL_RIGHTS, .size_bits = 21,
				     .obj = BIG_PA };
	cspace_insert_child(NULL, slot(0));
	struct retype r;
	assert_int_equal(untyped_decode_retype(slot(0), OBJ_UNTYPED, 20, &dest[0], 1, &r), E_OK);
	untyped_invoke_retype(slot(0), &r, &dest[0], 1);
	cnode_invoke_move(dest[0], slot(1));
	return 0;
}

static struct cte *big(void)
{
	return slot(0);
}

static struct cte *ut(void)
{
	return slot(1);
}

/* Decodes, and performs if the decode passed. */
static err_t retype_from(struct cte *u, unsigned type, unsigned bits, struct cte *const *d, unsigned n)
{
	struct retype r;
	err_t e = untyped_decode_retype(u, type, bits, d, n, &r);

	if (!e)
		untyped_invoke_retype(u, &r, d, n);
	return e;
}

static err_t retype(unsigned type, unsigned bits, unsigned n)
{
	return retype_from(ut(), type, bits, dest, n);
}

static void test_fit_arithmetic(void **state)
{
	uint64_t first = 7;

	(void)state;
	assert_int_equal(untyped_fit(0, 12, 12, 1, &first), E_OK);		/* exact fit */
	assert_true(first == 0);
	assert_int_equal(untyped_fit(0, 12, 12, 2, &first), E_NOMEM);
	assert_int_equal(untyped_fit(64, 20, 12, 255, &first), E_OK);	/* padded to 4096 */
	assert_true(first == 4096);
	assert_int_equal(untyped_fit(64, 20, 12, 256, &first), E_NOMEM);
	assert_int_equal(untyped_fit(4096, 20, 12, 255, &first), E_OK);	/* already aligned */
	assert_true(first == 4096);
	assert_int_equal(untyped_fit(0, 20, 6, 1u << 14, &first), E_OK);	/* exact fit */
	assert_int_equal(untyped_fit(0, 20, 6, (1u << 14) + 1, &first), E_NOMEM);
	assert_int_equal(untyped_fit(1u << 20, 20, 4, 1, &first), E_NOMEM);	/* full */
	assert_int_equal(untyped_fit((1u << 20) - 16, 20, 4, 1, &first), E_OK);	/* last 16 bytes */
	assert_true(first == (1u << 20) - 16);
	assert_int_equal(untyped_fit((1u << 20) - 16, 20, 5, 1, &first), E_NOMEM);	/* padding */
	assert_int_equal(untyped_fit(0, 12, 13, 1, &first), E_NOMEM);	/* bigger than the untyped */
	assert_int_equal(untyped_fit(0, 20, 6, 0, &first), E_RANGE);
}

static void test_fit_overflow(void **state)
{
	uint64_t first = 7;

	(void)state;
	/* n << bits wraps to 0 or to something small: must not pass. */
	assert_int_equal(untyped_fit(0, 20, 6, UINT64_MAX, &first), E_NOMEM);
	assert_int_equal(untyped_fit(0, 20, 6, 1ull << 58, &first), E_NOMEM);
	assert_int_equal(untyped_fit(64, 20, 6, (1ull << 58) + 1, &first), E_NOMEM);
	/* A watermark whose rounding up would wrap. */
	assert_int_equal(untyped_fit(UINT64_MAX - 5, 20, 6, 1, &first), E_NOMEM);
	assert_int_equal(untyped_fit(UINT64_MAX - 5, 63, 12, 1, &first), E_NOMEM);
	/* The largest untyped: sizes near 2^63. */
	assert_int_equal(untyped_fit((1ull << 63) - 1, 63, 62, 1, &first), E_NOMEM);
	assert_int_equal(untyped_fit(1, 63, 62, 1, &first), E_OK);
	assert_true(first == 1ull << 62);
	assert_int_equal(untyped_fit(0, 63, 63, 1, &first), E_OK);
	assert_int_equal(untyped_fit(0, 64, 12, 1, &first), E_RANGE);
	assert_true(first == 0);
}

static void test_object_bits(void **state)
{
	unsigned bits = 99;

	(void)state;
	assert_int_equal(untyped_object_bits(OBJ_TCB, 0, &bits), E_OK);
	assert_int_equal(bits, 11);
	assert_int_equal(untyped_object_bits(OBJ_ENDPOINT, 30, &bits), E_OK);	/* size ignored */
	assert_int_equal(bits, 6);
	assert_int_equal(untyped_object_bits(OBJ_FRAME_2M, 0, &bits), E_OK);
	assert_int_equal(bits, 21);
	assert_int_equal(untyped_object_bits(OBJ_PT, 0, &bits), E_OK);
	assert_int_equal(bits, 12);
	/* A VCPU: its own page, the VMCB, the MSR map (8 KiB) and the I/O map (12 KiB). */
	assert_int_equal(untyped_object_bits(OBJ_VCPU, 0, &bits), E_OK);
	assert_int_equal(bits, 15);
	assert_int_equal(untyped_object_bits(OBJ_GUEST_SPACE, 0, &bits), E_OK);
	assert_int_equal(bits, 12);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, 4, &bits), E_OK);
	assert_int_equal(bits, 4 + CTE_SIZE_BITS);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, 1, &bits), E_OK);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, CNODE_MAX_RADIX, &bits), E_OK);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, 0, &bits), E_RANGE);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, CNODE_MAX_RADIX + 1, &bits), E_RANGE);
	assert_int_equal(untyped_object_bits(OBJ_UNTYPED, 4, &bits), E_OK);
	assert_int_equal(bits, 4);
	assert_int_equal(untyped_object_bits(OBJ_UNTYPED, 3, &bits), E_RANGE);
	assert_int_equal(untyped_object_bits(OBJ_UNTYPED, UNTYPED_MAX_BITS + 1, &bits), E_RANGE);
	const unsigned never[] = { OBJ_NULL, OBJ_IRQ_CONTROL, OBJ_IRQ_HANDLER, OBJ_IO_PORT,
				   OBJ_XSIGNAL, OBJ_TYPE_COUNT, 99, UINT32_MAX };
	for (unsigned i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		assert_int_equal(untyped_object_bits(never[i], 0, &bits), E_INVAL);
}

static void test_retype_places_aligned_and_links(void **state)
{
	(void)state;
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 3), E_OK);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(dest[i]->cap.type, OBJ_ENDPOINT);
		assert_true(dest[i]->cap.obj == UT_PA + 64 * i);
		assert_ptr_equal(dest[i]->parent, ut());
		assert_int_equal(dest[i]->cap.rights, CAP_ALL_RIGHTS);
		assert_true(dest[i]->cap.data == 0);
		assert_true(cspace_is_final(dest[i]));
	}
	assert_true(ut()->cap.data == 192);
	/* A frame after them is padded to 4 KiB, a radix-4 CNode (1 KiB) follows, a TCB (2 KiB) is padded. */
	assert_int_equal(retype_from(ut(), OBJ_FRAME_4K, 0, &dest[3], 1), E_OK);
	assert_true(dest[3]->cap.obj == UT_PA + 4096);
	assert_int_equal(retype_from(ut(), OBJ_CNODE, 4, &dest[4], 1), E_OK);
	assert_true(dest[4]->cap.obj == UT_PA + 8192);
	assert_int_equal(dest[4]->cap.size_bits, 4);
	assert_int_equal(dest[4]->cap.guard_bits, 0);
	assert_true(dest[4]->cap.data == 0);
	assert_int_equal(retype_from(ut(), OBJ_TCB, 0, &dest[5], 1), E_OK);
	assert_true(dest[5]->cap.obj == UT_PA + 10240);
	assert_true(ut()->cap.data == 12288);
	/* The original untyped is untouched, and ut is its only child. */
	assert_ptr_equal(big()->first_child, ut());
	assert_null(ut()->next_sibling);
}

static void test_retype_exact_fill(void **state)
{
	(void)state;
	assert_int_equal(retype(OBJ_FRAME_4K, 0, NDEST), E_OK);	/* 256 x 4 KiB = 1 MiB */
	assert_true(ut()->cap.data == 1u << 20);
	assert_true(dest[NDEST - 1]->cap.obj == UT_PA + (1u << 20) - 4096);
	struct cte *more[1] = { slot(900) };
	assert_int_equal(retype_from(ut(), OBJ_ENDPOINT, 0, more, 1), E_NOMEM);
	assert_int_equal(retype_from(ut(), OBJ_UNTYPED, 4, more, 1), E_NOMEM);
	assert_int_equal(slot(900)->cap.type, OBJ_NULL);
}

static void test_retype_zeroes_objects_only(void **state)
{
	(void)state;
	memset(kobj_ptr(UT_PA), 0xAA, 1u << 20);
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 1), E_OK);
	assert_int_equal(retype_from(ut(), OBJ_FRAME_4K, 0, &dest[1], 2), E_OK);
	assert_int_equal(retype_from(ut(), OBJ_TCB, 0, &dest[3], 1), E_OK);
	const uint8_t *p = kobj_ptr(UT_PA);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[64], 0xAA);		/* padding is handed to nobody */
	assert_int_equal(p[4095], 0xAA);
	for (unsigned i = 4096; i < 12288 + 2048; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[12288 + 2048], 0xAA);	/* only what was made */
	/* An untyped child is not zeroed: what is made from it will be. */
	assert_int_equal(retype_from(ut(), OBJ_UNTYPED, 12, &dest[4], 1), E_OK);
	assert_int_equal(p[16384], 0xAA);
	assert_int_equal(retype_from(dest[4], OBJ_ENDPOINT, 0, &dest[5], 1), E_OK);
	assert_int_equal(p[16384], 0);
	assert_int_equal(p[16384 + 64], 0xAA);
}

static void test_watermark_reset_when_no_children(void **state)
{
	(void)state;
	assert_int_equal(retype(OBJ_FRAME_4K, 0, 2), E_OK);
	assert_true(ut()->cap.data == 8192);
	cnode_invoke_delete(dest[0]);
	assert_true(ut()->cap.data == 8192);
	struct cte *d[1] = { slot(900) };
	struct retype r;
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, d, 1, &r), E_OK);
	assert_true(r.first == 8192);		/* a child lives: no reuse */
	cnode_invoke_delete(dest[1]);
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, d, 1, &r), E_OK);
	assert_true(r.first == 0);		/* none: the region is free again */
	/* A copy of the untyped is no object: it does not stop the reset. */
	struct cte *c = slot(2);
	assert_int_equal(cnode_decode_copy(ut(), c), E_OK);
	cnode_invoke_copy(ut(), c, CAP_ALL_RIGHTS);
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, d, 1, &r), E_OK);
	assert_true(r.first == 0);
	untyped_invoke_retype(ut(), &r, d, 1);
	assert_true(slot(900)->cap.obj == UT_PA);
	assert_true(ut()->cap.data == 4096);
	assert_int_equal(nfinalised, 2);
}

static void test_no_reuse_while_children_live(void **state)
{
	struct retype r;

	(void)state;
	/* Two halves; the first holds an endpoint. */
	assert_int_equal(retype(OBJ_UNTYPED, 19, 2), E_OK);
	assert_true(dest[1]->cap.obj == UT_PA + (1u << 19));
	struct cte *e[1] = { slot(900) };
	assert_int_equal(retype_from(dest[0], OBJ_ENDPOINT, 0, e, 1), E_OK);
	struct cte *d[1] = { slot(901) };
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, d, 1, &r), E_NOMEM);
	/* Deleting both halves' caps: the endpoint still lives, now a child of ut. */
	cnode_invoke_delete(dest[0]);
	cnode_invoke_delete(dest[1]);
	assert_ptr_equal(slot(900)->parent, ut());
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, d, 1, &r), E_NOMEM);
	/* After revoke the whole region is free again, and the endpoint was destroyed once. */
	cnode_invoke_revoke(ut());
	assert_int_equal(times_finalised(OBJ_ENDPOINT, UT_PA), 1);
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, d, 1, &r), E_OK);
	assert_true(r.first == 0);
	/* The big untyped still has ut: it cannot reuse ut's half. */
	assert_int_equal(untyped_decode_retype(big(), OBJ_UNTYPED, 20, d, 1, &r), E_OK);
	assert_true(r.first == 1u << 20);
}

static void test_retype_errors_change_nothing(void **state)
{
	struct retype r;

	(void)state;
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 1), E_OK);
	struct cte *d[2] = { slot(900), slot(901) };
	uint64_t mark = ut()->cap.data;
	assert_int_equal(untyped_decode_retype(dest[0], OBJ_TCB, 0, d, 1, &r), E_WRONGTYPE);
	assert_int_equal(untyped_decode_retype(slot(902), OBJ_TCB, 0, d, 1, &r), E_WRONGTYPE);
	assert_int_equal(retype_from(ut(), OBJ_UNTYPED, 21, d, 1), E_RANGE);	/* bigger than ut */
	assert_int_equal(retype_from(ut(), OBJ_UNTYPED, 3, d, 1), E_RANGE);
	assert_int_equal(retype_from(ut(), OBJ_CNODE, 0, d, 1), E_RANGE);
	assert_int_equal(retype_from(ut(), OBJ_CNODE, 21, d, 1), E_RANGE);
	assert_int_equal(retype_from(ut(), OBJ_CNODE, 15, d, 1), E_NOMEM);	/* 2 MiB of slots */
	assert_int_equal(retype_from(ut(), OBJ_FRAME_2M, 0, d, 1), E_NOMEM);	/* 2 MiB in 1 MiB */
	assert_int_equal(retype_from(ut(), OBJ_IO_PORT, 0, d, 1), E_INVAL);
	assert_int_equal(retype_from(ut(), OBJ_IRQ_HANDLER, 0, d, 1), E_INVAL);
	assert_int_equal(retype_from(ut(), OBJ_NULL, 0, d, 1), E_INVAL);
	assert_int_equal(retype_from(ut(), OBJ_TYPE_COUNT, 0, d, 1), E_INVAL);
	assert_int_equal(retype_from(ut(), OBJ_TCB, 0, d, 0), E_RANGE);
	assert_int_equal(retype_from(ut(), OBJ_TCB, 0, dest, 1), E_NOTEMPTY);
	struct cte *twice[2] = { slot(900), slot(900) };
	assert_int_equal(retype_from(ut(), OBJ_TCB, 0, twice, 2), E_NOTEMPTY);
	struct cte *second_full[2] = { slot(900), dest[0] };
	assert_int_equal(retype_from(ut(), OBJ_TCB, 0, second_full, 2), E_NOTEMPTY);
	/* Nothing changed. */
	assert_true(ut()->cap.data == mark);
	assert_ptr_equal(ut()->first_child, dest[0]);
	assert_null(dest[0]->next_sibling);
	assert_int_equal(slot(900)->cap.type, OBJ_NULL);
	assert_int_equal(slot(901)->cap.type, OBJ_NULL);
}

static void test_device_untyped(void **state)
{
	(void)state;
	ut()->cap.flags |= CAP_FLAG_DEVICE;
	memset(kobj_ptr(UT_PA), 0x5A, 1u << 20);
	assert_int_equal(retype(OBJ_TCB, 0, 1), E_INVAL);
	assert_int_equal(retype(OBJ_CNODE, 4, 1), E_INVAL);
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 1), E_INVAL);
	assert_int_equal(retype(OBJ_PT, 0, 1), E_INVAL);
	assert_int_equal(retype(OBJ_FRAME_4K, 0, 1), E_OK);
	/* Device memory is not ours to clear: a device register must not be written. */
	const uint8_t *p = kobj_ptr(UT_PA);
	assert_int_equal(p[0], 0x5A);
	assert_int_equal(p[4095], 0x5A);
	assert_true(dest[0]->cap.flags & CAP_FLAG_DEVICE);
	/* A device untyped can be split; the part is device memory too. */
	assert_int_equal(retype_from(ut(), OBJ_UNTYPED, 16, &dest[1], 1), E_OK);
	assert_true(dest[1]->cap.flags & CAP_FLAG_DEVICE);
	assert_int_equal(retype_from(dest[1], OBJ_NOTIFICATION, 0, &dest[2], 1), E_INVAL);
	assert_int_equal(retype_from(dest[1], OBJ_FRAME_4K, 0, &dest[2], 1), E_OK);
	assert_int_equal(p[1u << 16], 0x5A);
	/* Normal memory is zeroed: the flag is what decides. */
	assert_false(big()->cap.flags & CAP_FLAG_DEVICE);
	memset(kobj_ptr(BIG_PA + (1u << 20)), 0x5A, 4096);
	assert_int_equal(retype_from(big(), OBJ_FRAME_4K, 0, &dest[3], 1), E_OK);
	assert_int_equal(p[1u << 20], 0);
	assert_false(dest[3]->cap.flags & CAP_FLAG_DEVICE);
}

/*
 * Device registers (PCI BARs: CAP_FLAG_MMIO with CAP_FLAG_DEVICE) make frames
 * and untyped that are registers too, mapped uncached; device untyped without
 * it (the shared pool: RAM that is never zeroed) and normal memory make none.
 */
static void test_mmio_untyped_makes_mmio_frames(void **state)
{
	(void)state;
	ut()->cap.flags |= CAP_FLAG_DEVICE | CAP_FLAG_MMIO;
	assert_int_equal(retype(OBJ_FRAME_4K, 0, 1), E_OK);
	assert_true(dest[0]->cap.flags & CAP_FLAG_MMIO);
	assert_true(dest[0]->cap.flags & CAP_FLAG_DEVICE);
	assert_int_equal(retype_from(ut(), OBJ_UNTYPED, 16, &dest[1], 1), E_OK);
	assert_true(dest[1]->cap.flags & CAP_FLAG_MMIO);
	assert_int_equal(retype_from(dest[1], OBJ_FRAME_4K, 0, &dest[2], 1), E_OK);
	assert_true(dest[2]->cap.flags & CAP_FLAG_MMIO);
	/* A copy is the same frame: registers still. */
	assert_int_equal(cnode_decode_copy(dest[2], slot(900)), E_OK);
	cnode_invoke_copy(dest[2], slot(900), CAP_READ);
	assert_true(slot(900)->cap.flags & CAP_FLAG_MMIO);
	/* The pool's kind of device untyped: never zeroed, but RAM. */
	assert_int_equal(retype_from(big(), OBJ_UNTYPED, 16, &dest[3], 1), E_OK);
	dest[3]->cap.flags |= CAP_FLAG_DEVICE;
	assert_int_equal(retype_from(dest[3], OBJ_FRAME_4K, 0, &dest[4], 1), E_OK);
	assert_true(dest[4]->cap.flags & CAP_FLAG_DEVICE);
	assert_false(dest[4]->cap.flags & CAP_FLAG_MMIO);
	/* Normal memory. */
	assert_int_equal(retype_from(big(), OBJ_FRAME_4K, 0, &dest[5], 1), E_OK);
	assert_false(dest[5]->cap.flags & (CAP_FLAG_MMIO | CAP_FLAG_DEVICE));
}

static void test_untyped_children_sizes_and_nesting(void **state)
{
	(void)state;
	assert_int_equal(retype(OBJ_UNTYPED, UNTYPED_MIN_BITS, 1), E_OK);	/* the smallest */
	assert_int_equal(dest[0]->cap.size_bits, UNTYPED_MIN_BITS);
	assert_true(dest[0]->cap.data == 0);
	cnode_invoke_revoke(ut());
	/* A child of its own size and address is another object, one level deeper. */
	assert_int_equal(retype(OBJ_UNTYPED, 20, 1), E_OK);
	struct cte *u1 = dest[0];
	assert_true(u1->cap.obj == ut()->cap.obj);
	assert_int_equal((u1->cap.flags & CAP_NEST_MASK) >> CAP_NEST_SHIFT, 1);
	assert_false(cspace_same_object(&u1->cap, &ut()->cap));
	assert_true(cspace_is_final(u1));
	assert_true(cspace_is_final(ut()));
	assert_int_equal(retype_from(u1, OBJ_UNTYPED, 20, &dest[1], 1), E_OK);
	assert_int_equal((dest[1]->cap.flags & CAP_NEST_MASK) >> CAP_NEST_SHIFT, 2);
	assert_int_equal(retype_from(ut(), OBJ_UNTYPED, 20, &dest[2], 1), E_NOMEM);	/* full */
	/* Objects from the innermost one start at its own watermark. */
	assert_int_equal(retype_from(dest[1], OBJ_ENDPOINT, 0, &dest[2], 1), E_OK);
	assert_true(dest[2]->cap.obj == UT_PA);
	assert_int_equal(retype_from(dest[1], OBJ_UNTYPED, 19, &dest[3], 1), E_OK);
	assert_int_equal((dest[3]->cap.flags & CAP_NEST_MASK) >> CAP_NEST_SHIFT, 0);
	assert_true(dest[3]->cap.obj == UT_PA + (1u << 19));
	/* The nesting depth has a limit. */
	dest[1]->cap.flags |= CAP_NEST_MASK;
	struct cte *d[1] = { slot(900) };
	assert_int_equal(retype_from(dest[1], OBJ_UNTYPED, 20, d, 1), E_RANGE);
	cnode_invoke_revoke(ut());
	assert_null(ut()->first_child);
	assert_int_equal(times_finalised(OBJ_ENDPOINT, UT_PA), 1);
}

static void test_untyped_copies_never_retype(void **state)
{
	struct retype r;

	(void)state;
	/* A copy made before anything else: allowed, but it cannot retype. */
	assert_int_equal(cnode_decode_copy(ut(), slot(2)), E_OK);
	cnode_invoke_copy(ut(), slot(2), CAP_ALL_RIGHTS);
	struct cte *copy = slot(2);
	assert_int_equal(untyped_decode_retype(copy, OBJ_ENDPOINT, 0, dest, 1, &r), E_RIGHTS);
	/* The original can, from 0: the copy below it is no object. */
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 1), E_OK);
	assert_true(dest[0]->cap.obj == UT_PA);
	/* Now it may not be copied (the ABI's rule), but the copy may. */
	assert_int_equal(cnode_decode_copy(ut(), slot(3)), E_REVOKE);
	assert_int_equal(cnode_decode_copy(copy, slot(3)), E_OK);
	cnode_invoke_copy(copy, slot(3), CAP_ALL_RIGHTS);
	assert_true(slot(3)->cap.flags & CAP_FLAG_COPY);
	/* A moved original still retypes; a moved copy still does not. */
	cnode_invoke_move(ut(), slot(4));
	assert_int_equal(retype_from(slot(4), OBJ_ENDPOINT, 0, &dest[1], 1), E_OK);
	assert_true(dest[1]->cap.obj == UT_PA + 64);
	cnode_invoke_move(copy, slot(5));
	assert_int_equal(untyped_decode_retype(slot(5), OBJ_ENDPOINT, 0, &dest[2], 1, &r), E_RIGHTS);
	/* With the original gone, its objects and copies go to the big untyped. Nothing can
	 * overwrite the endpoints: the copies cannot retype, the big one keeps its watermark. */
	cnode_invoke_delete(slot(4));
	assert_ptr_equal(dest[0]->parent, big());
	assert_ptr_equal(slot(5)->parent, big());
	assert_int_equal(untyped_decode_retype(slot(5), OBJ_ENDPOINT, 0, &dest[2], 1, &r), E_RIGHTS);
	assert_int_equal(untyped_decode_retype(big(), OBJ_UNTYPED, 20, &dest[2], 1, &r), E_OK);
	assert_true(r.first == 1u << 20);
	assert_int_equal(nfinalised, 0);	/* the copies still name the 1 MiB untyped */
	cnode_invoke_revoke(big());
	assert_int_equal(times_finalised(OBJ_UNTYPED, UT_PA), 1);
	assert_int_equal(nfinalised, 3);
}

static void test_cnode_from_untyped_is_usable(void **state)
{
	struct cte *s;

	(void)state;
	assert_int_equal(retype(OBJ_CNODE, 4, 1), E_OK);
	struct cap cn = dest[0]->cap;
	assert_int_equal(cn.size_bits, 4);
	/* Root: 50-bit guard + radix 10 + the new CNode's 4 bits = 64. */
	struct cap r2 = root;
	r2.guard_bits = 50;
	assert_int_equal(cspace_lookup(&r2, 100ull << 4 | 9, 64, &s, NULL), E_OK);
	assert_ptr_equal(s, &cspace_slots(&cn)[9]);
	/* Objects can be made into it, and deleting its only cap destroys them. */
	struct cte *d[2] = { &cspace_slots(&cn)[9], &cspace_slots(&cn)[10] };
	assert_int_equal(retype_from(ut(), OBJ_NOTIFICATION, 0, d, 2), E_OK);
	cnode_invoke_delete(dest[0]);
	assert_int_equal(times_finalised(OBJ_CNODE, cn.obj), 1);
	assert_int_equal(nfinalised, 3);
	assert_int_equal(d[0]->cap.type, OBJ_NULL);
	assert_null(ut()->first_child);
}

static void test_revoke_untyped_finalises_each_object_once(void **state)
{
	(void)state;
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 4), E_OK);
	assert_int_equal(retype_from(ut(), OBJ_TCB, 0, &dest[4], 2), E_OK);
	assert_int_equal(retype_from(ut(), OBJ_FRAME_4K, 0, &dest[6], 2), E_OK);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(cnode_decode_copy(dest[i], dest[10 + i]), E_OK);
		cnode_invoke_copy(dest[i], dest[10 + i], CAP_READ);
	}
	cnode_invoke_revoke(ut());
	assert_int_equal(nfinalised, 8);
	assert_int_equal(ndeleted, 16);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(times_finalised(finalised[i].type, finalised[i].obj), 1);
		assert_int_equal(dest[i]->cap.type, OBJ_NULL);
		assert_int_equal(dest[10 + i]->cap.type, OBJ_NULL);
	}
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 1), E_OK);
	assert_true(dest[0]->cap.obj == UT_PA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fit_arithmetic, setup),
		cmocka_unit_test_setup(test_fit_overflow, setup),
		cmocka_unit_test_setup(test_object_bits, setup),
		cmocka_unit_test_setup(test_retype_places_aligned_and_links, setup),
		cmocka_unit_test_setup(test_retype_exact_fill, setup),
		cmocka_unit_test_setup(test_retype_zeroes_objects_only, setup),
		cmocka_unit_test_setup(test_watermark_reset_when_no_children, setup),
		cmocka_unit_test_setup(test_no_reuse_while_children_live, setup),
		cmocka_unit_test_setup(test_retype_errors_change_nothing, setup),
		cmocka_unit_test_setup(test_device_untyped, setup),
		cmocka_unit_test_setup(test_mmio_untyped_makes_mmio_frames, setup),
		cmocka_unit_test_setup(test_untyped_children_sizes_and_nesting, setup),
		cmocka_unit_test_setup(test_untyped_copies_never_retype, setup),
		cmocka_unit_test_setup(test_cnode_from_untyped_is_usable, setup),
		cmocka_unit_test_setup(test_revoke_untyped_finalises_each_object_once, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
