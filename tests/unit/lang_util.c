/* lang_util.c -- helpers shared by the CUnit suites that run eTamil
 * programs. */
#include "lang_util.h"

#include <stdio.h>
#include <string.h>

etm_program *unit_compile(const char *src)
{
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *ast = etm_load_string(src, strlen(src), NULL, NULL, &d);
	if (!ast || etm_check(ast, &d)) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "compile: %s\n", d.items[i].message);
		etm_diag_free(&d);
		etm_ast_free(ast);
		return NULL;
	}
	etm_diag_free(&d);
	etm_program *p = etm_program_compile(ast);
	etm_ast_free(ast);
	return p;
}
