/* atoll: the host tool for system descriptions (docs/system-description.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desc.h"
#include "diag.h"

static int usage(void)
{
	fprintf(stderr, "usage: atoll check FILE\n");
	return 2;
}

static int cmd_check(const char *file)
{
	static struct system sys;
	static struct diag d;

	if (!desc_load(file, &sys, &d))
		return 1;
	/* All errors in one run: the rules also run on a description with shape errors. */
	if (sys.parsed)
		desc_check(&sys, &d);
	unsigned errors = diag_print(&d);
	if (errors)
		return 1;
	printf("%s: ok: %u cores, %u components, %u VMs, %u devices, %u channels\n", file, sys.cores,
	       sys.ncomponents, sys.nvms, sys.ndevices, sys.nchannels);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2]);
	return usage();
}
