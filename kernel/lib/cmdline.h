/* Kernel command line: whitespace-separated key=value words. */
#ifndef CMDLINE_H
#define CMDLINE_H

#include "abi/error.h"
#include "types.h"

/*
 * Copies the value of the first word "key=value" (or "" for a bare "key") into
 * val; returns E_NOENT if the key is absent and E_FULL if the value does not fit.
 */
MUST_CHECK err_t cmdline_get(const char *cmdline, const char *key, char *val, size_t size);

/* Returns true if the key is present, with or without a value. */
bool cmdline_has(const char *cmdline, const char *key);

/* Parses an unsigned decimal or 0x-prefixed hex number; E_INVAL on junk or overflow. */
MUST_CHECK err_t cmdline_parse_u64(const char *s, uint64_t *out);

#endif
