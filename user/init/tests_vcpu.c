/* In-kernel test suite: virtual CPUs running a tiny guest, and the VMM side of its exits. */
#include "cap.h"
#include "kstring.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define VS CAP_INIT_VSPACE
#define VA_G 0x040000000000ull	/* PML4 slot 8: guest memory as the VMM sees it */
#define VA_BUF (VA_G + 0x2000)	/* the VMM's IPC buffer, for the words of an exit */
#define GPA_DATA 0x100000ull	/* a guest page the tests map, or leave unmapped */

/*
 * The guest: flat 32-bit protected mode, paging off, so guest-physical is
 * linear. The VMM points rip at the instruction a case is about.
 */
enum {
	AT_CPUID = 0x00,	/* cpuid */
	AT_OUT = 0x02,		/* out $0x80, %al */
	AT_HLT = 0x04,		/* hlt */
	AT_LOAD = 0x05,		/* mov GPA_DATA, %eax; vmmcall */
	AT_UD2 = 0x0D,		/* ud2: no IDT, so a triple fault */
	AT_SPIN = 0x0F,		/* jmp . */
	AT_XCHG = 0x11,		/* xchg %ebx, %ecx; vmmcall */
	AT_LOOP = 0x16,		/* loop .; vmmcall */
	AT_TO_XMM = 0x1B,	/* movd %eax, %xmm0; vmmcall */
	AT_FROM_XMM = 0x22,	/* movd %xmm0, %eax; vmmcall */
	AT_STORE = 0x29,	/* mov %eax, GPA_DATA; vmmcall */
	AT_SWAP64 = 0x40,	/* long mode: swap rbx/rcx, rdx/rsi, rdi/rbp, r8/r9 ... r14/r15; vmmcall */
	AT_LOAD_2M = 0x58,	/* mov GPA_LARGE + 0x1234, %eax; vmmcall */
	AT_FLD1 = 0x60,		/* fld1: pushes onto the x87 stack; vmmcall */
	AT_STI_SPIN = 0x68,	/* sti; jmp . */
	AT_ISR = 0x6B,		/* interrupt handler: mov $0x77, %al; out %al, $0x80 */
	AT_COUNT = 0x70,	/* inc %eax; loop AT_COUNT; vmmcall */
};

#define IDT_OFF 0x800		/* the guest's IDT, in the code page */
#define GDT_OFF 0x900		/* and a GDT for the CS an interrupt gate loads */
#define VEC_TEST 0x30

#define GPA_LARGE 0x200000ull	/* where a 2 MiB frame goes (the PD's second entry) */

static const uint8_t guest_code[] = {
	0x0F, 0xA2,				/* 00 cpuid */
	0xE6, 0x80,				/* 02 out $0x80, %al */
	0xF4,					/* 04 hlt */
	0xA1, 0x00, 0x00, 0x10, 0x00,		/* 05 mov 0x100000, %eax */
	0x0F, 0x01, 0xD9,			/* 0a vmmcall */
	0x0F, 0x0B,				/* 0d ud2 */
	0xEB, 0xFE,				/* 0f jmp . */
	0x87, 0xD9,				/* 11 xchg %ebx, %ecx */
	0x0F, 0x01, 0xD9,			/* 13 vmmcall */
	0xE2, 0xFE,				/* 16 loop . */
	0x0F, 0x01, 0xD9,			/* 18 vmmcall */
	0x66, 0x0F, 0x6E, 0xC0,			/* 1b movd %eax, %xmm0 */
	0x0F, 0x01, 0xD9,			/* 1f vmmcall */
	0x66, 0x0F, 0x7E, 0xC0,			/* 22 movd %xmm0, %eax */
	0x0F, 0x01, 0xD9,			/* 26 vmmcall */
	0xA3, 0x00, 0x00, 0x10, 0x00,		/* 29 mov %eax, 0x100000 */
	0x0F, 0x01, 0xD9,			/* 2e vmmcall */
	[AT_SWAP64] =
	0x48, 0x87, 0xD9,			/* 40 xchg %rbx, %rcx */
	0x48, 0x87, 0xF2,			/* 43 xchg %rsi, %rdx */
	0x48, 0x87, 0xEF,			/* 46 xchg %rbp, %rdi */
	0x4D, 0x87, 0xC8,			/* 49 xchg %r9, %r8 */
	0x4D, 0x87, 0xDA,			/* 4c xchg %r11, %r10 */
	0x4D, 0x87, 0xEC,			/* 4f xchg %r13, %r12 */
	0x4D, 0x87, 0xFE,			/* 52 xchg %r15, %r14 */
	0x0F, 0x01, 0xD9,			/* 55 vmmcall */
	[AT_LOAD_2M] =
	0xA1, 0x34, 0x12, 0x20, 0x00,		/* 58 mov 0x201234, %eax */
	0x0F, 0x01, 0xD9,			/* 5d vmmcall */
	[AT_FLD1] =
	0xD9, 0xE8,				/* 60 fld1 */
	0x0F, 0x01, 0xD9,			/* 62 vmmcall */
	[AT_STI_SPIN] =
	0xFB,					/* 68 sti */
	0xEB, 0xFE,				/* 69 jmp . */
	0xB0, 0x77,				/* 6b mov $0x77, %al */
	0xE6, 0x80,				/* 6d out %al, $0x80 */
	[AT_COUNT] =
	0x40,					/* 70 inc %eax */
	0xE2, 0xFD,				/* 71 loop 70 */
	0x0F, 0x01, 0xD9,			/* 73 vmmcall */
};

