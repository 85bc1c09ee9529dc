/* Diagnostics: every error with file, line, column and rule, printed sorted. */
#ifndef TOOLS_DIAG_H
#define TOOLS_DIAG_H

#include "desc.h"

#define DIAG_MAX 512

struct diag_entry {
	struct loc loc;
	unsigned seq;
	char text[320];
};

struct diag {
	const char *file;
	unsigned n;
	unsigned dropped;
	struct diag_entry e[DIAG_MAX];
};

/* Records "FILE:LINE:COL: error: RULE: message". */
void diag_error(struct diag *d, struct loc loc, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prints all errors in file order to stderr; returns how many there were. */
unsigned diag_print(struct diag *d);

#endif
