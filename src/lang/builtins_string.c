/* builtins_string.c -- text builtins (builtins.tsv, area string; spec §9):
 * மேல்_எழுத்து / கீழ்_எழுத்து (full Unicode case mapping, as Rust's
 * str::to_uppercase / to_lowercase), மாற்று and பிரி (byte search that only
 * accepts matches starting and ending on grapheme cluster boundaries),
 * ஒன்றிணை.  Every argument is used through its text rendering (§6.3).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "builtins.h"
#include "builtins_lib.h"

#define MSG_JOIN "ஒன்றிணை ஒரு அணி தேவை  (join needs an array, got %s)"

/* ------------------------------------------------------------------ */
/* Boundary-respecting search                                          */

size_t etm_text_matches(etm_string *hay, const char *needle, size_t nlen,
			size_t **offs)
{
	size_t n = 0, cap = 0;
	size_t *v = NULL;
	*offs = NULL;
	if (nlen == 0 || nlen > hay->len)
		return 0;
	const char *s = hay->data, *end = hay->data + hay->len;
	const char *p = s;
	while ((size_t)(end - p) >= nlen) {
		const char *q = memmem(p, (size_t)(end - p), needle, nlen);
		if (!q)
			break;
		size_t at = (size_t)(q - s);
		/* The search resumes after a raw match even when it is
		   rejected for cutting a cluster (spec §9). */
		p = q + nlen;
		if (!etm_str_is_boundary(hay, at) || !etm_str_is_boundary(hay, at + nlen))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			size_t *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				abort();
			}
			v = nv;
		}
		v[n++] = at;
	}
	*offs = v;
	return n;
}

/* ------------------------------------------------------------------ */
/* Case mapping                                                        */

/* Code points whose full upper case is several code points (the
   unconditional mappings of Unicode's SpecialCasing.txt); every other code
   point uses its simple mapping. */
