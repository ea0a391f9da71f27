/* parser.c -- eTamil tokens to AST (spec §4), reproducing the reference
 * parser's acceptance and its error messages exactly.
 *
 * The first error ends parsing: it is recorded in the diagnostics and the
 * parser unwinds with longjmp to etm_parse_tokens.  Everything, including
 * the growing lists, is allocated in the program's arena, so unwinding
 * leaks nothing (the caller frees the arena).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "arena.h"
#include "keywords.h"
#include "parser.h"

struct parser {
	struct etm_lexer lx;
	struct etm_token la;	/* lookahead */
	int has_la;
	uint32_t last_line, last_col;	/* last consumed token */
	struct etm_arena *arena;
	uint32_t file_index;
	const char *file;
	struct etm_diag *diags;
	int depth;
	jmp_buf jb;
};

/* A growing array of pointers in the arena. */
struct vec {
	void **items;
	size_t n, cap;
};

/* Expected-token descriptions (spec §4). */
#define EXP_STATEMENT "a statement"
#define EXP_VALUE "a value"
#define EXP_NAME_AFTER_TYPE "a name after the type"
#define EXP_FUNCTION_NAME "a function name"
#define EXP_PARAMETER "a parameter name"
#define EXP_LOOP_VAR "a loop variable"
#define EXP_FIELD "a field name"
#define EXP_READ_INTO "a variable to read into"
#define EXP_ROWS "a variable to hold the rows"
#define EXP_TABLE "a table name"
#define EXP_COLUMN "a column name"
#define EXP_DB_TYPE "a database type"
#define EXP_METHOD "an HTTP method"
#define EXP_COND_KW "எனில் (eZil) or சுற்று (cuRRu) after a condition"
#define EXP_IMPORT_PATH "a quoted file path after இறக்கு (iRakku)"

static _Noreturn void oom(struct parser *P)
{
	etm_diag_add(P->diags, ETM_DIAG_PARSE, P->file, 0, 0,
		     "நினைவகம் போதவில்லை  (out of memory)");
	longjmp(P->jb, 1);
}

static void *alloc(struct parser *P, size_t size)
{
	void *p = etm_arena_alloc(P->arena, size);
	if (!p)
		oom(P);
	return p;
}

static struct etm_str str_copy(struct parser *P, const char *s, size_t len)
{
	char *c = etm_arena_strndup(P->arena, s, len);
	if (!c)
		oom(P);
	return (struct etm_str){ c, len };
}

static void vec_push(struct parser *P, struct vec *v, void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		void **items = alloc(P, cap * sizeof *items);
		if (v->n)
			memcpy(items, v->items, v->n * sizeof *items);
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = item;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return NULL;
	char *buf = malloc((size_t)len + 1);
	if (buf)
		vsnprintf(buf, (size_t)len + 1, fmt, ap);
	return buf;
}

static _Noreturn void fail(struct parser *P, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = vformat(fmt, ap);
	va_end(ap);
	if (!msg)
		oom(P);
	int rc = etm_diag_add(P->diags, ETM_DIAG_PARSE, P->file, line, col, msg);
	free(msg);
	if (rc < 0)
		oom(P);
	longjmp(P->jb, 1);
}

static _Noreturn void mismatch(struct parser *P, const struct etm_token *t, const char *expected)
{
	unsigned l = t->line, c = t->column;
	int len = (int)t->len;
	fail(P, l, c,
	     "வரி %u, நெடுவரிசை %u: %s எதிர்பார்க்கப்பட்டது, '%.*s' கிடைத்தது  "
	     "(line %u, column %u: expected %s, found '%.*s')",
	     l, c, expected, len, t->text, l, c, expected, len, t->text);
}

static _Noreturn void at_end(struct parser *P, const char *expected)
{
	unsigned l = P->last_line, c = P->last_col;
	fail(P, l, c,
	     "வரி %u, நெடுவரிசை %u: %s எதிர்பார்க்கப்பட்டது, உள்ளீடு முடிந்தது  "
	     "(line %u, column %u: expected %s, but the input ended)",
	     l, c, expected, l, c, expected);
}

static void enter(struct parser *P, const struct etm_token *t)
{
	if (++P->depth > ETM_PARSE_MAX_DEPTH) {
		unsigned l = t ? t->line : P->last_line, c = t ? t->column : P->last_col;
		fail(P, l, c,
		     "வரி %u, நெடுவரிசை %u: மிக ஆழமான கூடு  "
		     "(line %u, column %u: nesting too deep, more than %d levels)",
		     l, c, l, c, ETM_PARSE_MAX_DEPTH);
	}
}

static void leave(struct parser *P)
{
	P->depth--;
}

/* ------------------------------------------------------------------ */
/* Tokens                                                              */

/* The lookahead token, NULL at the end of the input.  The pointer is
   only valid until the next advance(). */
static const struct etm_token *peek(struct parser *P)
{
	return P->has_la ? &P->la : NULL;
}

static void fetch(struct parser *P)
{
	int rc = etm_lexer_next(&P->lx, &P->la);
	if (rc < 0)
		oom(P);
	P->has_la = rc > 0;
}

/* Consume the lookahead (the caller has checked there is one). */
static struct etm_token advance(struct parser *P)
{
	struct etm_token t = P->la;
	P->last_line = t.line;
	P->last_col = t.column;
	fetch(P);
	return t;
}

/* The kind of the lookahead token, or -1 at the end of the input. */
static int la_kind(struct parser *P)
{
	return P->has_la ? (int)P->la.kind : -1;
}

/* Consume the lookahead and return its position (no token copy: these
   functions recurse once per nesting level). */
