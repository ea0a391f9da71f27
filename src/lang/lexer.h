/* lexer.h -- turns eTamil source (UTF-8) into tokens (spec §2).
 *
 * Longest match, a keyword winning a tie with an identifier; positions in
 * Unicode scalar values; "\r" is whitespace (deliberate fix of §14.1).
 * All lexical errors of the text are collected.  Reentrant: no state
 * outside the arguments.
 */
#ifndef ETM_LEXER_H
#define ETM_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

struct etm_arena;

enum etm_tok_kind {
	ETM_TOK_IDENT,		/* identifier that is not a keyword spelling */
	ETM_TOK_KEYWORD,	/* kw says which */
	ETM_TOK_NUMBER,		/* num */
	ETM_TOK_PERCENT,	/* num, already divided by 100 */
	ETM_TOK_STRING,		/* str: unescaped contents (arena) */
	ETM_TOK_EQ,		/* == */
	ETM_TOK_NE,		/* != */
	ETM_TOK_GE,		/* >= */
	ETM_TOK_LE,		/* <= */
	ETM_TOK_GT,		/* >  */
	ETM_TOK_LT,		/* <  */
	ETM_TOK_ASSIGN,		/* =  */
	ETM_TOK_PLUS,		/* +  */
	ETM_TOK_MINUS,		/* -  */
	ETM_TOK_STAR,		/* *  */
	ETM_TOK_SLASH,		/* /  */
	ETM_TOK_AMP,		/* &  */
	ETM_TOK_QUESTION,	/* ?  */
	ETM_TOK_LBRACKET,	/* [  */
	ETM_TOK_RBRACKET,	/* ]  */
	ETM_TOK_DOT,		/* .  */
	ETM_TOK_COLON,		/* :  */
	ETM_TOK_LPAREN,		/* (  */
	ETM_TOK_RPAREN,		/* )  */
	ETM_TOK_LBRACE,		/* {  */
	ETM_TOK_RBRACE,		/* }  */
	ETM_TOK_COMMA,		/* ,  */
	ETM_TOK_SEMICOLON	/* ;  */
};

struct etm_token {
	enum etm_tok_kind kind;
	enum etm_kw kw;		/* ETM_TOK_KEYWORD only, else ETM_KW_NONE */
	const char *text;	/* source text as written (points into the source) */
	size_t len;		/* bytes of text */
	uint32_t line, column;
	etm_dec num;		/* ETM_TOK_NUMBER / ETM_TOK_PERCENT */
	const char *str;	/* ETM_TOK_STRING: contents, NUL-terminated, arena */
	size_t str_len;
};

/* A streaming lexer: initialize, then call etm_lexer_next until it
 * returns 0.  Treat the fields as private. */
struct etm_lexer {
	const char *src, *end, *p;
	uint32_t line, col;
	struct etm_arena *arena;
	const char *file;
	struct etm_diag *diags;
	struct etm_token *out;
	int produced;
	int nerrors;		/* lexical errors reported so far */
	int oom;
};

/* Prepare to tokenize SRC[0..len) (a leading U+FEFF is skipped); SRC must
 * outlive the lexer and the tokens (their text points into it).  String
 * contents go to ARENA; lexical errors to DIAGS (kind ETM_DIAG_LEX, file
 * FILE which may be NULL). */
void etm_lexer_init(struct etm_lexer *lx, const char *src, size_t len, struct etm_arena *arena,
		    const char *file, struct etm_diag *diags);

/* The next token into *OUT: 1, or 0 at the end of the input, or -1 when
 * out of memory.  Unrecognized input is reported to the diagnostics,
 * counted in lx->nerrors and skipped. */
int etm_lexer_next(struct etm_lexer *lx, struct etm_token *out);

struct etm_token_list {
	struct etm_token *toks;	/* malloc'd; free with etm_token_list_free */
	size_t n, cap;
};

/* Tokenize SRC[0..len) (a leading U+FEFF is skipped).  String contents are
 * allocated in ARENA.  Every lexical error is added to DIAGS (kind
 * ETM_DIAG_LEX, file FILE which may be NULL).  Returns the number of
 * lexical errors, or -1 when out of memory (OUT is then empty).  Invalid
 * UTF-8 bytes are reported one per error (callers normally reject such
 * text before lexing, §10.3). */
int etm_lex(const char *src, size_t len, struct etm_arena *arena, const char *file,
	    struct etm_token_list *out, struct etm_diag *diags);

void etm_token_list_free(struct etm_token_list *list);

/* The reference's English name of a token kind for non-keyword tokens
 * ("Comma", "LParen", "Identifier" ...). */
const char *etm_tok_kind_name(enum etm_tok_kind kind);

/* 1 when S[0..len) is valid UTF-8 (no surrogates, no overlongs, <= U+10FFFF). */
int etm_utf8_valid(const char *s, size_t len);

#endif
