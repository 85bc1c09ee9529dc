/* dread: the guest's timed direct read of a block device, for make bench (nvme_vf_read_ratio). */
/*
 * /bin/dread DEV MIB PASSES [marks] in the Linux test guest (scripts/guest.sh builds it
 * static, without a C library): reads the first MIB MiB of DEV in 512 KiB reads with
 * O_DIRECT, so that every byte comes from the device by DMA and none from the page cache,
 * each read one NVMe command and the next issued once it completed, once
 * untimed (the buffer's pages and the driver's first requests are not in the figures) and
 * then PASSES times, timing each pass with the TSC read just before its first read and just
 * after its last, and prints "atoll-guest: dread: DEV: BYTES bytes per pass, best of PASSES:
 * TICKS TSC ticks" and then "atoll-guest: dread: passes: T1 T2 ...". Under -icount shift=0
 * the TSC counts executed instructions (of every core), and the time a halted machine waits
 * for the device's completion, which QEMU lets pass in real time: these ticks move with the
 * host's load.
 * With "marks", the figure make bench uses: before the timed passes, after them, and once
 * more with nothing in between, dread prints "atoll-guest: dread: mark N" (N = 0, 1, 2) and
 * waits for a line on its standard input, during which scripts/bench.sh reads QEMU's count
 * of executed instructions; (mark 1 - mark 0) - (mark 2 - mark 1) is what the passes alone
 * executed, the machine's waits for the device not included.
 */

#define SYS_READ 0
#define SYS_WRITE 1
#define SYS_OPEN 2
#define SYS_LSEEK 8
#define SYS_MMAP 9
#define PROT_RW 3
#define MAP_PRIVATE_ANON_HUGETLB (0x02 | 0x20 | 0x40000)
#define STDIN 0
#define MAX_PASSES 12	/* the passes line stays within the VMM's 200-character console lines */
#define SYS_EXIT 60
#define O_RDONLY_DIRECT 040000	/* O_RDONLY (0) | O_DIRECT on x86_64 */
#define CHUNK_KIB 512	/* one NVMe command: QEMU's controllers transfer at most 512 KiB (MDTS 7) */
#define CHUNK (CHUNK_KIB << 10)
#define HUGE_PAGE (2 << 20)

typedef unsigned long u64;

/*
 * The buffer is in a 2 MiB huge page (hugepages=1 on the kernel command line), so that
 * every run reads into the same physical layout: with ordinary pages the instructions of a
 * pass changed by half from one boot to the next with nothing else changed (more or fewer
 * physically contiguous pages make more or fewer segments to map for DMA).
 */
static char *buf;

static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
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

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Prints "atoll-guest: dread: mark N" and returns once a whole line has been read from stdin. */
static void mark(const char *dev, u64 n)
{
	char c;
	long r;

	put("atoll-guest: dread: mark ");
	put_u64(n);
	put("\n");
	do {
		r = sys3(SYS_READ, STDIN, (long)&c, 1);
		if (r < 0)
			fail(dev, "reading the go-ahead line on stdin", r);
		if (r == 0) {
			put("atoll-guest: dread: ");
			put(dev);
			put(": stdin ended before the go-ahead line of mark ");
			put_u64(n);
			put("\n");
			sys3(SYS_EXIT, 1, 0, 0);
		}
	} while (c != '\n');
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
	for (i = 0; i < (mib << 10) / CHUNK_KIB; i++) {
		r = sys3(SYS_READ, fd, (long)buf, CHUNK);
		if (r < 0)
			fail(dev, "a 512 KiB read", r);
		if (r != CHUNK) {
			put("atoll-guest: dread: ");
			put(dev);
			put(": a 512 KiB read returned ");
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
	int marks = 0;
	long fd;

	if (argc == 4 || argc == 5) {
		mib = parse_u64(argv[2]);
		passes = parse_u64(argv[3]);
	}
	if (argc == 5)
		marks = same(argv[4], "marks") ? 1 : -1;
	if (mib == 0 || passes == 0 || passes > MAX_PASSES || marks < 0) {
		put("atoll-guest: dread: usage: dread DEV MIB PASSES [marks] (MIB >= 1, 1 <= PASSES <= 12)\n");
		sys3(SYS_EXIT, 2, 0, 0);
	}
	dev = argv[1];
	buf = (char *)sys6(SYS_MMAP, 0, HUGE_PAGE, PROT_RW, MAP_PRIVATE_ANON_HUGETLB, -1, 0);
	if ((long)buf < 0 && (long)buf > -4096)
		fail(dev, "mmap of a 2 MiB huge page for the buffer (hugepages=1 on the command line?)", (long)buf);
	fd = sys3(SYS_OPEN, (long)dev, O_RDONLY_DIRECT, 0);
	if (fd < 0)
		fail(dev, "open with O_DIRECT", fd);
	pass(dev, fd, mib);
	if (marks)
		mark(dev, 0);
	for (i = 0; i < passes; i++) {
		ticks[i] = pass(dev, fd, mib);
		if (ticks[i] < best)
			best = ticks[i];
	}
	if (marks) {
		mark(dev, 1);
		mark(dev, 2);
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
