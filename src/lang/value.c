/* value.c -- eTamil values: allocation and accounting, strings measured in
 * grapheme clusters, copy-on-write arrays and records, printing, coercions,
 * equality and ordering (spec §6).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "value.h"

/* ------------------------------------------------------------------ */
/* Heap accounting                                                     */

static void heap_charge(etm_heap *h, size_t n)
{
	h->used += n;
	if (h->used > h->peak)
		h->peak = h->used;
	if (h->limit && h->used > h->limit)
		h->over = true;
}

static void oom(void)
{
	fputs("etamil: out of memory\n", stderr);
	abort();
}

void *etm_heap_alloc(etm_heap *h, size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	heap_charge(h, n);
	return p;
}

void *etm_heap_realloc(etm_heap *h, void *p, size_t oldn, size_t newn)
{
	void *q = realloc(p, newn ? newn : 1);
	if (!q)
		oom();
	h->used -= oldn;
	heap_charge(h, newn);
	return q;
}

void etm_heap_free(etm_heap *h, void *p, size_t n)
{
	if (!p)
		return;
	h->used -= n;
	free(p);
}

/* ------------------------------------------------------------------ */
/* Constructors                                                        */

etm_value etm_num_int(int64_t i)
{
	return etm_num(etm_dec_from_int(i));
}

static void obj_init(etm_obj *o)
{
	o->rc = 1;
	o->flags = 0;
}

etm_string *etm_str_alloc(etm_heap *h, size_t len)
{
	etm_string *s = etm_heap_alloc(h, sizeof(*s) + len + 1);
	obj_init(&s->hdr);
	s->hash = 0;
	s->nclusters = 0;
	s->offs = NULL;
	s->len = len;
	s->cap = len;
	s->data[len] = 0;
	return s;
}

etm_value etm_str_new(etm_heap *h, const char *p, size_t len)
{
	etm_string *s = etm_str_alloc(h, len);
	etm_value v;
	if (len)
		memcpy(s->data, p, len);
	v.kind = ETM_STR;
	v.as.obj = &s->hdr;
	return v;
}

etm_value etm_str_cstr(etm_heap *h, const char *s)
{
	return etm_str_new(h, s, strlen(s));
}

etm_value etm_arr_new(etm_heap *h, size_t cap)
{
	etm_arr *a = etm_heap_alloc(h, sizeof(*a));
	etm_value v;
	obj_init(&a->hdr);
	a->len = 0;
	a->cap = cap;
	a->items = cap ? etm_heap_alloc(h, cap * sizeof(etm_value)) : NULL;
	v.kind = ETM_ARR;
	v.as.obj = &a->hdr;
	return v;
}

etm_value etm_rec_new(etm_heap *h, size_t cap)
{
	etm_rec *r = etm_heap_alloc(h, sizeof(*r));
	etm_value v;
	obj_init(&r->hdr);
	r->len = 0;
	r->cap = (uint32_t)cap;
	r->ents = cap ? etm_heap_alloc(h, cap * sizeof(etm_rent)) : NULL;
	r->index = NULL;
	r->index_mask = 0;
	r->sorted = NULL;
	v.kind = ETM_REC;
	v.as.obj = &r->hdr;
	return v;
}

etm_value etm_result_new(etm_heap *h, bool ok, etm_value inner)
{
	etm_res *r = etm_heap_alloc(h, sizeof(*r));
	etm_value v;
	obj_init(&r->hdr);
	r->inner = inner;
	v.kind = ok ? ETM_OK : ETM_ERR;
	v.as.obj = &r->hdr;
	return v;
}

/* ------------------------------------------------------------------ */
/* Freeing                                                             */

/* Free one object whose count reached zero; its children whose counts
   reach zero are put on TODO instead of being freed recursively, so a
   deeply nested value cannot exhaust the C stack. */
typedef struct freelist {
	etm_value *v;
	size_t n, cap;
} freelist;

