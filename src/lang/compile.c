/* compile.c -- the compiler from the syntax tree (ast.h) to the compact
 * word code of compile.h.
 *
 * Names are resolved to slots here: at top level (and in route and
 * schedule bodies) every name is a global; inside a function every name the
 * function writes anywhere is a local (spec §7.1), read with a fall-back to
 * the global of the same name while it is unset.  Functions are registered
 * at compile time in post-order (a definition counts once its body is
 * compiled, as in the reference, so the last one wins).  Literal-only
 * arithmetic is folded, and `x + literal` style operations use the *K
 * instructions.
 */
#include <stdlib.h>
#include <string.h>

#include "compile.h"

#define LBL_NOTIMPL " — இந்த VM இல் இன்னும் செயல்படுத்தப்படவில்லை  (not implemented in the VM yet)"

typedef struct fctx {
	const struct etm_stmt *def;
	char **names;		/* local slot names (NULL: anonymous) */
	size_t *lens;
	uint32_t nparams;
	uint32_t nlocals, cap;
} fctx;

typedef struct defl {
	const struct etm_stmt **v;
	size_t n, cap;
} defl;

/* Compile-time map from byte strings to indices (open addressing). */
typedef struct strmap {
	uint32_t *slots;	/* index + 1, 0 = empty */
	uint32_t mask;
	size_t n;
} strmap;

typedef struct comp {
	strmap consts, calls;
	etm_program *p;
	const struct etm_ast_program *ast;
	fctx *fn;
	int sp, maxsp;
	defl alldefs;		/* every FUNCTION statement, compiled once */
	int toplevel;		/* 1 while compiling the top-level list itself */
} comp;

/* ------------------------------------------------------------------ */
/* Growable arrays                                                     */

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(p, n * elem);
	if (!q)
		abort();
	*cap = n;
	return q;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static void defl_add(defl *d, const struct etm_stmt *s)
{
	d->v = grow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = s;
}

/* ------------------------------------------------------------------ */
/* Emission                                                            */

static uint32_t here(comp *c)
{
	return (uint32_t)c->p->ncode;
}

static void word(comp *c, uint32_t w)
{
	etm_program *p = c->p;
	p->code = grow(p->code, &p->capcode, p->ncode + 1, sizeof(uint32_t));
	p->code[p->ncode++] = w;
}

static uint32_t emit(comp *c, int op, uint32_t a, int effect)
{
	uint32_t at = here(c);
	word(c, (uint32_t)op | (a << 8));
	c->sp += effect;
	if (c->sp > c->maxsp)
		c->maxsp = c->sp;
	return at;
}

static void patch(comp *c, uint32_t at, uint32_t target)
{
	c->p->code[at] = (c->p->code[at] & 0xffu) | (target << 8);
}

static void mark_pos(comp *c, struct etm_pos pos)
{
	etm_program *p = c->p;
	if (p->npos && p->pos[p->npos - 1].pc == here(c)) {
		p->npos--;
	}
	p->pos = grow(p->pos, &p->cappos, p->npos + 1, sizeof(*p->pos));
	p->pos[p->npos].pc = here(c);
	p->pos[p->npos].line = pos.line;
	p->pos[p->npos].column = pos.column;
	p->pos[p->npos].file = pos.file;
	p->npos++;
}

/* Find KEY in M; KEY_OF(ud, i) gives the bytes of entry i. */
static long strmap_find(const strmap *m, const char *key, size_t len,
			const char *(*key_of)(const comp *, uint32_t, size_t *),
			const comp *c)
{
	if (!m->slots)
		return -1;
	uint32_t i = etm_hash_bytes(key, len) & m->mask;
	while (m->slots[i]) {
		size_t kl;
		const char *k = key_of(c, m->slots[i] - 1, &kl);
		if (kl == len && memcmp(k, key, len) == 0)
			return m->slots[i] - 1;
		i = (i + 1) & m->mask;
	}
	return -1;
}

static void strmap_put(strmap *m, uint32_t idx,
		       const char *(*key_of)(const comp *, uint32_t, size_t *),
		       const comp *c)
{
	if ((m->n + 1) * 2 > (size_t)m->mask + 1 || !m->slots) {
		uint32_t size = m->slots ? (m->mask + 1) * 2 : 256;
		uint32_t *old = m->slots;
		uint32_t oldsize = m->slots ? m->mask + 1 : 0;
		m->slots = calloc(size, sizeof(uint32_t));
		if (!m->slots)
			abort();
		m->mask = size - 1;
		for (uint32_t j = 0; j < oldsize; j++) {
			if (!old[j])
				continue;
			size_t kl;
			const char *k = key_of(c, old[j] - 1, &kl);
			uint32_t i = etm_hash_bytes(k, kl) & m->mask;
			while (m->slots[i])
				i = (i + 1) & m->mask;
			m->slots[i] = old[j];
		}
		free(old);
	}
	size_t kl;
	const char *k = key_of(c, idx, &kl);
	uint32_t i = etm_hash_bytes(k, kl) & m->mask;
	while (m->slots[i])
		i = (i + 1) & m->mask;
	m->slots[i] = idx + 1;
	m->n++;
}

static const char *const_key(const comp *c, uint32_t i, size_t *len)
{
	etm_string *s = ETM_STR(c->p->consts[i]);
	*len = s->len;
	return s->data;
}

static const char *call_key(const comp *c, uint32_t i, size_t *len)
{
	*len = strlen(c->p->calls[i].name);
	return c->p->calls[i].name;
}

static uint32_t add_const(comp *c, etm_value v)
{
	etm_program *p = c->p;
	p->consts = grow(p->consts, &p->capconsts, p->nconsts + 1, sizeof(etm_value));
	p->consts[p->nconsts] = v;
	return (uint32_t)p->nconsts++;
}

static uint32_t str_const(comp *c, const char *s, size_t len)
{
	etm_program *p = c->p;
	long found = strmap_find(&c->consts, s, len, const_key, c);
	if (found >= 0)
		return (uint32_t)found;
	etm_value v = etm_str_new(&p->heap, s, len);
	etm_str_make_immortal(ETM_STR(v));
	uint32_t k = add_const(c, v);
	strmap_put(&c->consts, k, const_key, c);
	return k;
}

