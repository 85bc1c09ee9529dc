/* Walking a libyaml document with positions, for the description loader. */
#ifndef TOOLS_YAMLUTIL_H
#define TOOLS_YAMLUTIL_H

#include <yaml.h>

#include "desc.h"
#include "diag.h"

struct yctx {
	yaml_document_t *doc;
	struct diag *d;
};

/* One allowed key of a mapping: its name and whether it must be present. */
struct key_spec {
	const char *name;
	bool required;
};

struct loc y_loc(const yaml_node_t *n);
yaml_node_t *y_node(struct yctx *c, int id);
const char *y_kind(const yaml_node_t *n);

/*
 * Checks that n is a mapping whose keys are all in spec, none repeated, and all
 * required ones present; fills vals[i] with the value node of spec[i] (or NULL).
 * Returns false (after reporting) if n is not a mapping.
 */
bool y_map(struct yctx *c, yaml_node_t *n, const char *what, const struct key_spec *spec,
	   unsigned nspec, yaml_node_t **vals);

/* Each returns false after reporting when the node has the wrong form. */
bool y_str(struct yctx *c, yaml_node_t *n, const char *what, char *out, size_t size);
bool y_uint(struct yctx *c, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out);
bool y_size(struct yctx *c, yaml_node_t *n, const char *what, uint64_t *out);
bool y_bool(struct yctx *c, yaml_node_t *n, const char *what, bool *out);
bool y_name(struct yctx *c, yaml_node_t *n, const char *what, char *out);
bool y_seq(struct yctx *c, yaml_node_t *n, const char *what);

#endif
