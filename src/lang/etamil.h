/* etamil.h -- the public interface of the eTamil runtime (src/lang/).
 *
 * The runner (src/etamil.c), the daemon and the unit tests reach the
 * runtime only through this header.  The life of a program:
 *
 *   struct etm_diag d; etm_diag_init(&d);
 *   struct etm_ast_program *ast = etm_load_file(path, &opts, &d);   (ast.h)
 *   if (!ast || etm_check(ast, &d)) -> etm_diag_print(&d, stderr)
 *   etm_program *p = etm_program_compile(ast);   immutable, shareable
 *   etm_ast_free(ast);                            p keeps nothing of it
 *
 * then, on any number of threads at once, each with its own VM:
 *
 *   etm_vm *vm = etm_vm_new(p, &host, &limits);
 *   etm_vm_set_global(vm, "request_path", etm_str_cstr(etm_vm_heap(vm), "/x"));
 *   etm_result r;
 *   etm_vm_run_prelude(vm, &r);            top level minus routes/schedules
 *   etm_vm_run_route(vm, i, &r);           one route body
 *   const etm_value *st = etm_vm_get_global(vm, "response_status");
 *   etm_vm_reset(vm);                      fresh globals for the next request
 *   etm_vm_free(vm);
 *
 * The command-line runner uses etm_vm_run_main() instead, which runs the
 * whole program and treats a top-level route or schedule as the
 * "not implemented in the VM yet" error (spec §7.7).
 *
 * Threads: an etm_program is never written after etm_program_compile()
 * returns (its string constants are immortal), so any number of VMs on any
 * threads may use it at once.  A VM and every value it made belong to one
 * thread at a time; only etm_vm_cancel() may be called from another
 * thread.  Nothing in src/lang/ has global mutable state.
 *
 * Limits: a VM checks its cancel flag and its deadline on every backward
 * jump and every call, and its heap budget there and after every operation
 * that allocates; each ends the run with its own status.
 *
 * Builtins: see builtins.h for how a builtins_*.c file adds functions.
 */
#ifndef ETM_ETAMIL_H
#define ETM_ETAMIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "value.h"

/* The runtime's version string (PACKAGE_VERSION). */
const char *etm_version(void);

/* ------------------------------------------------------------------ */
/* Host services                                                       */

/* Redis, for ரெடிஸ்_இணை / ரெடிஸ்_கட்டளை / ரெடிஸ்_பிரி (builtins_redis.c).
 * The host owns the connections (the daemon keeps one per helper thread and
 * server, the runner one per server); the runtime knows no client library.
 * A reply comes back as items in pre-order: an ARRAY item carries its
 * element count in N and that many items follow it. */
typedef enum etm_redis_item {
	ETM_REDIS_STATUS,	/* +text: S, LEN */
	ETM_REDIS_ERROR,	/* -text (without the '-'): S, LEN */
	ETM_REDIS_INTEGER,	/* :n: N */
	ETM_REDIS_BULK,		/* $len + bytes: S, LEN (any bytes) */
	ETM_REDIS_NIL,		/* $-1 or *-1 */
	ETM_REDIS_ARRAY		/* *count: N, then N items */
} etm_redis_item;

/* What a host Redis call returns; DETAIL (an etm_buf the caller passes)
 * holds the text noted.  The runtime turns each into the spec's message. */
typedef enum etm_redis_status {
	ETM_REDIS_OK = 0,
	ETM_REDIS_NOT_CONNECTED, /* command before ரெடிஸ்_இணை */
	ETM_REDIS_E_CONNECT,	/* cannot connect: the address, a NUL byte,
				   the OS error (or from connect() the OS
				   error alone) */
	ETM_REDIS_E_CLOSED,	/* the server closed the connection */
	ETM_REDIS_E_SEND,	/* cannot send the command: the OS error */
	ETM_REDIS_E_READ,	/* cannot read the reply: the OS error */
	ETM_REDIS_E_VALUE,	/* cannot read a bulk value: the OS error */
	ETM_REDIS_E_MARKER,	/* unknown reply type: the marker */
	ETM_REDIS_E_INTEGER,	/* bad integer: its text */
	ETM_REDIS_E_LENGTH,	/* bad bulk length: its text */
	ETM_REDIS_E_COUNT,	/* bad array count: its text */
	ETM_REDIS_PENDING	/* command() only: sent, the reply comes later
				   (the run suspends; see finish) */
} etm_redis_status;

typedef void (*etm_redis_item_fn)(void *ctx, etm_redis_item kind,
				  const char *s, size_t len, long long n);