static uint32_t num_const(comp *c, etm_dec d)
{
	return add_const(c, etm_num(d));
}

/* ------------------------------------------------------------------ */
/* Globals and call names                                              */

static void gindex_put(etm_program *p, uint32_t slot)
{
	const char *n = p->gnames[slot];
	uint32_t i = etm_hash_bytes(n, strlen(n)) & p->gindex_mask;
	while (p->gindex[i])
		i = (i + 1) & p->gindex_mask;
	p->gindex[i] = slot + 1;
}

long etm_program_global(const etm_program *p, const char *name, size_t len)
{
	if (!p->gindex)
		return -1;
	uint32_t i = etm_hash_bytes(name, len) & p->gindex_mask;
	while (p->gindex[i]) {
		uint32_t s = p->gindex[i] - 1;
		if (strlen(p->gnames[s]) == len && memcmp(p->gnames[s], name, len) == 0)
			return s;
		i = (i + 1) & p->gindex_mask;
	}
	return -1;
}

static uint32_t new_global(comp *c, const char *name, size_t len, bool hidden)
{
	etm_program *p = c->p;
	p->gnames = grow(p->gnames, &p->capglobals, p->nglobals + 1, sizeof(char *));
	uint32_t slot = (uint32_t)p->nglobals++;
	p->gnames[slot] = dupn(name, len);
	if (hidden)
		return slot;
	if ((p->nglobals - 1) * 2 >= p->gindex_mask + 1 || !p->gindex) {
		uint32_t size = p->gindex ? (p->gindex_mask + 1) * 2 : 64;
		free(p->gindex);
		p->gindex = calloc(size, sizeof(uint32_t));
		if (!p->gindex)
			abort();
		p->gindex_mask = size - 1;
		for (uint32_t s = 0; s < slot; s++)
			if (p->gnames[s][0] != '#')
				gindex_put(p, s);
	}
	gindex_put(p, slot);
	return slot;
}

static uint32_t global(comp *c, const char *name, size_t len)
{
	long s = etm_program_global(c->p, name, len);
	if (s >= 0)
		return (uint32_t)s;
	return new_global(c, name, len, false);
}

static uint32_t hidden_global(comp *c)
{
	return new_global(c, "#", 1, true);
}

static uint32_t callname(comp *c, const char *name, size_t len)
{
	etm_program *p = c->p;
	long found = strmap_find(&c->calls, name, len, call_key, c);
	if (found >= 0)
		return (uint32_t)found;
	size_t cap = p->ncalls;	/* exact growth is fine: compile time only */
	p->calls = realloc(p->calls, (cap + 1) * sizeof(*p->calls));
	if (!p->calls)
		abort();
	p->calls[p->ncalls].name = dupn(name, len);
	p->calls[p->ncalls].builtin = etm_builtin_find(name, len);
	strmap_put(&c->calls, (uint32_t)p->ncalls, call_key, c);
	return (uint32_t)p->ncalls++;
}

/* ------------------------------------------------------------------ */
/* Locals                                                              */

static long local_of(fctx *f, const char *name, size_t len)
{
	for (uint32_t i = 0; i < f->nlocals; i++)
		if (f->names[i] && f->lens[i] == len && memcmp(f->names[i], name, len) == 0)
			return i;
	return -1;
}

static uint32_t add_local(fctx *f, const char *name, size_t len)
{
	size_t cap = f->cap;
	f->names = grow(f->names, &cap, f->nlocals + 1, sizeof(char *));
	cap = f->cap;
	f->lens = grow(f->lens, &cap, f->nlocals + 1, sizeof(size_t));
	f->cap = cap;
	f->names[f->nlocals] = name ? dupn(name, len) : NULL;
	f->lens[f->nlocals] = len;
	return f->nlocals++;
}

static void note_write(fctx *f, struct etm_str n)
{
	if (local_of(f, n.s, n.len) < 0)
		add_local(f, n.s, n.len);
}

static void scan_writes(fctx *f, const struct etm_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct etm_stmt *s = b->items[i];
		switch (s->kind) {
		case ETM_STMT_ASSIGN:
			note_write(f, s->u.assign.name);
			break;
		case ETM_STMT_STORE_INDEX:
			note_write(f, s->u.store_index.name);
			break;
		case ETM_STMT_STORE_FIELD:
			note_write(f, s->u.store_field.name);
			break;
		case ETM_STMT_IF:
			scan_writes(f, &s->u.if_.then_block);
			if (s->u.if_.has_else)
				scan_writes(f, &s->u.if_.else_block);
			break;
		case ETM_STMT_WHILE:
			scan_writes(f, &s->u.while_.body);
			break;
		case ETM_STMT_FOREACH:
			note_write(f, s->u.foreach.var);
			scan_writes(f, &s->u.foreach.body);
			break;
		case ETM_STMT_INPUT:
			if (s->u.input.value->kind == ETM_EXPR_VAR)
				note_write(f, s->u.input.value->u.var);
			break;
		case ETM_STMT_FILEREAD:
			note_write(f, s->u.fileread.target.name);
			break;
		case ETM_STMT_READCSV:
			note_write(f, s->u.readcsv.target.name);
			break;
		default:
			break;
		}
	}
}

static void fctx_free(fctx *f)
{
	for (uint32_t i = 0; i < f->nlocals; i++)
		free(f->names[i]);
	free(f->names);
	free(f->lens);
}

/* ------------------------------------------------------------------ */
/* Variables                                                           */

static void load(comp *c, struct etm_str n)
{
	if (c->fn) {
		long l = local_of(c->fn, n.s, n.len);
		if (l >= 0) {
			if ((uint32_t)l < c->fn->nparams) {
				emit(c, OP_LOADL, (uint32_t)l, 1);
			} else {
				emit(c, OP_LOADLG, (uint32_t)l, 1);
				word(c, global(c, n.s, n.len));
			}
			return;
		}
	}
	emit(c, OP_LOADG, global(c, n.s, n.len), 1);
}

static void move(comp *c, struct etm_str n)
{
	if (c->fn) {
		long l = local_of(c->fn, n.s, n.len);
		if (l >= 0) {
			emit(c, OP_MOVELG, (uint32_t)l, 1);
			word(c, global(c, n.s, n.len));
			return;
		}
	}
	emit(c, OP_MOVEG, global(c, n.s, n.len), 1);
}

