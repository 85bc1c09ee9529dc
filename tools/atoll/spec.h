/* The compiled spec in host memory: the tables of abi/spec.h, built, written and read back. */
#ifndef TOOLS_SPEC_H
#define TOOLS_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "abi/spec.h"

struct system;
struct diag;

struct spec {
	struct spec_header h;	/* counts and sizes; offsets only in a written blob */
	struct spec_component *components;
	struct spec_vm *vms;
	struct spec_object *objects;
	struct spec_cap *caps;
	struct spec_map *maps;
	struct spec_device *devices;
	uint8_t *data;
	char *strings;
};

/* Compiles a checked description; errors (image problems, sizes) go to d. */
bool spec_compile(const struct system *sys, struct spec *out, struct diag *d);

/* Serializes to a blob (malloc'd, *size bytes); false if out of memory. */
bool spec_write(const struct spec *s, uint8_t **blob, size_t *size);

/*
 * Reads a blob back, checking magic, version, size, checksum and that every
 * offset and index is in range; on failure false and a message in err.
 */
bool spec_read(const uint8_t *blob, size_t size, struct spec *out, char *err, size_t errlen);

void spec_free(struct spec *s);

static inline const char *spec_str(const struct spec *s, uint32_t off)
{
	return off < s->h.strings_size ? s->strings + off : "?";
}

/* The text form (`atoll dump`): objects, then caps and mappings per owner. */
void spec_dump(const struct spec *s, FILE *out);

/* Who can reach what (`atoll reach`); returns the number of forbidden reaches. */
unsigned spec_reach(const struct spec *s, FILE *out);

const char *spec_type_name(unsigned type);

#endif
