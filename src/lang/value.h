/* value.h -- eTamil runtime values (spec §6).
 *
 * A value is a small struct passed by value: numbers (an etm_dec), booleans
 * and nil live inline; strings, arrays, records and results are
 * reference-counted heap objects with value semantics (copy on write).
 * Reference counts are plain integers: values never cross threads.  Objects
 * flagged ETM_OBJ_IMMORTAL (a compiled program's constants) are never
 * counted or freed by a VM, so one program can be shared by many threads.
 *
 * Every allocation is charged to an etm_heap (one per VM), which is how the
 * heap budget is enforced.  Ownership convention: functions taking an
 * "owned" value consume one reference; "borrowed" ones do not.
 */
#ifndef ETM_VALUE_H
#define ETM_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decimal.h"

enum etm_kind {
	ETM_UNSET = 0,		/* internal: an unassigned variable slot */
	ETM_IDX,		/* internal: a loop position (as.i) */
	ETM_NIL,
	ETM_BOOL,
	ETM_NUM,
	ETM_STR,
	ETM_ARR,
	ETM_REC,
	ETM_OK,			/* சரி(v): obj is an etm_res */
	ETM_ERR			/* தவறு(v): obj is an etm_res */
};

/* Heap object header. */
#define ETM_OBJ_IMMORTAL 0x01u	/* never counted, never freed by a VM */
#define ETM_STR_SIMPLE   0x02u	/* string: every byte is one cluster */
#define ETM_STR_COUNTED  0x04u	/* string: nclusters is valid */

typedef struct etm_obj {
	uint32_t rc;
	uint8_t flags;
} etm_obj;

typedef struct etm_value {
	union {
		etm_dec num;
		struct etm_obj *obj;
		bool b;
		int64_t i;
	} as;
	uint8_t kind;		/* enum etm_kind */
} etm_value;

typedef struct etm_string {
	etm_obj hdr;
	uint32_t hash;		/* 0 = not computed yet */
	uint32_t nclusters;	/* valid when ETM_STR_COUNTED */
	uint32_t *offs;		/* cluster starts + end, lazily; NULL if SIMPLE */
	size_t len;		/* bytes, excluding the terminating NUL */
	size_t cap;		/* bytes allocated for data, excluding the NUL */
	char data[];		/* UTF-8, NUL-terminated */
} etm_string;

typedef struct etm_arr {
	etm_obj hdr;
	size_t len, cap;
	etm_value *items;
} etm_arr;

typedef struct etm_rent {
	etm_string *key;
	etm_value val;
} etm_rent;

typedef struct etm_rec {
	etm_obj hdr;
	uint32_t len, cap;
	etm_rent *ents;		/* insertion order */
	uint32_t *index;	/* open-addressed hash of entry numbers + 1 */
	uint32_t index_mask;	/* index size - 1, 0 when there is no index */
	uint32_t *sorted;	/* entry numbers in key byte order, lazily */
} etm_rec;

typedef struct etm_res {
	etm_obj hdr;
	etm_value inner;
} etm_res;

/* Memory accounting for one VM (or one program's constants). */
typedef struct etm_heap {
	size_t used;		/* bytes currently allocated */
	size_t peak;
	size_t limit;		/* 0 = unlimited */
	bool over;		/* set once used exceeded limit */
} etm_heap;

void *etm_heap_alloc(etm_heap *h, size_t n);
void *etm_heap_realloc(etm_heap *h, void *p, size_t oldn, size_t newn);
void etm_heap_free(etm_heap *h, void *p, size_t n);

/* ---- constructors (results are owned) ---- */

static inline etm_value etm_nil(void)
{
	etm_value v;
	v.kind = ETM_NIL;
	v.as.obj = NULL;
	return v;
}

static inline etm_value etm_unset(void)
{
	etm_value v;
	v.kind = ETM_UNSET;
	v.as.obj = NULL;
	return v;
}

static inline etm_value etm_bool(bool b)
{
	etm_value v;
	v.kind = ETM_BOOL;
	v.as.obj = NULL;
	v.as.b = b;
	return v;
}

static inline etm_value etm_num(etm_dec d)
{
	etm_value v;
	v.kind = ETM_NUM;
	v.as.num = d;
	return v;
}

etm_value etm_num_int(int64_t i);
etm_value etm_str_new(etm_heap *h, const char *s, size_t len);
etm_value etm_str_cstr(etm_heap *h, const char *s);
/* A string of LEN bytes whose contents the caller fills in (data[len] = 0). */
etm_string *etm_str_alloc(etm_heap *h, size_t len);
etm_value etm_arr_new(etm_heap *h, size_t cap);
etm_value etm_rec_new(etm_heap *h, size_t cap);
etm_value etm_result_new(etm_heap *h, bool ok, etm_value inner /* owned */);

/* ---- reference counting ---- */

static inline bool etm_is_obj(etm_value v)
{
	return v.kind >= ETM_STR;
}

static inline etm_value etm_ref(etm_value v)
{
	if (v.kind >= ETM_STR && !(v.as.obj->flags & ETM_OBJ_IMMORTAL))
		v.as.obj->rc++;
	return v;
}

void etm_obj_free(etm_heap *h, etm_value v);

static inline void etm_release(etm_heap *h, etm_value v)
{
	if (v.kind >= ETM_STR && !(v.as.obj->flags & ETM_OBJ_IMMORTAL)
	    && --v.as.obj->rc == 0)
		etm_obj_free(h, v);
}