static void drop_child(etm_heap *h, freelist *todo, etm_value c)
{
	(void)h;
	if (c.kind < ETM_STR || (c.as.obj->flags & ETM_OBJ_IMMORTAL) || --c.as.obj->rc != 0)
		return;
	if (todo->n == todo->cap) {
		size_t ncap = todo->cap ? todo->cap * 2 : 64;
		etm_value *nv = realloc(todo->v, ncap * sizeof(etm_value));
		if (!nv)
			oom();
		todo->v = nv;
		todo->cap = ncap;
	}
	todo->v[todo->n++] = c;
}

static void free_one(etm_heap *h, freelist *todo, etm_value v)
{
	switch (v.kind) {
	case ETM_STR: {
		etm_string *s = ETM_STR(v);
		free(s->offs);	/* cluster offsets are not charged */
		etm_heap_free(h, s, sizeof(*s) + s->cap + 1);
		break;
	}
	case ETM_ARR: {
		etm_arr *a = ETM_ARR(v);
		for (size_t i = 0; i < a->len; i++)
			drop_child(h, todo, a->items[i]);
		etm_heap_free(h, a->items, a->cap * sizeof(etm_value));
		etm_heap_free(h, a, sizeof(*a));
		break;
	}
	case ETM_REC: {
		etm_rec *r = ETM_REC(v);
		for (uint32_t i = 0; i < r->len; i++) {
			etm_value k;
			k.kind = ETM_STR;
			k.as.obj = &r->ents[i].key->hdr;
			drop_child(h, todo, k);
			drop_child(h, todo, r->ents[i].val);
		}
		etm_heap_free(h, r->ents, r->cap * sizeof(etm_rent));
		if (r->index)
			etm_heap_free(h, r->index,
				      (r->index_mask + 1) * sizeof(uint32_t));
		if (r->sorted)
			etm_heap_free(h, r->sorted, r->len * sizeof(uint32_t));
		etm_heap_free(h, r, sizeof(*r));
		break;
	}
	case ETM_OK:
	case ETM_ERR: {
		etm_res *r = ETM_RES(v);
		drop_child(h, todo, r->inner);
		etm_heap_free(h, r, sizeof(*r));
		break;
	}
	default:
		break;
	}
}

void etm_obj_free(etm_heap *h, etm_value v)
{
	freelist todo = {0};
	free_one(h, &todo, v);
	while (todo.n)
		free_one(h, &todo, todo.v[--todo.n]);
	free(todo.v);
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */

uint32_t etm_hash_bytes(const char *s, size_t len)
{
	uint32_t hsh = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		hsh ^= (unsigned char)s[i];
		hsh *= 16777619u;
	}
	return hsh ? hsh : 1;
}

uint32_t etm_str_hash(etm_string *s)
{
	if (!s->hash)
		s->hash = etm_hash_bytes(s->data, s->len);
	return s->hash;
}

void etm_str_append(etm_heap *h, etm_value *v, const char *p, size_t n)
{
	etm_string *s = ETM_STR(*v);
	if (!etm_unique(*v)) {
		etm_string *t = etm_str_alloc(h, s->len + n);
		memcpy(t->data, s->data, s->len);
		memcpy(t->data + s->len, p, n);
		etm_release(h, *v);
		v->as.obj = &t->hdr;
		return;
	}
	if (s->len + n > s->cap) {
		size_t ncap = (s->len + n) * 2;
		s = etm_heap_realloc(h, s, sizeof(*s) + s->cap + 1, sizeof(*s) + ncap + 1);
		s->cap = ncap;
		v->as.obj = &s->hdr;
	}
	memcpy(s->data + s->len, p, n);
	s->len += n;
	s->data[s->len] = 0;
	s->hash = 0;
	if (s->offs) {
		free(s->offs);
		s->offs = NULL;
	}
	s->hdr.flags &= (uint8_t)~(ETM_STR_COUNTED | ETM_STR_SIMPLE);
}

static bool is_space(int32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0
	    || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
	    || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

void etm_trim(const char *s, size_t len, size_t *start, size_t *end)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, j = len;
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0 || !is_space(cp))
			break;
		i += (size_t)n;
	}
	while (j > i) {
		size_t k = j - 1;
		while (k > i && (p[k] & 0xC0) == 0x80)
			k--;
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + k, (utf8proc_ssize_t)(j - k), &cp);
		if (n <= 0 || !is_space(cp))
			break;
		j = k;
	}
	*start = i;
	*end = j;
}

