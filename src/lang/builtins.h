/* builtins.h -- how builtin functions are written and registered.
 *
 * A builtin is a C function plus a table row giving its spellings, its
 * exact arity and some flags.  Each builtins_AREA.c file defines one table
 * ending with an all-zero row and declares it below; builtins.c lists every
 * table once (etm_builtin_tables[]).  To add a file of builtins:
 *
 *   1. src/lang/builtins_dates.c:
 *
 *        #include "builtins.h"
 *        static int bi_today(etm_vm *vm, etm_value *args, etm_value *out)
 *        {
 *                ...
 *                *out = etm_str_new(etm_vm_heap(vm), text, len);
 *                return ETM_BI_OK;
 *        }
 *        const etm_builtin_def etm_builtins_dates[] = {
 *                {{"இன்று", "iZRu", "_today"}, 0, 0, bi_today},
 *                {{NULL}, 0, 0, NULL}
 *        };
 *
 *   2. declare it below (extern const etm_builtin_def etm_builtins_dates[];)
 *   3. add it to etm_builtin_tables[] in builtins.c;
 *   4. add the file to src_lang_libetamil_a_SOURCES in src/lang/local.mk.
 *
 * When two rows claim one spelling the earlier table wins (so list a table
 * that overrides another before it).
 *
 * Calling convention: ARGS holds exactly `arity` values (the VM has already
 * checked the count and reports "expects k argument(s)" itself; with arity
 * -1 any count is passed and etm_vm_nargs() tells it).  They
 * belong to the VM, which releases them after the call; a builtin that
 * wants to keep or change one in place may take it over by replacing
 * args[i] with etm_nil() (see ETM_BI_MOVE_ARG0).  *OUT receives the owned
 * result.  Return ETM_BI_OK, or ETM_BI_ERROR after etm_vm_error() (a
 * runtime error, exact message of Appendix A), or ETM_BI_EXIT after
 * etm_vm_exit(), or ETM_BI_SUSPEND after etm_vm_suspend() (the host
 * answers later; *OUT is ignored).  Per-VM state (a Redis connection ...) lives in
 * etm_vm_ext_get/etm_vm_ext_set slots, freed with the VM.
 */
#ifndef ETM_BUILTINS_H
#define ETM_BUILTINS_H

#include "etamil.h"

enum {
	ETM_BI_OK = 0,
	ETM_BI_ERROR = -1,
	ETM_BI_EXIT = -2,
	ETM_BI_SUSPEND = -3
};

/* Flags. */
#define ETM_BI_PURE      0x01u	/* no side effects, reads nothing outside its
				   arguments: may run in a cached prelude */
#define ETM_BI_MOVE_ARG0 0x02u	/* `x = f(x, ...)` may hand x over uniquely
				   (when nothing else in the call reads x), so
				   the builtin can change args[0] in place */

typedef int (*etm_builtin_fn)(etm_vm *vm, etm_value *args, etm_value *out);

/* The number of arguments of the builtin call in progress (for arity -1). */
int etm_vm_nargs(etm_vm *vm);

/* From a builtin about to return ETM_BI_SUSPEND: when the run is resumed
 * (etm_vm_resume), FINISH(vm, NULL, out) is called in the builtin's place,
 * with the builtin's conventions (its ARGS are gone: they were released
 * when it returned), and its result is the call's result. */
void etm_vm_suspend(etm_vm *vm, etm_builtin_fn finish);

typedef struct etm_builtin_def {
	const char *names[4];	/* spellings, NULL-terminated (max 3 used) */
	int arity;		/* exact number of arguments; -1 = any (the
				   builtin checks ARGS itself, see nargs) */
	unsigned flags;		/* ETM_BI_* */
	etm_builtin_fn fn;
} etm_builtin_def;

/* The tables (one per builtins_*.c file). */
extern const etm_builtin_def etm_builtins_core[];
extern const etm_builtin_def etm_builtins_string[];
extern const etm_builtin_def etm_builtins_date[];
extern const etm_builtin_def etm_builtins_math[];
extern const etm_builtin_def etm_builtins_file[];
extern const etm_builtin_def etm_builtins_bytes[];
extern const etm_builtin_def etm_builtins_process[];
extern const etm_builtin_def etm_builtins_server[];
extern const etm_builtin_def etm_builtins_json[];
extern const etm_builtin_def etm_builtins_extended[];
extern const etm_builtin_def etm_builtins_redis[];

/* All tables, NULL-terminated (builtins.c). */
extern const etm_builtin_def *const etm_builtin_tables[];

/* The builtin spelled NAME (LEN bytes), or NULL. */
const etm_builtin_def *etm_builtin_find(const char *name, size_t len);

/* ---- services for builtins (vm.c) ---- */

/* Set the runtime error message (printf-style); returns ETM_BI_ERROR. */
int etm_vm_error(etm_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* End the run with exit status CODE; returns ETM_BI_EXIT. */
int etm_vm_exit(etm_vm *vm, int code);
/* The VM's host (never NULL; members may be NULL). */
const etm_host *etm_vm_host(etm_vm *vm);

/* Set global NAME (even from inside a function, like பதில்), V owned.
   Returns -1 (V released) when the program never mentions NAME. */
int etm_vm_set_global_name(etm_vm *vm, const char *name, etm_value v);

/* Per-VM extension state: one slot per distinct TYPE (address identity). */
typedef struct etm_vm_ext_type {
	const char *name;
	void (*free)(void *state);
} etm_vm_ext_type;

void *etm_vm_ext_get(etm_vm *vm, const etm_vm_ext_type *type);
/* Replaces (and frees) any previous state of TYPE; -1 when slots are full. */
int etm_vm_ext_set(etm_vm *vm, const etm_vm_ext_type *type, void *state);

/* Shared helpers for builtins. */
/* The text of V as a NUL-terminated C string in B (B is reset first). */
const char *etm_text_cstr(etm_vm *vm, etm_buf *b, etm_value v);
/* A string value holding B's bytes. */
etm_value etm_buf_to_value(etm_vm *vm, const etm_buf *b);

#endif