#define SVM_EXIT_CPUID 0x72	/* the vendor's own code, for the IPC-buffer check */

bool vcpu_cpu_can_run_guests(void)
{
	uint32_t a, b, c, d;

	/* AMD APM vol. 3 appendix E: 8000_0001.ECX[2] = SVM, 8000_000A.EDX[0] = nested paging. */
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
	if (a < 0x8000000Au)
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
	if (!(c & (1u << 2)))
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x8000000Au), "c"(0));
	return d & 1u;
}

/*
 * A guest space (S(0)) with tables (S(1..3)) and the code frame at GPA 0 (S(4),
 * read and execute), the VMM's view of that frame at VA_G (S(5..8)), and a
 * VCPU (S(9)) bound to the space. Returns the VCPU.
 */
static uint64_t guest(struct test_env *env)
{
	uint64_t gs = test_make(env, OBJ_GUEST_SPACE, 0, 0);

	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 1), gs, 0), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 2), gs, 0), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 3), gs, 0), E_OK);
	uint64_t code = test_make(env, OBJ_FRAME_4K, 0, 4);
	CHECK_ERR(frame_map(code, gs, 0, CAP_EXEC), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(5), code, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 6), VS, VA_G), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 7), VS, VA_G), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 8), VS, VA_G), E_OK);
	CHECK_ERR(frame_map(S(5), VS, VA_G, CAP_WRITE), E_OK);
	memcpy((void *)(uintptr_t)VA_G, guest_code, sizeof(guest_code));
	uint64_t vcpu = test_make(env, OBJ_VCPU, 0, 9);
	CHECK_ERR(vcpu_set_space(vcpu, gs), E_OK);
	return vcpu;
}

static void cleanup(struct test_env *env)
{
	for (unsigned k = 0; k < 20; k++)
		(void)cnode_delete(ROOT, S(k));
}

/* Runs the guest from rip with rax; returns the exit. */
static struct vcpu_exit run_at(uint64_t vcpu, uint64_t rip, uint64_t rax)
{
	if (vcpu_write_regs(vcpu, VCPU_RIP, rip, VCPU_RAX, rax))
		return (struct vcpu_exit){ .err = -1 };
	return vcpu_run(vcpu);
}

static void objects_check_their_arguments(struct test_env *env)
{
	uint64_t vcpu = test_make(env, OBJ_VCPU, 0, 9);
	struct call_result r = atoll_call(vcpu, INV_VCPU_READ_REGS, VCPU_REG_COUNT, VCPU_REG_NONE, 0, 0);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(0));
	r = atoll_call(vcpu, INV_VCPU_WRITE_REGS, VCPU_RBX, 1, 999, 2);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(2));
	CHECK(vcpu_read_reg(vcpu, VCPU_RBX) == 0);	/* nothing written when one id is bad */
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_HOST_INTERRUPTS, 1), E_INVAL);
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_TSC_KHZ, 1), E_INVAL);
	CHECK(vcpu_read_reg(vcpu, VCPU_TSC_KHZ) > 100000);	/* a TSC of at least 100 MHz */
	/* The documented start: HLT exits, no virtual interrupt, no deadline. */
	CHECK(vcpu_read_reg(vcpu, VCPU_HALT_IN_GUEST) == 0 && vcpu_read_reg(vcpu, VCPU_VIRQ) == 0);
	CHECK(vcpu_read_reg(vcpu, VCPU_DEADLINE) == 0);
	CHECK_ERR(cnode_copy(ROOT, S(12), vcpu, CAP_READ), E_OK);	/* every invocation needs W */
	CHECK_ERR(vcpu_write_reg(S(12), VCPU_RBX, 1), E_RIGHTS);
	CHECK_ERR(vcpu_run(S(12)).err, E_RIGHTS);
	/* The documented start: flat 32-bit protected mode at rip 0, paging off. */
	CHECK(vcpu_read_reg(vcpu, VCPU_RIP) == 0 && vcpu_read_reg(vcpu, VCPU_CR0) == 0x11);
	CHECK(vcpu_read_reg(vcpu, VCPU_CS) == VCPU_SEG(0x08, 0xC9B, 0xFFFFFFFFu));
	CHECK(vcpu_read_reg(vcpu, VCPU_EFER) == 0);	/* the host's SVME is not the guest's */
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_R12, 0x1234567890ull, VCPU_CR3, 0x5000), E_OK);
	r = atoll_call(vcpu, INV_VCPU_READ_REGS, VCPU_R12, VCPU_CR3, 0, 0);
	CHECK(r.err == E_OK && r.arg == 0x1234567890ull && r.bits_left == 0x5000);
	CHECK_ERR(vcpu_run(vcpu).err, E_NOENT);		/* no guest space yet */
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 10);
	CHECK_ERR(vcpu_set_space(vcpu, ep), E_WRONGTYPE);
	CHECK_ERR(vcpu_set_space(vcpu, S(11)), E_EMPTY);
	CHECK_ERR(atoll_call(ROOT, INV_VCPU_RUN, 0, 0, 0, 0).err, E_INVAL);	/* a VCPU label, not a VCPU */
	/* Mapping into a guest space: levels, alignment, range and rights as for a VSpace. */
	uint64_t gs = test_make(env, OBJ_GUEST_SPACE, 0, 0);
	r = atoll_call(test_make(env, OBJ_PD, 0, 2), INV_PAGE_TABLE_MAP, gs, 0, 0, 0);
	CHECK(r.err == E_NOENT && r.arg == ARG_MR(1));
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 1), gs, 0), E_OK);
	CHECK_ERR(page_table_map(S(2), gs, 0), E_OK);
	CHECK_ERR(page_table_map(S(2), gs, 0), E_BUSY);		/* one mapping per cap */
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 3), gs, 1ull << 48), E_RANGE);
	CHECK_ERR(page_table_map(S(3), gs, 0), E_OK);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 4);
	CHECK_ERR(frame_map(f, gs, 0x1800, CAP_WRITE), E_ALIGN);
	CHECK_ERR(cnode_copy(ROOT, S(5), f, CAP_READ), E_OK);
	r = atoll_call(S(5), INV_FRAME_MAP, gs, 0x1000, CAP_WRITE, 0);
	CHECK(r.err == E_RIGHTS && r.arg == ARG_MR(2));
	CHECK_ERR(frame_map(f, gs, 0x1000, CAP_WRITE), E_OK);
	CHECK_ERR(frame_map(S(5), gs, 0x1000, 0), E_BUSY);	/* the entry is taken */
	CHECK_ERR(frame_unmap(f), E_OK);
	CHECK_ERR(frame_map(S(5), gs, 0x1000, 0), E_OK);	/* and free again */
	CHECK_ERR(vcpu_set_space(vcpu, gs), E_OK);
	cleanup(env);
}

