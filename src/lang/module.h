/* module.h -- the program loader (spec §8, §10.3).  Its public entry
 * points (etm_load_file, etm_load_string, etm_parse_string, etm_ast_free,
 * etm_ast_split, etm_ast_file) are declared in ast.h; this header only
 * gathers what the loader promises:
 *
 *  - a top-level "இறக்கு" is replaced in place by the statements of the
 *    imported file, recursively; nested imports stay in the tree;
 *  - a relative path is looked up beside the importing file (its real
 *    directory; the given directory or "." for a string), then in each
 *    directory of etm_load_opts.search_path ("" = the working directory),
 *    then next to the executable, /usr/share/etamil, /usr/local/share/etamil
 *    (the last three skipped with ETM_LOAD_NO_SYSTEM_DIRS); an absolute path
 *    is used as is; a candidate "exists" when stat() succeeds;
 *  - each canonical (realpath) file is included at most once; the main file
 *    counts as included, a string does not;
 *  - errors: the main file's "cannot open" (path as given), "cannot read"
 *    (canonical path; invalid UTF-8 is "stream did not contain valid
 *    UTF-8"), all lexical errors of the failing file, its parse error, or
 *    "cannot open module" (positioned at the import statement).
 */
#ifndef ETM_MODULE_H
#define ETM_MODULE_H

#include "ast.h"

#endif
