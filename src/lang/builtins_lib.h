/* builtins_lib.h -- helpers behind the library builtins (dates, text
 * search, files, JSON), exported for the unit tests and for other parts of
 * the runtime or the daemon that need the same behaviour.  Every function is
 * reentrant: no global state, results go to caller-owned storage.
 */
#ifndef ETM_BUILTINS_LIB_H
#define ETM_BUILTINS_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

/* ---- dates (builtins_date.c, spec §9) ---- */

/* Parse S[0..len) as a date (trimmed, three '-'-separated decimal integers,
   an optional '+' on each, month 1-12, day 1-31 rolling over) into the
   number of days since 1970-01-01.  Returns 0, or -1 when S is not a date
   (the caller reports "'S' is not a date"). */
int etm_date_parse(const char *s, size_t len, __int128 *days);
/* Days from 1970-01-01 of the proleptic Gregorian date Y-M-D (M 1-12,
   D >= 1; days beyond the month roll over). */
__int128 etm_date_from_civil(__int128 y, int m, int d);
/* The civil date of day number DAYS. */
void etm_date_to_civil(__int128 days, __int128 *y, int *m, int *d);
/* DAYS as "%04d-%02d-%02d" into BUF (at least ETM_DATE_BUFSZ bytes);
   returns the length. */
#define ETM_DATE_BUFSZ 64
size_t etm_date_format(__int128 days, char *buf);

/* ---- text (builtins_string.c, spec §9) ---- */

/* Byte offsets of the occurrences of NEEDLE in the string HAY found left to
   right without overlap by a plain byte search, keeping only those whose
   start and end are grapheme cluster boundaries of HAY.  Returns the count
   and sets *offs (malloc'd, caller frees; NULL when the count is 0).  An
   empty needle has no occurrences. */
size_t etm_text_matches(etm_string *hay, const char *needle, size_t nlen,
			size_t **offs);
/* Append the upper/lower case of UTF-8 text S to B with the full Unicode
   case mappings (ß -> SS; a word-final Σ lowers to ς). */
void etm_text_upper(etm_buf *b, const char *s, size_t len);
void etm_text_lower(etm_buf *b, const char *s, size_t len);

/* ---- files (builtins_file.c) ---- */

/* Create or truncate PATH and write LEN bytes.  Returns 0, or -1 with the
   reason in the reference's form ("No such file or directory (os error
   2)") appended to ERR. */
int etm_file_write(const char *path, size_t pathlen, const void *data,
		   size_t len, etm_buf *err);

/* ---- JSON (builtins_json.c) ---- */

/* Deepest nesting of arrays and records read or written. */
#define ETM_JSON_MAX_DEPTH 512

/* Append V as JSON text to B: nil -> null, booleans, numbers as printed,
   strings escaped, arrays, records with keys in byte order, results ->
   null.  No spaces.  Returns 0, or -1 when V is nested deeper than
   ETM_JSON_MAX_DEPTH (B then holds a partial text). */
int etm_json_append(etm_heap *h, etm_buf *b, etm_value v);
/* Append S[0..len) as a quoted JSON string ('"', '\\' and control
   characters escaped). */
void etm_json_append_string(etm_buf *b, const char *s, size_t len);
/* Parse the JSON text S[0..len) (RFC 8259; numbers exact decimals; later
   duplicate keys win).  Returns 0 and *out (owned), or -1 with a bilingual
   message appended to ERR. */
int etm_json_parse(etm_heap *h, const char *s, size_t len, etm_value *out,
		   etm_buf *err);

#endif
