/* check.c -- the declared-type checker (spec §5).
 *
 * One flat table name -> declared type for the program (blocks of if,
 * while, for-each, route and schedule share it); a function body gets an
 * empty table that is discarded afterwards.  Every error is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum kind { K_UNKNOWN, K_NUMBER, K_TEXT, K_BOOLEAN, K_ARRAY, K_RECORD };

struct entry {
	const char *name;	/* NULL = empty slot; points into the AST */
	size_t len;
	enum etm_decl_type type;	/* ETM_DECL_NONE = forgotten */
};

struct table {
	struct entry *slots;
	size_t cap, used;	/* used counts occupied slots, forgotten ones too */
};

struct checker {
	const struct etm_ast_program *prog;
	struct etm_diag *diags;
	struct table *t;
	int nerrors;
	int oom;
};

static size_t hash(const char *s, size_t len)
{
	size_t h = 14695981039346656037u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

static struct entry *find(struct table *t, const struct etm_str *name)
{
	if (!t->cap)
		return NULL;
	size_t i = hash(name->s, name->len) & (t->cap - 1);
	while (t->slots[i].name) {
		if (t->slots[i].len == name->len && memcmp(t->slots[i].name, name->s, name->len) == 0)
			return &t->slots[i];
		i = (i + 1) & (t->cap - 1);
	}
	return NULL;
}

static enum etm_decl_type lookup(struct table *t, const struct etm_str *name)
{
	struct entry *e = find(t, name);
	return e ? e->type : ETM_DECL_NONE;
}

static int grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 32;
	struct entry *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t j = 0; j < t->cap; j++) {
		struct entry *e = &t->slots[j];
		if (!e->name)
			continue;
		size_t i = hash(e->name, e->len) & (cap - 1);
		while (slots[i].name)
			i = (i + 1) & (cap - 1);
		slots[i] = *e;
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

static void set(struct checker *C, const struct etm_str *name, enum etm_decl_type type)
{
	struct table *t = C->t;
	struct entry *e = find(t, name);
	if (e) {
		e->type = type;
		return;
	}
	if (type == ETM_DECL_NONE)
		return;
	if ((t->used + 1) * 2 > t->cap && grow(t) < 0) {
		C->oom = 1;
		return;
	}
	size_t i = hash(name->s, name->len) & (t->cap - 1);
	while (t->slots[i].name)
		i = (i + 1) & (t->cap - 1);
	t->slots[i] = (struct entry){ name->s, name->len, type };
	t->used++;
}

const char *etm_decl_type_name(enum etm_decl_type t)
{
	switch (t) {
	case ETM_DECL_NUMBER: return "எண் (eN, a number)";
	case ETM_DECL_TEXT: return "சொல் (col, a string)";
	case ETM_DECL_BOOLEAN: return "ஈர்ம (Irma, a boolean)";
	case ETM_DECL_ARRAY: return "அணி (aNi, an array)";
	case ETM_DECL_RECORD: return "பொருள் (poruL, a record)";
	case ETM_DECL_DATE: return "தேதி (qEqi, a date)";
	case ETM_DECL_NONE: break;
	}
	return "";
}

static const char *kind_name(enum kind k)
{
	switch (k) {
	case K_NUMBER: return "ஒரு எண் (a number)";
	case K_TEXT: return "ஒரு சொல் (a string)";
	case K_BOOLEAN: return "ஒரு ஈர்மம் (a boolean)";
	case K_ARRAY: return "ஒரு அணி (an array)";
	case K_RECORD: return "ஒரு பொருள் (a record)";
	case K_UNKNOWN: break;
	}
	return "something else";
}

static enum kind infer(struct checker *C, const struct etm_expr *e)
{
	switch (e->kind) {
	case ETM_EXPR_NUMBER:
	case ETM_EXPR_NEG:
		return K_NUMBER;
	case ETM_EXPR_STRING:
		return K_TEXT;
	case ETM_EXPR_TRUE:
	case ETM_EXPR_FALSE:
	case ETM_EXPR_NOT:
		return K_BOOLEAN;
	case ETM_EXPR_ARRAY:
		return K_ARRAY;
	case ETM_EXPR_RECORD:
		return K_RECORD;
	case ETM_EXPR_BINARY:
		switch (e->u.binary.op) {
		case ETM_OP_ADD: case ETM_OP_SUB: case ETM_OP_MUL: case ETM_OP_DIV:
			return K_NUMBER;
		case ETM_OP_CONCAT:
			return K_TEXT;
		default:
			return K_BOOLEAN;
		}
	case ETM_EXPR_VAR:
		switch (lookup(C->t, &e->u.var)) {
		case ETM_DECL_NUMBER: return K_NUMBER;
		case ETM_DECL_TEXT: case ETM_DECL_DATE: return K_TEXT;
		case ETM_DECL_BOOLEAN: return K_BOOLEAN;
		case ETM_DECL_ARRAY: return K_ARRAY;
		case ETM_DECL_RECORD: return K_RECORD;
		case ETM_DECL_NONE: return K_UNKNOWN;
		}
		return K_UNKNOWN;
	case ETM_EXPR_NIL:
	case ETM_EXPR_CALL:
	case ETM_EXPR_INDEX:
	case ETM_EXPR_FIELD:
	case ETM_EXPR_TRY:
		return K_UNKNOWN;
	}
	return K_UNKNOWN;
}

static int satisfies(enum kind k, enum etm_decl_type t)
{
	if (k == K_UNKNOWN)
		return 1;
	switch (t) {
	case ETM_DECL_NUMBER: return k == K_NUMBER;
	case ETM_DECL_BOOLEAN: return k == K_BOOLEAN;
	case ETM_DECL_ARRAY: return k == K_ARRAY;
	case ETM_DECL_RECORD: return k == K_RECORD;
	case ETM_DECL_TEXT:
	case ETM_DECL_DATE: return k == K_TEXT || k == K_NUMBER;
	case ETM_DECL_NONE: return 1;
	}
	return 1;
}

static void report(struct checker *C, const struct etm_stmt *s, enum etm_decl_type t, enum kind k)
{
	const struct etm_str *name = &s->u.assign.name;
	unsigned l = s->u.assign.name_pos.line, c = s->u.assign.name_pos.column;
	const char *decl = etm_decl_type_name(t), *found = kind_name(k);
	const char *fmt = "வரி %u, நெடுவரிசை %u: '%.*s' %s என அறிவிக்கப்பட்டது, ஆனால் %s வழங்கப்பட்டது  "
		"(line %u, column %u: '%.*s' is declared %s, but was given %s)";
	int nl = (int)name->len;
	int len = snprintf(NULL, 0, fmt, l, c, nl, name->s, decl, found, l, c, nl, name->s, decl, found);
	char *msg = len < 0 ? NULL : malloc((size_t)len + 1);
	if (!msg) {
		C->oom = 1;
		return;
	}
	snprintf(msg, (size_t)len + 1, fmt, l, c, nl, name->s, decl, found, l, c, nl, name->s, decl, found);
	uint32_t fi = s->u.assign.name_pos.file;
	const char *file = fi > 0 && fi < C->prog->nfiles ? C->prog->files[fi] : NULL;
	if (etm_diag_add(C->diags, ETM_DIAG_TYPE, file, l, c, msg) < 0)
		C->oom = 1;
	free(msg);
	C->nerrors++;
}

static void check_block(struct checker *C, const struct etm_block *b);

static void check_stmt(struct checker *C, const struct etm_stmt *s)
{
	switch (s->kind) {
	case ETM_STMT_ASSIGN: {
		enum etm_decl_type decl = s->u.assign.decl;
		enum etm_decl_type expected = decl != ETM_DECL_NONE ? decl : lookup(C->t, &s->u.assign.name);
		if (expected != ETM_DECL_NONE) {
			enum kind k = infer(C, s->u.assign.value);
			if (!satisfies(k, expected))
				report(C, s, expected, k);
		}
		if (decl != ETM_DECL_NONE)
			set(C, &s->u.assign.name, decl);
		break;
	}
	case ETM_STMT_FUNCTION: {
		struct table inner = { 0 }, *outer = C->t;
		C->t = &inner;
		check_block(C, &s->u.function.body);
		C->t = outer;
		free(inner.slots);
		break;
	}
	case ETM_STMT_IF:
		check_block(C, &s->u.if_.then_block);
		if (s->u.if_.has_else)
			check_block(C, &s->u.if_.else_block);
		break;
	case ETM_STMT_WHILE:
		check_block(C, &s->u.while_.body);
		break;
	case ETM_STMT_FOREACH:
		set(C, &s->u.foreach.var, ETM_DECL_NONE);
		check_block(C, &s->u.foreach.body);
		break;
	case ETM_STMT_ROUTE:
		check_block(C, &s->u.route.body);
		break;
	case ETM_STMT_EVERY:
		check_block(C, &s->u.every.body);
		break;
	case ETM_STMT_FILEREAD:
	case ETM_STMT_READCSV:
		set(C, &s->u.fileread.target.name, ETM_DECL_NONE);
		break;
	case ETM_STMT_DBQUERY:
		set(C, &s->u.dbquery.target.name, ETM_DECL_NONE);
		break;
	default:
		break;
	}
}

static void check_block(struct checker *C, const struct etm_block *b)
{
	for (size_t i = 0; i < b->n; i++)
		check_stmt(C, b->items[i]);
}

int etm_check(const struct etm_ast_program *prog, struct etm_diag *diags)
{
	struct table top = { 0 };
	struct checker C = { .prog = prog, .diags = diags, .t = &top };
	check_block(&C, &prog->body);
	free(top.slots);
	if (C.oom) {
		etm_diag_add(diags, ETM_DIAG_TYPE, NULL, 0, 0, "நினைவகம் போதவில்லை  (out of memory)");
		return C.nerrors + 1;
	}
	return C.nerrors;
}