static struct etm_pos advance_pos(struct parser *P)
{
	struct etm_pos pos = { P->la.line, P->la.column, P->file_index };
	advance(P);
	return pos;
}

static struct etm_token take(struct parser *P, const char *expected)
{
	if (!P->has_la)
		at_end(P, expected);
	return advance(P);
}

static int peek_is(struct parser *P, enum etm_tok_kind kind)
{
	const struct etm_token *t = peek(P);
	return t && t->kind == kind;
}

static int peek_kw(struct parser *P, enum etm_kw kw)
{
	const struct etm_token *t = peek(P);
	return t && t->kind == ETM_TOK_KEYWORD && t->kw == kw;
}

static int matches(struct parser *P, enum etm_tok_kind kind)
{
	if (!peek_is(P, kind))
		return 0;
	advance(P);
	return 1;
}

static int matches_kw(struct parser *P, enum etm_kw kw)
{
	if (!peek_kw(P, kw))
		return 0;
	advance(P);
	return 1;
}

static const char *describe(enum etm_tok_kind kind)
{
	switch (kind) {
	case ETM_TOK_SEMICOLON: return "';'";
	case ETM_TOK_COMMA: return "','";
	case ETM_TOK_COLON: return "':'";
	case ETM_TOK_ASSIGN: return "'='";
	case ETM_TOK_LPAREN: return "'('";
	case ETM_TOK_RPAREN: return "')'";
	case ETM_TOK_LBRACE: return "'{'";
	case ETM_TOK_RBRACE: return "'}'";
	case ETM_TOK_LBRACKET: return "'['";
	case ETM_TOK_RBRACKET: return "']'";
	default: return etm_tok_kind_name(kind);
	}
}

static void expect(struct parser *P, enum etm_tok_kind kind)
{
	const struct etm_token *t = peek(P);
	if (!t)
		at_end(P, describe(kind));
	if (t->kind != kind)
		mismatch(P, t, describe(kind));
	advance(P);
}

static void expect_kw(struct parser *P, enum etm_kw kw, const char *desc)
{
	const struct etm_token *t = peek(P);
	if (!t)
		at_end(P, desc);
	if (t->kind != ETM_TOK_KEYWORD || t->kw != kw)
		mismatch(P, t, desc);
	advance(P);
}

/* An identifier or a keyword that may be used as a name. */
static int is_name_token(const struct etm_token *t)
{
	return t->kind == ETM_TOK_IDENT
		|| (t->kind == ETM_TOK_KEYWORD && etm_kw_role(t->kw) == ETM_KW_ROLE_NAME_OK);
}

static int is_type_token(const struct etm_token *t)
{
	return t->kind == ETM_TOK_KEYWORD && etm_kw_role(t->kw) == ETM_KW_ROLE_TYPE;
}

static enum etm_decl_type decl_of(enum etm_kw kw)
{
	switch (kw) {
	case ETM_KW_IntegerType:
	case ETM_KW_FloatType:
		return ETM_DECL_NUMBER;
	case ETM_KW_StringType:
	case ETM_KW_TextType:
		return ETM_DECL_TEXT;
	case ETM_KW_BoolType:
		return ETM_DECL_BOOLEAN;
	case ETM_KW_ArrayType:
		return ETM_DECL_ARRAY;
	case ETM_KW_ObjectType:
	case ETM_KW_DataType:
		return ETM_DECL_RECORD;
	case ETM_KW_DateType:
		return ETM_DECL_DATE;
	default:
		return ETM_DECL_NONE;
	}
}

static struct etm_pos pos_of(struct parser *P, const struct etm_token *t)
{
	return (struct etm_pos){ t->line, t->column, P->file_index };
}

/* The name a token stands for: a string's contents, else its text. */
static struct etm_str name_of(struct parser *P, const struct etm_token *t)
{
	if (t->kind == ETM_TOK_STRING)
		return (struct etm_str){ t->str, t->str_len };
	return str_copy(P, t->text, t->len);
}

static struct etm_name take_name(struct parser *P, const char *expected)
{
	struct etm_token t_tk = take(P, expected);
	const struct etm_token *t = &t_tk;
	if (t->kind != ETM_TOK_STRING && !is_name_token(t))
		mismatch(P, t, expected);
	return (struct etm_name){ name_of(P, t), pos_of(P, t) };
}

/* Whether Rust's {:?} of a string writes code point CP as \u{...}:
   grapheme extenders and the unprintable (approximated with utf8proc:
   controls, format, unassigned, private use, separators but ' '). */
static int debug_escapes(utf8proc_int32_t cp)
{
	const utf8proc_property_t *p = utf8proc_get_property(cp);
	if (p->boundclass == UTF8PROC_BOUNDCLASS_EXTEND)
		return 1;
	switch (p->category) {
	case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CN:
	case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CS: case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return 1;
	case UTF8PROC_CATEGORY_ZS:
		return cp != ' ';
	default:
		return 0;
	}
}

/* Rust's {:?} of a string, after PREFIX: the reference's debug name of a
   string token used as a route method or database kind. */
