/* libFuzzer target: any bytes through the description loader and every rule. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desc.h"
#include "diag.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct system sys;
	static struct diag d;

	memset(&d, 0, sizeof(d));
	/* The name places relative image paths in the spec fixtures' directory. */
	desc_load_buffer("tests/spec/good/fuzz.yaml", data, size, &sys, &d);
	if (sys.parsed)
		desc_check(&sys, &d);
	/* A valid description goes on through compile, the blob writer and reader. */
	if (sys.parsed && d.n == 0) {
		struct spec s, back;
		uint8_t *blob;
		size_t n;
		char err[160];
		if (spec_compile(&sys, &s, &d) && spec_write(&s, &blob, &n)) {
			if (!spec_read(blob, n, &back, err, sizeof(err)))
				__builtin_trap();	/* what we write must read back */
			spec_free(&back);
			free(blob);
		}
		spec_free(&s);
	}
	/* Exercise formatting and sorting too, without flooding the fuzzer's output. */
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	if (stderr) {
		diag_print(&d);
		fclose(stderr);
	}
	stderr = saved;
	return 0;
}