bool etm_str_valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return false;
		i += (size_t)n;
	}
	return true;
}

/* Length of the valid UTF-8 sequence at S (1..4), or -(bytes of the
 * maximal ill-formed subpart to replace, at least 1). */
static int utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	int n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return -1;
	}
	for (int k = 1; k < n; k++) {
		if ((size_t)k >= len)
			return -k;
		unsigned b = s[k];
		if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			return -k;
	}
	return n;
}

size_t etm_utf8_lossy(const char *s, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0;
	while (i < len) {
		int n = utf8_seq(p + i, len - i);
		if (n > 0) {
			memcpy(out + o, p + i, (size_t)n);
			o += (size_t)n;
			i += (size_t)n;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i += (size_t)-n;
		}
	}
	return o;
}

/* Unicode 15.1 rule GB9c (Indic conjuncts), which utf8proc 2.8 predates:
 * no break between InCB=Consonant [Extend|Linker]* Linker [Extend|Linker]*
 * and InCB=Consonant.  Linkers are the viramas of six scripts; Tamil's is
 * not one. */
static bool incb_linker(int32_t c)
{
	return c == 0x094D || c == 0x09CD || c == 0x0ACD || c == 0x0B4D
	    || c == 0x0C4D || c == 0x0D4D;
}

static bool incb_consonant(int32_t c)
{
	static const int32_t r[][2] = {
		{0x0915, 0x0939}, {0x0958, 0x095F}, {0x0978, 0x097F},
		{0x0995, 0x09A8}, {0x09AA, 0x09B0}, {0x09B2, 0x09B2},
		{0x09B6, 0x09B9}, {0x09DC, 0x09DD}, {0x09DF, 0x09DF},
		{0x09F0, 0x09F1}, {0x0A95, 0x0AA8}, {0x0AAA, 0x0AB0},
		{0x0AB2, 0x0AB3}, {0x0AB5, 0x0AB9}, {0x0AF9, 0x0AF9},
		{0x0B15, 0x0B28}, {0x0B2A, 0x0B30}, {0x0B32, 0x0B33},
		{0x0B35, 0x0B39}, {0x0B5C, 0x0B5D}, {0x0B5F, 0x0B5F},
		{0x0B71, 0x0B71}, {0x0C15, 0x0C28}, {0x0C2A, 0x0C39},
		{0x0C58, 0x0C5A}, {0x0D15, 0x0D3A},
	};
	if (c < 0x0915 || c > 0x0D3A)
		return false;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (c >= r[i][0] && c <= r[i][1])
			return true;
	return false;
}

static bool incb_extend(int32_t c)
{
	const utf8proc_property_t *p = utf8proc_get_property(c);
	return p->boundclass == UTF8PROC_BOUNDCLASS_EXTEND
	    || p->boundclass == UTF8PROC_BOUNDCLASS_ZWJ;
}

size_t etm_utf8_clusters(const char *s, size_t len,
			 void (*cb)(void *ud, size_t start, size_t end),
			 void *ud)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, count = 0;
	utf8proc_int32_t prev = -1;
	utf8proc_int32_t state = 0;
	int incb = 0;		/* 0 none, 1 consonant seen, 2 ... + linker */

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n;
		if (p[i] < 0x80) {
			cp = p[i];
			n = 1;
		} else {
			n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
			if (n <= 0) {
				n = 1;
				cp = 0xFFFD;
			}
		}
		if (prev >= 0) {
			bool brk;
			if (prev < 0x80 && cp < 0x80) {
				brk = !(prev == '\r' && cp == '\n');
				state = 0;
			} else {
				brk = utf8proc_grapheme_break_stateful(prev, cp, &state);
			}
			if (brk && incb == 2 && incb_consonant(cp))
				brk = false;
			if (brk) {
				if (cb)
					cb(ud, start, i);
				count++;
				start = i;
			}
		}
		if (cp >= 0x0900) {
			if (incb_consonant(cp))
				incb = 1;
			else if (incb && incb_linker(cp))
				incb = 2;
			else if (!(incb && incb_extend(cp)))
				incb = 0;
		} else {
			incb = 0;
		}
		prev = cp;
		i += (size_t)n;
	}
	if (len) {
		if (cb)
			cb(ud, start, len);
		count++;
	}
	return count;
}

