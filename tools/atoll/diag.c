/* Diagnostics collection and output. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"

void diag_error(struct diag *d, struct loc loc, const char *rule, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (d->n == DIAG_MAX) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct diag_entry *e = &d->e[d->n++];
	e->loc = loc;
	e->seq = d->n;
	snprintf(e->text, sizeof(e->text), "%s:%d:%d: error: %s: %s", d->file, loc.line, loc.col,
		 rule, msg);
}

static int by_position(const void *a, const void *b)
{
	const struct diag_entry *x = a, *y = b;

	if (x->loc.line != y->loc.line)
		return x->loc.line - y->loc.line;
	if (x->loc.col != y->loc.col)
		return x->loc.col - y->loc.col;
	return (int)x->seq - (int)y->seq;
}

unsigned diag_print(struct diag *d)
{
	/* qsort is not stable; ties keep the order in which the errors were found. */
	qsort(d->e, d->n, sizeof(d->e[0]), by_position);
	for (unsigned i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->e[i].text);
	if (d->dropped)
		fprintf(stderr, "%s: error: %u more errors not shown\n", d->file, d->dropped);
	return d->n + d->dropped;
}