static void store(comp *c, struct etm_str n)
{
	if (c->fn) {
		long l = local_of(c->fn, n.s, n.len);
		if (l < 0)
			l = add_local(c->fn, n.s, n.len);
		emit(c, OP_STOREL, (uint32_t)l, -1);
		return;
	}
	emit(c, OP_STOREG, global(c, n.s, n.len), -1);
}

/* Slot for a hidden variable (foreach state): bit 23 marks a local. */
static uint32_t hidden(comp *c)
{
	if (c->fn)
		return add_local(c->fn, NULL, 0) | ETM_SLOT_LOCAL;
	return hidden_global(c);
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */

/* The value of a literal-only arithmetic expression, when it folds. */
static bool const_num(const struct etm_expr *e, etm_dec *out)
{
	etm_dec a, b;
	switch (e->kind) {
	case ETM_EXPR_NUMBER:
		*out = e->u.number.value;
		return true;
	case ETM_EXPR_NEG:
		if (!const_num(e->u.unary.operand, &b))
			return false;
		return etm_dec_sub(etm_dec_zero(), b, out) == ETM_DEC_OK;
	case ETM_EXPR_BINARY:
		if (e->u.binary.op > ETM_OP_DIV)
			return false;
		if (!const_num(e->u.binary.left, &a) || !const_num(e->u.binary.right, &b))
			return false;
		switch (e->u.binary.op) {
		case ETM_OP_ADD: return etm_dec_add(a, b, out) == ETM_DEC_OK;
		case ETM_OP_SUB: return etm_dec_sub(a, b, out) == ETM_DEC_OK;
		case ETM_OP_MUL: return etm_dec_mul(a, b, out) == ETM_DEC_OK;
		case ETM_OP_DIV: return etm_dec_div(a, b, out) == ETM_DEC_OK;
		default: return false;
		}
	default:
		return false;
	}
}

static void cexpr(comp *c, const struct etm_expr *e);

static bool mentions(const struct etm_expr *e, struct etm_str n, bool *user_call,
		     const etm_program *p);

static void ccall(comp *c, const struct etm_expr *call, bool move_first)
{
	size_t n = call->u.call.nargs;
	uint32_t id = callname(c, call->u.call.name.s, call->u.call.name.len);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 && move_first)
			move(c, call->u.call.args[0]->u.var);
		else
			cexpr(c, call->u.call.args[i]);
	}
	emit(c, OP_CALL, id, 1 - (int)n);
	word(c, (uint32_t)n);
}

static const int binop_code[] = {
	[ETM_OP_ADD] = OP_ADD, [ETM_OP_SUB] = OP_SUB, [ETM_OP_MUL] = OP_MUL,
	[ETM_OP_DIV] = OP_DIV, [ETM_OP_CONCAT] = OP_CONCAT,
	[ETM_OP_EQ] = OP_EQ, [ETM_OP_NE] = OP_NE, [ETM_OP_LT] = OP_LT,
	[ETM_OP_LE] = OP_LE, [ETM_OP_GT] = OP_GT, [ETM_OP_GE] = OP_GE,
};

static void cexpr(comp *c, const struct etm_expr *e)
{
	etm_dec d;
	switch (e->kind) {
	case ETM_EXPR_NUMBER:
		emit(c, OP_CONST, num_const(c, e->u.number.value), 1);
		break;
	case ETM_EXPR_STRING:
		emit(c, OP_CONST, str_const(c, e->u.string.s, e->u.string.len), 1);
		break;
	case ETM_EXPR_TRUE:
		emit(c, OP_TRUE, 0, 1);
		break;
	case ETM_EXPR_FALSE:
		emit(c, OP_FALSE, 0, 1);
		break;
	case ETM_EXPR_NIL:
		emit(c, OP_NIL, 0, 1);
		break;
	case ETM_EXPR_VAR:
		load(c, e->u.var);
		break;
	case ETM_EXPR_BINARY: {
		enum etm_binop op = e->u.binary.op;
		if (op == ETM_OP_AND || op == ETM_OP_OR) {
			cexpr(c, e->u.binary.left);
			uint32_t j = emit(c, op == ETM_OP_AND ? OP_ANDJ : OP_ORJ, 0, -1);
			cexpr(c, e->u.binary.right);
			emit(c, OP_TOBOOL, 0, 0);
			patch(c, j, here(c));
			break;
		}
		if (op <= ETM_OP_DIV && const_num(e, &d)) {
			emit(c, OP_CONST, num_const(c, d), 1);
			break;
		}
		if ((op == ETM_OP_ADD || op == ETM_OP_MUL) && const_num(e->u.binary.left, &d)
		    && !const_num(e->u.binary.right, &d)) {
			/* decimal + and * are commutative: k + x is x + k */
			const_num(e->u.binary.left, &d);
			cexpr(c, e->u.binary.right);
			emit(c, op == ETM_OP_ADD ? OP_ADDK : OP_MULK, num_const(c, d), 0);
			break;
		}
		if ((op == ETM_OP_ADD || op == ETM_OP_SUB || op == ETM_OP_MUL)
		    && const_num(e->u.binary.right, &d)) {
			cexpr(c, e->u.binary.left);
			emit(c, op == ETM_OP_ADD ? OP_ADDK : op == ETM_OP_SUB ? OP_SUBK : OP_MULK,
			     num_const(c, d), 0);
			break;
		}
		cexpr(c, e->u.binary.left);
		cexpr(c, e->u.binary.right);
		emit(c, binop_code[op], 0, -1);
		break;
	}
	case ETM_EXPR_NOT:
		cexpr(c, e->u.unary.operand);
		emit(c, OP_NOT, 0, 0);
		break;
	case ETM_EXPR_NEG:
		if (const_num(e, &d)) {
			emit(c, OP_CONST, num_const(c, d), 1);
			break;
		}
		cexpr(c, e->u.unary.operand);
		emit(c, OP_NEG, 0, 0);
		break;
	case ETM_EXPR_CALL:
		ccall(c, e, false);
		break;
	case ETM_EXPR_ARRAY:
		for (size_t i = 0; i < e->u.array.nitems; i++)
			cexpr(c, e->u.array.items[i]);
		emit(c, OP_ARRAY, (uint32_t)e->u.array.nitems, 1 - (int)e->u.array.nitems);
		break;
	case ETM_EXPR_RECORD: {
		size_t n = e->u.record.nfields;
		for (size_t i = 0; i < n; i++)
			cexpr(c, e->u.record.values[i]);
		emit(c, OP_RECORD, (uint32_t)n, 1 - (int)n);
		for (size_t i = 0; i < n; i++)
			word(c, str_const(c, e->u.record.keys[i].s, e->u.record.keys[i].len));
		break;
	}
	case ETM_EXPR_INDEX:
		cexpr(c, e->u.index.base);
		cexpr(c, e->u.index.index);
		emit(c, OP_INDEX, 0, -1);
		break;
	case ETM_EXPR_FIELD:
		cexpr(c, e->u.field.base);
		emit(c, OP_FIELD, str_const(c, e->u.field.name.s, e->u.field.name.len), 0);
		break;
	case ETM_EXPR_TRY:
		cexpr(c, e->u.unary.operand);
		emit(c, OP_TRY, 0, 0);
		break;
	}
}

