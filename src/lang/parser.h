/* parser.h -- recursive-descent parser of eTamil (spec §4): tokens to the
 * AST of ast.h.  Stops at the first error, with the reference's exact
 * message.  Reentrant: all state lives in the call. */
#ifndef ETM_PARSER_H
#define ETM_PARSER_H

#include "ast.h"
#include "lexer.h"

/* Deepest nesting of blocks and parenthesised/bracketed/unary expressions
   accepted; deeper input is an error ("nesting too deep") instead of a
   stack overflow.  The parser then needs at most about 1 KB of stack per
   level: 256 KB of stack is enough for any input. */
#define ETM_PARSE_MAX_DEPTH 256

/* Lex and parse SRC[0..len) (a leading BOM is skipped) into the top-level
 * statements *OUT, allocating every node in ARENA.  Tokens are streamed
 * from the lexer, so memory stays proportional to the tree.  Positions get
 * file index FILE_INDEX.  On failure the errors are added to DIAGS with
 * file FILE (NULL for the main file): every lexical error of the text if
 * there is any (kind ETM_DIAG_LEX), else the first parse error
 * (ETM_DIAG_PARSE).  Returns 0, or -1 after an error (the arena may then
 * hold garbage; free it). */
int etm_parse_source(const char *src, size_t len, struct etm_arena *arena, uint32_t file_index,
		     const char *file, struct etm_block *out, struct etm_diag *diags);

#endif