static void cpuid_exit_reports_guest_state(struct test_env *env)
{
	uint64_t vcpu = guest(env);
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)VA_BUF;

	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 10), VS, VA_BUF, CAP_WRITE), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(CAP_INIT_TCB, S(10)), E_OK);
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_RCX, 7, VCPU_RBX, 0xB0B), E_OK);
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_RSP, 0x8000, VCPU_RBP, 0xBEB), E_OK);
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_R8, 0x808, VCPU_R15, 0xF0F), E_OK);
	struct vcpu_exit x = run_at(vcpu, AT_CPUID, 0x40000000u);
	CHECK(x.err == E_OK && x.reason == VMEXIT_CPUID && x.rip == AT_CPUID);
	CHECK(w[VCPU_EXIT_VENDOR_CODE] == SVM_EXIT_CPUID);
	CHECK(w[VCPU_EXIT_RAX] == 0x40000000u && w[VCPU_EXIT_RCX] == 7 && w[VCPU_EXIT_RBX] == 0xB0B);
	CHECK(w[VCPU_EXIT_RSP] == 0x8000 && w[VCPU_EXIT_RBP] == 0xBEB);
	CHECK((w[VCPU_EXIT_RFLAGS] & 0x2) && w[VCPU_EXIT_EVENT] == 0);
	CHECK(w[VCPU_EXIT_R8] == 0x808 && w[VCPU_EXIT_R15] == 0xF0F);
	/* Every register word, the same as reading that register gives (the kernel fills them apart). */
	for (unsigned r = VCPU_RAX; r <= VCPU_RSP; r++)
		CHECK(w[VCPU_EXIT_RAX + r] == vcpu_read_reg(vcpu, r));
	for (unsigned r = VCPU_R8; r <= VCPU_R15; r++)
		CHECK(w[VCPU_EXIT_R8 + r - VCPU_R8] == vcpu_read_reg(vcpu, r));
	CHECK(w[VCPU_EXIT_RFLAGS] == vcpu_read_reg(vcpu, VCPU_RFLAGS));
	static const unsigned id[] = { VCPU_CR0, VCPU_CR3, VCPU_CR4, VCPU_EFER, VCPU_CS, VCPU_CS_BASE,
				       VCPU_VIRQ };
	for (unsigned i = 0; i < sizeof(id) / sizeof(id[0]); i++)
		CHECK(w[VCPU_EXIT_CR0 + i] == vcpu_read_reg(vcpu, id[i]));
	CHECK((w[VCPU_EXIT_CR0] & 1) && VCPU_SEG_SEL(w[VCPU_EXIT_CS]) == 0x08);
	/* Another run without edits traps on the same CPUID again: no NRIPS, the VMM moves rip. */
	x = vcpu_run(vcpu);
	CHECK(x.err == E_OK && x.reason == VMEXIT_CPUID && x.rip == AT_CPUID);
	cleanup(env);
}

