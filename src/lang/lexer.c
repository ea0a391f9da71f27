/* lexer.c -- the eTamil tokenizer (spec §2; see lexer.h).
 *
 * One pass over the bytes; every token and error stretch is found by
 * looking at its first byte, so lexing is linear in the input.  Keyword
 * spellings consist only of identifier characters, so "longest match,
 * keyword wins a tie" is: take the longest identifier, then look it up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "keywords.h"
#include "lexer.h"

/* The state is struct etm_lexer (lexer.h); lx->out is the token being
   produced by the current etm_lexer_next call. */

/* Length of the UTF-8 sequence starting at p (1 for an invalid byte). */
static size_t utf8_len(const char *p, const char *end)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t avail = (size_t)(end - p);
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		min = 0x10000;
	} else {
		return 1;
	}
	if (avail < n)
		return 1;
	unsigned cp = c & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 1;
	return n;
}

int etm_utf8_valid(const char *s, size_t len)
{
	const char *end = s + len;
	while (s < end) {
		if ((unsigned char)*s < 0x80) {
			s++;
			continue;
		}
		size_t n = utf8_len(s, end);
		if (n == 1)
			return 0;
		s += n;
	}
	return 1;
}

/* Bytes of an identifier character at p (0 if none).  DIGITS: whether
   0-9 count (not for the first character). */
static size_t ident_char(const char *p, const char *end, int digits)
{
	unsigned char c = (unsigned char)*p;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (digits && c >= '0' && c <= '9')
		return 1;
	/* U+0B80..U+0BFF is E0 AE 80..BF and E0 AF 80..BF */
	if (c == 0xE0 && end - p >= 3) {
		unsigned char c1 = (unsigned char)p[1], c2 = (unsigned char)p[2];
		if ((c1 == 0xAE || c1 == 0xAF) && (c2 & 0xC0) == 0x80)
			return 3;
	}
	return 0;
}

/* Move lx->p to TARGET, keeping line and column. */
static void advance_to(struct etm_lexer *lx, const char *target)
{
	const char *p = lx->p;
	while (p < target) {
		unsigned char b = (unsigned char)*p++;
		if (b == '\n') {
			lx->line++;
			lx->col = 1;
		} else if ((b & 0xC0) != 0x80) {
			lx->col++;
		}
	}
	lx->p = target;
}

static void lex_error(struct etm_lexer *lx, const char *start, size_t len, uint32_t line, uint32_t col)
{
	char *text = malloc(len + 1);
	if (!text) {
		lx->oom = 1;
		return;
	}
	memcpy(text, start, len);
	text[len] = 0;
	size_t msize = 2 * len + 256;
	char *msg = malloc(msize);
	if (!msg) {
		free(text);
		lx->oom = 1;
		return;
	}
	snprintf(msg, msize,
		 "வரி %u, நெடுவரிசை %u: அறியப்படாத உள்ளீடு '%s'  "
		 "(line %u, column %u: unrecognized input '%s')",
		 (unsigned)line, (unsigned)col, text, (unsigned)line, (unsigned)col, text);
	if (etm_diag_add(lx->diags, ETM_DIAG_LEX, lx->file, line, col, msg) < 0)
		lx->oom = 1;
	free(msg);
	free(text);
	lx->nerrors++;
}

static struct etm_token *push(struct etm_lexer *lx, enum etm_tok_kind kind, const char *start,
			      size_t len, uint32_t line, uint32_t col)
{
	struct etm_token *t = lx->out;
	memset(t, 0, sizeof *t);
	lx->produced = 1;
	t->kind = kind;
	t->kw = ETM_KW_NONE;
	t->text = start;
	t->len = len;
	t->line = line;
	t->column = col;
	return t;
}

/* Unescape the body of a string literal (between the quotes). */
static void string_token(struct etm_lexer *lx, const char *start, const char *close,
			 uint32_t line, uint32_t col)
{
	const char *b = start + 1;
	size_t blen = (size_t)(close - b);
	char *s = etm_arena_alloc(lx->arena, blen + 1);
	if (!s) {
		lx->oom = 1;
		return;
	}
	size_t n = 0;
	for (const char *q = b; q < close; q++) {
		if (*q != '\\' || q + 1 >= close) {
			s[n++] = *q;
			continue;
		}
		char e = q[1];
		switch (e) {
		case 'n': s[n++] = '\n'; q++; break;
		case 't': s[n++] = '\t'; q++; break;
		case 'r': s[n++] = '\r'; q++; break;
		case '"': s[n++] = '"'; q++; break;
		case '\\': s[n++] = '\\'; q++; break;
		default:
			/* other escapes keep both characters; the escaped
			   character is copied by the following iterations */
			s[n++] = '\\';
			break;
		}
	}
	s[n] = 0;
	struct etm_token *t = push(lx, ETM_TOK_STRING, start, (size_t)(close + 1 - start), line, col);
	if (t) {
		t->str = s;
		t->str_len = n;
	}
}

