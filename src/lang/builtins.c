/* builtins.c -- the list of builtin tables and the lookup by spelling.
 *
 * To add a file of builtins, declare its table in builtins.h and list it
 * here (see builtins.h for the recipe).  Lookups happen at compile time
 * only; the tables are const and shared by every thread.
 */
#include <string.h>

#include "builtins.h"

const etm_builtin_def *const etm_builtin_tables[] = {
	etm_builtins_core,
	etm_builtins_string,
	etm_builtins_date,
	etm_builtins_math,
	etm_builtins_file,
	etm_builtins_bytes,
	etm_builtins_process,
	etm_builtins_server,
	etm_builtins_json,
	etm_builtins_redis,
	etm_builtins_extended,
	NULL
};

const etm_builtin_def *etm_builtin_find(const char *name, size_t len)
{
	for (size_t t = 0; etm_builtin_tables[t]; t++) {
		for (const etm_builtin_def *d = etm_builtin_tables[t]; d->fn; d++) {
			for (int i = 0; i < 4 && d->names[i]; i++) {
				if (strlen(d->names[i]) == len && memcmp(d->names[i], name, len) == 0)
					return d;
			}
		}
	}
	return NULL;
}
