/* builtins_process.c -- the process builtin சூழல் (builtins.tsv, area
 * process): an environment variable or a fallback.  The variable is read
 * through the host (etm_host.getenv, else getenv(3)), so the daemon can
 * decide what a handler sees.  (வெளியேறு is in builtins_core.c.)
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "builtins.h"

static int bi_env(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value name = etm_to_text(h, a[0]);
	etm_string *n = ETM_STR(name);
	const char *found = NULL;
	/* A name with a NUL byte cannot be set (like the reference: unset). */
	if (!memchr(n->data, 0, n->len)) {
		const etm_host *host = etm_vm_host(vm);
		found = host->getenv ? host->getenv(host->ud, n->data) : getenv(n->data);
	}
	if (found && etm_str_valid_utf8(found, strlen(found))) {
		*out = etm_str_cstr(h, found);
	} else {
		*out = a[1];
		a[1] = etm_nil();
	}
	etm_release(h, name);
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_process[] = {
	{{"சூழல்", "cUzal", "_env"}, 2, 0, bi_env},
	{{NULL}, 0, 0, NULL}
};