/* At a '"': a complete string token, or an error stretch from the quote
   to where matching failed (a backslash before a newline, or the end). */
static void lex_string(struct etm_lexer *lx)
{
	const char *start = lx->p;
	uint32_t line = lx->line, col = lx->col;
	const char *q = start + 1;
	for (;;) {
		if (q >= lx->end) {
			lex_error(lx, start, (size_t)(q - start), line, col);
			advance_to(lx, q);
			return;
		}
		if (*q == '"') {
			string_token(lx, start, q, line, col);
			advance_to(lx, q + 1);
			return;
		}
		if (*q == '\\') {
			if (q + 1 >= lx->end || q[1] == '\n') {
				q++;
				lex_error(lx, start, (size_t)(q - start), line, col);
				advance_to(lx, q);
				return;
			}
			q++;
		}
		q += utf8_len(q, lx->end);
	}
}

static void lex_number(struct etm_lexer *lx)
{
	const char *start = lx->p, *q = start;
	uint32_t line = lx->line, col = lx->col;
	while (q < lx->end && *q >= '0' && *q <= '9')
		q++;
	if (q + 1 < lx->end && *q == '.' && q[1] >= '0' && q[1] <= '9') {
		q++;
		while (q < lx->end && *q >= '0' && *q <= '9')
			q++;
	}
	size_t digits = (size_t)(q - start);
	int percent = q < lx->end && *q == '%';
	if (percent)
		q++;
	etm_dec v;
	int st = percent ? etm_dec_parse_percent(start, digits, &v)
			 : etm_dec_parse_literal(start, digits, &v);
	if (st != ETM_DEC_OK) {
		lex_error(lx, start, (size_t)(q - start), line, col);
	} else {
		struct etm_token *t = push(lx, percent ? ETM_TOK_PERCENT : ETM_TOK_NUMBER, start,
					   (size_t)(q - start), line, col);
		if (t)
			t->num = v;
	}
	advance_to(lx, q);
}

static void lex_ident(struct etm_lexer *lx)
{
	const char *start = lx->p, *q = start;
	size_t n;
	while (q < lx->end && (n = ident_char(q, lx->end, q != start)) > 0)
		q += n;
	size_t len = (size_t)(q - start);
	enum etm_kw kw = etm_kw_lookup(start, len);
	struct etm_token *t = push(lx, kw ? ETM_TOK_KEYWORD : ETM_TOK_IDENT, start, len,
				   lx->line, lx->col);
	if (t)
		t->kw = kw;
	advance_to(lx, q);
}

static int punct(struct etm_lexer *lx)
{
	const char *p = lx->p;
	char c = *p, c1 = p + 1 < lx->end ? p[1] : 0;
	enum etm_tok_kind k;
	size_t len = 1;
	switch (c) {
	case '=':
		if (c1 == '=') { k = ETM_TOK_EQ; len = 2; } else k = ETM_TOK_ASSIGN;
		break;
	case '!':
		if (c1 != '=')
			return 0;
		k = ETM_TOK_NE;
		len = 2;
		break;
	case '>':
		if (c1 == '=') { k = ETM_TOK_GE; len = 2; } else k = ETM_TOK_GT;
		break;
	case '<':
		if (c1 == '=') { k = ETM_TOK_LE; len = 2; } else k = ETM_TOK_LT;
		break;
	case '+': k = ETM_TOK_PLUS; break;
	case '-': k = ETM_TOK_MINUS; break;
	case '*': k = ETM_TOK_STAR; break;
	case '/': k = ETM_TOK_SLASH; break;
	case '&': k = ETM_TOK_AMP; break;
	case '?': k = ETM_TOK_QUESTION; break;
	case '[': k = ETM_TOK_LBRACKET; break;
	case ']': k = ETM_TOK_RBRACKET; break;
	case '.': k = ETM_TOK_DOT; break;
	case ':': k = ETM_TOK_COLON; break;
	case '(': k = ETM_TOK_LPAREN; break;
	case ')': k = ETM_TOK_RPAREN; break;
	case '{': k = ETM_TOK_LBRACE; break;
	case '}': k = ETM_TOK_RBRACE; break;
	case ',': k = ETM_TOK_COMMA; break;
	case ';': k = ETM_TOK_SEMICOLON; break;
	default:
		return 0;
	}
	push(lx, k, p, len, lx->line, lx->col);
	lx->p += len;
	lx->col += (uint32_t)len;
	return 1;
}