struct offs_fill {
	uint32_t *offs;
	size_t n;
};

static void offs_cb(void *ud, size_t start, size_t end)
{
	struct offs_fill *f = ud;
	(void)end;
	f->offs[f->n++] = (uint32_t)start;
}

/* Fill the cluster caches of S.  The offsets table is charged to no heap
   (it is freed with the string, and its size is bounded by the string's
   own), which keeps the functions below free of a heap argument. */
static void str_count(etm_string *s)
{
	if (s->hdr.flags & ETM_STR_COUNTED)
		return;
	bool simple = true;
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->data[i];
		if (c >= 0x80 || c == '\r') {
			simple = false;
			break;
		}
	}
	if (simple) {
		s->nclusters = (uint32_t)s->len;
		s->hdr.flags |= ETM_STR_SIMPLE | ETM_STR_COUNTED;
		return;
	}
	size_t n = etm_utf8_clusters(s->data, s->len, NULL, NULL);
	struct offs_fill f;
	size_t bytes = (n + 1) * sizeof(uint32_t);
	f.offs = malloc(bytes);
	if (!f.offs)
		oom();
	f.n = 0;
	etm_utf8_clusters(s->data, s->len, offs_cb, &f);
	f.offs[n] = (uint32_t)s->len;
	s->offs = f.offs;
	s->nclusters = (uint32_t)n;
	s->hdr.flags |= ETM_STR_COUNTED;
}

void etm_str_make_immortal(etm_string *s)
{
	etm_str_hash(s);
	str_count(s);
	s->hdr.flags |= ETM_OBJ_IMMORTAL;
}

size_t etm_str_clusters(etm_string *s)
{
	str_count(s);
	return s->nclusters;
}

void etm_str_cluster_at(etm_string *s, size_t i, size_t *start, size_t *end)
{
	str_count(s);
	if (s->hdr.flags & ETM_STR_SIMPLE) {
		*start = i;
		*end = i + 1;
	} else {
		*start = s->offs[i];
		*end = s->offs[i + 1];
	}
}

