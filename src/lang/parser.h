/* parser.h -- recursive-descent parser of eTamil (spec §4): tokens to the
 * AST of ast.h.  Stops at the first error, with the reference's exact
 * message.  Reentrant: all state lives in the call. */
#ifndef ETM_PARSER_H
#define ETM_PARSER_H

#include "ast.h"
#include "lexer.h"

/* Deepest nesting of blocks and expressions accepted; deeper input is an
   error ("nesting too deep") instead of a stack overflow. */
#define ETM_PARSE_MAX_DEPTH 256

/* Parse TOKS[0..n) into the top-level statements *OUT, allocating every
 * node in ARENA.  Positions get file index FILE_INDEX; an error is added to
 * DIAGS (kind ETM_DIAG_PARSE, file FILE which may be NULL).  Returns 0, or
 * -1 after an error (the arena may then hold garbage; free it). */
int etm_parse_tokens(const struct etm_token *toks, size_t n, struct etm_arena *arena,
		     uint32_t file_index, const char *file, struct etm_block *out,
		     struct etm_diag *diags);

#endif