/* Whether E reads variable N, or calls a user function (which might). */
static bool mentions(const struct etm_expr *e, struct etm_str n, bool *user_call,
		     const etm_program *p)
{
	(void)p;
	switch (e->kind) {
	case ETM_EXPR_VAR:
		return e->u.var.len == n.len && memcmp(e->u.var.s, n.s, n.len) == 0;
	case ETM_EXPR_BINARY:
		return mentions(e->u.binary.left, n, user_call, p)
		    || mentions(e->u.binary.right, n, user_call, p);
	case ETM_EXPR_NOT:
	case ETM_EXPR_NEG:
	case ETM_EXPR_TRY:
		return mentions(e->u.unary.operand, n, user_call, p);
	case ETM_EXPR_CALL:
		if (!etm_builtin_find(e->u.call.name.s, e->u.call.name.len))
			*user_call = true;
		for (size_t i = 0; i < e->u.call.nargs; i++)
			if (mentions(e->u.call.args[i], n, user_call, p))
				return true;
		return false;
	case ETM_EXPR_ARRAY:
		for (size_t i = 0; i < e->u.array.nitems; i++)
			if (mentions(e->u.array.items[i], n, user_call, p))
				return true;
		return false;
	case ETM_EXPR_RECORD:
		for (size_t i = 0; i < e->u.record.nfields; i++)
			if (mentions(e->u.record.values[i], n, user_call, p))
				return true;
		return false;
	case ETM_EXPR_INDEX:
		return mentions(e->u.index.base, n, user_call, p)
		    || mentions(e->u.index.index, n, user_call, p);
	case ETM_EXPR_FIELD:
		return mentions(e->u.field.base, n, user_call, p);
	default:
		return false;
	}
}

/* Whether any function definition anywhere is spelled NAME. */
static bool user_defined(comp *c, struct etm_str name)
{
	for (size_t i = 0; i < c->alldefs.n; i++) {
		struct etm_str n = c->alldefs.v[i]->u.function.name;
		if (n.len == name.len && memcmp(n.s, name.s, n.len) == 0)
			return true;
	}
	return false;
}

/* `x = f(x, ...)` where f may take x over: nothing else in the call may
   read x, directly or through a user function. */
static bool same_var(const struct etm_expr *e, struct etm_str n)
{
	return e->kind == ETM_EXPR_VAR && e->u.var.len == n.len
	    && memcmp(e->u.var.s, n.s, n.len) == 0;
}

/* `x = x & e` where e cannot read x: x is moved so the string can grow in
   place. */
static bool can_move_concat(comp *c, struct etm_str target, const struct etm_expr *v)
{
	bool uc = false;
	if (v->kind != ETM_EXPR_BINARY || v->u.binary.op != ETM_OP_CONCAT
	    || !same_var(v->u.binary.left, target))
		return false;
	if (mentions(v->u.binary.right, target, &uc, c->p) || uc)
		return false;
	return true;
}