typedef struct etm_redis_ops {
	/* The address ரெடிஸ்_இணை() without an argument means; NULL member:
	   "127.0.0.1:6379". */
	const char *(*default_address)(void *ud);
	/* Make ADDR ("HOST:PORT", "[V6]:PORT" or "unix:PATH") the run's
	   current server, connecting when needed; the state a previous user
	   of a kept connection left (SELECT, MULTI ...) must not show.  On
	   failure the previous current server stays.  OK or E_CONNECT. */
	etm_redis_status (*connect)(void *ud, const char *addr, etm_buf *detail);
	/* Send ARGV[0..ARGC) (binary safe) to the current server and report
	   its reply to ITEM(CTX, ...) before returning OK.  A broken
	   connection is dropped (and re-opened by the next call). */
	etm_redis_status (*command)(void *ud, size_t argc, const char *const *argv,
				    const size_t *argvlen, etm_redis_item_fn item,
				    void *ctx, etm_buf *detail);
	/* ரெடிஸ்_பிரி: forget the current server; true when there was one. */
	bool (*close)(void *ud);
	/* Optional.  A host that can wait for a reply without holding its
	   thread may answer command() with PENDING instead (having reported
	   no items): the run then ends with ETM_RUN_SUSPENDED, and once the
	   reply is in, the host calls etm_vm_resume(), which calls finish()
	   to report it exactly as command() would have. */
	etm_redis_status (*finish)(void *ud, etm_redis_item_fn item, void *ctx,
				   etm_buf *detail);
} etm_redis_ops;

/* How a VM reaches the outside world.  Every member may be NULL, meaning
 * the default noted; the struct is copied by etm_vm_new(). */
typedef struct etm_host {
	void *ud;		/* passed to every callback */
	/* அச்சு: one line of program output, WITHOUT its newline.
	   NULL: write the line and "\n" to stdout (stdio-buffered). */
	void (*print)(void *ud, const char *text, size_t len);
	/* உள்ளிடு: read one line (without its newline) into LINE.  Return 0
	   for a line, 1 at end of input (the VM then uses ""), -1 on error
	   (message in LINE; a runtime error).  NULL: end of input. */
	int (*read_line)(void *ud, etm_buf *line);
	/* சூழல்: the value of environment variable NAME or NULL.
	   NULL: getenv(3). */
	const char *(*getenv)(void *ud, const char *name);
	/* இன்று: seconds since the Unix epoch.  NULL: time(2). */
	int64_t (*now)(void *ud);
	/* பதிவேற்றம்_சேமி: bytes of upload INDEX of the current request;
	   return 0 and set *data and *len, or -1 when there is none.  NULL: no
	   uploads. */
	int (*upload)(void *ud, size_t index, const void **data, size_t *len);
	/* Called before வெளியேறு ends the run, to flush output. */
	void (*flush)(void *ud);
	/* Redis (above), called with REDIS_UD.  NULL: every Redis call is
	   the "cannot connect" / "not connected" தவறு. */
	const etm_redis_ops *redis;
	void *redis_ud;
} etm_host;

/* ------------------------------------------------------------------ */
/* Programs                                                            */

typedef struct etm_program etm_program;

/* Compile a loaded (and checked) program.  Never fails except for lack of
 * memory (NULL).  The AST may be freed afterwards. */
etm_program *etm_program_compile(const struct etm_ast_program *ast);
void etm_program_free(etm_program *p);

/* Top-level routes (வழி), in source order. */
typedef struct etm_route_info {
	const char *method;	/* as the parser named it ("GET", "get", "CREDIT") */
	const char *path;	/* NULL when the path is not a string literal */
	const char *error;	/* then: "வழி needs a literal path, got ..." */
	const char *file;	/* source file ("" = main file) */
	uint32_t line, column;
} etm_route_info;

/* Top-level schedules (இடைவெளி), in source order. */
typedef struct etm_schedule_info {
	int64_t seconds;	/* truncated, at least 1; 0 when invalid */
	const char *error;	/* "இடைவெளி needs a literal number of seconds, got ..." */
	const char *file;
	uint32_t line, column;
} etm_schedule_info;

size_t etm_program_route_count(const etm_program *p);
const etm_route_info *etm_program_route(const etm_program *p, size_t i);
size_t etm_program_schedule_count(const etm_program *p);
const etm_schedule_info *etm_program_schedule(const etm_program *p, size_t i);

/* True when the prelude (top level minus routes and schedules) only
 * defines functions and assigns values computed from literals, earlier
 * prelude globals and side-effect-free builtins: it prints nothing, reads
 * no input, files or request variables, and cannot fail.  The daemon may
 * then run it once per thread and start each request from a copy
 * (etm_vm_save_globals / etm_vm_reset) instead of re-running it. */
bool etm_program_prelude_pure(const etm_program *p);

/* Number of instructions in the compiled code (statistics only). */
size_t etm_program_code_size(const etm_program *p);

/* ------------------------------------------------------------------ */
/* Virtual machines                                                    */

typedef struct etm_vm etm_vm;

typedef struct etm_limits {
	size_t heap_limit;	/* bytes a run may hold at once; 0 = none */
	uint64_t deadline_ns;	/* CLOCK_MONOTONIC time to stop at; 0 = none */
} etm_limits;

/* HOST and LIMITS may be NULL (defaults; no limits). */
etm_vm *etm_vm_new(const etm_program *p, const etm_host *host,
		   const etm_limits *limits);