bool etm_str_is_boundary(etm_string *s, size_t off)
{
	str_count(s);
	if (s->hdr.flags & ETM_STR_SIMPLE)
		return off <= s->len;
	size_t lo = 0, hi = s->nclusters;
	while (lo <= hi) {
		size_t mid = (lo + hi) / 2;
		if (s->offs[mid] == off)
			return true;
		if (s->offs[mid] < off)
			lo = mid + 1;
		else {
			if (mid == 0)
				break;
			hi = mid - 1;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Copy on write                                                       */

static etm_value arr_copy(etm_heap *h, etm_arr *a, size_t extra)
{
	etm_value v = etm_arr_new(h, a->len + extra);
	etm_arr *b = ETM_ARR(v);
	for (size_t i = 0; i < a->len; i++)
		b->items[i] = etm_ref(a->items[i]);
	b->len = a->len;
	return v;
}

static etm_value rec_copy(etm_heap *h, etm_rec *r)
{
	etm_value v = etm_rec_new(h, r->len ? r->len : 1);
	etm_rec *c = ETM_REC(v);
	for (uint32_t i = 0; i < r->len; i++) {
		c->ents[i].key = r->ents[i].key;
		if (!(r->ents[i].key->hdr.flags & ETM_OBJ_IMMORTAL))
			r->ents[i].key->hdr.rc++;
		c->ents[i].val = etm_ref(r->ents[i].val);
	}
	c->len = r->len;
	if (r->index) {
		size_t n = (r->index_mask + 1) * sizeof(uint32_t);
		c->index = etm_heap_alloc(h, n);
		memcpy(c->index, r->index, n);
		c->index_mask = r->index_mask;
	}
	if (r->sorted) {
		c->sorted = etm_heap_alloc(h, r->len * sizeof(uint32_t));
		memcpy(c->sorted, r->sorted, r->len * sizeof(uint32_t));
	}
	return v;
}

void etm_make_unique(etm_heap *h, etm_value *v)
{
	if (etm_unique(*v))
		return;
	etm_value c;
	if (v->kind == ETM_ARR)
		c = arr_copy(h, ETM_ARR(*v), 0);
	else if (v->kind == ETM_REC)
		c = rec_copy(h, ETM_REC(*v));
	else
		return;
	etm_release(h, *v);
	*v = c;
}

/* ------------------------------------------------------------------ */
/* Arrays                                                              */

void etm_arr_push(etm_heap *h, etm_value *av, etm_value v)
{
	etm_arr *a = ETM_ARR(*av);
	if (a->len == a->cap) {
		size_t ncap = a->cap < 4 ? 4 : a->cap * 2;
		a->items = etm_heap_realloc(h, a->items, a->cap * sizeof(etm_value),
					    ncap * sizeof(etm_value));
		a->cap = ncap;
	}
	a->items[a->len++] = v;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

#define REC_LINEAR_MAX 8

static void rec_index_put(etm_rec *r, uint32_t hsh, uint32_t ent)
{
	uint32_t i = hsh & r->index_mask;
	while (r->index[i])
		i = (i + 1) & r->index_mask;
	r->index[i] = ent + 1;
}

static void rec_reindex(etm_heap *h, etm_rec *r, uint32_t size)
{
	if (r->index)
		etm_heap_free(h, r->index, (r->index_mask + 1) * sizeof(uint32_t));
	r->index = etm_heap_alloc(h, size * sizeof(uint32_t));
	memset(r->index, 0, size * sizeof(uint32_t));
	r->index_mask = size - 1;
	for (uint32_t e = 0; e < r->len; e++)
		rec_index_put(r, etm_str_hash(r->ents[e].key), e);
}

static long rec_find(etm_rec *r, const char *key, size_t klen, uint32_t hsh)
{
	if (!r->index) {
		for (uint32_t e = 0; e < r->len; e++) {
			etm_string *k = r->ents[e].key;
			if (k->len == klen && memcmp(k->data, key, klen) == 0)
				return e;
		}
		return -1;
	}
	uint32_t i = hsh & r->index_mask;
	while (r->index[i]) {
		uint32_t e = r->index[i] - 1;
		etm_string *k = r->ents[e].key;
		if (k->hash == hsh && k->len == klen
		    && memcmp(k->data, key, klen) == 0)
			return e;
		i = (i + 1) & r->index_mask;
	}
	return -1;
}

etm_value *etm_rec_get(etm_rec *r, const char *key, size_t klen, uint32_t hsh)
{
	if (r->index && !hsh)
		hsh = etm_hash_bytes(key, klen);
	long e = rec_find(r, key, klen, hsh);
	return e < 0 ? NULL : &r->ents[e].val;
}

static void rec_insert(etm_heap *h, etm_rec *r, etm_string *key, etm_value v)
{
	if (r->len == r->cap) {
		uint32_t ncap = r->cap < 4 ? 4 : r->cap * 2;
		r->ents = etm_heap_realloc(h, r->ents, r->cap * sizeof(etm_rent),
					   ncap * sizeof(etm_rent));
		r->cap = ncap;
	}
	if (!(key->hdr.flags & ETM_OBJ_IMMORTAL))
		key->hdr.rc++;
	r->ents[r->len].key = key;
	r->ents[r->len].val = v;
	r->len++;
	if (r->sorted) {
		etm_heap_free(h, r->sorted, (r->len - 1) * sizeof(uint32_t));
		r->sorted = NULL;
	}
	if (r->index) {
		if (r->len * 2 > r->index_mask + 1)
			rec_reindex(h, r, (r->index_mask + 1) * 2);
		else
			rec_index_put(r, etm_str_hash(key), r->len - 1);
	} else if (r->len > REC_LINEAR_MAX) {
		rec_reindex(h, r, 32);
	}
}

void etm_rec_set(etm_heap *h, etm_value *rv, etm_string *key, etm_value v)
{
	etm_rec *r = ETM_REC(*rv);
	long e = rec_find(r, key->data, key->len, r->index ? etm_str_hash(key) : 0);
	if (e >= 0) {
		etm_value old = r->ents[e].val;
		r->ents[e].val = v;
		etm_release(h, old);
		return;
	}
	rec_insert(h, r, key, v);
}

void etm_rec_add_first(etm_heap *h, etm_value *rv, etm_string *key, etm_value v)
{
	etm_rec *r = ETM_REC(*rv);
	long e = rec_find(r, key->data, key->len, r->index ? etm_str_hash(key) : 0);
	if (e >= 0) {
		etm_release(h, v);
		return;
	}
	rec_insert(h, r, key, v);
}

void etm_rec_set_cstr(etm_heap *h, etm_value *rv, const char *key,
		      size_t klen, etm_value v)
{
	etm_value k = etm_str_new(h, key, klen);
	etm_rec_set(h, rv, ETM_STR(k), v);
	etm_release(h, k);
}

static int key_cmp(const etm_string *a, const etm_string *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

const uint32_t *etm_rec_sorted(etm_heap *h, etm_rec *r)
{
	if (r->sorted || r->len == 0)
		return r->sorted;
	uint32_t *s = etm_heap_alloc(h, r->len * sizeof(uint32_t));
	/* insertion sort for small records, merge sort otherwise */
	for (uint32_t i = 0; i < r->len; i++)
		s[i] = i;
	if (r->len <= 16) {
		for (uint32_t i = 1; i < r->len; i++) {
			uint32_t x = s[i], j = i;
			while (j > 0 && key_cmp(r->ents[s[j - 1]].key, r->ents[x].key) > 0) {
				s[j] = s[j - 1];
				j--;
			}
			s[j] = x;
		}
	} else {
		uint32_t *tmp = malloc(r->len * sizeof(uint32_t));
		if (!tmp)
			oom();
		for (uint32_t w = 1; w < r->len; w *= 2) {
			for (uint32_t lo = 0; lo < r->len; lo += 2 * w) {
				uint32_t mid = lo + w, hi = lo + 2 * w;
				if (mid > r->len)
					mid = r->len;
				if (hi > r->len)
					hi = r->len;
				uint32_t i = lo, j = mid, k = lo;
				while (i < mid && j < hi)
					tmp[k++] = key_cmp(r->ents[s[j]].key, r->ents[s[i]].key) < 0
						   ? s[j++] : s[i++];
				while (i < mid)
					tmp[k++] = s[i++];
				while (j < hi)
					tmp[k++] = s[j++];
			}
			memcpy(s, tmp, r->len * sizeof(uint32_t));
		}
		free(tmp);
	}
	r->sorted = s;
	return s;
}

/* ------------------------------------------------------------------ */
/* Semantics                                                           */

const char *etm_type_name(etm_value v)
{
	switch (v.kind) {
	case ETM_NUM: return "a number";
	case ETM_STR: return "a string";
	case ETM_BOOL: return "a boolean";
	case ETM_ARR: return "an array";
	case ETM_REC: return "a record";
	case ETM_OK:
	case ETM_ERR: return "a result";
	default: return "nil";
	}
}

bool etm_truthy(etm_value v)
{
	switch (v.kind) {
	case ETM_BOOL: return v.as.b;
	case ETM_NUM: return !etm_dec_is_zero(v.as.num);
	case ETM_STR: return ETM_STR(v)->len != 0;
	case ETM_ARR: return ETM_ARR(v)->len != 0;
	case ETM_REC: return ETM_REC(v)->len != 0;
	case ETM_OK: return true;
	default: return false;
	}
}

bool etm_parse_number(const char *s, size_t len, etm_dec *out)
{
	return etm_dec_from_string(s, len, out) == ETM_DEC_OK;
}

etm_dec etm_to_dec(etm_value v)
{
	etm_dec d;
	switch (v.kind) {
	case ETM_NUM:
		return v.as.num;
	case ETM_BOOL:
		return etm_dec_from_int(v.as.b ? 1 : 0);
	case ETM_STR:
		if (etm_dec_from_string(ETM_STR(v)->data, ETM_STR(v)->len, &d) == ETM_DEC_OK)
			return d;
		return etm_dec_zero();
	default:
		return etm_dec_zero();
	}
}

/* Equality of A and B as far as it can be told without looking inside:
   0 unequal, 1 equal, 2 same-sized containers whose items decide. */
static int equal_shallow(etm_value a, etm_value b)
{
	if (a.kind != b.kind)
		return 0;
	switch (a.kind) {
	case ETM_NUM:
		return etm_dec_cmp(a.as.num, b.as.num) == 0;
	case ETM_BOOL:
		return a.as.b == b.as.b;
	case ETM_STR: {
		etm_string *x = ETM_STR(a), *y = ETM_STR(b);
		return x == y || (x->len == y->len && memcmp(x->data, y->data, x->len) == 0);
	}
	case ETM_ARR:
		if (a.as.obj == b.as.obj)
			return 1;
		return ETM_ARR(a)->len == ETM_ARR(b)->len ? 2 : 0;
	case ETM_REC:
		if (a.as.obj == b.as.obj)
			return 1;
		return ETM_REC(a)->len == ETM_REC(b)->len ? 2 : 0;
	case ETM_OK:
	case ETM_ERR:
		return a.as.obj == b.as.obj ? 1 : 2;
	default:		/* nil, unset */
		return 1;
	}
}

/* Equality walks nested values with an explicit stack (no C recursion, so
   any depth compares). */
bool etm_equal(etm_value a, etm_value b)
{
	struct eframe {
		etm_value a, b;
		size_t i;
	} *st = NULL;
	size_t n = 0, cap = 0;
	int r = equal_shallow(a, b);
	bool eq = true;

	if (r != 2)
		return r;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct eframe *ns = realloc(st, cap * sizeof(*st));
			if (!ns)
				oom();
			st = ns;
		}
		st[n].a = a;
		st[n].b = b;
		st[n].i = 0;
		n++;
		/* Find the next pair of items that needs a look inside. */
		for (;;) {
			struct eframe *f = &st[n - 1];
			bool more = true;
			switch (f->a.kind) {
			case ETM_ARR:
				if (f->i == ETM_ARR(f->a)->len) {
					more = false;
					break;
				}
				a = ETM_ARR(f->a)->items[f->i];
				b = ETM_ARR(f->b)->items[f->i];
				break;
			case ETM_REC: {
				etm_rec *x = ETM_REC(f->a), *y = ETM_REC(f->b);
				if (f->i == x->len) {
					more = false;
					break;
				}
				etm_string *k = x->ents[f->i].key;
				etm_value *o = etm_rec_get(y, k->data, k->len,
							   y->index ? etm_str_hash(k) : 0);
				if (!o) {
					eq = false;
					goto out;
				}
				a = x->ents[f->i].val;
				b = *o;
				break;
			}
			default:	/* a result */
				if (f->i) {
					more = false;
					break;
				}
				a = ETM_RES(f->a)->inner;
				b = ETM_RES(f->b)->inner;
				break;
			}
			if (!more) {
				if (--n == 0)
					goto out;
				continue;
			}
			f->i++;
			r = equal_shallow(a, b);
			if (r == 0) {
				eq = false;
				goto out;
			}
			if (r == 2)
				break;	/* push (a, b) */
		}
	}
out:
	free(st);
	return eq;
}

int etm_compare(etm_value a, etm_value b)
{
	if (a.kind == ETM_NUM && b.kind == ETM_NUM)
		return etm_dec_cmp(a.as.num, b.as.num);
	if (a.kind == ETM_STR && b.kind == ETM_STR) {
		int c = key_cmp(ETM_STR(a), ETM_STR(b));
		return c < 0 ? -1 : c > 0;
	}
	if ((a.kind == ETM_STR && b.kind == ETM_NUM)
	    || (a.kind == ETM_NUM && b.kind == ETM_STR))
		return etm_dec_cmp(etm_to_dec(a), etm_to_dec(b));
	return 2;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

void etm_buf_init(etm_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void etm_buf_free(etm_buf *b)
{
	free(b->p);
	etm_buf_init(b);
}

static void buf_reserve(etm_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t ncap = b->cap ? b->cap * 2 : 64;
	while (ncap < b->len + extra + 1)
		ncap *= 2;
	char *p = realloc(b->p, ncap);
	if (!p)
		oom();
	b->p = p;
	b->cap = ncap;
}

void etm_buf_add(etm_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void etm_buf_add_utf8_lossy(etm_buf *b, const char *s, size_t n)
{
	buf_reserve(b, 3 * n);
	b->len += etm_utf8_lossy(s, n, b->p + b->len);
	b->p[b->len] = 0;
}

void etm_buf_addc(etm_buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void etm_buf_adds(etm_buf *b, const char *s)
{
	etm_buf_add(b, s, strlen(s));
}

void etm_buf_printf(etm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void etm_num_append(etm_buf *b, etm_dec d, bool keep_scale)
{
	char tmp[ETM_DEC_BUFSZ];
	size_t n = keep_scale ? etm_dec_format_scaled(d, tmp, sizeof(tmp))
			      : etm_dec_format(d, tmp, sizeof(tmp));
	etm_buf_add(b, tmp, n);
}

static bool text_leaf(etm_heap *h, etm_buf *b, etm_value v)
{
	(void)h;
	switch (v.kind) {
	case ETM_NUM:
		etm_num_append(b, v.as.num, false);
		return true;
	case ETM_STR:
		etm_buf_add(b, ETM_STR(v)->data, ETM_STR(v)->len);
		return true;
	case ETM_BOOL:
		etm_buf_adds(b, v.as.b ? "true" : "false");
		return true;
	case ETM_ARR:
		etm_buf_addc(b, '[');
		return false;
	case ETM_REC:
		etm_buf_addc(b, '{');
		return false;
	case ETM_OK:
		etm_buf_adds(b, "சரி(");
		return false;
	case ETM_ERR:
		etm_buf_adds(b, "தவறு(");
		return false;
	default:
		etm_buf_adds(b, "nil");
		return true;
	}
}

/* Printing walks nested values with an explicit stack (no C recursion, so
   any depth prints). */
void etm_text_append(etm_heap *h, etm_buf *b, etm_value v)
{
	struct pframe {
		etm_value v;
		size_t i;
	} *st = NULL;
	size_t n = 0, cap = 0;

	if (text_leaf(h, b, v))
		return;
	for (;;) {
		etm_value child;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct pframe *ns = realloc(st, cap * sizeof(*st));
			if (!ns)
				oom();
			st = ns;
		}
		if (v.kind != ETM_UNSET) {
			st[n].v = v;
			st[n].i = 0;
			n++;
		}
		struct pframe *f = &st[n - 1];
		switch (f->v.kind) {
		case ETM_ARR: {
			etm_arr *a = ETM_ARR(f->v);
			if (f->i == a->len) {
				etm_buf_addc(b, ']');
				goto pop;
			}
			if (f->i)
				etm_buf_add(b, ", ", 2);
			child = a->items[f->i++];
			break;
		}
		case ETM_REC: {
			etm_rec *r = ETM_REC(f->v);
			if (f->i == r->len) {
				etm_buf_addc(b, '}');
				goto pop;
			}
			const uint32_t *o = etm_rec_sorted(h, r);
			etm_rent *e = &r->ents[o[f->i]];
			if (f->i)
				etm_buf_add(b, ", ", 2);
			f->i++;
			etm_buf_add(b, e->key->data, e->key->len);
			etm_buf_add(b, ": ", 2);
			child = e->val;
			break;
		}
		default:	/* a result */
			if (f->i) {
				etm_buf_addc(b, ')');
				goto pop;
			}
			f->i = 1;
			child = ETM_RES(f->v)->inner;
			break;
		}
		if (text_leaf(h, b, child)) {
			v = etm_unset();	/* stay on this frame */
			continue;
		}
		v = child;
		continue;
pop:
		if (--n == 0)
			break;
		v = etm_unset();
	}
	free(st);
}

etm_value etm_to_text(etm_heap *h, etm_value v)
{
	if (v.kind == ETM_STR)
		return etm_ref(v);
	if (v.kind == ETM_NUM) {
		char tmp[ETM_DEC_BUFSZ];
		size_t n = etm_dec_format(v.as.num, tmp, sizeof(tmp));
		return etm_str_new(h, tmp, n);
	}
	etm_buf b;
	etm_buf_init(&b);
	etm_text_append(h, &b, v);
	etm_value s = etm_str_new(h, b.p ? b.p : "", b.len);
	etm_buf_free(&b);
	return s;
}