static bool can_move(comp *c, struct etm_str target, const struct etm_expr *v)
{
	if (v->kind != ETM_EXPR_CALL || v->u.call.nargs == 0)
		return false;
	const struct etm_expr *a0 = v->u.call.args[0];
	if (a0->kind != ETM_EXPR_VAR || a0->u.var.len != target.len
	    || memcmp(a0->u.var.s, target.s, target.len) != 0)
		return false;
	if (user_defined(c, v->u.call.name))
		return false;
	const etm_builtin_def *b = etm_builtin_find(v->u.call.name.s, v->u.call.name.len);
	if (!b || !(b->flags & ETM_BI_MOVE_ARG0) || (size_t)b->arity != v->u.call.nargs)
		return false;
	for (size_t i = 1; i < v->u.call.nargs; i++) {
		bool uc = false;
		if (mentions(v->u.call.args[i], target, &uc, c->p) || uc)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

static void cblock(comp *c, const struct etm_block *b);

static void raise(comp *c, const char *msg)
{
	emit(c, OP_ERROR, str_const(c, msg, strlen(msg)), 0);
}

/* Emit OP (OP_ERROR or OP_TOPLEVEL) with "LABEL — not implemented". */
static void unsupported(comp *c, const char *label, int op)
{
	size_t n = strlen(label) + sizeof(LBL_NOTIMPL);
	char *m = malloc(n);
	if (!m)
		abort();
	snprintf(m, n, "%s%s", label, LBL_NOTIMPL);
	emit(c, op, str_const(c, m, strlen(m)), 0);
	free(m);
}

static void cstmt(comp *c, const struct etm_stmt *s)
{
	int top = c->toplevel;
	c->toplevel = 0;
	mark_pos(c, s->pos);
	switch (s->kind) {
	case ETM_STMT_ASSIGN:
		if (can_move(c, s->u.assign.name, s->u.assign.value)) {
			ccall(c, s->u.assign.value, true);
		} else if (can_move_concat(c, s->u.assign.name, s->u.assign.value)) {
			move(c, s->u.assign.name);
			cexpr(c, s->u.assign.value->u.binary.right);
			emit(c, OP_CONCAT, 0, -1);
		} else
			cexpr(c, s->u.assign.value);
		store(c, s->u.assign.name);
		break;
	case ETM_STMT_CALL:
		ccall(c, s->u.call.call, false);
		emit(c, OP_POP, 0, -1);
		break;
	case ETM_STMT_STORE_INDEX: {
		struct etm_str n = s->u.store_index.name;
		cexpr(c, s->u.store_index.index);
		cexpr(c, s->u.store_index.value);
		if (c->fn) {
			long l = local_of(c->fn, n.s, n.len);
			emit(c, OP_SETIDXL, (uint32_t)l, -2);
			word(c, global(c, n.s, n.len));
		} else {
			emit(c, OP_SETIDXG, global(c, n.s, n.len), -2);
		}
		break;
	}
	case ETM_STMT_STORE_FIELD: {
		struct etm_str n = s->u.store_field.name;
		uint32_t k = str_const(c, s->u.store_field.field.s, s->u.store_field.field.len);
		cexpr(c, s->u.store_field.value);
		if (c->fn) {
			long l = local_of(c->fn, n.s, n.len);
			emit(c, OP_SETFLDL, (uint32_t)l, -1);
			word(c, global(c, n.s, n.len));
		} else {
			emit(c, OP_SETFLDG, global(c, n.s, n.len), -1);
		}
		word(c, k);
		break;
	}
	case ETM_STMT_IF: {
		cexpr(c, s->u.if_.cond);
		uint32_t jf = emit(c, OP_JF, 0, -1);
		cblock(c, &s->u.if_.then_block);
		if (s->u.if_.has_else) {
			uint32_t j = emit(c, OP_JMP, 0, 0);
			patch(c, jf, here(c));
			cblock(c, &s->u.if_.else_block);
			patch(c, j, here(c));
		} else {
			patch(c, jf, here(c));
		}
		break;
	}
	case ETM_STMT_WHILE: {
		uint32_t top_pc = here(c);
		cexpr(c, s->u.while_.cond);
		uint32_t jf = emit(c, OP_JF, 0, -1);
		cblock(c, &s->u.while_.body);
		emit(c, OP_LOOP, top_pc, 0);
		patch(c, jf, here(c));
		break;
	}
	case ETM_STMT_FUNCTION:
		break;		/* registered at compile time */
	case ETM_STMT_RETURN:
		if (s->u.return_.value)
			cexpr(c, s->u.return_.value);
		else
			emit(c, OP_NIL, 0, 1);
		if (c->fn) {
			emit(c, OP_RET, 0, -1);
		} else {
			raise(c, "செயலுக்கு வெளியே திரும்பு  (return outside of a function)");
			emit(c, OP_POP, 0, -1);
		}
		break;
	case ETM_STMT_FOREACH: {
		uint32_t items = hidden(c), idx = hidden(c);
		cexpr(c, s->u.foreach.collection);
		emit(c, OP_ITERPREP, items, -1);
		word(c, idx);
		uint32_t top_pc = emit(c, OP_ITERNEXT, items, 1);
		word(c, idx);
		uint32_t exit_at = here(c);
		word(c, 0);
		store(c, s->u.foreach.var);
		cblock(c, &s->u.foreach.body);
		emit(c, OP_LOOP, top_pc, 0);
		c->p->code[exit_at] = here(c);
		break;
	}
	case ETM_STMT_IMPORT:
		unsupported(c, "இறக்கு (import)", OP_ERROR);
		break;
	case ETM_STMT_PRINT:
		cexpr(c, s->u.print.value);
		emit(c, OP_PRINT, 0, -1);
		break;
	case ETM_STMT_INPUT:
		emit(c, OP_INPUT, 0, 1);
		if (s->u.input.value->kind == ETM_EXPR_VAR)
			store(c, s->u.input.value->u.var);
		else
			emit(c, OP_POP, 0, -1);
		break;
	case ETM_STMT_ROUTE:
	case ETM_STMT_EVERY: {
		const char *label = s->kind == ETM_STMT_ROUTE ? "வழி (route)" : "இடைவெளி (schedule)";
		unsupported(c, label, top ? OP_TOPLEVEL : OP_ERROR);
		break;
	}
	case ETM_STMT_RESPONSE:
		cexpr(c, s->u.response.status);
		cexpr(c, s->u.response.body);
		if (s->u.response.headers)
			cexpr(c, s->u.response.headers);
		else
			emit(c, OP_NIL, 0, 1);
		emit(c, OP_RESPOND, 0, -3);
		break;
	case ETM_STMT_JSONBODY:
		unsupported(c, "ஜேசான்_உரை (json response)", OP_ERROR);
		break;
	case ETM_STMT_STARTSERVER:
		unsupported(c, "வழங்கி_தொடங்கு (start server)", OP_ERROR);
		break;
	case ETM_STMT_STOPSERVER:
		unsupported(c, "வழங்கி_நிறுத்து (stop server)", OP_ERROR);
		break;
	case ETM_STMT_DBINSERT:
		unsupported(c, "தளம்_செருக (database insert)", OP_ERROR);
		break;
	case ETM_STMT_DBUPDATE:
		unsupported(c, "தளம்_புதுப்பி (database update)", OP_ERROR);
		break;
	case ETM_STMT_DBDELETE:
		unsupported(c, "தளம்_நீக்கு (database delete)", OP_ERROR);
		break;
	case ETM_STMT_CREATETABLE:
		unsupported(c, "அட்டை_ஆக்கு (create table)", OP_ERROR);
		break;
	case ETM_STMT_SELECT:
		unsupported(c, "தேர்வெடு (select)", OP_ERROR);
		break;
	case ETM_STMT_FILEOPEN: {
		struct etm_str m = s->u.fileopen.mode;
		cexpr(c, s->u.fileopen.file);
		emit(c, OP_FOPEN, m.s ? str_const(c, m.s, m.len) : str_const(c, "read", 4), -1);
		break;
	}
	case ETM_STMT_FILECLOSE:
		cexpr(c, s->u.fileclose.file);
		emit(c, OP_FCLOSE, 0, -1);
		break;
	case ETM_STMT_FILEWRITE:
		cexpr(c, s->u.filewrite.file);
		cexpr(c, s->u.filewrite.value);
		emit(c, OP_FWRITE, 0, -2);
		break;
	case ETM_STMT_WRITECSV:
		cexpr(c, s->u.writecsv.file);
		cexpr(c, s->u.writecsv.value);
		emit(c, OP_FWRITE, 0, -2);
		break;
	case ETM_STMT_FILEREAD:
		cexpr(c, s->u.fileread.file);
		emit(c, OP_FREAD, 0, 0);
		store(c, s->u.fileread.target.name);
		break;
	case ETM_STMT_READCSV:
		cexpr(c, s->u.readcsv.file);
		emit(c, OP_CSVREAD, 0, 0);
		store(c, s->u.readcsv.target.name);
		break;
	case ETM_STMT_DBCONNECT:
		cexpr(c, s->u.dbconnect.conn);
		emit(c, OP_POP, 0, -1);
		raise(c, "தரவுத்தள ஆதரவு இல்லாமல் கட்டப்பட்டது  (this build has no database support)");
		break;
	case ETM_STMT_DBDISCONNECT: {
		struct etm_str k = s->u.dbdisconnect.kind.name;
		char *m = malloc(2 * k.len + 64);
		if (!m)
			abort();
		sprintf(m, "'%.*s' இணைக்கப்படவில்லை  (not connected to %.*s)",
			(int)k.len, k.s, (int)k.len, k.s);
		raise(c, m);
		free(m);
		break;
	}
	case ETM_STMT_DBQUERY:
	case ETM_STMT_DBEXECUTE: {
		const struct etm_expr *q = s->kind == ETM_STMT_DBQUERY ? s->u.dbquery.sql : s->u.dbexecute.sql;
		const struct etm_expr *pa = s->kind == ETM_STMT_DBQUERY ? s->u.dbquery.params : s->u.dbexecute.params;
		cexpr(c, q);
		cexpr(c, pa);
		emit(c, OP_POP, 0, -1);
		emit(c, OP_POP, 0, -1);
		raise(c, "தரவுத்தளம் இணைக்கப்படவில்லை  (not connected to a database): use தளம்_இணை first");
		break;
	}
	}
}

static void cblock(comp *c, const struct etm_block *b)
{
	for (size_t i = 0; i < b->n; i++)
		cstmt(c, b->items[i]);
}

/* ------------------------------------------------------------------ */
/* Functions                                                           */

/* Function definitions of B in registration (post-) order; route and
   schedule bodies are not entered (they are separate programs). */
static void collect_defs(defl *out, const struct etm_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct etm_stmt *s = b->items[i];
		switch (s->kind) {
		case ETM_STMT_FUNCTION:
			collect_defs(out, &s->u.function.body);
			defl_add(out, s);
			break;
		case ETM_STMT_IF:
			collect_defs(out, &s->u.if_.then_block);
			if (s->u.if_.has_else)
				collect_defs(out, &s->u.if_.else_block);
			break;
		case ETM_STMT_WHILE:
			collect_defs(out, &s->u.while_.body);
			break;
		case ETM_STMT_FOREACH:
			collect_defs(out, &s->u.foreach.body);
			break;
		default:
			break;
		}
	}
}

static void compile_function(comp *c, const struct etm_stmt *s, etm_func *f)
{
	fctx fx;
	memset(&fx, 0, sizeof(fx));
	fx.def = s;
	for (size_t i = 0; i < s->u.function.nparams; i++) {
		struct etm_str n = s->u.function.params[i].name;
		if (local_of(&fx, n.s, n.len) >= 0)
			add_local(&fx, NULL, 0);	/* a repeat: the first wins */
		else
			add_local(&fx, n.s, n.len);
	}
	fx.nparams = fx.nlocals;
	scan_writes(&fx, &s->u.function.body);
	fctx *saved = c->fn;
	int ssp = c->sp, smax = c->maxsp;
	c->fn = &fx;
	c->sp = c->maxsp = 0;
	f->name = dupn(s->u.function.name.s, s->u.function.name.len);
	f->entry = here(c);
	f->nparams = fx.nparams;
	cblock(c, &s->u.function.body);
	mark_pos(c, s->pos);
	emit(c, OP_RETNIL, 0, 0);
	f->nlocals = fx.nlocals;
	f->maxstack = (uint32_t)c->maxsp + 2;
	fctx_free(&fx);
	c->fn = saved;
	c->sp = ssp;
	c->maxsp = smax;
}

static long def_index(comp *c, const struct etm_stmt *s)
{
	for (size_t i = 0; i < c->alldefs.n; i++)
		if (c->alldefs.v[i] == s)
			return (long)i;
	return -1;
}

/* The call table of ORDER's definitions applied over BASE (or nothing). */
static int32_t *make_fmap(comp *c, const defl *order, const int32_t *base)
{
	etm_program *p = c->p;
	int32_t *m = malloc((p->ncalls ? p->ncalls : 1) * sizeof(int32_t));
	if (!m)
		abort();
	for (size_t i = 0; i < p->ncalls; i++)
		m[i] = base ? base[i] : -1;
	for (size_t i = 0; i < order->n; i++) {
		struct etm_str n = order->v[i]->u.function.name;
		long k = strmap_find(&c->calls, n.s, n.len, call_key, c);
		if (k >= 0)
			m[k] = (int32_t)def_index(c, order->v[i]);
	}
	return m;
}

/* ------------------------------------------------------------------ */
/* Prelude purity (etm_program_prelude_pure)                           */

typedef struct nameset {
	struct etm_str *v;
	size_t n, cap;
} nameset;

static bool ns_has(const nameset *s, struct etm_str n)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].len == n.len && memcmp(s->v[i].s, n.s, n.len) == 0)
			return true;
	return false;
}

