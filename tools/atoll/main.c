/* atoll: the host tool for system descriptions (docs/system-description.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desc.h"
#include "diag.h"
#include "spec.h"

static int usage(void)
{
	fprintf(stderr, "usage: atoll check FILE\n"
			"       atoll compile FILE -o BLOB\n"
			"       atoll dump FILE|BLOB\n"
			"       atoll reach FILE|BLOB\n");
	return 2;
}

/* Loads and checks a description; false (errors printed) if it is not valid. */
static bool load_checked(const char *file, struct system *sys)
{
	static struct diag d;

	if (!desc_load(file, sys, &d)) {
		diag_print(&d);
		return false;
	}
	/* All errors in one run: the rules also run on a description with shape errors. */
	if (sys->parsed)
		desc_check(sys, &d);
	return diag_print(&d) == 0;
}

static int cmd_check(const char *file)
{
	static struct system sys;
	static struct diag d;
	struct spec s;

	if (!load_checked(file, &sys))
		return 1;
	/* What only compiling finds (image sizes, placement) is an error of the description too. */
	d.file = file;
	bool ok = spec_compile(&sys, &s, &d);
	spec_free(&s);
	if (diag_print(&d) || !ok)
		return 1;
	printf("%s: ok: %u cores, %u components, %u VMs, %u devices, %u channels\n", file, sys.cores,
	       sys.ncomponents, sys.nvms, sys.ndevices, sys.nchannels);
	return 0;
}

/* A description compiled, written to a blob and read back: what the root task will see. */
static bool compile_blob(const char *file, struct spec *out, uint8_t **blob, size_t *size)
{
	static struct system sys;
	static struct diag d;
	struct spec s;
	char err[160];

	if (!load_checked(file, &sys))
		return false;
	d.file = file;
	bool ok = spec_compile(&sys, &s, &d);
	diag_print(&d);
	if (!ok) {
		spec_free(&s);
		return false;
	}
	if (!spec_write(&s, blob, size)) {
		fprintf(stderr, "%s: error: the spec does not fit in a blob\n", file);
		spec_free(&s);
		return false;
	}
	spec_free(&s);
	if (!spec_read(*blob, *size, out, err, sizeof(err))) {
		fprintf(stderr, "%s: error: the blob written does not read back: %s\n", file, err);
		free(*blob);
		return false;
	}
	return true;
}

/* FILE is a blob (by its magic) or a description to compile. */
static bool load_spec(const char *file, struct spec *s)
{
	FILE *f = fopen(file, "rb");
	uint64_t magic = 0;
	uint8_t *blob;
	size_t size;

	if (!f) {
		fprintf(stderr, "%s: error: cannot open\n", file);
		return false;
	}
	bool is_blob = fread(&magic, sizeof(magic), 1, f) == 1 && magic == SPEC_MAGIC;
	if (is_blob) {
		char err[160];
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		blob = malloc(n > 0 ? (size_t)n : 1);
		size = blob ? fread(blob, 1, (size_t)n, f) : 0;
		fclose(f);
		bool ok = blob && spec_read(blob, size, s, err, sizeof(err));
		if (!ok)
			fprintf(stderr, "%s: error: bad spec blob: %s\n", file, blob ? err : "out of memory");
		free(blob);
		return ok;
	}
	fclose(f);
	if (!compile_blob(file, s, &blob, &size))
		return false;
	free(blob);
	return true;
}

static int cmd_compile(const char *file, const char *out)
{
	struct spec s;
	uint8_t *blob;
	size_t size;

	if (!compile_blob(file, &s, &blob, &size))
		return 1;
	FILE *f = fopen(out, "wb");
	bool ok = f && fwrite(blob, 1, size, f) == size;
	if (f && fclose(f))
		ok = false;
	if (!ok) {
		fprintf(stderr, "%s: error: cannot write\n", out);
		remove(out);
	} else {
		printf("%s: %zu bytes: %u objects, %u caps, %u mappings for %u components and %u VMs\n",
		       out, size, s.h.nobjects, s.h.ncaps, s.h.nmaps, s.h.ncomponents, s.h.nvms);
	}
	free(blob);
	spec_free(&s);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct spec s;

	if (argc == 3 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "compile") && !strcmp(argv[3], "-o"))
		return cmd_compile(argv[2], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "dump")) {
		if (!load_spec(argv[2], &s))
			return 1;
		spec_dump(&s, stdout);
		spec_free(&s);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "reach")) {
		if (!load_spec(argv[2], &s))
			return 1;
		unsigned bad = spec_reach(&s, stdout);
		spec_free(&s);
		return bad ? 1 : 0;
	}
	return usage();
}