static void edited_rax_reaches_the_guest(struct test_env *env)
{
	uint64_t vcpu = guest(env);

	struct vcpu_exit x = run_at(vcpu, AT_CPUID, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_CPUID);
	/* Emulate the CPUID: a result in rax, rip past the instruction; the OUT then shows it. */
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_RAX, 0x5A, VCPU_RIP, x.rip + 2), E_OK);
	x = vcpu_run(vcpu);
	CHECK(x.err == E_OK && x.reason == VMEXIT_IO && x.rip == AT_OUT);
	CHECK((x.info1 >> 16) == 0x80 && !(x.info1 & 1) && (x.info1 & 0x10));	/* port, OUT, 8 bits */
	CHECK(x.info2 == AT_HLT);	/* the next rip */
	CHECK((vcpu_read_reg(vcpu, VCPU_RAX) & 0xFF) == 0x5A);
	cleanup(env);
}

/* Puts VCPU_RUN's register writes into the IPC buffer at w (docs/vcpu.md). */
static void run_writes(volatile uint64_t *w, unsigned n, const uint64_t *pairs)
{
	for (unsigned i = 0; i < 2 * n; i++)
		w[VCPU_RUN_WRITE_WORD + i] = pairs[i];
}

static void run_makes_its_writes_first(struct test_env *env)
{
	uint64_t vcpu = guest(env);
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)VA_BUF;

	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 10), VS, VA_BUF, CAP_WRITE), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(CAP_INIT_TCB, S(10)), E_OK);
	/* The CPUID's emulation rides on the next run: rax, rbx and rip; the OUT shows rax. */
	struct vcpu_exit x = run_at(vcpu, AT_CPUID, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_CPUID);
	run_writes(w, 3, (const uint64_t[]){ VCPU_RAX, 0x5A, VCPU_RBX, 0xB0B, VCPU_RIP, x.rip + 2 });
	x = vcpu_run_writing(vcpu, 3);
	CHECK(x.err == E_OK && x.reason == VMEXIT_IO && x.rip == AT_OUT);
	CHECK((w[VCPU_EXIT_RAX] & 0xFF) == 0x5A && w[VCPU_EXIT_RBX] == 0xB0B);
	/* Checked before any is made: too many, an unknown id, a read-only one; nothing runs. */
	run_writes(w, 2, (const uint64_t[]){ VCPU_RIP, AT_HLT, VCPU_RAX, 1 });
	x = vcpu_run_writing(vcpu, VCPU_RUN_WRITES_MAX + 1);
	CHECK(x.err == E_RANGE && x.reason == ARG_MR(0));
	run_writes(w, 2, (const uint64_t[]){ VCPU_RIP, AT_HLT, VCPU_REG_COUNT, 1 });
	x = vcpu_run_writing(vcpu, 2);
	CHECK(x.err == E_RANGE && x.reason == ARG_MR(0));
	run_writes(w, 2, (const uint64_t[]){ VCPU_RIP, AT_HLT, VCPU_TSC_KHZ, 1 });
	x = vcpu_run_writing(vcpu, 2);
	CHECK(x.err == E_INVAL && x.reason == ARG_MR(0));
	CHECK(vcpu_read_reg(vcpu, VCPU_RIP) == AT_OUT);
	/* The last write of an id wins; the HLT then exits where it was put. */
	run_writes(w, 2, (const uint64_t[]){ VCPU_RIP, AT_CPUID, VCPU_RIP, AT_HLT });
	x = vcpu_run_writing(vcpu, 2);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HLT && x.rip == AT_HLT);
	cleanup(env);
}

static void restarted_run_writes_once(struct test_env *env)
{
	uint64_t vcpu = guest(env);
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)VA_BUF;
	uint64_t n = 0;

	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 10), VS, VA_BUF, CAP_WRITE), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(CAP_INIT_TCB, S(10)), E_OK);
	/*
	 * The guest counts 20 million loops in eax, starting from the 0 the run writes;
	 * a host tick in between restarts the call. Were the writes made again, eax
	 * would start over while ecx (written before, by another call) did not, and
	 * the guest would stop with eax short of ecx's count. As in
	 * host_interrupts_resume_the_guest, runs again until a tick came.
	 */
	for (unsigned i = 0; i < 10 && n == 0; i++) {
		uint64_t before = vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS);
		CHECK_ERR(vcpu_write_reg(vcpu, VCPU_RCX, 20000000), E_OK);
		run_writes(w, 2, (const uint64_t[]){ VCPU_RAX, 0, VCPU_RIP, AT_COUNT });
		struct vcpu_exit x = vcpu_run_writing(vcpu, 2);
		CHECK(x.err == E_OK && x.reason == VMEXIT_HYPERCALL && x.rip == AT_COUNT + 3);
		CHECK((uint32_t)w[VCPU_EXIT_RAX] == 20000000 && (uint32_t)w[VCPU_EXIT_RCX] == 0);
		n = vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS) - before;
	}
	CHECK(n > 0);
	cleanup(env);
}

static void hlt_exits_to_the_vmm(struct test_env *env)
{
	uint64_t vcpu = guest(env);

	struct vcpu_exit x = run_at(vcpu, AT_HLT, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HLT && x.rip == AT_HLT);
	cleanup(env);
}