/* True when the object may be changed in place (one owner, not immortal). */
static inline bool etm_unique(etm_value v)
{
	return v.as.obj->rc == 1 && !(v.as.obj->flags & ETM_OBJ_IMMORTAL);
}

/* Make *V (an array or record) uniquely owned, copying it if it is shared. */
void etm_make_unique(etm_heap *h, etm_value *v);

/* Mark a string constant immortal and precompute its caches (so many
   threads may read it without writing). */
void etm_str_make_immortal(etm_string *s);

#define ETM_STR(v) ((etm_string *)(v).as.obj)
#define ETM_ARR(v) ((etm_arr *)(v).as.obj)
#define ETM_REC(v) ((etm_rec *)(v).as.obj)
#define ETM_RES(v) ((etm_res *)(v).as.obj)

/* ---- strings ---- */

uint32_t etm_str_hash(etm_string *s);
/* Number of extended grapheme clusters. */
size_t etm_str_clusters(etm_string *s);
/* Byte range of cluster I (I < etm_str_clusters(s)). */
void etm_str_cluster_at(etm_string *s, size_t i, size_t *start, size_t *end);
/* Whether byte offset OFF of S (0 <= OFF <= len) is a cluster boundary. */
bool etm_str_is_boundary(etm_string *s, size_t off);
/* Grapheme cluster boundaries of raw text: calls CB for every cluster. */
size_t etm_utf8_clusters(const char *s, size_t len,
			 void (*cb)(void *ud, size_t start, size_t end),
			 void *ud);
/* Append N bytes to the string *V in place when it is unique (growing it
   geometrically), else replace *V by a new string; V owned. */
void etm_str_append(etm_heap *h, etm_value *v, const char *s, size_t n);
/* Trim Unicode White_Space at both ends; START and END delimit the rest. */
void etm_trim(const char *s, size_t len, size_t *start, size_t *end);
/* Whether S is valid UTF-8. */
bool etm_str_valid_utf8(const char *s, size_t len);
/* S as UTF-8 with each maximal ill-formed subpart replaced by U+FFFD (the
 * Unicode practice Rust's from_utf8_lossy follows) into OUT, which needs
 * 3 * LEN bytes; returns the length written. */
size_t etm_utf8_lossy(const char *s, size_t len, char *out);

/* ---- arrays ---- */

/* Append V (owned) to the array *A, which must be unique. */
void etm_arr_push(etm_heap *h, etm_value *a, etm_value v);

/* ---- records ---- */

/* Borrowed pointer to the value of KEY, or NULL. */
etm_value *etm_rec_get(etm_rec *r, const char *key, size_t klen, uint32_t hash);
/* Set KEY to V (owned) in the record *R, which must be unique; KEY is
   borrowed (referenced if inserted). */
void etm_rec_set(etm_heap *h, etm_value *r, etm_string *key, etm_value v);
/* Same with raw key bytes. */
void etm_rec_set_cstr(etm_heap *h, etm_value *r, const char *key,
		      size_t klen, etm_value v);
/* Insert only if KEY is absent (record literals: the first occurrence wins).*/
void etm_rec_add_first(etm_heap *h, etm_value *r, etm_string *key, etm_value v);
/* Entry numbers in key byte order (cached until the key set changes). */
const uint32_t *etm_rec_sorted(etm_heap *h, etm_rec *r);

uint32_t etm_hash_bytes(const char *s, size_t len);

/* ---- semantics ---- */

/* Type name as used in messages: "a number", "nil", ... */
const char *etm_type_name(etm_value v);
bool etm_truthy(etm_value v);
/* to_number (§6.4). */
etm_dec etm_to_dec(etm_value v);
/* Parse text as a decimal per §6.4 (trimmed); false if unparsable. */
bool etm_parse_number(const char *s, size_t len, etm_dec *out);
bool etm_equal(etm_value a, etm_value b);
/* Ordering for < <= > >= (§6.5): returns -1/0/1, or 2 when unordered. */
int etm_compare(etm_value a, etm_value b);

/* A growable byte buffer for building text (plain malloc, not charged). */
typedef struct etm_buf {
	char *p;
	size_t len, cap;
} etm_buf;

void etm_buf_init(etm_buf *b);
void etm_buf_free(etm_buf *b);
void etm_buf_add(etm_buf *b, const char *s, size_t n);
void etm_buf_addc(etm_buf *b, char c);
/* Append S as etm_utf8_lossy makes it. */
void etm_buf_add_utf8_lossy(etm_buf *b, const char *s, size_t n);
void etm_buf_adds(etm_buf *b, const char *s);
/* Append the text of the OS error number ERR in the reference's form,
   "No such file or directory (os error 2)" (builtins_file.c). */
void etm_os_error_append(etm_buf *b, int err);
void etm_buf_printf(etm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), nonnull(2)));

/* Append the text of V (§6.3) to B. */
void etm_text_append(etm_heap *h, etm_buf *b, etm_value v);
/* The text of V as a string value (a string is returned referenced). */
etm_value etm_to_text(etm_heap *h, etm_value v);
/* Number text: normalised (§6.3) or with its scale (index messages). */
void etm_num_append(etm_buf *b, etm_dec d, bool keep_scale);

#endif
