/* dread: the guest's timed direct read of a block device, for make bench (nvme_vf_read_ratio). */
/*
 * /bin/dread DEV MIB PASSES in the Linux test guest (scripts/guest.sh builds it static,
 * without a C library): PASSES times, reads the first MIB MiB of DEV in 4 MiB reads with
 * O_DIRECT, so that every byte comes from the device by DMA and none from the page cache,
 * timing each pass with the TSC read just before its first read and just after its last,
 * and prints "atoll-guest: dread: DEV: BYTES bytes per pass, best of PASSES: TICKS TSC ticks"
 * and then "atoll-guest: dread: passes: T1 T2 ...". Under -icount shift=0 the TSC counts executed instructions (of every
 * core), and the time a halted machine waits for the device's completion, which QEMU lets
 * pass in real time; the best pass is the one least stretched by a loaded host.
 */

#define SYS_READ 0
#define SYS_WRITE 1
#define SYS_OPEN 2
#define SYS_LSEEK 8
#define MAX_PASSES 12	/* the passes line stays within the VMM's 200-character console lines */
#define SYS_EXIT 60
#define O_RDONLY_DIRECT 040000	/* O_RDONLY (0) | O_DIRECT on x86_64 */
#define CHUNK_MIB 4
#define CHUNK (CHUNK_MIB << 20)

typedef unsigned long u64;

static char buf[CHUNK] __attribute__((aligned(4096)));

static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static u64 tsc(void)
{
	unsigned lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((u64)hi << 32) | lo;
}

static int len(const char *s)
{
	int n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	sys3(SYS_WRITE, 1, (long)s, len(s));
}

static void put_u64(u64 v)
{
	char d[24];
	int i = sizeof(d) - 1;

	d[i] = 0;
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(&d[i]);
}

static void fail(const char *dev, const char *what, long err)
{
	put("atoll-guest: dread: ");
	put(dev);
	put(": ");
	put(what);
	put(" failed, errno ");
	put_u64((u64)-err);
	put("\n");
	sys3(SYS_EXIT, 1, 0, 0);
}

static u64 parse_u64(const char *s)
{
	u64 v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (u64)(*s++ - '0');
	return v;
}

/* One pass: MIB MiB in CHUNK reads from offset 0 of fd; its TSC ticks. */
static u64 pass(const char *dev, long fd, u64 mib)
{
	u64 i, t0, t1;
	long r;

	r = sys3(SYS_LSEEK, fd, 0, 0);
	if (r < 0)
		fail(dev, "seek to 0", r);
	t0 = tsc();
	for (i = 0; i < mib / CHUNK_MIB; i++) {
		r = sys3(SYS_READ, fd, (long)buf, CHUNK);
		if (r < 0)
			fail(dev, "a 4 MiB read", r);
		if (r != CHUNK) {
			put("atoll-guest: dread: ");
			put(dev);
			put(": a 4 MiB read returned ");
			put_u64((u64)r);
			put(" bytes (the device is smaller than asked)\n");
			sys3(SYS_EXIT, 1, 0, 0);
		}
	}
	t1 = tsc();
	return t1 - t0;
}

static void dread(int argc, char **argv)
{
	const char *dev;
	u64 mib = 0, passes = 0, i, best = ~0UL, ticks[MAX_PASSES];
	long fd;

	if (argc == 4) {
		mib = parse_u64(argv[2]);
		passes = parse_u64(argv[3]);
	}
	if (mib == 0 || mib % CHUNK_MIB || passes == 0 || passes > MAX_PASSES) {
		put("atoll-guest: dread: usage: dread DEV MIB PASSES (MIB a multiple of 4, 1 <= PASSES <= 12)\n");
		sys3(SYS_EXIT, 2, 0, 0);
	}
	dev = argv[1];
	fd = sys3(SYS_OPEN, (long)dev, O_RDONLY_DIRECT, 0);
	if (fd < 0)
		fail(dev, "open with O_DIRECT", fd);
	for (i = 0; i < passes; i++) {
		ticks[i] = pass(dev, fd, mib);
		if (ticks[i] < best)
			best = ticks[i];
	}
	put("atoll-guest: dread: ");
	put(dev);
	put(": ");
	put_u64(mib << 20);
	put(" bytes per pass, best of ");
	put_u64(passes);
	put(": ");
	put_u64(best);
	put(" TSC ticks\natoll-guest: dread: passes:");
	for (i = 0; i < passes; i++) {
		put(" ");
		put_u64(ticks[i]);
	}
	put("\n");
	sys3(SYS_EXIT, 0, 0, 0);
}

/* The entry point: argc, argv on the stack as the kernel leaves them. */
__asm__(".globl _start\n_start:\n\tmov (%rsp), %rdi\n\tlea 8(%rsp), %rsi\n\tand $-16, %rsp\n\tcall dread_main\n\thlt\n");

void dread_main(long argc, char **argv);
void dread_main(long argc, char **argv)
{
	dread((int)argc, argv);
}
