/* keywords.c -- keyword lookup over the generated tables in keywords_data.c.
 * Hash: 32-bit FNV-1a masked to ETM_KW_HASH_SIZE, linear probing; must stay
 * identical to the one in scripts/gen-keywords. */
#include <string.h>

#include "keywords.h"

static unsigned fnv1a(const char *s, size_t len)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

enum etm_kw etm_kw_lookup(const char *s, size_t len)
{
	if (len == 0 || len > 255)
		return ETM_KW_NONE;
	unsigned h = fnv1a(s, len) & (ETM_KW_HASH_SIZE - 1);
	for (;;) {
		unsigned slot = etm_kw_hash_table[h];
		if (slot == 0)
			return ETM_KW_NONE;
		const struct etm_kw_spelling *sp = &etm_kw_spelling_table[slot - 1];
		if (sp->len == len && memcmp(sp->text, s, len) == 0)
			return sp->kw;
		h = (h + 1) & (ETM_KW_HASH_SIZE - 1);
	}
}

const char *etm_kw_name(enum etm_kw kw)
{
	if ((int)kw <= 0 || kw >= ETM_KW_COUNT)
		return "";
	return etm_kw_info_table[kw].name;
}

enum etm_kw_role etm_kw_role(enum etm_kw kw)
{
	if ((int)kw <= 0 || kw >= ETM_KW_COUNT)
		return ETM_KW_ROLE_NONE;
	return etm_kw_info_table[kw].role;
}

const char *etm_kw_spelling(enum etm_kw kw, unsigned i)
{
	if ((int)kw <= 0 || kw >= ETM_KW_COUNT || i >= etm_kw_info_table[kw].nspellings)
		return NULL;
	return etm_kw_spelling_table[etm_kw_info_table[kw].first_spelling + i].text;
}