static void unmapped_gpa_faults_then_maps(struct test_env *env)
{
	uint64_t vcpu = guest(env);

	struct vcpu_exit x = run_at(vcpu, AT_LOAD, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_GPA_FAULT && x.rip == AT_LOAD);
	CHECK(x.info2 == GPA_DATA);
	CHECK((x.info1 & (1ull << 32)) && !(x.info1 & 1));	/* final translation, not present */
	/* Demand paging by the VMM: a frame with a value, read-only for the guest. */
	uint64_t data = test_make(env, OBJ_FRAME_4K, 0, 10);
	CHECK_ERR(cnode_copy(ROOT, S(11), data, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(11), VS, VA_G + 0x1000, CAP_WRITE), E_OK);
	*(volatile uint32_t *)(uintptr_t)(VA_G + 0x1000) = 0xC0FFEE;
	CHECK_ERR(frame_map(data, S(0), GPA_DATA, 0), E_OK);
	x = vcpu_run(vcpu);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HYPERCALL && x.rip == AT_LOAD + 5);
	CHECK(vcpu_read_reg(vcpu, VCPU_RAX) == 0xC0FFEE);
	/* A write to the read-only page faults as a protection fault, and writes nothing. */
	x = run_at(vcpu, AT_STORE, 0xBAD);
	CHECK(x.err == E_OK && x.reason == VMEXIT_GPA_FAULT && x.info2 == GPA_DATA);
	CHECK((x.info1 & 3) == 3);	/* present, write */
	CHECK(*(volatile uint32_t *)(uintptr_t)(VA_G + 0x1000) == 0xC0FFEE);
	/* Unmapped again, the guest faults again: no stale translation survives. */
	CHECK_ERR(frame_unmap(data), E_OK);
	x = run_at(vcpu, AT_LOAD, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_GPA_FAULT && x.info2 == GPA_DATA);
	cleanup(env);
}

/*
 * Long mode set up through the VCPU's registers: 4-level guest tables at GPA
 * 0x1000-0x3fff (frames S(10..12), seen by the VMM at VA_G + 0x3000 on) map
 * the first 2 MiB one to one.
 */
static void long_mode(struct test_env *env, uint64_t vcpu)
{
	for (unsigned i = 0; i < 3; i++) {
		uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 10 + i);
		CHECK_ERR(frame_map(f, S(0), 0x1000 * (i + 1), CAP_WRITE), E_OK);	/* A/D bits */
		CHECK_ERR(cnode_copy(ROOT, S(13 + i), f, CAP_ALL_RIGHTS), E_OK);
		CHECK_ERR(frame_map(S(13 + i), VS, VA_G + 0x3000 + 0x1000 * i, CAP_WRITE), E_OK);
	}
	volatile uint64_t *t = (volatile uint64_t *)(uintptr_t)(VA_G + 0x3000);
	t[0] = 0x2000 | 3;		/* PML4[0]: PDPT, present, writable */
	t[512] = 0x3000 | 3;		/* PDPT[0]: PD */
	t[1024] = 0 | 0x83;		/* PD[0]: 2 MiB page at 0 */
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_CR3, 0x1000, VCPU_CR4, 0x20), E_OK);	/* PAE */
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_EFER, 0x500, VCPU_CR0, 0x80000011u), E_OK);	/* LME LMA; PG */
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_CS, VCPU_SEG(0x08, 0xA9B, 0xFFFFFFFFu)), E_OK);	/* L */
}

static void large_frame_maps_2m(struct test_env *env)
{
	uint64_t vcpu = guest(env);
	uint64_t big = test_make(env, OBJ_FRAME_2M, 0, 10);

	CHECK_ERR(frame_map(big, S(0), GPA_LARGE + 0x1000, 0), E_ALIGN);
	CHECK_ERR(frame_map(big, S(0), GPA_LARGE, 0), E_OK);
	/* The VMM sees the same 2 MiB through a copy, next to its view of the code page. */
	CHECK_ERR(cnode_copy(ROOT, S(11), big, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(11), VS, VA_G + 0x200000, CAP_WRITE), E_OK);
	*(volatile uint32_t *)(uintptr_t)(VA_G + 0x200000 + 0x1234) = 0x2B16;
	struct vcpu_exit x = run_at(vcpu, AT_LOAD_2M, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HYPERCALL && vcpu_read_reg(vcpu, VCPU_RAX) == 0x2B16);
	/* A 4 KiB table cannot go where the large page is. */
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 12), S(0), GPA_LARGE), E_BUSY);
	cleanup(env);
}