void etm_lexer_init(struct etm_lexer *lx, const char *src, size_t len, struct etm_arena *arena,
		    const char *file, struct etm_diag *diags)
{
	memset(lx, 0, sizeof *lx);
	lx->src = src;
	lx->end = src + len;
	lx->p = src;
	lx->line = 1;
	lx->col = 1;
	lx->arena = arena;
	lx->file = file;
	lx->diags = diags;
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		lx->p += 3;
}

int etm_lexer_next(struct etm_lexer *lx, struct etm_token *out)
{
	lx->out = out;
	lx->produced = 0;
	while (lx->p < lx->end && !lx->oom && !lx->produced) {
		unsigned char c = (unsigned char)*lx->p;
		switch (c) {
		case ' ': case '\t': case '\f': case '\r':
			lx->p++;
			lx->col++;
			continue;
		case '\n':
			lx->p++;
			lx->line++;
			lx->col = 1;
			continue;
		case '"':
			lex_string(lx);
			continue;
		case '/':
			if (lx->p + 1 < lx->end && lx->p[1] == '/') {
				const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
				advance_to(lx, nl ? nl : lx->end);
				continue;
			}
			break;
		default:
			break;
		}
		if (c >= '0' && c <= '9') {
			lex_number(lx);
			continue;
		}
		if (ident_char(lx->p, lx->end, 0)) {
			lex_ident(lx);
			continue;
		}
		if (punct(lx))
			continue;
		size_t n = utf8_len(lx->p, lx->end);
		lex_error(lx, lx->p, n, lx->line, lx->col);
		advance_to(lx, lx->p + n);
	}
	lx->out = NULL;
	if (lx->oom)
		return -1;
	return lx->produced;
}

int etm_lex(const char *src, size_t len, struct etm_arena *arena, const char *file,
	    struct etm_token_list *out, struct etm_diag *diags)
{
	struct etm_lexer lx;
	struct etm_token t;
	int rc;
	etm_lexer_init(&lx, src, len, arena, file, diags);
	while ((rc = etm_lexer_next(&lx, &t)) > 0) {
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 256;
			struct etm_token *toks = realloc(out->toks, cap * sizeof *toks);
			if (!toks) {
				rc = -1;
				break;
			}
			out->toks = toks;
			out->cap = cap;
		}
		out->toks[out->n++] = t;
	}
	if (rc < 0) {
		etm_token_list_free(out);
		return -1;
	}
	return lx.nerrors;
}

void etm_token_list_free(struct etm_token_list *list)
{
	free(list->toks);
	list->toks = NULL;
	list->n = list->cap = 0;
}

const char *etm_tok_kind_name(enum etm_tok_kind kind)
{
	switch (kind) {
	case ETM_TOK_IDENT: return "Identifier";
	case ETM_TOK_KEYWORD: return "Keyword";
	case ETM_TOK_NUMBER: return "Number";
	case ETM_TOK_PERCENT: return "Percentage";
	case ETM_TOK_STRING: return "String";
	case ETM_TOK_EQ: return "Equals";
	case ETM_TOK_NE: return "NotEquals";
	case ETM_TOK_GE: return "GreaterThanOrEqual";
	case ETM_TOK_LE: return "LessThanOrEqual";
	case ETM_TOK_GT: return "GreaterThan";
	case ETM_TOK_LT: return "LessThan";
	case ETM_TOK_ASSIGN: return "Assign";
	case ETM_TOK_PLUS: return "Plus";
	case ETM_TOK_MINUS: return "Minus";
	case ETM_TOK_STAR: return "Multiply";
	case ETM_TOK_SLASH: return "Divide";
	case ETM_TOK_AMP: return "Ampersand";
	case ETM_TOK_QUESTION: return "Question";
	case ETM_TOK_LBRACKET: return "LBracket";
	case ETM_TOK_RBRACKET: return "RBracket";
	case ETM_TOK_DOT: return "Dot";
	case ETM_TOK_COLON: return "Colon";
	case ETM_TOK_LPAREN: return "LParen";
	case ETM_TOK_RPAREN: return "RParen";
	case ETM_TOK_LBRACE: return "LBrace";
	case ETM_TOK_RBRACE: return "RBrace";
	case ETM_TOK_COMMA: return "Comma";
	case ETM_TOK_SEMICOLON: return "Semicolon";
	}
	return "";
}