static struct etm_str debug_string(struct parser *P, const char *prefix, const char *s, size_t len)
{
	size_t plen = strlen(prefix);
	char *buf = alloc(P, plen + 5 + len * 10);
	size_t n = 0, i = 0;
	memcpy(buf, prefix, plen);
	n += plen;
	buf[n++] = '(';
	buf[n++] = '"';
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		switch (c) {
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\n': esc = "\\n"; break;
		case '\0': esc = "\\0"; break;
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		default: break;
		}
		if (esc) {
			memcpy(buf + n, esc, 2);
			n += 2;
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(len - i), &cp);
		if (k <= 0) {
			buf[n++] = s[i++];
			continue;
		}
		if (debug_escapes(cp))
			n += (size_t)sprintf(buf + n, "\\u{%x}", (unsigned)cp);
		else {
			memcpy(buf + n, s + i, (size_t)k);
			n += (size_t)k;
		}
		i += (size_t)k;
	}
	buf[n++] = '"';
	buf[n++] = ')';
	buf[n] = 0;
	return (struct etm_str){ buf, n };
}

static struct etm_str number_text(struct parser *P, const char *prefix, etm_dec v, int scaled)
{
	char num[ETM_DEC_BUFSZ];
	if (scaled)
		etm_dec_format_scaled(v, num, sizeof num);
	else
		etm_dec_format(v, num, sizeof num);
	size_t plen = prefix ? strlen(prefix) : 0;
	size_t nlen = strlen(num);
	char *buf = alloc(P, plen + nlen + 3);
	size_t n = 0;
	if (prefix) {
		memcpy(buf, prefix, plen);
		n = plen;
		buf[n++] = '(';
	}
	memcpy(buf + n, num, nlen);
	n += nlen;
	if (prefix)
		buf[n++] = ')';
	buf[n] = 0;
	return (struct etm_str){ buf, n };
}