static void hypercall_keeps_guest_registers(struct test_env *env)
{
	/* Pairs the guest swaps: every register the VMCB does not hold, in full 64 bits. */
	static const unsigned pair[][2] = { { VCPU_RBX, VCPU_RCX }, { VCPU_RDX, VCPU_RSI },
					    { VCPU_RDI, VCPU_RBP }, { VCPU_R8, VCPU_R9 },
					    { VCPU_R10, VCPU_R11 }, { VCPU_R12, VCPU_R13 },
					    { VCPU_R14, VCPU_R15 } };
	uint64_t vcpu = guest(env);

	long_mode(env, vcpu);
	for (unsigned i = 0; i < 7; i++)
		CHECK_ERR(vcpu_write_regs(vcpu, pair[i][0], 0xA5A5000000000000ull + 2 * i, pair[i][1],
					  0x5A5A000000000001ull + 2 * i), E_OK);
	struct vcpu_exit x = run_at(vcpu, AT_SWAP64, 0x77);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HYPERCALL && x.rip == AT_SWAP64 + 21);
	for (unsigned i = 0; i < 7; i++) {
		CHECK(vcpu_read_reg(vcpu, pair[i][0]) == 0x5A5A000000000001ull + 2 * i);
		CHECK(vcpu_read_reg(vcpu, pair[i][1]) == 0xA5A5000000000000ull + 2 * i);
	}
	CHECK(vcpu_read_reg(vcpu, VCPU_RAX) == 0x77);
	CHECK(vcpu_read_reg(vcpu, VCPU_EFER) == 0x500);
	cleanup(env);
}

static void triple_fault_is_a_shutdown(struct test_env *env)
{
	uint64_t vcpu = guest(env);

	struct vcpu_exit x = run_at(vcpu, AT_UD2, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_SHUTDOWN);
	/* The host goes on, and so can the VMM: reset the guest and it runs again. */
	x = run_at(vcpu, AT_HLT, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HLT && x.rip == AT_HLT);
	cleanup(env);
}

static void host_interrupts_resume_the_guest(struct test_env *env)
{
	uint64_t vcpu = guest(env);
	uint64_t n = 0;

	/*
	 * Each run spins 20 million times, which takes about as long as a 10 ms timer
	 * tick under TCG; a tick that stops the guest must resume it unseen. Runs
	 * again (at most 10 times) until one tick has come, so a fast host cannot
	 * make the case fail and a tick that is never taken still does.
	 */
	for (unsigned i = 0; i < 10 && n == 0; i++) {
		CHECK_ERR(vcpu_write_reg(vcpu, VCPU_RCX, 20000000), E_OK);
		struct vcpu_exit x = run_at(vcpu, AT_LOOP, 0);
		if (x.err || x.reason != VMEXIT_HYPERCALL || x.rip != AT_LOOP + 2)
			printf("    looping guest: err %d, exit %llu at rip 0x%llx, info 0x%llx 0x%llx, rcx %llu\n",
			       (int)x.err, (unsigned long long)x.reason, (unsigned long long)x.rip,
			       (unsigned long long)x.info1, (unsigned long long)x.info2,
			       (unsigned long long)vcpu_read_reg(vcpu, VCPU_RCX));
		CHECK(x.err == E_OK && x.reason == VMEXIT_HYPERCALL && x.rip == AT_LOOP + 2);
		CHECK((uint32_t)vcpu_read_reg(vcpu, VCPU_RCX) == 0);
		n = vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS);
		CHECK(n != ~0ull);
	}
	CHECK(n > 0);
	cleanup(env);
}

static uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Gives the guest an IDT whose VEC_TEST gate leads to AT_ISR, a GDT with the
 * flat code (0x08) and data (0x10) segments the VCPU starts with, a writable stack
 * page at GPA 0x1000 for the interrupt frame, and a deadline ms from now.
 */
static void idt_and_deadline(struct test_env *env, uint64_t vcpu, uint64_t ms)
{
	if (vcpu_read_reg(vcpu, VCPU_RSP) != 0x2000) {
		CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 14), S(0), 0x1000, CAP_WRITE), E_OK);
		CHECK_ERR(vcpu_write_reg(vcpu, VCPU_RSP, 0x2000), E_OK);
	}
	uint8_t *gate = (uint8_t *)(uintptr_t)(VA_G + IDT_OFF + VEC_TEST * 8);
	uint64_t *gdt = (uint64_t *)(uintptr_t)(VA_G + GDT_OFF);

	gdt[0] = 0;
	gdt[1] = 0x00CF9B000000FFFFull;	/* base 0, limit 4 GiB, 32-bit code */
	gdt[2] = 0x00CF93000000FFFFull;	/* the same, data */
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_GDTR_BASE, GDT_OFF, VCPU_GDTR_LIMIT, 23), E_OK);

	/* A 32-bit interrupt gate (Intel SDM vol. 3 6.11): offset, selector 0x08, present, type 0xE. */
	memset(gate, 0, 8);
	gate[0] = AT_ISR;
	gate[2] = 0x08;
	gate[5] = 0x8E;
	CHECK_ERR(vcpu_write_regs(vcpu, VCPU_IDTR_BASE, IDT_OFF, VCPU_IDTR_LIMIT, VEC_TEST * 8 + 7),
		  E_OK);
	uint64_t khz = vcpu_read_reg(vcpu, VCPU_TSC_KHZ);
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_DEADLINE, tsc_now() + khz * ms), E_OK);
}

