/* libyaml document helpers: typed reads that report what was wrong and where. */
#include <stdio.h>
#include <string.h>

#include "yamlutil.h"

struct loc y_loc(const yaml_node_t *n)
{
	return (struct loc){ (int)n->start_mark.line + 1, (int)n->start_mark.column + 1 };
}

yaml_node_t *y_node(struct yctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

const char *y_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_NO_NODE:
		break;
	}
	return "nothing";
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool y_map(struct yctx *c, yaml_node_t *n, const char *what, const struct key_spec *spec,
	   unsigned nspec, yaml_node_t **vals)
{
	for (unsigned i = 0; i < nspec; i++)
		vals[i] = NULL;
	if (n->type != YAML_MAPPING_NODE) {
		diag_error(c->d, y_loc(n), "wrong-type", "%s must be a mapping, not %s", what,
			   y_kind(n));
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = y_node(c, p->key), *v = y_node(c, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			diag_error(c->d, y_loc(k), "wrong-type", "keys of %s must be plain words", what);
			continue;
		}
		unsigned i;
		for (i = 0; i < nspec && strcmp(spec[i].name, scalar(k)) != 0; i++)
			;
		if (i == nspec) {
			char allowed[256] = "";
			for (unsigned j = 0; j < nspec; j++)
				snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
					 "%s%s", j ? ", " : "", spec[j].name);
			diag_error(c->d, y_loc(k), "unknown-key", "%s has no field '%s' (allowed: %s)",
				   what, scalar(k), allowed);
			continue;
		}
		if (vals[i]) {
			diag_error(c->d, y_loc(k), "duplicate-key", "field '%s' of %s given twice",
				   spec[i].name, what);
			continue;
		}
		vals[i] = v;
	}
	for (unsigned i = 0; i < nspec; i++)
		if (spec[i].required && !vals[i])
			diag_error(c->d, y_loc(n), "missing-field", "%s needs field '%s'", what,
				   spec[i].name);
	return true;
}

bool y_str(struct yctx *c, yaml_node_t *n, const char *what, char *out, size_t size)
{
	if (n->type != YAML_SCALAR_NODE) {
		diag_error(c->d, y_loc(n), "wrong-type", "%s must be a scalar, not %s", what,
			   y_kind(n));
		return false;
	}
	if (strlen(scalar(n)) >= size) {
		diag_error(c->d, y_loc(n), "too-long", "%s is longer than %zu characters", what,
			   size - 1);
		return false;
	}
	strcpy(out, scalar(n));
	return true;
}

static bool parse_u64(const char *s, uint64_t *out, const char **end)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	const char *start = s;
	for (; *s; s++) {
		unsigned dgt;
		if (*s >= '0' && *s <= '9')
			dgt = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			dgt = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			dgt = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - dgt) / base)
			return false;
		v = v * base + dgt;
	}
	*out = v;
	*end = s;
	return s != start;
}

bool y_uint(struct yctx *c, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out)
{
	const char *end;

	if (n->type != YAML_SCALAR_NODE) {
		diag_error(c->d, y_loc(n), "wrong-type", "%s must be a number, not %s", what,
			   y_kind(n));
		return false;
	}
	if (!parse_u64(scalar(n), out, &end) || *end) {
		diag_error(c->d, y_loc(n), "bad-integer", "%s: '%s' is not a whole number", what,
			   scalar(n));
		return false;
	}
	if (*out > max) {
		diag_error(c->d, y_loc(n), "out-of-range", "%s is %llu, at most %llu allowed", what,
			   (unsigned long long)*out, (unsigned long long)max);
		return false;
	}
	return true;
}

bool y_size(struct yctx *c, yaml_node_t *n, const char *what, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (n->type != YAML_SCALAR_NODE) {
		diag_error(c->d, y_loc(n), "wrong-type", "%s must be a size, not %s", what,
			   y_kind(n));
		return false;
	}
	unsigned shift = 0;
	if (!parse_u64(scalar(n), &v, &end))
		goto bad;
	if (!strcmp(end, "K"))
		shift = 10;
	else if (!strcmp(end, "M"))
		shift = 20;
	else if (!strcmp(end, "G"))
		shift = 30;
	else if (*end)
		goto bad;
	if (v > (UINT64_MAX >> shift))
		goto bad;
	if (!v) {
		diag_error(c->d, y_loc(n), "bad-size", "%s must not be zero", what);
		return false;
	}
	*out = v << shift;
	return true;
bad:
	diag_error(c->d, y_loc(n), "bad-size",
		   "%s: '%s' is not a size (a number of bytes, or with K, M or G)", what, scalar(n));
	return false;
}

bool y_bool(struct yctx *c, yaml_node_t *n, const char *what, bool *out)
{
	if (n->type == YAML_SCALAR_NODE && !strcmp(scalar(n), "true")) {
		*out = true;
		return true;
	}
	if (n->type == YAML_SCALAR_NODE && !strcmp(scalar(n), "false")) {
		*out = false;
		return true;
	}
	diag_error(c->d, y_loc(n), "wrong-type", "%s must be true or false", what);
	return false;
}

bool y_name(struct yctx *c, yaml_node_t *n, const char *what, char *out)
{
	if (!y_str(c, n, what, out, NAME_MAX_LEN + 1))
		return false;
	bool ok = out[0] >= 'a' && out[0] <= 'z';
	for (const char *p = out; *p && ok; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
	if (!ok) {
		diag_error(c->d, y_loc(n), "bad-name",
			   "%s '%s' must start with a-z and use only a-z, 0-9, '-' and '.'", what, out);
		return false;
	}
	return true;
}

bool y_seq(struct yctx *c, yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return true;
	diag_error(c->d, y_loc(n), "wrong-type", "%s must be a list, not %s", what, y_kind(n));
	return false;
}