static const struct upper_special {
	int32_t cp;
	int32_t to[3];		/* 0-padded */
} upper_special[] = {
	{0x00DF, {0x0053, 0x0053, 0x0000}}, {0x0149, {0x02BC, 0x004E, 0x0000}},
	{0x01F0, {0x004A, 0x030C, 0x0000}}, {0x0390, {0x0399, 0x0308, 0x0301}},
	{0x03B0, {0x03A5, 0x0308, 0x0301}}, {0x0587, {0x0535, 0x0552, 0x0000}},
	{0x1E96, {0x0048, 0x0331, 0x0000}}, {0x1E97, {0x0054, 0x0308, 0x0000}},
	{0x1E98, {0x0057, 0x030A, 0x0000}}, {0x1E99, {0x0059, 0x030A, 0x0000}},
	{0x1E9A, {0x0041, 0x02BE, 0x0000}}, {0x1F50, {0x03A5, 0x0313, 0x0000}},
	{0x1F52, {0x03A5, 0x0313, 0x0300}}, {0x1F54, {0x03A5, 0x0313, 0x0301}},
	{0x1F56, {0x03A5, 0x0313, 0x0342}}, {0x1F80, {0x1F08, 0x0399, 0x0000}},
	{0x1F81, {0x1F09, 0x0399, 0x0000}}, {0x1F82, {0x1F0A, 0x0399, 0x0000}},
	{0x1F83, {0x1F0B, 0x0399, 0x0000}}, {0x1F84, {0x1F0C, 0x0399, 0x0000}},
	{0x1F85, {0x1F0D, 0x0399, 0x0000}}, {0x1F86, {0x1F0E, 0x0399, 0x0000}},
	{0x1F87, {0x1F0F, 0x0399, 0x0000}}, {0x1F88, {0x1F08, 0x0399, 0x0000}},
	{0x1F89, {0x1F09, 0x0399, 0x0000}}, {0x1F8A, {0x1F0A, 0x0399, 0x0000}},
	{0x1F8B, {0x1F0B, 0x0399, 0x0000}}, {0x1F8C, {0x1F0C, 0x0399, 0x0000}},
	{0x1F8D, {0x1F0D, 0x0399, 0x0000}}, {0x1F8E, {0x1F0E, 0x0399, 0x0000}},
	{0x1F8F, {0x1F0F, 0x0399, 0x0000}}, {0x1F90, {0x1F28, 0x0399, 0x0000}},
	{0x1F91, {0x1F29, 0x0399, 0x0000}}, {0x1F92, {0x1F2A, 0x0399, 0x0000}},
	{0x1F93, {0x1F2B, 0x0399, 0x0000}}, {0x1F94, {0x1F2C, 0x0399, 0x0000}},
	{0x1F95, {0x1F2D, 0x0399, 0x0000}}, {0x1F96, {0x1F2E, 0x0399, 0x0000}},
	{0x1F97, {0x1F2F, 0x0399, 0x0000}}, {0x1F98, {0x1F28, 0x0399, 0x0000}},
	{0x1F99, {0x1F29, 0x0399, 0x0000}}, {0x1F9A, {0x1F2A, 0x0399, 0x0000}},
	{0x1F9B, {0x1F2B, 0x0399, 0x0000}}, {0x1F9C, {0x1F2C, 0x0399, 0x0000}},
	{0x1F9D, {0x1F2D, 0x0399, 0x0000}}, {0x1F9E, {0x1F2E, 0x0399, 0x0000}},
	{0x1F9F, {0x1F2F, 0x0399, 0x0000}}, {0x1FA0, {0x1F68, 0x0399, 0x0000}},
	{0x1FA1, {0x1F69, 0x0399, 0x0000}}, {0x1FA2, {0x1F6A, 0x0399, 0x0000}},
	{0x1FA3, {0x1F6B, 0x0399, 0x0000}}, {0x1FA4, {0x1F6C, 0x0399, 0x0000}},
	{0x1FA5, {0x1F6D, 0x0399, 0x0000}}, {0x1FA6, {0x1F6E, 0x0399, 0x0000}},
	{0x1FA7, {0x1F6F, 0x0399, 0x0000}}, {0x1FA8, {0x1F68, 0x0399, 0x0000}},
	{0x1FA9, {0x1F69, 0x0399, 0x0000}}, {0x1FAA, {0x1F6A, 0x0399, 0x0000}},
	{0x1FAB, {0x1F6B, 0x0399, 0x0000}}, {0x1FAC, {0x1F6C, 0x0399, 0x0000}},
	{0x1FAD, {0x1F6D, 0x0399, 0x0000}}, {0x1FAE, {0x1F6E, 0x0399, 0x0000}},
	{0x1FAF, {0x1F6F, 0x0399, 0x0000}}, {0x1FB2, {0x1FBA, 0x0399, 0x0000}},
	{0x1FB3, {0x0391, 0x0399, 0x0000}}, {0x1FB4, {0x0386, 0x0399, 0x0000}},
	{0x1FB6, {0x0391, 0x0342, 0x0000}}, {0x1FB7, {0x0391, 0x0342, 0x0399}},
	{0x1FBC, {0x0391, 0x0399, 0x0000}}, {0x1FC2, {0x1FCA, 0x0399, 0x0000}},
	{0x1FC3, {0x0397, 0x0399, 0x0000}}, {0x1FC4, {0x0389, 0x0399, 0x0000}},
	{0x1FC6, {0x0397, 0x0342, 0x0000}}, {0x1FC7, {0x0397, 0x0342, 0x0399}},
	{0x1FCC, {0x0397, 0x0399, 0x0000}}, {0x1FD2, {0x0399, 0x0308, 0x0300}},
	{0x1FD3, {0x0399, 0x0308, 0x0301}}, {0x1FD6, {0x0399, 0x0342, 0x0000}},
	{0x1FD7, {0x0399, 0x0308, 0x0342}}, {0x1FE2, {0x03A5, 0x0308, 0x0300}},
	{0x1FE3, {0x03A5, 0x0308, 0x0301}}, {0x1FE4, {0x03A1, 0x0313, 0x0000}},
	{0x1FE6, {0x03A5, 0x0342, 0x0000}}, {0x1FE7, {0x03A5, 0x0308, 0x0342}},
	{0x1FF2, {0x1FFA, 0x0399, 0x0000}}, {0x1FF3, {0x03A9, 0x0399, 0x0000}},
	{0x1FF4, {0x038F, 0x0399, 0x0000}}, {0x1FF6, {0x03A9, 0x0342, 0x0000}},
	{0x1FF7, {0x03A9, 0x0342, 0x0399}}, {0x1FFC, {0x03A9, 0x0399, 0x0000}},
	{0xFB00, {0x0046, 0x0046, 0x0000}}, {0xFB01, {0x0046, 0x0049, 0x0000}},
	{0xFB02, {0x0046, 0x004C, 0x0000}}, {0xFB03, {0x0046, 0x0046, 0x0049}},
	{0xFB04, {0x0046, 0x0046, 0x004C}}, {0xFB05, {0x0053, 0x0054, 0x0000}},
	{0xFB06, {0x0053, 0x0054, 0x0000}}, {0xFB13, {0x0544, 0x0546, 0x0000}},
	{0xFB14, {0x0544, 0x0535, 0x0000}}, {0xFB15, {0x0544, 0x053B, 0x0000}},
	{0xFB16, {0x054E, 0x0546, 0x0000}}, {0xFB17, {0x0544, 0x053D, 0x0000}},
};