static void virtual_interrupt_waits_for_if(struct test_env *env)
{
	uint64_t vcpu = guest(env);
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)VA_BUF;

	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 10), VS, VA_BUF, CAP_WRITE), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(CAP_INIT_TCB, S(10)), E_OK);
	idt_and_deadline(env, vcpu, 30);
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_VIRQ, VEC_TEST | VCPU_VIRQ_PENDING), E_OK);
	/* Interrupts off in a spin: the request stays pending and the deadline ends the run. */
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_RFLAGS, 0x2), E_OK);
	struct vcpu_exit x = run_at(vcpu, AT_SPIN, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_TIMER);
	CHECK(vcpu_read_reg(vcpu, VCPU_VIRQ) == (VEC_TEST | VCPU_VIRQ_PENDING));
	CHECK(w[VCPU_EXIT_VIRQ] == (VEC_TEST | VCPU_VIRQ_PENDING));	/* the exit word says the same */
	/* Past the deadline VCPU_RUN does not enter the guest at all. */
	x = vcpu_run(vcpu);
	CHECK(x.reason == VMEXIT_TIMER && x.rip == AT_SPIN);
	/* With STI the guest takes it through its IDT, and the request is gone. */
	idt_and_deadline(env, vcpu, 5000);	/* a bound only: the interrupt comes at once */
	x = run_at(vcpu, AT_STI_SPIN, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_IO && x.rip == AT_ISR + 2);
	CHECK(vcpu_read_reg(vcpu, VCPU_VIRQ) == VEC_TEST);
	CHECK(w[VCPU_EXIT_VIRQ] == VEC_TEST);
	/* Taken as an interrupt: IF is off in the handler (an interrupt gate clears it). */
	CHECK(!(vcpu_read_reg(vcpu, VCPU_RFLAGS) & 0x200));
	cleanup(env);
}

static void halt_in_guest_sleeps_until_an_interrupt(struct test_env *env)
{
	uint64_t vcpu = guest(env);

	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_HALT_IN_GUEST, 1), E_OK);
	CHECK(vcpu_read_reg(vcpu, VCPU_HALT_IN_GUEST) == 1);
	/* No HLT exit: a host tick wakes the CPU, and the guest goes on to its unmapped load. */
	uint64_t n = vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS);
	struct vcpu_exit x = run_at(vcpu, AT_HLT, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_GPA_FAULT && x.rip == AT_LOAD);
	CHECK(vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS) > n);
	/* A virtual interrupt wakes it too, without waiting for the host. */
	idt_and_deadline(env, vcpu, 5000);	/* a bound only */
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_RFLAGS, 0x202), E_OK);
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_VIRQ, VEC_TEST | VCPU_VIRQ_PENDING), E_OK);
	x = run_at(vcpu, AT_HLT, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_IO && x.rip == AT_ISR + 2);
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_HALT_IN_GUEST, 0), E_OK);
	x = run_at(vcpu, AT_HLT, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HLT);
	cleanup(env);
}

static volatile uint64_t vmm_exits;

/* A VMM thread whose guest never exits on its own. */
static void spinning_vmm(uint64_t vcpu)
{
	for (;;) {
		(void)vcpu_run(vcpu);
		vmm_exits++;
	}
}

static void spinning_guest_is_preempted(struct test_env *env)
{
	uint64_t vcpu = guest(env);

	vmm_exits = 0;
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_RIP, AT_SPIN), E_OK);
	uint64_t t = test_thread(env, 10, spinning_vmm, vcpu, 0, ROOT_TASK_PRIORITY);
	CHECK_ERR(tcb_resume(t), E_OK);
	/* Same priority: the VMM gets the core when we yield, and must give it back at its slice's end. */
	for (unsigned i = 0; i < 3; i++)
		CHECK_ERR(sys_yield(0, 0), E_OK);
	CHECK(vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS) >= 3);
	CHECK(vmm_exits == 0);	/* the guest never stopped for it */
	CHECK_ERR(tcb_suspend(t), E_OK);
	cleanup(env);
}

/* The x87 stack top (FSW bits 11-13) this thread sees. */
static unsigned x87_top(void)
{
	uint16_t sw;

	__asm__ volatile("fnstsw %0" : "=a"(sw));
	return (sw >> 11) & 7;
}

static void guest_fpu_state_is_its_own(struct test_env *env)
{
	uint64_t a = guest(env);
	uint64_t b = test_make(env, OBJ_VCPU, 0, 12), c = test_make(env, OBJ_VCPU, 0, 13);
	const uint64_t all[] = { a, b, c };

	for (unsigned i = 0; i < 3; i++) {
		CHECK_ERR(vcpu_set_space(all[i], S(0)), E_OK);
		CHECK_ERR(vcpu_write_reg(all[i], VCPU_CR4, 0x200), E_OK);	/* OSFXSR: SSE allowed */
	}
	CHECK(run_at(a, AT_TO_XMM, 0xAAAA).reason == VMEXIT_HYPERCALL);
	CHECK(run_at(b, AT_TO_XMM, 0xBBBB).reason == VMEXIT_HYPERCALL);
	struct vcpu_exit x = run_at(a, AT_FROM_XMM, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_HYPERCALL);
	CHECK(vcpu_read_reg(a, VCPU_RAX) == 0xAAAA);	/* not b's */
	CHECK(run_at(c, AT_FROM_XMM, 0x1234).reason == VMEXIT_HYPERCALL);
	CHECK(vcpu_read_reg(c, VCPU_RAX) == 0);		/* a fresh VCPU sees nobody's */
	/* Nor does a host thread: after a guest pushed onto its x87 stack, ours is still empty. */
	unsigned before = x87_top();
	CHECK(run_at(a, AT_FLD1, 0).reason == VMEXIT_HYPERCALL);
	CHECK(x87_top() == before && before == 0);
	cleanup(env);
}

