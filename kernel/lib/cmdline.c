/* Kernel command line parsing. */
#include "lib/cmdline.h"
#include "kstring.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

err_t cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	if (!size || !klen)
		return E_INVAL;
	while (*p) {
		while (is_space(*p))
			p++;
		const char *word = p;
		while (*p && !is_space(*p))
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen < klen || strncmp(word, key, klen) != 0)
			continue;
		if (wlen == klen) {
			val[0] = '\0';
			return E_OK;
		}
		if (word[klen] != '=')
			continue;
		size_t vlen = wlen - klen - 1;
		if (vlen + 1 > size)
			return E_FULL;
		memcpy(val, word + klen + 1, vlen);
		val[vlen] = '\0';
		return E_OK;
	}
	return E_NOENT;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	char tmp[64];
	err_t e = cmdline_get(cmdline, key, tmp, sizeof(tmp));

	return e == E_OK || e == E_FULL;
}

err_t cmdline_parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return E_INVAL;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return E_INVAL;
		if (v > (UINT64_MAX - d) / base)
			return E_INVAL;
		v = v * base + d;
	}
	*out = v;
	return E_OK;
}
