/* keywords.h -- the 202 keyword tokens of eTamil and their 505 spellings.
 *
 * The data (keywords_enum.h, keywords_data.c) is generated from
 * src/lang/keywords.tsv by scripts/gen-keywords and committed.  All tables
 * are const; lookup is a precomputed hash, safe from any thread.
 */
#ifndef ETM_KEYWORDS_H
#define ETM_KEYWORDS_H

#include <stddef.h>

#include "keywords_enum.h"

/* What a keyword may do (spec §3). */
enum etm_kw_role {
	ETM_KW_ROLE_NONE = 0,	/* not a keyword (ETM_KW_NONE) */
	ETM_KW_ROLE_TYPE,	/* may start a declaration; never a name */
	ETM_KW_ROLE_RESERVED,	/* never a name */
	ETM_KW_ROLE_NAME_OK	/* accepted wherever a name is expected */
};

struct etm_kw_info {
	const char *name;	/* English token name, e.g. "Credit", "HttpGet" */
	const char *category;	/* keywords.tsv category, e.g. "finance" */
	enum etm_kw_role role;
	unsigned short first_spelling;	/* index into etm_kw_spelling_table */
	unsigned short nspellings;	/* Tamil, romanized, [_english] */
};

struct etm_kw_spelling {
	const char *text;	/* UTF-8, NUL-terminated */
	unsigned char len;	/* bytes */
	enum etm_kw kw;
};

#define ETM_KW_HASH_SIZE 2048

extern const struct etm_kw_info etm_kw_info_table[ETM_KW_COUNT];
extern const struct etm_kw_spelling etm_kw_spelling_table[ETM_KW_SPELLING_COUNT];
extern const unsigned short etm_kw_hash_table[ETM_KW_HASH_SIZE];

/* The keyword spelled exactly S (LEN bytes), or ETM_KW_NONE. */
enum etm_kw etm_kw_lookup(const char *s, size_t len);

/* English token name ("Credit"), "" for ETM_KW_NONE or out of range. */
const char *etm_kw_name(enum etm_kw kw);

/* Role of KW (ETM_KW_ROLE_NONE for ETM_KW_NONE or out of range). */
enum etm_kw_role etm_kw_role(enum etm_kw kw);

/* The I-th spelling of KW (0 = Tamil, 1 = romanized, 2 = _english if any),
   NULL if there is none. */
const char *etm_kw_spelling(enum etm_kw kw, unsigned i);

#endif