static void ns_add(nameset *s, struct etm_str n)
{
	if (ns_has(s, n))
		return;
	s->v = grow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = n;
}

static bool pure_expr(comp *c, const struct etm_expr *e, const nameset *defined)
{
	switch (e->kind) {
	case ETM_EXPR_NUMBER: case ETM_EXPR_STRING: case ETM_EXPR_TRUE:
	case ETM_EXPR_FALSE: case ETM_EXPR_NIL:
		return true;
	case ETM_EXPR_VAR:
		return ns_has(defined, e->u.var);
	case ETM_EXPR_BINARY:
		return pure_expr(c, e->u.binary.left, defined)
		    && pure_expr(c, e->u.binary.right, defined);
	case ETM_EXPR_NOT: case ETM_EXPR_NEG:
		return pure_expr(c, e->u.unary.operand, defined);
	case ETM_EXPR_TRY:
		return false;
	case ETM_EXPR_CALL: {
		if (user_defined(c, e->u.call.name))
			return false;
		const etm_builtin_def *b = etm_builtin_find(e->u.call.name.s, e->u.call.name.len);
		if (!b || !(b->flags & ETM_BI_PURE))
			return false;
		for (size_t i = 0; i < e->u.call.nargs; i++)
			if (!pure_expr(c, e->u.call.args[i], defined))
				return false;
		return true;
	}
	case ETM_EXPR_ARRAY:
		for (size_t i = 0; i < e->u.array.nitems; i++)
			if (!pure_expr(c, e->u.array.items[i], defined))
				return false;
		return true;
	case ETM_EXPR_RECORD:
		for (size_t i = 0; i < e->u.record.nfields; i++)
			if (!pure_expr(c, e->u.record.values[i], defined))
				return false;
		return true;
	case ETM_EXPR_INDEX:
		return pure_expr(c, e->u.index.base, defined)
		    && pure_expr(c, e->u.index.index, defined);
	case ETM_EXPR_FIELD:
		return pure_expr(c, e->u.field.base, defined);
	}
	return false;
}

