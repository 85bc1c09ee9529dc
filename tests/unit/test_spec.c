/* Unit tests: the spec blob writer and reader (tools/atoll/blob.c), and its checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "abi/objects.h"
#include "spec.h"

/* One component with one cap and one mapping of one frame, in host memory. */
static struct spec_component comp = { .name = 1, .tcb = 0, .cnode = 0, .vspace = 0,
				      .ipc_buffer = 0, .info = 0, .ncaps = 1, .nmaps = 1 };
static struct spec_object obj = { .name = 1, .type = OBJ_FRAME_4K };
static struct spec_cap cap = { .slot = 1, .name = 1 };
static struct spec_map map = { .vaddr = 0x400000, .data_len = 4 };
static uint8_t data[4] = { 1, 2, 3, 4 };
static char strings[] = "\0hello";

static struct spec sample(void)
{
	struct spec s = { 0 };

	s.h.ncores = 1;
	s.h.ncomponents = 1;
	s.h.nobjects = 1;
	s.h.ncaps = 1;
	s.h.nmaps = 1;
	s.h.data_size = sizeof(data);
	s.h.strings_size = sizeof(strings);
	s.components = &comp;
	s.objects = &obj;
	s.caps = &cap;
	s.maps = &map;
	s.data = data;
	s.strings = strings;
	return s;
}

static uint8_t *blob;
static size_t size;

static int setup(void **state)
{
	struct spec s = sample();

	(void)state;
	return spec_write(&s, &blob, &size) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(blob);
	return 0;
}

/* Rewrites the checksum after a deliberate change, so only the change is judged. */
static void reseal(uint8_t *b, size_t n)
{
	struct spec_header h;

	memcpy(&h, b, sizeof(h));
	h.checksum = 0;
	memcpy(b, &h, sizeof(h));
	h.checksum = spec_checksum(b, n);
	memcpy(b, &h, sizeof(h));
}

static void expect_refused(uint8_t *b, size_t n, const char *why)
{
	struct spec s;
	char err[160] = "";

	assert_false(spec_read(b, n, &s, err, sizeof(err)));
	assert_non_null(strstr(err, why));
}

static void test_round_trip(void **state)
{
	struct spec s;
	char err[160];

	(void)state;
	assert_int_equal(size % 8, 0);
	assert_true(spec_read(blob, size, &s, err, sizeof(err)));
	assert_int_equal(s.h.magic, SPEC_MAGIC);
	assert_int_equal(s.h.version, SPEC_VERSION);
	assert_int_equal(s.h.size, size);
	assert_int_equal(s.maps[0].vaddr, 0x400000);
	assert_memory_equal(s.data, data, sizeof(data));
	assert_string_equal(spec_str(&s, s.components[0].name), "hello");
	assert_string_equal(spec_str(&s, 9999), "?");	/* out of range: never past the table */
	spec_free(&s);
}

static void test_every_byte_is_checksummed(void **state)
{
	uint8_t *b = malloc(size);

	(void)state;
	for (size_t i = 0; i < size; i++) {
		if (i >= offsetof(struct spec_header, checksum) &&
		    i < offsetof(struct spec_header, checksum) + 4)
			continue;
		memcpy(b, blob, size);
		b[i] ^= 0x40;
		struct spec s;
		char err[160];
		assert_false(spec_read(b, size, &s, err, sizeof(err)));
	}
	free(b);
}

static void test_header_refusals(void **state)
{
	uint8_t *b = malloc(size);
	struct spec_header h;

	(void)state;
	expect_refused(blob, sizeof(h) - 1, "too short");
	memcpy(b, blob, size);
	b[0] ^= 1;
	expect_refused(b, size, "bad magic");
	memcpy(b, blob, size);
	memcpy(&h, b, sizeof(h));
	h.version = SPEC_VERSION + 1;
	memcpy(b, &h, sizeof(h));
	reseal(b, size);
	expect_refused(b, size, "version");
	expect_refused(blob, size - 8, "header says");
	memcpy(b, blob, size);
	b[size - 1] ^= 1;
	expect_refused(b, size, "checksum mismatch");
	free(b);
}

/* Tables and indices out of range are refused even with a valid checksum. */
static void test_range_refusals(void **state)
{
	uint8_t *b = malloc(size);
	struct spec_header h;

	(void)state;
	memcpy(b, blob, size);
	memcpy(&h, b, sizeof(h));
	h.maps_off = (uint32_t)size;
	memcpy(b, &h, sizeof(h));
	reseal(b, size);
	expect_refused(b, size, "outside the blob");

	memcpy(b, blob, size);
	memcpy(&h, b, sizeof(h));
	struct spec_cap c;
	memcpy(&c, b + h.caps_off, sizeof(c));
	c.object = 7;
	memcpy(b + h.caps_off, &c, sizeof(c));
	reseal(b, size);
	expect_refused(b, size, "cap 0");

	memcpy(b, blob, size);
	struct spec_map m;
	memcpy(&m, b + h.maps_off, sizeof(m));
	m.page_off = 4094;	/* 4 bytes from 4094 run off the page */
	memcpy(b + h.maps_off, &m, sizeof(m));
	reseal(b, size);
	expect_refused(b, size, "mapping 0");

	memcpy(b, blob, size);
	struct spec_component k;
	memcpy(&k, b + h.components_off, sizeof(k));
	k.ncaps = 2;
	memcpy(b + h.components_off, &k, sizeof(k));
	reseal(b, size);
	expect_refused(b, size, "component 0");

	memcpy(b, blob, size);
	b[h.strings_off + h.strings_size - 1] = 'x';
	reseal(b, size);
	expect_refused(b, size, "not terminated");
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_byte_is_checksummed),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_range_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