/* A token accepted where "any token" may stand (route method, DB kind). */
static struct etm_any_token any_token(struct parser *P, const char *expected)
{
	struct etm_token t_tk = take(P, expected);
	const struct etm_token *t = &t_tk;
	struct etm_any_token a;
	a.kw = t->kind == ETM_TOK_KEYWORD ? t->kw : ETM_KW_NONE;
	a.text = str_copy(P, t->text, t->len);
	a.pos = pos_of(P, t);
	const char *name = NULL;
	switch (t->kind) {
	case ETM_TOK_IDENT:
		a.name = a.text;
		return a;
	case ETM_TOK_KEYWORD:
		switch (t->kw) {
		case ETM_KW_HttpGet: name = "GET"; break;
		case ETM_KW_HttpPost: name = "POST"; break;
		case ETM_KW_HttpPut: name = "PUT"; break;
		case ETM_KW_HttpDelete: name = "DELETE"; break;
		case ETM_KW_HttpPatch: name = "PATCH"; break;
		case ETM_KW_HttpOptions: name = "OPTIONS"; break;
		case ETM_KW_HttpHead: name = "HEAD"; break;
		default: name = etm_kw_name(t->kw); break;
		}
		break;
	case ETM_TOK_STRING:
		a.name = debug_string(P, "String", t->str, t->str_len);
		return a;
	case ETM_TOK_NUMBER:
		a.name = number_text(P, "Number", t->num, 1);
		return a;
	case ETM_TOK_PERCENT:
		a.name = number_text(P, "Percentage", t->num, 1);
		return a;
	default:
		name = etm_tok_kind_name(t->kind);
		break;
	}
	a.name = str_copy(P, name, strlen(name));
	return a;
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */

static struct etm_expr *parse_expr(struct parser *P);
static struct etm_expr *parse_post(struct parser *P);

static struct etm_expr *new_expr(struct parser *P, enum etm_expr_kind kind, struct etm_pos pos)
{
	struct etm_expr *e = alloc(P, sizeof *e);
	e->kind = kind;
	e->pos = pos;
	e->depth = 1;
	return e;
}

/* Account for CHILD under E (spec-free limit, see ETM_AST_MAX_DEPTH). */
static void grow(struct parser *P, struct etm_expr *e, const struct etm_expr *child)
{
	if (child->depth + 1 <= e->depth)
		return;
	e->depth = child->depth + 1;
	if (e->depth > ETM_AST_MAX_DEPTH) {
		unsigned l = e->pos.line, c = e->pos.column;
		fail(P, l, c,
		     "வரி %u, நெடுவரிசை %u: மிக ஆழமான கோவை  "
		     "(line %u, column %u: expression too deep, more than %d levels)",
		     l, c, l, c, ETM_AST_MAX_DEPTH);
	}
}

static void grow_all(struct parser *P, struct etm_expr *e, struct etm_expr *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		grow(P, e, items[i]);
}

/* "(" already consumed: arguments up to and including ")". */
static void parse_args(struct parser *P, struct etm_expr ***args, size_t *nargs)
{
	struct vec v = { 0 };
	if (!matches(P, ETM_TOK_RPAREN)) {
		do
			vec_push(P, &v, parse_expr(P));
		while (matches(P, ETM_TOK_COMMA));
		expect(P, ETM_TOK_RPAREN);
	}
	*args = (struct etm_expr **)v.items;
	*nargs = v.n;
}

/* A name already consumed: a call if "(" follows, else a variable. */
static struct etm_expr *name_or_call(struct parser *P, struct etm_str name, struct etm_pos pos)
{
	if (!matches(P, ETM_TOK_LPAREN)) {
		struct etm_expr *e = new_expr(P, ETM_EXPR_VAR, pos);
		e->u.var = name;
		return e;
	}
	struct etm_expr *e = new_expr(P, ETM_EXPR_CALL, pos);
	e->u.call.name = name;
	parse_args(P, &e->u.call.args, &e->u.call.nargs);
	grow_all(P, e, e->u.call.args, e->u.call.nargs);
	return e;
}

static struct etm_expr *number_literal(struct parser *P, const struct etm_token *t)
{
	struct etm_expr *e = new_expr(P, ETM_EXPR_NUMBER, pos_of(P, t));
	e->u.number.value = t->num;
	e->u.number.text = str_copy(P, t->text, t->len);
	e->u.number.is_percent = t->kind == ETM_TOK_PERCENT;
	return e;
}

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* A primary that is a single token: a literal (returned), or a name (NULL
   returned, *NAME and *POS set).  Kept out of line so the token copy is
   not on the stack while nested expressions are parsed. */
static NOINLINE struct etm_expr *primary_token(struct parser *P, struct etm_str *name,
					       struct etm_pos *pos)
{
	struct etm_token t_tk = take(P, EXP_VALUE);
	const struct etm_token *t = &t_tk;
	*pos = pos_of(P, t);
	struct etm_expr *e;
	switch (t->kind) {
	case ETM_TOK_NUMBER:
	case ETM_TOK_PERCENT:
		return number_literal(P, t);
	case ETM_TOK_STRING:
		e = new_expr(P, ETM_EXPR_STRING, *pos);
		e->u.string = (struct etm_str){ t->str, t->str_len };
		return e;
	case ETM_TOK_KEYWORD:
		if (t->kw == ETM_KW_True)
			return new_expr(P, ETM_EXPR_TRUE, *pos);
		if (t->kw == ETM_KW_False)
			return new_expr(P, ETM_EXPR_FALSE, *pos);
		if (t->kw == ETM_KW_Null)
			return new_expr(P, ETM_EXPR_NIL, *pos);
		break;
	default:
		break;
	}
	if (!is_name_token(t))
		mismatch(P, t, EXP_VALUE);
	*name = name_of(P, t);
	return NULL;
}

static struct etm_expr *parse_primary(struct parser *P)
{
	struct etm_expr *e;
	struct etm_pos pos;
	switch (la_kind(P)) {
	case ETM_TOK_LBRACKET: {
		struct vec v = { 0 };
		enter(P, peek(P));
		pos = advance_pos(P);
		if (!matches(P, ETM_TOK_RBRACKET)) {
			do
				vec_push(P, &v, parse_expr(P));
			while (matches(P, ETM_TOK_COMMA));
			expect(P, ETM_TOK_RBRACKET);
		}
		leave(P);
		e = new_expr(P, ETM_EXPR_ARRAY, pos);
		e->u.array.items = (struct etm_expr **)v.items;
		e->u.array.nitems = v.n;
		grow_all(P, e, e->u.array.items, v.n);
		return e;
	}
	case ETM_TOK_LBRACE: {
		struct vec keys = { 0 }, vals = { 0 };
		enter(P, peek(P));
		pos = advance_pos(P);
		if (!matches(P, ETM_TOK_RBRACE)) {
			do {
				struct etm_name *k = alloc(P, sizeof *k);
				*k = take_name(P, EXP_FIELD);
				expect(P, ETM_TOK_COLON);
				vec_push(P, &keys, k);
				vec_push(P, &vals, parse_expr(P));
			} while (matches(P, ETM_TOK_COMMA));
			expect(P, ETM_TOK_RBRACE);
		}
		leave(P);
		e = new_expr(P, ETM_EXPR_RECORD, pos);
		e->u.record.nfields = keys.n;
		e->u.record.values = (struct etm_expr **)vals.items;
		if (keys.n) {
			e->u.record.keys = alloc(P, keys.n * sizeof *e->u.record.keys);
			e->u.record.key_pos = alloc(P, keys.n * sizeof *e->u.record.key_pos);
			for (size_t i = 0; i < keys.n; i++) {
				struct etm_name *k = keys.items[i];
				e->u.record.keys[i] = k->name;
				e->u.record.key_pos[i] = k->pos;
			}
		}
		grow_all(P, e, e->u.record.values, keys.n);
		return e;
	}
	case ETM_TOK_MINUS:
		enter(P, peek(P));
		e = new_expr(P, ETM_EXPR_NEG, advance_pos(P));
		e->u.unary.operand = parse_post(P);
		grow(P, e, e->u.unary.operand);
		leave(P);
		return e;
	case ETM_TOK_LPAREN:
		enter(P, peek(P));
		advance(P);
		e = parse_expr(P);
		expect(P, ETM_TOK_RPAREN);
		leave(P);
		return e;
	default:
		break;
	}
	struct etm_str name;
	if ((e = primary_token(P, &name, &pos)))
		return e;
	return name_or_call(P, name, pos);
}

static struct etm_expr *binary(struct parser *P, enum etm_binop op, struct etm_pos pos,
			       struct etm_expr *l, struct etm_expr *r)
{
	struct etm_expr *e = new_expr(P, ETM_EXPR_BINARY, pos);
	e->u.binary.op = op;
	e->u.binary.left = l;
	e->u.binary.right = r;
	grow(P, e, l);
	grow(P, e, r);
	return e;
}

/* primary { "[" expr "]" | "." name | "?" } */
static struct etm_expr *parse_post(struct parser *P)
{
	struct etm_expr *e = parse_primary(P);
	for (;;) {
		int k = la_kind(P);
		if (k == ETM_TOK_LBRACKET) {
			const struct etm_token *t = peek(P);
			enter(P, t);
			struct etm_expr *x = new_expr(P, ETM_EXPR_INDEX, advance_pos(P));
			x->u.index.base = e;
			x->u.index.index = parse_expr(P);
			grow(P, x, e);
			grow(P, x, x->u.index.index);
			expect(P, ETM_TOK_RBRACKET);
			leave(P);
			e = x;
		} else if (k == ETM_TOK_DOT) {
			struct etm_expr *x = new_expr(P, ETM_EXPR_FIELD, advance_pos(P));
			struct etm_name n = take_name(P, EXP_FIELD);
			x->u.field.base = e;
			x->u.field.name = n.name;
			x->u.field.name_pos = n.pos;
			grow(P, x, e);
			e = x;
		} else if (k == ETM_TOK_QUESTION) {
			struct etm_expr *x = new_expr(P, ETM_EXPR_TRY, advance_pos(P));
			x->u.unary.operand = e;
			grow(P, x, e);
			e = x;
		} else {
			return e;
		}
	}
}

static struct etm_expr *parse_mul(struct parser *P)
{
	struct etm_expr *l = parse_post(P);
	for (;;) {
		enum etm_binop op;
		switch (la_kind(P)) {
		case ETM_TOK_STAR: op = ETM_OP_MUL; break;
		case ETM_TOK_SLASH: op = ETM_OP_DIV; break;
		default: return l;
		}
		struct etm_pos pos = advance_pos(P);
		l = binary(P, op, pos, l, parse_post(P));
	}
}

static struct etm_expr *parse_add(struct parser *P)
{
	struct etm_expr *l = parse_mul(P);
	for (;;) {
		enum etm_binop op;
		switch (la_kind(P)) {
		case ETM_TOK_PLUS: op = ETM_OP_ADD; break;
		case ETM_TOK_MINUS: op = ETM_OP_SUB; break;
		case ETM_TOK_AMP: op = ETM_OP_CONCAT; break;
		default: return l;
		}
		struct etm_pos pos = advance_pos(P);
		l = binary(P, op, pos, l, parse_mul(P));
	}
}

static struct etm_expr *parse_cmp(struct parser *P)
{
	struct etm_expr *l = parse_add(P);
	for (;;) {
		enum etm_binop op;
		switch (la_kind(P)) {
		case ETM_TOK_GT: op = ETM_OP_GT; break;
		case ETM_TOK_LT: op = ETM_OP_LT; break;
		case ETM_TOK_EQ: op = ETM_OP_EQ; break;
		case ETM_TOK_NE: op = ETM_OP_NE; break;
		case ETM_TOK_GE: op = ETM_OP_GE; break;
		case ETM_TOK_LE: op = ETM_OP_LE; break;
		default: return l;
		}
		struct etm_pos pos = advance_pos(P);
		l = binary(P, op, pos, l, parse_add(P));
	}
}

static struct etm_expr *parse_not(struct parser *P)
{
	if (peek_kw(P, ETM_KW_Not)) {
		enter(P, peek(P));
		struct etm_expr *e = new_expr(P, ETM_EXPR_NOT, advance_pos(P));
		e->u.unary.operand = parse_not(P);
		grow(P, e, e->u.unary.operand);
		leave(P);
		return e;
	}
	return parse_cmp(P);
}

static struct etm_expr *parse_and(struct parser *P)
{
	struct etm_expr *l = parse_not(P);
	while (peek_kw(P, ETM_KW_And)) {
		struct etm_pos pos = advance_pos(P);
		l = binary(P, ETM_OP_AND, pos, l, parse_not(P));
	}
	return l;
}

static struct etm_expr *parse_expr(struct parser *P)
{
	struct etm_expr *l = parse_and(P);
	while (peek_kw(P, ETM_KW_Or)) {
		struct etm_pos pos = advance_pos(P);
		l = binary(P, ETM_OP_OR, pos, l, parse_and(P));
	}
	return l;
}

/* ------------------------------------------------------------------ */
/* The file-open mode, from the parse tree (spec §4).                  */

static struct etm_str lowercase(struct parser *P, const char *s, size_t len)
{
	/* at most 3 bytes out per byte in (U+0130 -> "i\u0307" is 2 -> 3) */
	char *out = alloc(P, len * 3 + 1);
	size_t n = 0, i = 0;
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						      (utf8proc_ssize_t)(len - i), &cp);
		if (k <= 0) {
			out[n++] = s[i++];
			continue;
		}
		i += (size_t)k;
		if (cp == 0x130) {
			/* Rust's to_lowercase: "i" + combining dot above */
			n += (size_t)utf8proc_encode_char('i', (utf8proc_uint8_t *)out + n);
			n += (size_t)utf8proc_encode_char(0x307, (utf8proc_uint8_t *)out + n);
			continue;
		}
		n += (size_t)utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)out + n);
	}
	out[n] = 0;
	return (struct etm_str){ out, n };
}