void etm_vm_free(etm_vm *vm);

/* Change the limits for the next run (e.g. a new deadline per request). */
void etm_vm_set_limits(etm_vm *vm, const etm_limits *limits);

/* Ask the running VM to stop (any thread, async-signal-safe).  The run ends
 * with ETM_RUN_CANCELLED at its next backward jump or call.  The flag is
 * cleared by etm_vm_reset(). */
void etm_vm_cancel(etm_vm *vm);

/* The heap values of this VM are charged to (for building bindings). */
etm_heap *etm_vm_heap(etm_vm *vm);

/* Bind global NAME to V (owned).  Returns 0, or -1 when the program never
 * mentions NAME (V is then released: nothing could read it). */
int etm_vm_set_global(etm_vm *vm, const char *name, etm_value v);
/* The value of global NAME (borrowed, valid until the VM runs again or is
 * reset), or NULL when it is unset or never mentioned. */
const etm_value *etm_vm_get_global(etm_vm *vm, const char *name);
/* The same by slot, for hosts that bind the same names on every run: the
 * slot of global NAME, the same for every VM of P, or -1 when the program
 * never mentions it (the _at functions then behave as for such a name). */
long etm_program_global_slot(const etm_program *p, const char *name);
int etm_vm_set_global_at(etm_vm *vm, long slot, etm_value v);
const etm_value *etm_vm_get_global_at(etm_vm *vm, long slot);

/* Remember the current globals as the state etm_vm_reset() returns to
 * (values are shared, not copied). */
void etm_vm_save_globals(etm_vm *vm);
/* Back to a fresh run: globals unset (or as saved), stack and files
 * forgotten, cancel flag cleared, heap statistics kept. */
void etm_vm_reset(etm_vm *vm);

typedef enum etm_status {
	ETM_RUN_OK = 0,		/* finished normally */
	ETM_RUN_ERROR,		/* runtime error: message, position */
	ETM_RUN_EXIT,		/* வெளியேறு(n): exit_code = n */
	ETM_RUN_CANCELLED,	/* etm_vm_cancel() */
	ETM_RUN_TIMEOUT,	/* deadline passed */
	ETM_RUN_HEAP,		/* heap budget exceeded */
	ETM_RUN_SUSPENDED	/* a builtin waits for the host (a Redis reply
				   the host answered PENDING): etm_vm_resume()
				   goes on, etm_vm_abandon() gives up */
} etm_status;

typedef struct etm_result {
	etm_status status;
	int exit_code;		/* ETM_RUN_EXIT */
	/* Runtime error text without "✗ Runtime error: " (also set, in
	   words, for the three limit statuses).  Owned by the VM, valid until
	   its next run or reset. */
	const char *message;
	const char *file;	/* where it happened ("" = main file) */
	uint32_t line, column;	/* 0 when unknown */
	uint64_t steps;		/* instructions executed by this run */
} etm_result;

/* The whole program (command-line runner). */
etm_status etm_vm_run_main(etm_vm *vm, etm_result *res);
/* The prelude: top level without routes and schedules (spec §11.1). */
etm_status etm_vm_run_prelude(etm_vm *vm, etm_result *res);
/* The body of route / schedule I (run the prelude first). */
etm_status etm_vm_run_route(etm_vm *vm, size_t i, etm_result *res);
etm_status etm_vm_run_schedule(etm_vm *vm, size_t i, etm_result *res);
/* The prelude as the first part of route (schedule) I's program: the same
 * code, but a function defined inside that route's body replaces a prelude
 * function of the same name for calls made by the prelude too, exactly as
 * in the reference's "prelude + body" program.  Use these (rather than
 * etm_vm_run_prelude) before etm_vm_run_route / etm_vm_run_schedule when
 * the prelude is re-run per request.  A pure prelude gives the same result
 * under every table (it calls no user function). */
etm_status etm_vm_run_route_prelude(etm_vm *vm, size_t i, etm_result *res);
etm_status etm_vm_run_schedule_prelude(etm_vm *vm, size_t i, etm_result *res);

/* Go on with a run that ended ETM_RUN_SUSPENDED, from the builtin call that
 * suspended it (which now takes its result from the host), on any thread;
 * the result is that of the rest of the run (it may suspend again).  A
 * cancel made while it was suspended stops it at once.  ETM_RUN_ERROR when
 * the VM is not suspended. */
etm_status etm_vm_resume(etm_vm *vm, etm_result *res);
/* Drop a suspended run: its values are released and the VM is idle (a
 * no-op when it is not suspended).  etm_vm_reset and etm_vm_free do this. */
void etm_vm_abandon(etm_vm *vm);
/* Whether the last run ended ETM_RUN_SUSPENDED and has not been resumed or
 * abandoned. */
bool etm_vm_suspended(const etm_vm *vm);

/* Heap bytes in use by this VM's values, and the most ever. */
size_t etm_vm_heap_used(const etm_vm *vm);
size_t etm_vm_heap_peak(const etm_vm *vm);

#endif