static bool request_name(struct etm_str n)
{
	static const char *const names[] = {
		"request_method", "request_path", "request_body", "query_params",
		"headers", "path_params", "request_fields", "request_files", NULL
	};
	if (n.len >= 6 && memcmp(n.s, "param_", 6) == 0)
		return true;
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == n.len && memcmp(names[i], n.s, n.len) == 0)
			return true;
	return false;
}

static bool pure_block(comp *c, const struct etm_block *b, nameset *defined)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct etm_stmt *s = b->items[i];
		switch (s->kind) {
		case ETM_STMT_FUNCTION:
		case ETM_STMT_ROUTE:
		case ETM_STMT_EVERY:
			break;
		case ETM_STMT_ASSIGN:
			if (request_name(s->u.assign.name)
			    || !pure_expr(c, s->u.assign.value, defined))
				return false;
			ns_add(defined, s->u.assign.name);
			break;
		case ETM_STMT_STORE_INDEX:
			if (!ns_has(defined, s->u.store_index.name)
			    || !pure_expr(c, s->u.store_index.index, defined)
			    || !pure_expr(c, s->u.store_index.value, defined))
				return false;
			break;
		case ETM_STMT_STORE_FIELD:
			if (!ns_has(defined, s->u.store_field.name)
			    || !pure_expr(c, s->u.store_field.value, defined))
				return false;
			break;
		case ETM_STMT_IF:
			if (!pure_expr(c, s->u.if_.cond, defined)
			    || !pure_block(c, &s->u.if_.then_block, defined)
			    || (s->u.if_.has_else && !pure_block(c, &s->u.if_.else_block, defined)))
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

static void debug_expr(char *buf, size_t n, const struct etm_expr *e)
{
	switch (e->kind) {
	case ETM_EXPR_VAR:
		snprintf(buf, n, "Variable(\"%.*s\")", (int)e->u.var.len, e->u.var.s);
		break;
	case ETM_EXPR_NUMBER:
		snprintf(buf, n, "Number(%.*s)", (int)e->u.number.text.len, e->u.number.text.s);
		break;
	case ETM_EXPR_STRING:
		snprintf(buf, n, "String(\"%.*s\")", (int)e->u.string.len, e->u.string.s);
		break;
	case ETM_EXPR_CALL:
		snprintf(buf, n, "Call { name: \"%.*s\", .. }", (int)e->u.call.name.len,
			 e->u.call.name.s);
		break;
	default:
		snprintf(buf, n, "an expression");
		break;
	}
}

static void compile_entry(comp *c, etm_entry *en, const struct etm_block *b, bool top)
{
	c->sp = c->maxsp = 0;
	en->pc = here(c);
	if (top) {
		for (size_t i = 0; i < b->n; i++) {
			c->toplevel = 1;
			cstmt(c, b->items[i]);
		}
		c->toplevel = 0;
	} else {
		cblock(c, b);
	}
	emit(c, OP_HALT, 0, 0);
	en->maxstack = (uint32_t)c->maxsp + 2;
}

etm_program *etm_program_compile(const struct etm_ast_program *ast)
{
	etm_program *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	comp c;
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.ast = ast;

	p->g_status = global(&c, "response_status", 15);
	p->g_body = global(&c, "response_body", 13);
	p->g_headers = global(&c, "response_headers", 16);
	p->g_file = global(&c, "response_file", 13);

	p->nfiles = ast->nfiles;
	p->files = calloc(ast->nfiles ? ast->nfiles : 1, sizeof(char *));
	if (!p->files)
		abort();
	for (size_t i = 0; i < ast->nfiles; i++)
		p->files[i] = (i == 0 || !ast->files[i]) ? dupn("", 0)
			: dupn(ast->files[i], strlen(ast->files[i]));

	/* Every function definition anywhere, in one list. */
	defl mainorder = {0};
	collect_defs(&mainorder, &ast->body);
	for (size_t i = 0; i < mainorder.n; i++)
		defl_add(&c.alldefs, mainorder.v[i]);
	size_t nroutes = 0, nsched = 0;
	for (size_t i = 0; i < ast->body.n; i++) {
		const struct etm_stmt *s = ast->body.items[i];
		if (s->kind == ETM_STMT_ROUTE) {
			nroutes++;
			collect_defs(&c.alldefs, &s->u.route.body);
		} else if (s->kind == ETM_STMT_EVERY) {
			nsched++;
			collect_defs(&c.alldefs, &s->u.every.body);
		}
	}
	p->nfuncs = c.alldefs.n;
	p->funcs = calloc(p->nfuncs ? p->nfuncs : 1, sizeof(etm_func));
	p->routes = calloc(nroutes ? nroutes : 1, sizeof(etm_entry));
	p->route_info = calloc(nroutes ? nroutes : 1, sizeof(etm_route_info));
	p->schedules = calloc(nsched ? nsched : 1, sizeof(etm_entry));
	p->schedule_info = calloc(nsched ? nsched : 1, sizeof(etm_schedule_info));
	if (!p->funcs || !p->routes || !p->route_info || !p->schedules || !p->schedule_info)
		abort();

	/* Main program (the prelude is the same code run in prelude mode). */
	compile_entry(&c, &p->main, &ast->body, true);

	/* Route and schedule bodies. */
	for (size_t i = 0; i < ast->body.n; i++) {
		const struct etm_stmt *s = ast->body.items[i];
		char dbg[256];
		if (s->kind == ETM_STMT_ROUTE) {
			size_t r = p->nroutes++;
			etm_route_info *ri = &p->route_info[r];
			struct etm_str m = s->u.route.method.name;
			ri->method = dupn(m.s, m.len);
			if (s->u.route.path->kind == ETM_EXPR_STRING) {
				ri->path = dupn(s->u.route.path->u.string.s, s->u.route.path->u.string.len);
			} else {
				char msg[400];
				debug_expr(dbg, sizeof(dbg), s->u.route.path);
				snprintf(msg, sizeof(msg), "வழி needs a literal path, got %s", dbg);
				ri->error = dupn(msg, strlen(msg));
			}
			ri->file = p->files[s->pos.file < p->nfiles ? s->pos.file : 0];
			ri->line = s->pos.line;
			ri->column = s->pos.column;
			compile_entry(&c, &p->routes[r], &s->u.route.body, false);
		} else if (s->kind == ETM_STMT_EVERY) {
			size_t k = p->nschedules++;
			etm_schedule_info *si = &p->schedule_info[k];
			const struct etm_expr *e = s->u.every.seconds;
			if (e->kind == ETM_EXPR_NUMBER) {
				int64_t secs = 0;
				etm_dec t = etm_dec_trunc(e->u.number.value);
				if (etm_dec_to_int64(t, &secs) != ETM_DEC_OK || secs < 1)
					secs = 1;
				si->seconds = secs;
			} else {
				char msg[400];
				debug_expr(dbg, sizeof(dbg), e);
				snprintf(msg, sizeof(msg),
					 "இடைவெளி needs a literal number of seconds, got %s", dbg);
				si->error = dupn(msg, strlen(msg));
			}
			si->file = p->files[s->pos.file < p->nfiles ? s->pos.file : 0];
			si->line = s->pos.line;
			si->column = s->pos.column;
			compile_entry(&c, &p->schedules[k], &s->u.every.body, false);
		}
	}

	/* Function bodies. */
	for (size_t i = 0; i < c.alldefs.n; i++)
		compile_function(&c, c.alldefs.v[i], &p->funcs[i]);

	/* Call tables: main/prelude, then one per route and schedule. */
	p->main.fmap = make_fmap(&c, &mainorder, NULL);
	p->prelude = p->main;
	size_t r = 0, k = 0;
	for (size_t i = 0; i < ast->body.n; i++) {
		const struct etm_stmt *s = ast->body.items[i];
		if (s->kind != ETM_STMT_ROUTE && s->kind != ETM_STMT_EVERY)
			continue;
		/* prelude + body: the body's definitions come last */
		defl order = {0};
		collect_defs(&order, s->kind == ETM_STMT_ROUTE ? &s->u.route.body : &s->u.every.body);
		if (s->kind == ETM_STMT_ROUTE)
			p->routes[r++].fmap = make_fmap(&c, &order, p->main.fmap);
		else
			p->schedules[k++].fmap = make_fmap(&c, &order, p->main.fmap);
		free(order.v);
	}

	/* Purity of the prelude. */
	{
		nameset defined = {0};
		p->prelude_pure = pure_block(&c, &ast->body, &defined);
		free(defined.v);
	}

	free(mainorder.v);
	free(c.alldefs.v);
	free(c.consts.slots);
	free(c.calls.slots);
	return p;
}

void etm_program_free(etm_program *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nconsts; i++) {
		etm_value v = p->consts[i];
		if (v.kind == ETM_STR) {
			v.as.obj->flags &= (uint8_t)~ETM_OBJ_IMMORTAL;
			etm_release(&p->heap, v);
		}
	}
	free(p->consts);
	free(p->code);
	for (size_t i = 0; i < p->nfuncs; i++)
		free(p->funcs[i].name);
	free(p->funcs);
	for (size_t i = 0; i < p->ncalls; i++)
		free(p->calls[i].name);
	free(p->calls);
	for (size_t i = 0; i < p->nglobals; i++)
		free(p->gnames[i]);
	free(p->gnames);
	free(p->gindex);
	free(p->pos);
	free(p->main.fmap);
	for (size_t i = 0; i < p->nroutes; i++) {
		free(p->routes[i].fmap);
		free((char *)p->route_info[i].method);
		free((char *)p->route_info[i].path);
		free((char *)p->route_info[i].error);
	}
	for (size_t i = 0; i < p->nschedules; i++) {
		free(p->schedules[i].fmap);
		free((char *)p->schedule_info[i].error);
	}
	free(p->routes);
	free(p->route_info);
	free(p->schedules);
	free(p->schedule_info);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p);
}

size_t etm_program_route_count(const etm_program *p)
{
	return p->nroutes;
}

const etm_route_info *etm_program_route(const etm_program *p, size_t i)
{
	return i < p->nroutes ? &p->route_info[i] : NULL;
}

size_t etm_program_schedule_count(const etm_program *p)
{
	return p->nschedules;
}

const etm_schedule_info *etm_program_schedule(const etm_program *p, size_t i)
{
	return i < p->nschedules ? &p->schedule_info[i] : NULL;
}

bool etm_program_prelude_pure(const etm_program *p)
{
	return p->prelude_pure;
}

size_t etm_program_code_size(const etm_program *p)
{
	return p->ncode;
}

const etm_posent *etm_program_pos(const etm_program *p, uint32_t pc)
{
	size_t lo = 0, hi = p->npos;
	const etm_posent *best = NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->pos[mid].pc <= pc) {
			best = &p->pos[mid];
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return best;
}