static struct etm_str mode_text(struct parser *P, const struct etm_expr *e)
{
	const char *s = NULL;
	switch (e->kind) {
	case ETM_EXPR_STRING: return lowercase(P, e->u.string.s, e->u.string.len);
	case ETM_EXPR_VAR: return lowercase(P, e->u.var.s, e->u.var.len);
	case ETM_EXPR_CALL: return lowercase(P, e->u.call.name.s, e->u.call.name.len);
	case ETM_EXPR_FIELD: return lowercase(P, e->u.field.name.s, e->u.field.name.len);
	case ETM_EXPR_NUMBER: return number_text(P, NULL, e->u.number.value, 1);
	case ETM_EXPR_TRUE: s = "true"; break;
	case ETM_EXPR_FALSE: s = "false"; break;
	case ETM_EXPR_NIL: s = "nil"; break;
	case ETM_EXPR_NEG: s = "-"; break;
	case ETM_EXPR_NOT: s = "not"; break;
	case ETM_EXPR_ARRAY: s = "array"; break;
	case ETM_EXPR_RECORD: s = "record"; break;
	case ETM_EXPR_INDEX: s = "index"; break;
	case ETM_EXPR_TRY: s = "try"; break;
	case ETM_EXPR_BINARY:
		switch (e->u.binary.op) {
		case ETM_OP_ADD: s = "+"; break;
		case ETM_OP_SUB: s = "-"; break;
		case ETM_OP_MUL: s = "*"; break;
		case ETM_OP_DIV: s = "/"; break;
		case ETM_OP_CONCAT: s = "concat"; break;
		case ETM_OP_EQ: s = "=="; break;
		case ETM_OP_NE: s = "!="; break;
		case ETM_OP_LT: s = "<"; break;
		case ETM_OP_LE: s = "<="; break;
		case ETM_OP_GT: s = ">"; break;
		case ETM_OP_GE: s = ">="; break;
		case ETM_OP_AND: s = "&&"; break;
		case ETM_OP_OR: s = "||"; break;
		}
		break;
	}
	if (!s)
		s = "";
	return str_copy(P, s, strlen(s));
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

static struct etm_stmt *parse_stmt(struct parser *P);

static struct etm_stmt *new_stmt(struct parser *P, enum etm_stmt_kind kind, struct etm_pos pos)
{
	struct etm_stmt *s = alloc(P, sizeof *s);
	s->kind = kind;
	s->pos = pos;
	return s;
}

/* "{" already consumed: statements up to and including "}". */
static struct etm_block parse_block(struct parser *P)
{
	struct vec v = { 0 };
	for (;;) {
		if (matches(P, ETM_TOK_RBRACE))
			break;
		if (!peek(P))
			at_end(P, "'}'");
		vec_push(P, &v, parse_stmt(P));
	}
	return (struct etm_block){ (struct etm_stmt **)v.items, v.n };
}

static struct etm_block brace_block(struct parser *P)
{
	expect(P, ETM_TOK_LBRACE);
	return parse_block(P);
}

static struct etm_stmt *name_statement(struct parser *P, const struct etm_token *first,
				       const struct etm_token *t, enum etm_kw type_kw)
{
	struct etm_pos pos = pos_of(P, first);
	struct etm_str name = name_of(P, t);
	struct etm_pos npos = pos_of(P, t);
	struct etm_stmt *s;

	if (peek_is(P, ETM_TOK_LPAREN)) {
		s = new_stmt(P, ETM_STMT_CALL, pos);
		s->u.call.call = name_or_call(P, name, npos);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	}
	if (matches(P, ETM_TOK_LBRACKET)) {
		s = new_stmt(P, ETM_STMT_STORE_INDEX, pos);
		s->u.store_index.name = name;
		s->u.store_index.name_pos = npos;
		s->u.store_index.index = parse_expr(P);
		expect(P, ETM_TOK_RBRACKET);
		expect(P, ETM_TOK_ASSIGN);
		s->u.store_index.value = parse_expr(P);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	}
	if (matches(P, ETM_TOK_DOT)) {
		s = new_stmt(P, ETM_STMT_STORE_FIELD, pos);
		s->u.store_field.name = name;
		s->u.store_field.name_pos = npos;
		struct etm_name f = take_name(P, EXP_FIELD);
		s->u.store_field.field = f.name;
		s->u.store_field.field_pos = f.pos;
		expect(P, ETM_TOK_ASSIGN);
		s->u.store_field.value = parse_expr(P);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	}
	s = new_stmt(P, ETM_STMT_ASSIGN, pos);
	s->u.assign.name = name;
	s->u.assign.name_pos = npos;
	s->u.assign.decl = decl_of(type_kw);
	s->u.assign.decl_kw = type_kw;
	if (matches(P, ETM_TOK_SEMICOLON)) {
		struct etm_expr *zero = new_expr(P, ETM_EXPR_NUMBER, npos);
		zero->u.number.value = etm_dec_zero();
		zero->u.number.text = str_copy(P, "0", 1);
		s->u.assign.value = zero;
		s->u.assign.has_init = 0;
		return s;
	}
	expect(P, ETM_TOK_ASSIGN);
	s->u.assign.value = parse_expr(P);
	s->u.assign.has_init = 1;
	expect(P, ETM_TOK_SEMICOLON);
	return s;
}

static struct etm_expr *expr_then(struct parser *P, enum etm_tok_kind kind)
{
	struct etm_expr *e = parse_expr(P);
	expect(P, kind);
	return e;
}

static struct etm_stmt *keyword_statement(struct parser *P, const struct etm_token *t)
{
	struct etm_pos pos = pos_of(P, t);
	struct etm_stmt *s;
	switch (t->kw) {
	case ETM_KW_Function: {
		s = new_stmt(P, ETM_STMT_FUNCTION, pos);
		struct etm_name n = take_name(P, EXP_FUNCTION_NAME);
		s->u.function.name = n.name;
		s->u.function.name_pos = n.pos;
		expect(P, ETM_TOK_LPAREN);
		struct vec v = { 0 };
		if (!matches(P, ETM_TOK_RPAREN)) {
			do {
				struct etm_name *p = alloc(P, sizeof *p);
				*p = take_name(P, EXP_PARAMETER);
				vec_push(P, &v, p);
			} while (matches(P, ETM_TOK_COMMA));
			expect(P, ETM_TOK_RPAREN);
		}
		if (v.n) {
			s->u.function.params = alloc(P, v.n * sizeof *s->u.function.params);
			for (size_t i = 0; i < v.n; i++)
				s->u.function.params[i] = *(struct etm_name *)v.items[i];
		}
		s->u.function.nparams = v.n;
		s->u.function.body = brace_block(P);
		return s;
	}
	case ETM_KW_Import: {
		struct etm_expr *e = expr_then(P, ETM_TOK_SEMICOLON);
		if (e->kind != ETM_EXPR_STRING)
			at_end(P, EXP_IMPORT_PATH);
		s = new_stmt(P, ETM_STMT_IMPORT, pos);
		s->u.import.path = e->u.string;
		return s;
	}
	case ETM_KW_ForEach: {
		s = new_stmt(P, ETM_STMT_FOREACH, pos);
		struct etm_name n = take_name(P, EXP_LOOP_VAR);
		s->u.foreach.var = n.name;
		s->u.foreach.var_pos = n.pos;
		expect_kw(P, ETM_KW_In, "இல் (il)");
		s->u.foreach.collection = parse_expr(P);
		s->u.foreach.body = brace_block(P);
		return s;
	}
	case ETM_KW_Return:
		s = new_stmt(P, ETM_STMT_RETURN, pos);
		if (!matches(P, ETM_TOK_SEMICOLON))
			s->u.return_.value = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_Print:
		s = new_stmt(P, ETM_STMT_PRINT, pos);
		s->u.print.value = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_Input:
		s = new_stmt(P, ETM_STMT_INPUT, pos);
		s->u.input.value = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_FileOpen:
		s = new_stmt(P, ETM_STMT_FILEOPEN, pos);
		s->u.fileopen.file = parse_expr(P);
		if (matches(P, ETM_TOK_COMMA)) {
			s->u.fileopen.mode_expr = parse_expr(P);
			s->u.fileopen.mode = mode_text(P, s->u.fileopen.mode_expr);
		} else {
			s->u.fileopen.mode = str_copy(P, "read", 4);
		}
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_FileClose:
		s = new_stmt(P, ETM_STMT_FILECLOSE, pos);
		s->u.fileclose.file = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_FileWrite:
	case ETM_KW_WriteCSV:
		s = new_stmt(P, t->kw == ETM_KW_FileWrite ? ETM_STMT_FILEWRITE : ETM_STMT_WRITECSV, pos);
		s->u.filewrite.file = expr_then(P, ETM_TOK_COMMA);
		s->u.filewrite.value = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_FileRead:
	case ETM_KW_ReadCSV:
		s = new_stmt(P, t->kw == ETM_KW_FileRead ? ETM_STMT_FILEREAD : ETM_STMT_READCSV, pos);
		s->u.fileread.file = expr_then(P, ETM_TOK_COMMA);
		s->u.fileread.target = take_name(P, EXP_READ_INTO);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_DBConnect:
		s = new_stmt(P, ETM_STMT_DBCONNECT, pos);
		s->u.dbconnect.kind = any_token(P, EXP_DB_TYPE);
		expect(P, ETM_TOK_COMMA);
		s->u.dbconnect.conn = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_DBDisconnect:
		s = new_stmt(P, ETM_STMT_DBDISCONNECT, pos);
		s->u.dbdisconnect.kind = any_token(P, EXP_DB_TYPE);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_DBQuery:
		s = new_stmt(P, ETM_STMT_DBQUERY, pos);
		s->u.dbquery.sql = expr_then(P, ETM_TOK_COMMA);
		s->u.dbquery.params = expr_then(P, ETM_TOK_COMMA);
		s->u.dbquery.target = take_name(P, EXP_ROWS);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_DBExecute:
		s = new_stmt(P, ETM_STMT_DBEXECUTE, pos);
		s->u.dbexecute.sql = expr_then(P, ETM_TOK_COMMA);
		s->u.dbexecute.params = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_DBInsert:
		s = new_stmt(P, ETM_STMT_DBINSERT, pos);
		s->u.dbinsert.table = take_name(P, EXP_TABLE);
		expect(P, ETM_TOK_COMMA);
		s->u.dbinsert.data = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_DBUpdate:
		s = new_stmt(P, ETM_STMT_DBUPDATE, pos);
		s->u.dbupdate.table = take_name(P, EXP_TABLE);
		expect(P, ETM_TOK_COMMA);
		s->u.dbupdate.data = parse_expr(P);
		if (matches(P, ETM_TOK_COMMA))
			s->u.dbupdate.cond = parse_expr(P);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_DBDelete:
		s = new_stmt(P, ETM_STMT_DBDELETE, pos);
		s->u.dbdelete.table = take_name(P, EXP_TABLE);
		expect(P, ETM_TOK_COMMA);
		s->u.dbdelete.cond = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_CreateTable:
		s = new_stmt(P, ETM_STMT_CREATETABLE, pos);
		s->u.createtable.table = take_name(P, EXP_TABLE);
		expect(P, ETM_TOK_COMMA);
		s->u.createtable.schema = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_Select: {
		s = new_stmt(P, ETM_STMT_SELECT, pos);
		struct vec v = { 0 };
		do {
			struct etm_name *c = alloc(P, sizeof *c);
			*c = take_name(P, EXP_COLUMN);
			vec_push(P, &v, c);
		} while (matches(P, ETM_TOK_COMMA));
		s->u.select.columns = alloc(P, v.n * sizeof *s->u.select.columns);
		for (size_t i = 0; i < v.n; i++)
			s->u.select.columns[i] = *(struct etm_name *)v.items[i];
		s->u.select.ncolumns = v.n;
		expect_kw(P, ETM_KW_From, "இதனில் (iqaZil)");
		s->u.select.table = take_name(P, EXP_TABLE);
		if (matches_kw(P, ETM_KW_Where))
			s->u.select.where = parse_expr(P);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	}
	case ETM_KW_Route:
		s = new_stmt(P, ETM_STMT_ROUTE, pos);
		s->u.route.method = any_token(P, EXP_METHOD);
		expect(P, ETM_TOK_COMMA);
		s->u.route.path = parse_expr(P);
		s->u.route.body = brace_block(P);
		return s;
	case ETM_KW_Every:
		s = new_stmt(P, ETM_STMT_EVERY, pos);
		s->u.every.seconds = parse_expr(P);
		s->u.every.body = brace_block(P);
		return s;
	case ETM_KW_StartServer:
		s = new_stmt(P, ETM_STMT_STARTSERVER, pos);
		s->u.startserver.host = expr_then(P, ETM_TOK_COMMA);
		s->u.startserver.port = expr_then(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_StopServer:
		s = new_stmt(P, ETM_STMT_STOPSERVER, pos);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_Response:
		s = new_stmt(P, ETM_STMT_RESPONSE, pos);
		s->u.response.status = expr_then(P, ETM_TOK_COMMA);
		s->u.response.body = parse_expr(P);
		if (matches(P, ETM_TOK_COMMA))
			s->u.response.headers = parse_expr(P);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	case ETM_KW_JSONBody:
		s = new_stmt(P, ETM_STMT_JSONBODY, pos);
		s->u.jsonbody.data = parse_expr(P);
		if (matches(P, ETM_TOK_COMMA))
			s->u.jsonbody.status = parse_expr(P);
		expect(P, ETM_TOK_SEMICOLON);
		return s;
	default:
		mismatch(P, t, EXP_STATEMENT);
	}
}

static struct etm_stmt *parse_stmt(struct parser *P)
{
	struct etm_token first_tk = take(P, EXP_STATEMENT);
	const struct etm_token *first = &first_tk;
	const struct etm_token *t = first;
	struct etm_token name_tk;
	enum etm_kw type_kw = ETM_KW_NONE;
	struct etm_stmt *s;