static const int32_t *upper_full(int32_t cp)
{
	size_t lo = 0, hi = sizeof(upper_special) / sizeof(upper_special[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (upper_special[mid].cp == cp)
			return upper_special[mid].to;
		if (upper_special[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void add_cp(etm_buf *b, int32_t cp)
{
	utf8proc_uint8_t tmp[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, tmp);
	etm_buf_add(b, (const char *)tmp, (size_t)n);
}

/* Decode S into code points (an invalid byte becomes -1 - byte). */
static int32_t *decode(const char *s, size_t len, size_t *n)
{
	int32_t *cps = malloc((len ? len : 1) * sizeof(int32_t));
	if (!cps)
		abort();
	size_t k = 0;
	for (size_t i = 0; i < len;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(len - i), &cp);
		if (r <= 0) {
			cps[k++] = -1 - (unsigned char)s[i];
			i++;
		} else {
			cps[k++] = cp;
			i += (size_t)r;
		}
	}
	*n = k;
	return cps;
}

static void add_decoded(etm_buf *b, int32_t cp)
{
	if (cp < 0)
		etm_buf_addc(b, (char)(unsigned char)(-1 - cp));
	else
		add_cp(b, cp);
}

void etm_text_upper(etm_buf *b, const char *s, size_t len)
{
	size_t n;
	int32_t *cps = decode(s, len, &n);
	for (size_t i = 0; i < n; i++) {
		int32_t cp = cps[i];
		const int32_t *full = cp >= 0 ? upper_full(cp) : NULL;
		if (full) {
			for (int k = 0; k < 3 && full[k]; k++)
				add_cp(b, full[k]);
		} else {
			add_decoded(b, cp >= 0 ? utf8proc_toupper(cp) : cp);
		}
	}
	free(cps);
}

/* Unicode's Case_Ignorable, closely enough for the final-sigma rule:
   marks, format characters, modifier letters and symbols, and the
   apostrophes, periods and colons that may sit inside a word. */
static bool case_ignorable(int32_t cp)
{
	switch (cp) {
	case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387:
	case 0x055F: case 0x05F4: case 0x2018: case 0x2019: case 0x2024:
	case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07:
	case 0xFF0E: case 0xFF1A:
		return true;
	}
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_SK:
		return true;
	default:
		return false;
	}
}

/* Unicode's Cased: letters with case, and anything that has a case
   mapping (ⅰ, ⓐ), plus the two ordinal indicators. */
static bool cased(int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
		return true;
	default:
		break;
	}
	return cp == 0x00AA || cp == 0x00BA
	       || utf8proc_toupper(cp) != cp || utf8proc_tolower(cp) != cp;
}

/* Whether, walking from I in direction DIR over case-ignorable code
   points, the first other code point is cased. */
static bool cased_after_ignorable(const int32_t *cps, size_t n, size_t i, int dir)
{
	for (;;) {
		if (dir < 0) {
			if (i == 0)
				return false;
			i--;
		} else {
			if (++i >= n)
				return false;
		}
		if (cps[i] < 0)
			return false;
		if (!case_ignorable(cps[i]))
			return cased(cps[i]);
	}
}

void etm_text_lower(etm_buf *b, const char *s, size_t len)
{
	size_t n;
	int32_t *cps = decode(s, len, &n);
	for (size_t i = 0; i < n; i++) {
		int32_t cp = cps[i];
		if (cp == 0x0130) {		/* İ: i + combining dot above */
			add_cp(b, 'i');
			add_cp(b, 0x0307);
		} else if (cp == 0x03A3) {	/* Σ: final form at a word's end */
			bool final = cased_after_ignorable(cps, n, i, -1)
				     && !cased_after_ignorable(cps, n, i, +1);
			add_cp(b, final ? 0x03C2 : 0x03C3);
		} else {
			add_decoded(b, cp >= 0 ? utf8proc_tolower(cp) : cp);
		}
	}
	free(cps);
}

/* ------------------------------------------------------------------ */
/* Builtins                                                            */

static int case_map(etm_vm *vm, etm_value v, etm_value *out,
		    void (*map)(etm_buf *, const char *, size_t))
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value t = etm_to_text(h, v);
	etm_buf b;
	etm_buf_init(&b);
	map(&b, ETM_STR(t)->data, ETM_STR(t)->len);
	*out = etm_buf_to_value(vm, &b);
	etm_buf_free(&b);
	etm_release(h, t);
	return ETM_BI_OK;
}

static int bi_upper(etm_vm *vm, etm_value *a, etm_value *out)
{
	return case_map(vm, a[0], out, etm_text_upper);
}

static int bi_lower(etm_vm *vm, etm_value *a, etm_value *out)
{
	return case_map(vm, a[0], out, etm_text_lower);
}

static int bi_replace(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value text = etm_to_text(h, a[0]);
	etm_value from = etm_to_text(h, a[1]);
	etm_value to = etm_to_text(h, a[2]);
	etm_string *s = ETM_STR(text), *f = ETM_STR(from), *t = ETM_STR(to);
	size_t *offs;
	size_t n = etm_text_matches(s, f->data, f->len, &offs);
	if (n == 0) {
		*out = text;
	} else {
		etm_string *r = etm_str_alloc(h, s->len - n * f->len + n * t->len);
		char *w = r->data;
		size_t cur = 0;
		for (size_t i = 0; i < n; i++) {
			memcpy(w, s->data + cur, offs[i] - cur);
			w += offs[i] - cur;
			memcpy(w, t->data, t->len);
			w += t->len;
			cur = offs[i] + f->len;
		}
		memcpy(w, s->data + cur, s->len - cur);
		out->kind = ETM_STR;
		out->as.obj = &r->hdr;
		etm_release(h, text);
	}
	free(offs);
	etm_release(h, from);
	etm_release(h, to);
	return ETM_BI_OK;
}

static int bi_split(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value text = etm_to_text(h, a[0]);
	etm_value sep = etm_to_text(h, a[1]);
	etm_string *s = ETM_STR(text), *p = ETM_STR(sep);
	size_t *offs;
	size_t n = etm_text_matches(s, p->data, p->len, &offs);
	etm_value arr = etm_arr_new(h, n + 1);
	if (n == 0) {
		etm_arr_push(h, &arr, text);
	} else {
		size_t cur = 0;
		for (size_t i = 0; i < n; i++) {
			etm_arr_push(h, &arr, etm_str_new(h, s->data + cur, offs[i] - cur));
			cur = offs[i] + p->len;
		}
		etm_arr_push(h, &arr, etm_str_new(h, s->data + cur, s->len - cur));
		etm_release(h, text);
	}
	free(offs);
	etm_release(h, sep);
	*out = arr;
	return ETM_BI_OK;
}

static int bi_join(etm_vm *vm, etm_value *a, etm_value *out)
{
	if (a[0].kind != ETM_ARR)
		return etm_vm_error(vm, MSG_JOIN, etm_type_name(a[0]));
	etm_heap *h = etm_vm_heap(vm);
	etm_value sep = etm_to_text(h, a[1]);
	etm_arr *arr = ETM_ARR(a[0]);
	etm_buf b;
	etm_buf_init(&b);
	for (size_t i = 0; i < arr->len; i++) {
		if (i)
			etm_buf_add(&b, ETM_STR(sep)->data, ETM_STR(sep)->len);
		etm_text_append(h, &b, arr->items[i]);
	}
	*out = etm_buf_to_value(vm, &b);
	etm_buf_free(&b);
	etm_release(h, sep);
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_string[] = {
	{{"மேல்_எழுத்து", "mEl_ezuqqu", "_upper"}, 1, ETM_BI_PURE, bi_upper},
	{{"கீழ்_எழுத்து", "kIz_ezuqqu", "_lower"}, 1, ETM_BI_PURE, bi_lower},
	{{"மாற்று", "mARRu", "_replace"}, 3, ETM_BI_PURE, bi_replace},
	{{"பிரி", "piri", "_split"}, 2, ETM_BI_PURE, bi_split},
	{{"ஒன்றிணை", "oZRiNY", "_join"}, 2, ETM_BI_PURE, bi_join},
	{{NULL}, 0, 0, NULL}
};