/*
 * A signal for the VMM thread's bound notification ends VCPU_RUN with
 * VMEXIT_NOTIFY and the word: one pending at the call, and one that arrives while
 * the guest spins (an MSI raised on this core, taken as a host interrupt).
 */
static void bound_signal_stops_the_guest(struct test_env *env)
{
	uint64_t vcpu = guest(env);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 10), h = S(11);

	CHECK_ERR(tcb_bind_ntfn(CAP_INIT_TCB, n), E_OK);
	CHECK_ERR(ipc_send(n, 0, 0, 0), E_OK);
	struct vcpu_exit x = run_at(vcpu, AT_CPUID, 0);
	CHECK(x.err == E_OK && x.reason == VMEXIT_NOTIFY && x.info1 == 1 && x.rip == AT_CPUID);
	/* The word was taken: the next run enters the guest. */
	x = vcpu_run(vcpu);
	CHECK(x.err == E_OK && x.reason == VMEXIT_CPUID);
	CHECK_ERR(irq_control_get_msi(CAP_INIT_IRQ_CONTROL, h).err, E_OK);
	CHECK_ERR(irq_handler_set_ntfn(h, n), E_OK);
	idt_and_deadline(env, vcpu, 2000);
	CHECK_ERR(sys_debug_irq_raise(h, 0), E_OK);
	x = run_at(vcpu, AT_SPIN, 0);
	if (x.reason != VMEXIT_NOTIFY)
		printf("    spinning guest: exit %llu, not VMEXIT_NOTIFY\n", (unsigned long long)x.reason);
	CHECK(x.err == E_OK && x.reason == VMEXIT_NOTIFY && (x.info1 >> 32) != 0 && x.rip == AT_SPIN);
	CHECK_ERR(vcpu_write_reg(vcpu, VCPU_DEADLINE, 0), E_OK);
	CHECK_ERR(cnode_delete(ROOT, h), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, n), E_OK);	/* the TCB's copy: the binding goes */
	cleanup(env);
}

const struct test_case vcpu_tests[] = {
	{ "bound_signal_stops_the_guest", bound_signal_stops_the_guest },
	{ "objects_check_their_arguments", objects_check_their_arguments },
	{ "cpuid_exit_reports_guest_state", cpuid_exit_reports_guest_state },
	{ "edited_rax_reaches_the_guest", edited_rax_reaches_the_guest },
	{ "run_makes_its_writes_first", run_makes_its_writes_first },
	{ "restarted_run_writes_once", restarted_run_writes_once },
	{ "hlt_exits_to_the_vmm", hlt_exits_to_the_vmm },
	{ "unmapped_gpa_faults_then_maps", unmapped_gpa_faults_then_maps },
	{ "large_frame_maps_2m", large_frame_maps_2m },
	{ "hypercall_keeps_guest_registers", hypercall_keeps_guest_registers },
	{ "triple_fault_is_a_shutdown", triple_fault_is_a_shutdown },
	{ "host_interrupts_resume_the_guest", host_interrupts_resume_the_guest },
	{ "spinning_guest_is_preempted", spinning_guest_is_preempted },
	{ "guest_fpu_state_is_its_own", guest_fpu_state_is_its_own },
	{ "virtual_interrupt_waits_for_if", virtual_interrupt_waits_for_if },
	{ "halt_in_guest_sleeps_until_an_interrupt", halt_in_guest_sleeps_until_an_interrupt },
};
const unsigned vcpu_ntests = sizeof(vcpu_tests) / sizeof(vcpu_tests[0]);

/* Where the CPU cannot run guests (no SVM or no nested paging), their objects are refused. */
static void vcpu_objects_refused(struct test_env *env)
{
	struct call_result r = atoll_call(test_big_untyped(env->bi), INV_UNTYPED_RETYPE,
					  RETYPE_ARGS(OBJ_VCPU, 0), ROOT, S(0), 1);
	CHECK(r.err == E_UNSUPP && r.arg == ARG_MR(0));
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_GUEST_SPACE, 0, ROOT, S(0), 1), E_UNSUPP);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);	/* nothing was made: the slot is empty */
	CHECK_ERR(cnode_copy(ROOT, S(1), S(0), CAP_ALL_RIGHTS), E_EMPTY);
}

const struct test_case novirt_tests[] = {
	{ "vcpu_objects_refused", vcpu_objects_refused },
};
const unsigned novirt_ntests = sizeof(novirt_tests) / sizeof(novirt_tests[0]);