	enter(P, first);
	if (is_type_token(first)) {
		/* a type word followed by a non-name is dropped (spec §4) */
		type_kw = first->kw;
		name_tk = take(P, EXP_NAME_AFTER_TYPE);
		t = &name_tk;
	}
	if (is_name_token(t)) {
		s = name_statement(P, first, t, type_kw);
	} else if (t->kind == ETM_TOK_LPAREN) {
		s = new_stmt(P, ETM_STMT_IF, pos_of(P, t));
		struct etm_expr *cond = expr_then(P, ETM_TOK_RPAREN);
		struct etm_token k_tk = take(P, EXP_COND_KW);
		const struct etm_token *k = &k_tk;
		if (k->kind == ETM_TOK_KEYWORD && k->kw == ETM_KW_If) {
			s->u.if_.cond = cond;
			s->u.if_.then_block = brace_block(P);
			if (matches_kw(P, ETM_KW_Else)) {
				s->u.if_.has_else = 1;
				s->u.if_.else_block = brace_block(P);
			}
		} else if (k->kind == ETM_TOK_KEYWORD && k->kw == ETM_KW_Loop) {
			s->kind = ETM_STMT_WHILE;
			s->u.while_.cond = cond;
			s->u.while_.body = brace_block(P);
		} else {
			mismatch(P, k, EXP_COND_KW);
		}
	} else if (t->kind == ETM_TOK_KEYWORD) {
		s = keyword_statement(P, t);
	} else {
		mismatch(P, t, EXP_STATEMENT);
	}
	leave(P);
	return s;
}

/* Parse the whole input; the only function that calls setjmp, so that no
   local of it changes between setjmp and longjmp. */
static int parse_all(struct parser *P, struct etm_block *out)
{
	struct vec *volatile top = NULL;
	if (setjmp(P->jb))
		return -1;
	fetch(P);
	top = alloc(P, sizeof *top);
	while (peek(P))
		vec_push(P, top, parse_stmt(P));
	out->items = (struct etm_stmt **)top->items;
	out->n = top->n;
	return 0;
}

int etm_parse_source(const char *src, size_t len, struct etm_arena *arena, uint32_t file_index,
		     const char *file, struct etm_block *out, struct etm_diag *diags)
{
	/* Lexical errors go to LEXD, the parse error to PARSED: when there is
	   any lexical error, only those are reported (the reference lexes the
	   whole file before parsing). */
	struct etm_diag lexd, parsed;
	etm_diag_init(&lexd);
	etm_diag_init(&parsed);
	struct parser P = {
		.last_line = 1, .last_col = 1, .arena = arena,
		.file_index = file_index, .file = file, .diags = &parsed,
	};
	etm_lexer_init(&P.lx, src, len, arena, file, &lexd);
	int rc = parse_all(&P, out);
	/* the rest of the file may still hold lexical errors */
	struct etm_token t;
	int more;
	while ((more = etm_lexer_next(&P.lx, &t)) > 0)
		;
	if (more < 0) {
		etm_diag_free(&lexd);
		etm_diag_free(&parsed);
		etm_diag_add(diags, ETM_DIAG_PARSE, file, 0, 0, "நினைவகம் போதவில்லை  (out of memory)");
		return -1;
	}
	struct etm_diag *keep = P.lx.nerrors ? &lexd : &parsed;
	for (size_t i = 0; i < keep->n; i++) {
		struct etm_diag_item *it = &keep->items[i];
		if (etm_diag_add(diags, it->kind, it->file, it->line, it->column, it->message) < 0)
			break;
	}
	if (P.lx.nerrors)
		rc = -1;
	etm_diag_free(&lexd);
	etm_diag_free(&parsed);
	return rc;
}
