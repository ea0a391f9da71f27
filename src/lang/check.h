/* check.h -- the declared-type checker (spec §5).  Its entry point,
 * etm_check(), is declared in ast.h; it reports every error, reads the
 * program only, and keeps its scope tables in the call. */
#ifndef ETM_CHECK_H
#define ETM_CHECK_H

#include "ast.h"

/* The spec's wording for a declared type, e.g. "எண் (eN, a number)";
   "" for ETM_DECL_NONE. */
const char *etm_decl_type_name(enum etm_decl_type t);

#endif
