/* vm.c -- the eTamil virtual machine: runs the word code of compile.h.
 *
 * One VM per thread at a time; everything it touches is in struct etm_vm
 * (no global mutable state).  The dispatch loop uses computed goto.  The
 * operand stack also holds the locals of every active call: a call's
 * arguments become its first locals in place.  Cancellation (an atomic
 * flag), the deadline and the heap budget are checked on backward jumps
 * and calls, the heap budget also after allocating operations.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builtins_lib.h"
#include "compile.h"

#define MAX_DEPTH 256
#define MAX_EXT 8

#define MSG_UNDEF "அறிவிக்கப்படாத மாறி '%s'  (undefined variable '%s')"
#define MSG_OVERFLOW "எண் வரம்பு மீறல்  (number overflow)"
#define MSG_DIVZERO "பூஜ்ஜியத்தால் வகுத்தல்  (division by zero)"
#define MSG_OOM "நினைவகம் போதவில்லை  (out of memory)"

typedef struct frame {
	uint32_t ret;		/* return pc */
	uint32_t bp;		/* offset of the callee's locals in the stack */
} frame;

struct ext_slot {
	const etm_vm_ext_type *type;
	void *state;
};

struct etm_vm {
	const etm_program *p;
	etm_host host;
	etm_heap heap;
	etm_value *globals;
	etm_value *saved;	/* etm_vm_save_globals(), or NULL */
	etm_value *stack;
	size_t stack_cap;
	frame frames[MAX_DEPTH + 1];
	int nframes;
	const int32_t *fmap;
	atomic_int cancel;
	uint64_t deadline_ns;
	unsigned tick;
	int exit_code;
	int nargs;		/* of the builtin call in progress */
	struct {		/* a run suspended in a builtin call */
		bool active;
		bool prelude;
		etm_builtin_fn finish;	/* gives the call's result on resume */
		uint32_t ip;
		size_t sp, bp;	/* offsets into stack */
		uint64_t steps;
	} susp;
	etm_builtin_fn finish;	/* set by etm_vm_suspend during the call */
	etm_buf err;
	etm_buf tmp;
	struct ext_slot ext[MAX_EXT];
};

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

etm_vm *etm_vm_new(const etm_program *p, const etm_host *host, const etm_limits *limits)
{
	etm_vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->p = p;
	if (host)
		vm->host = *host;
	vm->globals = calloc(p->nglobals ? p->nglobals : 1, sizeof(etm_value));
	vm->stack_cap = 1024;
	vm->stack = malloc(vm->stack_cap * sizeof(etm_value));
	if (!vm->globals || !vm->stack) {
		free(vm->globals);
		free(vm->stack);
		free(vm);
		return NULL;
	}
	atomic_init(&vm->cancel, 0);
	etm_buf_init(&vm->err);
	etm_buf_init(&vm->tmp);
	etm_vm_set_limits(vm, limits);
	return vm;
}

void etm_vm_set_limits(etm_vm *vm, const etm_limits *limits)
{
	vm->heap.limit = limits ? limits->heap_limit : 0;
	vm->deadline_ns = limits ? limits->deadline_ns : 0;
	vm->heap.over = vm->heap.limit && vm->heap.used > vm->heap.limit;
}

static void release_globals(etm_vm *vm, etm_value *g)
{
	for (size_t i = 0; i < vm->p->nglobals; i++) {
		etm_release(&vm->heap, g[i]);
		g[i] = etm_unset();
	}
}

void etm_vm_free(etm_vm *vm)
{
	if (!vm)
		return;
	etm_vm_abandon(vm);
	release_globals(vm, vm->globals);
	if (vm->saved) {
		release_globals(vm, vm->saved);
		free(vm->saved);
	}
	for (int i = 0; i < MAX_EXT; i++)
		if (vm->ext[i].type && vm->ext[i].type->free && vm->ext[i].state)
			vm->ext[i].type->free(vm->ext[i].state);
	free(vm->globals);
	free(vm->stack);
	etm_buf_free(&vm->err);
	etm_buf_free(&vm->tmp);
	free(vm);
}

void etm_vm_suspend(etm_vm *vm, etm_builtin_fn finish)
{
	vm->finish = finish;
}

void etm_vm_abandon(etm_vm *vm)
{
	if (!vm->susp.active)
		return;
	for (etm_value *sp = vm->stack + vm->susp.sp; sp > vm->stack;)
		etm_release(&vm->heap, *--sp);
	vm->nframes = 0;
	vm->susp.active = false;
	vm->susp.finish = NULL;
}

bool etm_vm_suspended(const etm_vm *vm)
{
	return vm->susp.active;
}

void etm_vm_cancel(etm_vm *vm)
{
	atomic_store_explicit(&vm->cancel, 1, memory_order_relaxed);
}

etm_heap *etm_vm_heap(etm_vm *vm)
{
	return &vm->heap;
}

size_t etm_vm_heap_used(const etm_vm *vm)
{
	return vm->heap.used;
}

size_t etm_vm_heap_peak(const etm_vm *vm)
{
	return vm->heap.peak;
}

long etm_program_global_slot(const etm_program *p, const char *name)
{
	return etm_program_global(p, name, strlen(name));
}

int etm_vm_set_global_at(etm_vm *vm, long s, etm_value v)
{
	if (s < 0 || (size_t)s >= vm->p->nglobals) {
		etm_release(&vm->heap, v);
		return -1;
	}
	etm_release(&vm->heap, vm->globals[s]);
	vm->globals[s] = v;
	return 0;
}

const etm_value *etm_vm_get_global_at(etm_vm *vm, long s)
{
	if (s < 0 || (size_t)s >= vm->p->nglobals || vm->globals[s].kind == ETM_UNSET)
		return NULL;
	return &vm->globals[s];
}

int etm_vm_set_global(etm_vm *vm, const char *name, etm_value v)
{
	return etm_vm_set_global_at(vm, etm_program_global(vm->p, name, strlen(name)), v);
}

int etm_vm_set_global_name(etm_vm *vm, const char *name, etm_value v)
{
	return etm_vm_set_global(vm, name, v);
}

const etm_value *etm_vm_get_global(etm_vm *vm, const char *name)
{
	return etm_vm_get_global_at(vm, etm_program_global(vm->p, name, strlen(name)));
}

void etm_vm_save_globals(etm_vm *vm)
{
	size_t n = vm->p->nglobals;
	if (!vm->saved) {
		vm->saved = calloc(n ? n : 1, sizeof(etm_value));
		if (!vm->saved)
			abort();
	} else {
		release_globals(vm, vm->saved);
	}
	for (size_t i = 0; i < n; i++)
		vm->saved[i] = etm_ref(vm->globals[i]);
}

void etm_vm_reset(etm_vm *vm)
{
	etm_vm_abandon(vm);
	release_globals(vm, vm->globals);
	if (vm->saved)
		for (size_t i = 0; i < vm->p->nglobals; i++)
			vm->globals[i] = etm_ref(vm->saved[i]);
	atomic_store_explicit(&vm->cancel, 0, memory_order_relaxed);
	vm->heap.over = vm->heap.limit && vm->heap.used > vm->heap.limit;
	vm->exit_code = 0;
	vm->err.len = 0;
}

/* ------------------------------------------------------------------ */
/* Services for builtins                                               */

int etm_vm_error(etm_vm *vm, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	vm->err.len = 0;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(small)) {
		etm_buf_add(&vm->err, small, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (!big)
			abort();
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		etm_buf_add(&vm->err, big, (size_t)n);
		free(big);
	}
	return ETM_BI_ERROR;
}

int etm_vm_exit(etm_vm *vm, int code)
{
	vm->exit_code = code;
	return ETM_BI_EXIT;
}

int etm_vm_nargs(etm_vm *vm)
{
	return vm->nargs;
}

const etm_host *etm_vm_host(etm_vm *vm)
{
	return &vm->host;
}

void *etm_vm_ext_get(etm_vm *vm, const etm_vm_ext_type *type)
{
	for (int i = 0; i < MAX_EXT; i++)
		if (vm->ext[i].type == type)
			return vm->ext[i].state;
	return NULL;
}

int etm_vm_ext_set(etm_vm *vm, const etm_vm_ext_type *type, void *state)
{
	int free_slot = -1;
	for (int i = 0; i < MAX_EXT; i++) {
		if (vm->ext[i].type == type) {
			if (vm->ext[i].state && type->free && vm->ext[i].state != state)
				type->free(vm->ext[i].state);
			vm->ext[i].state = state;
			return 0;
		}
		if (!vm->ext[i].type && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -1;
	vm->ext[free_slot].type = type;
	vm->ext[free_slot].state = state;
	return 0;
}

const char *etm_text_cstr(etm_vm *vm, etm_buf *b, etm_value v)
{
	b->len = 0;
	etm_text_append(&vm->heap, b, v);
	if (!b->p)
		etm_buf_add(b, "", 0);
	return b->p;
}

etm_value etm_buf_to_value(etm_vm *vm, const etm_buf *b)
{
	return etm_str_new(&vm->heap, b->p ? b->p : "", b->len);
}

/* ------------------------------------------------------------------ */
/* Host defaults                                                       */

static void do_print(etm_vm *vm, const char *s, size_t n)
{
	if (vm->host.print) {
		vm->host.print(vm->host.ud, s, n);
	} else {
		fwrite(s, 1, n, stdout);
		putc('\n', stdout);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read a whole file; returns 0, or -1 with errno / -2 for invalid UTF-8. */
static int read_file(const char *path, etm_buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		etm_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	if (!etm_str_valid_utf8(out->p ? out->p : "", out->len))
		return -2;
	return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers of the loop                                                 */

/* Array position of index value IDX for length LEN, or -1 after setting
   the error (§6.7). */
static long array_index(etm_vm *vm, size_t len, etm_value idx)
{
	etm_dec d = etm_to_dec(idx);
	int64_t i;
	if (!etm_dec_is_integer(d)) {
		etm_buf b;
		etm_buf_init(&b);
		etm_num_append(&b, d, true);
		etm_vm_error(vm, "அட்டவணை முழு எண்ணாக இருக்க வேண்டும்  (array index must be a whole number, got %s)", b.p);
		etm_buf_free(&b);
		return -1;
	}
	if (etm_dec_to_int64(d, &i) != ETM_DEC_OK || i < 0 || (uint64_t)i >= len) {
		etm_buf b;
		etm_buf_init(&b);
		etm_num_append(&b, d, true);
		etm_vm_error(vm, "அட்டவணை %s வரம்பிற்கு வெளியே (நீளம் %zu)  (index %s out of bounds, length %zu)",
			     b.p, len, b.p, len);
		etm_buf_free(&b);
		return -1;
	}
	return (long)i;
}

static etm_value cluster_value(etm_vm *vm, etm_string *s, size_t i)
{
	size_t a, b;
	etm_str_cluster_at(s, i, &a, &b);
	return etm_str_new(&vm->heap, s->data + a, b - a);
}

/* base[idx] -> *out (owned); 0 or -1 (error set). */
static int index_value(etm_vm *vm, etm_value base, etm_value idx, etm_value *out)
{
	switch (base.kind) {
	case ETM_ARR: {
		etm_arr *a = ETM_ARR(base);
		long i = array_index(vm, a->len, idx);
		if (i < 0)
			return -1;
		*out = etm_ref(a->items[i]);
		return 0;
	}
	case ETM_REC: {
		etm_rec *r = ETM_REC(base);
		etm_value *v;
		if (idx.kind == ETM_STR) {
			etm_string *k = ETM_STR(idx);
			v = etm_rec_get(r, k->data, k->len, r->index ? etm_str_hash(k) : 0);
			if (!v) {
				etm_vm_error(vm, "புலம் '%s' இல்லை  (no field '%s' on this record)", k->data, k->data);
				return -1;
			}
		} else {
			vm->tmp.len = 0;
			etm_text_append(&vm->heap, &vm->tmp, idx);
			etm_buf_addc(&vm->tmp, 0);
			vm->tmp.len--;
			v = etm_rec_get(r, vm->tmp.p, vm->tmp.len, 0);
			if (!v) {
				etm_vm_error(vm, "புலம் '%s' இல்லை  (no field '%s' on this record)", vm->tmp.p, vm->tmp.p);
				return -1;
			}
		}
		*out = etm_ref(*v);
		return 0;
	}
	case ETM_STR: {
		etm_string *s = ETM_STR(base);
		long i = array_index(vm, etm_str_clusters(s), idx);
		if (i < 0)
			return -1;
		*out = cluster_value(vm, s, (size_t)i);
		return 0;
	}
	default:
		etm_vm_error(vm, "அட்டவணைப்படுத்த முடியாது  (cannot index into %s)", etm_type_name(base));
		return -1;
	}
}

static etm_value text_value(etm_vm *vm, etm_value v)
{
	return etm_to_text(&vm->heap, v);
}

static int store_index(etm_vm *vm, etm_value *slot, const char *name, etm_value idx, etm_value val)
{
	switch (slot->kind) {
	case ETM_ARR: {
		long i = array_index(vm, ETM_ARR(*slot)->len, idx);
		if (i < 0)
			return -1;
		etm_make_unique(&vm->heap, slot);
		etm_arr *a = ETM_ARR(*slot);
		etm_value old = a->items[i];
		a->items[i] = etm_ref(val);
		etm_release(&vm->heap, old);
		return 0;
	}
	case ETM_REC: {
		etm_value k = text_value(vm, idx);	/* the key is the text of idx */
		etm_make_unique(&vm->heap, slot);
		etm_rec_set(&vm->heap, slot, ETM_STR(k), etm_ref(val));
		etm_release(&vm->heap, k);
		return 0;
	}
	default:
		etm_vm_error(vm, "'%s' ஐ அட்டவணைப்படுத்த முடியாது  (cannot index into %s)", name,
			     etm_type_name(*slot));
		return -1;
	}
}

static int store_field(etm_vm *vm, etm_value *slot, const char *name, etm_value key, etm_value val)
{
	if (slot->kind != ETM_REC) {
		etm_vm_error(vm, "'%s' ஒரு பொருள் அல்ல  ('%s.%s' needs a record, got %s)", name, name,
			     ETM_STR(key)->data, etm_type_name(*slot));
		return -1;
	}
	etm_make_unique(&vm->heap, slot);
	etm_rec_set(&vm->heap, slot, ETM_STR(key), etm_ref(val));
	return 0;
}

static int file_op(etm_vm *vm, int op, etm_value a, etm_value b, etm_value mode, etm_value *out)
{
	etm_buf path, data;
	int rc = 0;
	etm_buf_init(&path);
	etm_buf_init(&data);
	etm_text_append(&vm->heap, &path, a);
	etm_buf_add(&path, "", 0);
	switch (op) {
	case OP_FOPEN: {
		etm_string *m = ETM_STR(mode);
		if (m->len == 5 && memcmp(m->data, "write", 5) == 0) {
			int fd = open(path.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
			if (fd < 0) {
				etm_buf_printf(&data, "கோப்பு '%s' திறக்க முடியவில்லை  (cannot open '%s' for writing): ",
					       path.p, path.p);
				etm_os_error_append(&data, errno);
				etm_vm_error(vm, "%s", data.p);
				rc = -1;
			} else {
				close(fd);
			}
		}
		break;
	}
	case OP_FWRITE: {
		etm_text_append(&vm->heap, &data, b);
		etm_buf_addc(&data, '\n');
		int fd = open(path.p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
		if (fd < 0 || write_all(fd, data.p, data.len) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			data.len = 0;
			etm_buf_printf(&data, "கோப்பு '%s' எழுத முடியவில்லை  (cannot write '%s'): ", path.p, path.p);
			etm_os_error_append(&data, e);
			etm_vm_error(vm, "%s", data.p);
			rc = -1;
		} else {
			close(fd);
		}
		break;
	}
	case OP_FREAD:
	case OP_CSVREAD: {
		int r = read_file(path.p, &data);
		if (r < 0) {
			int e = errno;
			etm_buf msg;
			etm_buf_init(&msg);
			etm_buf_printf(&msg, "கோப்பு '%s' படிக்க முடியவில்லை  (cannot read '%s'): ", path.p, path.p);
			if (r == -2)
				etm_buf_adds(&msg, "stream did not contain valid UTF-8");
			else
				etm_os_error_append(&msg, e);
			etm_vm_error(vm, "%s", msg.p);
			etm_buf_free(&msg);
			rc = -1;
			break;
		}
		if (op == OP_FREAD) {
			size_t n = data.len;
			while (n && data.p[n - 1] == '\n')
				n--;
			*out = etm_str_new(&vm->heap, data.p ? data.p : "", n);
		} else {
			size_t rows = 0, i = 0;
			while (i < data.len) {
				size_t j = i;
				while (j < data.len && data.p[j] != '\n')
					j++;
				size_t s, e;
				etm_trim(data.p + i, j - i, &s, &e);
				if (e > s)
					rows++;
				i = j + 1;
			}
			*out = etm_num_int(rows ? (int64_t)rows - 1 : 0);
		}
		break;
	}
	default:
		break;
	}
	etm_buf_free(&path);
	etm_buf_free(&data);
	return rc;
}

static int read_input(etm_vm *vm, etm_value *out)
{
	etm_buf line;
	etm_buf_init(&line);
	int r = vm->host.read_line ? vm->host.read_line(vm->host.ud, &line) : 1;
	if (r < 0) {
		etm_vm_error(vm, "%s", line.p ? line.p : "input error");
		etm_buf_free(&line);
		return -1;
	}
	if (r > 0 || !line.p) {
		*out = etm_str_new(&vm->heap, "", 0);
	} else {
		size_t s, e;
		etm_trim(line.p, line.len, &s, &e);
		*out = etm_str_new(&vm->heap, line.p + s, e - s);
	}
	etm_buf_free(&line);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */

static bool grow_stack(etm_vm *vm, size_t need)
{
	size_t cap = vm->stack_cap;
	while (cap < need)
		cap *= 2;
	etm_value *s = realloc(vm->stack, cap * sizeof(etm_value));
	if (!s)
		return false;
	vm->stack = s;
	vm->stack_cap = cap;
	return true;
}

enum stop { STOP_NONE, STOP_CANCEL, STOP_TIMEOUT, STOP_HEAP };

static enum stop check_limits(etm_vm *vm)
{
	if (atomic_load_explicit(&vm->cancel, memory_order_relaxed))
		return STOP_CANCEL;
	if (vm->heap.over)
		return STOP_HEAP;
	if (vm->deadline_ns && (++vm->tick & 255) == 0 && now_ns() >= vm->deadline_ns)
		return STOP_TIMEOUT;
	return STOP_NONE;
}

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* EN: the entry to start; NULL: resume the suspended run. */
static etm_status run(etm_vm *vm, const etm_entry *en, bool prelude_mode, etm_result *res)
{
	const etm_program *p = vm->p;
	const uint32_t *code = p->code;
	const etm_value *K = p->consts;
	etm_value *G = vm->globals;
	etm_heap *H = &vm->heap;
	const uint32_t *ip;
	etm_value *sp, *bp;
	uint32_t w;
	uint64_t steps = 0;
	etm_status status = ETM_RUN_OK;
	enum stop stop;
	int arith_st = ETM_DEC_OK;

	static const void *const labels[OP__COUNT] = {
		[OP_HALT] = &&L_HALT, [OP_CONST] = &&L_CONST, [OP_NIL] = &&L_NIL,
		[OP_TRUE] = &&L_TRUE, [OP_FALSE] = &&L_FALSE, [OP_LOADG] = &&L_LOADG,
		[OP_LOADL] = &&L_LOADL, [OP_LOADLG] = &&L_LOADLG, [OP_MOVEG] = &&L_MOVEG,
		[OP_MOVELG] = &&L_MOVELG, [OP_STOREG] = &&L_STOREG, [OP_STOREL] = &&L_STOREL,
		[OP_POP] = &&L_POP, [OP_ADD] = &&L_ADD, [OP_SUB] = &&L_SUB, [OP_MUL] = &&L_MUL,
		[OP_DIV] = &&L_DIV, [OP_NEG] = &&L_NEG, [OP_CONCAT] = &&L_CONCAT,
		[OP_ADDK] = &&L_ADDK, [OP_SUBK] = &&L_SUBK, [OP_MULK] = &&L_MULK,
		[OP_EQ] = &&L_EQ, [OP_NE] = &&L_NE, [OP_LT] = &&L_LT, [OP_LE] = &&L_LE,
		[OP_GT] = &&L_GT, [OP_GE] = &&L_GE, [OP_NOT] = &&L_NOT, [OP_TOBOOL] = &&L_TOBOOL,
		[OP_JMP] = &&L_JMP, [OP_LOOP] = &&L_LOOP, [OP_JF] = &&L_JF, [OP_ANDJ] = &&L_ANDJ,
		[OP_ORJ] = &&L_ORJ, [OP_CALL] = &&L_CALL, [OP_RET] = &&L_RET,
		[OP_RETNIL] = &&L_RETNIL, [OP_ARRAY] = &&L_ARRAY, [OP_RECORD] = &&L_RECORD,
		[OP_INDEX] = &&L_INDEX, [OP_FIELD] = &&L_FIELD, [OP_SETIDXG] = &&L_SETIDXG,
		[OP_SETIDXL] = &&L_SETIDXL, [OP_SETFLDG] = &&L_SETFLDG, [OP_SETFLDL] = &&L_SETFLDL,
		[OP_TRY] = &&L_TRY, [OP_ITERPREP] = &&L_ITERPREP, [OP_ITERNEXT] = &&L_ITERNEXT,
		[OP_PRINT] = &&L_PRINT, [OP_INPUT] = &&L_INPUT, [OP_RESPOND] = &&L_RESPOND,
		[OP_FOPEN] = &&L_FILE, [OP_FCLOSE] = &&L_FILE, [OP_FWRITE] = &&L_FILE,
		[OP_FREAD] = &&L_FILE, [OP_CSVREAD] = &&L_FILE, [OP_ERROR] = &&L_ERROR,
		[OP_TOPLEVEL] = &&L_TOPLEVEL,
	};

	memset(res, 0, sizeof(*res));
	res->message = "";
	res->file = "";
	vm->err.len = 0;
	if (!en) {
		ip = code + vm->susp.ip;
		sp = vm->stack + vm->susp.sp;
		bp = vm->stack + vm->susp.bp;
		steps = vm->susp.steps;
		prelude_mode = vm->susp.prelude;
		vm->susp.active = false;
		goto resume;
	}
	ip = code + en->pc;
	vm->fmap = en->fmap;
	vm->nframes = 0;
	sp = bp = vm->stack;
	if (vm->stack_cap < en->maxstack + 16 && !grow_stack(vm, en->maxstack + 16)) {
		etm_vm_error(vm, MSG_OOM);
		status = ETM_RUN_ERROR;
		goto done;
	}
	sp = bp = vm->stack;

#define NEXT do { w = *ip++; steps++; goto *labels[w & 0xffu]; } while (0)
	/* Push a referenced copy of *V; store the popped top into *DST. */
#define PUSH_REF(v) do {						\
		if ((v)->kind >= ETM_STR && !((v)->as.obj->flags & ETM_OBJ_IMMORTAL)) \
			(v)->as.obj->rc++;				\
		*sp++ = *(v);						\
	} while (0)
#define STORE_TO(dst) do {						\
		--sp;							\
		if ((dst)->kind >= ETM_STR) {				\
			etm_value old_ = *(dst);			\
			*(dst) = *sp;					\
			etm_release(H, old_);				\
		} else {						\
			*(dst) = *sp;					\
		}							\
	} while (0)
#define ARG (w >> 8)
#define FAIL goto fail
#define ERR(...) do { etm_vm_error(vm, __VA_ARGS__); goto fail; } while (0)
#define SLOT(spec) (((spec) & ETM_SLOT_LOCAL) ? &bp[(spec) & ~ETM_SLOT_LOCAL] : &G[(spec)])

	NEXT;

L_HALT:
	goto done;
suspend:
	vm->susp.active = true;
	vm->susp.prelude = prelude_mode;
	vm->susp.finish = vm->finish;
	vm->finish = NULL;
	vm->susp.ip = (uint32_t)(ip - code);
	vm->susp.sp = (size_t)(sp - vm->stack);
	vm->susp.bp = (size_t)(bp - vm->stack);
	vm->susp.steps = steps;
	res->status = ETM_RUN_SUSPENDED;
	res->steps = steps;
	return ETM_RUN_SUSPENDED;
resume: {
	/* the builtin call that suspended gets its result now */
	etm_value out = etm_nil();
	etm_builtin_fn fin = vm->susp.finish;
	vm->susp.finish = NULL;
	vm->nargs = 0;
	int rc = fin(vm, NULL, &out);
	if (unlikely(rc != ETM_BI_OK)) {
		etm_release(H, out);
		if (rc == ETM_BI_SUSPEND && vm->finish)
			goto suspend;
		if (rc == ETM_BI_EXIT) {
			status = ETM_RUN_EXIT;
			goto unwind;
		}
		FAIL;
	}
	*sp++ = out;
	if (unlikely((stop = check_limits(vm)) != STOP_NONE))
		goto stopped;
	NEXT;
}
L_CONST:
	*sp++ = K[ARG];		/* constants are immortal or inline */
	NEXT;
L_NIL:
	*sp++ = etm_nil();
	NEXT;
L_TRUE:
	*sp++ = etm_bool(true);
	NEXT;
L_FALSE:
	*sp++ = etm_bool(false);
	NEXT;
L_LOADG: {
	const etm_value *v = &G[ARG];
	if (unlikely(v->kind == ETM_UNSET))
		ERR(MSG_UNDEF, p->gnames[ARG], p->gnames[ARG]);
	PUSH_REF(v);
	NEXT;
}
L_LOADL: {
	const etm_value *v = &bp[ARG];
	PUSH_REF(v);
	NEXT;
}
L_LOADLG: {
	uint32_t g = *ip++;
	const etm_value *v = &bp[ARG];
	if (v->kind == ETM_UNSET) {
		v = &G[g];
		if (unlikely(v->kind == ETM_UNSET))
			ERR(MSG_UNDEF, p->gnames[g], p->gnames[g]);
	}
	PUSH_REF(v);
	NEXT;
}
L_MOVEG: {
	etm_value v = G[ARG];
	if (unlikely(v.kind == ETM_UNSET))
		ERR(MSG_UNDEF, p->gnames[ARG], p->gnames[ARG]);
	G[ARG] = etm_unset();
	*sp++ = v;
	NEXT;
}
L_MOVELG: {
	uint32_t g = *ip++;
	etm_value v = bp[ARG];
	if (v.kind != ETM_UNSET) {
		bp[ARG] = etm_unset();
		*sp++ = v;
		NEXT;
	}
	v = G[g];
	if (unlikely(v.kind == ETM_UNSET))
		ERR(MSG_UNDEF, p->gnames[g], p->gnames[g]);
	*sp++ = etm_ref(v);
	NEXT;
}
L_STOREG: {
	etm_value *dst = &G[ARG];
	STORE_TO(dst);
	NEXT;
}
L_STOREL: {
	etm_value *dst = &bp[ARG];
	STORE_TO(dst);
	NEXT;
}
L_POP:
	etm_release(H, *--sp);
	NEXT;

#define ARITH(fn) do {							\
		etm_value *a = sp - 2, *b = sp - 1;			\
		etm_dec x, y;						\
		if (likely(a->kind == ETM_NUM && b->kind == ETM_NUM)) {	\
			x = a->as.num; y = b->as.num;			\
		} else {						\
			x = etm_to_dec(*a); y = etm_to_dec(*b);		\
			etm_release(H, *a); etm_release(H, *b);		\
			a->kind = ETM_NUM; b->kind = ETM_NUM;		\
		}							\
		sp--;							\
		arith_st = fn(x, y, &a->as.num);			\
		if (unlikely(arith_st != ETM_DEC_OK))			\
			goto arith_fail;				\
	} while (0)

L_ADD:
	ARITH(etm_dec_add);
	NEXT;
L_SUB:
	ARITH(etm_dec_sub);
	NEXT;
L_MUL:
	ARITH(etm_dec_mul);
	NEXT;
L_DIV:
	ARITH(etm_dec_div);
	NEXT;

#define ARITHK(fn) do {							\
		etm_value *a = sp - 1;					\
		etm_dec x;						\
		if (likely(a->kind == ETM_NUM)) {			\
			x = a->as.num;					\
		} else {						\
			x = etm_to_dec(*a);				\
			etm_release(H, *a);				\
			a->kind = ETM_NUM;				\
		}							\
		arith_st = fn(x, K[ARG].as.num, &a->as.num);		\
		if (unlikely(arith_st != ETM_DEC_OK))			\
			goto arith_fail;				\
	} while (0)

L_ADDK:
	ARITHK(etm_dec_add);
	NEXT;
L_SUBK:
	ARITHK(etm_dec_sub);
	NEXT;
L_MULK:
	ARITHK(etm_dec_mul);
	NEXT;
L_NEG: {
	etm_value *a = sp - 1;
	etm_dec x = etm_to_dec(*a);
	etm_release(H, *a);
	a->kind = ETM_NUM;
	arith_st = etm_dec_sub(etm_dec_zero(), x, &a->as.num);
	if (arith_st != ETM_DEC_OK)
		goto arith_fail;
	NEXT;
}
arith_fail:
	{
		etm_value *a = sp - 1;
		a->kind = ETM_NIL;
		if (arith_st == ETM_DEC_DIVZERO)
			ERR(MSG_DIVZERO);
		ERR(MSG_OVERFLOW);
	}
L_CONCAT: {
	etm_value *a = sp - 2, *b = sp - 1;
	if (a->kind == ETM_STR && etm_unique(*a)) {
		if (b->kind == ETM_STR) {
			etm_str_append(H, a, ETM_STR(*b)->data, ETM_STR(*b)->len);
		} else {
			vm->tmp.len = 0;
			etm_text_append(H, &vm->tmp, *b);
			etm_str_append(H, a, vm->tmp.p ? vm->tmp.p : "", vm->tmp.len);
		}
	} else {
		vm->tmp.len = 0;
		etm_text_append(H, &vm->tmp, *a);
		etm_text_append(H, &vm->tmp, *b);
		etm_release(H, *a);
		*a = etm_str_new(H, vm->tmp.p ? vm->tmp.p : "", vm->tmp.len);
	}
	etm_release(H, *b);
	sp--;
	if (unlikely(H->over))
		goto limits;
	NEXT;
}
L_EQ:
L_NE: {
	etm_value *a = sp - 2, *b = sp - 1;
	bool eq;
	if (likely(a->kind == ETM_NUM && b->kind == ETM_NUM)) {
		eq = etm_dec_cmp(a->as.num, b->as.num) == 0;
	} else {
		eq = etm_equal(*a, *b);
		etm_release(H, *a);
		etm_release(H, *b);
	}
	*a = etm_bool((w & 0xffu) == OP_EQ ? eq : !eq);
	sp--;
	NEXT;
}
L_LT:
L_LE:
L_GT:
L_GE: {
	etm_value *a = sp - 2, *b = sp - 1;
	int c;
	if (likely(a->kind == ETM_NUM && b->kind == ETM_NUM)) {
		c = etm_dec_cmp(a->as.num, b->as.num);
	} else {
		c = etm_compare(*a, *b);
		etm_release(H, *a);
		etm_release(H, *b);
	}
	bool r;
	switch (w & 0xffu) {
	case OP_LT: r = c == -1; break;
	case OP_LE: r = c == -1 || c == 0; break;
	case OP_GT: r = c == 1; break;
	default: r = c == 1 || c == 0; break;
	}
	*a = etm_bool(r);
	sp--;
	NEXT;
}
L_NOT: {
	etm_value *a = sp - 1;
	bool t = etm_truthy(*a);
	etm_release(H, *a);
	*a = etm_bool(!t);
	NEXT;
}
L_TOBOOL: {
	etm_value *a = sp - 1;
	bool t = etm_truthy(*a);
	etm_release(H, *a);
	*a = etm_bool(t);
	NEXT;
}
L_JMP:
	ip = code + ARG;
	NEXT;
L_LOOP:
	ip = code + ARG;
	if (unlikely((stop = check_limits(vm)) != STOP_NONE))
		goto stopped;
	NEXT;
L_JF: {
	etm_value v = *--sp;
	bool t;
	if (likely(v.kind == ETM_BOOL)) {
		t = v.as.b;
	} else {
		t = etm_truthy(v);
		etm_release(H, v);
	}
	if (!t)
		ip = code + ARG;
	NEXT;
}
L_ANDJ:
L_ORJ: {
	etm_value v = *--sp;
	bool t = etm_truthy(v);
	etm_release(H, v);
	if ((w & 0xffu) == OP_ANDJ ? !t : t) {
		*sp++ = etm_bool(t);
		ip = code + ARG;
	}
	NEXT;
}
L_CALL: {
	uint32_t id = ARG, argc = *ip++;
	int32_t fi = vm->fmap[id];
	if (fi < 0) {
		const etm_builtin_def *b = p->calls[id].builtin;
		if (!b)
			ERR("அறியப்படாத செயல் '%s'  (unknown function '%s')", p->calls[id].name,
			    p->calls[id].name);
		if (b->arity >= 0 && (uint32_t)b->arity != argc)
			goto arity;
		etm_value out = etm_nil();
		vm->err.len = 0;
		vm->nargs = (int)argc;
		int rc = b->fn(vm, sp - argc, &out);
		for (uint32_t i = 0; i < argc; i++)
			etm_release(H, *--sp);
		if (unlikely(rc != ETM_BI_OK)) {
			etm_release(H, out);
			if (rc == ETM_BI_SUSPEND && vm->finish)
				goto suspend;
			if (rc == ETM_BI_EXIT) {
				status = ETM_RUN_EXIT;
				goto unwind;
			}
			FAIL;
		}
		*sp++ = out;
		if (unlikely(H->over))
			goto limits;
		NEXT;
	}
	const etm_func *f = &p->funcs[fi];
	if (argc != f->nparams) {
		uint32_t want;
arity:
		want = fi >= 0 ? p->funcs[fi].nparams : (uint32_t)p->calls[id].builtin->arity;
		ERR("செயல் '%s' %u அளவுருக்களை எதிர்பார்க்கிறது, %u வழங்கப்பட்டது  (function '%s' expects %u argument(s), got %u)",
		    p->calls[id].name, want, argc, p->calls[id].name, want, argc);
	}
	if (unlikely(vm->nframes >= MAX_DEPTH))
		ERR("செயல் அழைப்பு ஆழம் மிகுதி (%d)  (call depth exceeded — infinite recursion?)", MAX_DEPTH);
	if (unlikely((stop = check_limits(vm)) != STOP_NONE))
		goto stopped;
	size_t need = (size_t)(sp - vm->stack) + f->nlocals + f->maxstack + 4;
	if (need > vm->stack_cap) {
		size_t spo = (size_t)(sp - vm->stack), bpo = (size_t)(bp - vm->stack);
		if (!grow_stack(vm, need))
			ERR(MSG_OOM);
		sp = vm->stack + spo;
		bp = vm->stack + bpo;
	}
	frame *fr = &vm->frames[vm->nframes++];
	fr->ret = (uint32_t)(ip - code);
	fr->bp = (uint32_t)(bp - vm->stack);
	bp = sp - argc;
	for (uint32_t i = f->nparams; i < f->nlocals; i++)
		*sp++ = etm_unset();
	ip = code + f->entry;
	NEXT;
}
L_RETNIL:
	*sp++ = etm_nil();
	/* fall through */
L_RET: {
	etm_value r = *--sp;
do_return:
	while (sp > bp)
		etm_release(H, *--sp);
	{
		frame *fr = &vm->frames[--vm->nframes];
		ip = code + fr->ret;
		bp = vm->stack + fr->bp;
	}
	*sp++ = r;
	NEXT;
L_TRY: {
	etm_value v = sp[-1];
	if (v.kind == ETM_OK) {
		sp[-1] = etm_ref(ETM_RES(v)->inner);
		etm_release(H, v);
		NEXT;
	}
	if (v.kind == ETM_ERR) {
		if (vm->nframes == 0) {
			vm->tmp.len = 0;
			etm_text_append(H, &vm->tmp, ETM_RES(v)->inner);
			etm_buf_add(&vm->tmp, "", 0);
			ERR("கையாளப்படாத தவறு: %s  (unhandled error at top level: %s)", vm->tmp.p, vm->tmp.p);
		}
		sp--;
		r = v;
		goto do_return;
	}
	ERR("'?' க்கு ஒரு முடிவு தேவை  ('?' needs a result, got %s)", etm_type_name(v));
}
}
L_ARRAY: {
	uint32_t n = ARG;
	etm_value a = etm_arr_new(H, n);
	etm_arr *arr = ETM_ARR(a);
	sp -= n;
	if (n)
		memcpy(arr->items, sp, n * sizeof(etm_value));
	arr->len = n;
	*sp++ = a;
	NEXT;
}
L_RECORD: {
	uint32_t n = ARG;
	etm_value r = etm_rec_new(H, n ? n : 1);
	sp -= n;
	for (uint32_t i = 0; i < n; i++)
		etm_rec_add_first(H, &r, ETM_STR(K[ip[i]]), sp[i]);
	ip += n;
	*sp++ = r;
	if (unlikely(H->over))
		goto limits;
	NEXT;
}
L_INDEX: {
	etm_value out;
	if (index_value(vm, sp[-2], sp[-1], &out) < 0)
		FAIL;
	etm_release(H, sp[-1]);
	etm_release(H, sp[-2]);
	sp--;
	sp[-1] = out;
	NEXT;
}
L_FIELD: {
	etm_value base = sp[-1];
	etm_string *k = ETM_STR(K[ARG]);
	if (base.kind != ETM_REC)
		ERR("'%s' ஒரு பொருள் அல்ல  ('.%s' needs a record, got %s)", k->data, k->data,
		    etm_type_name(base));
	etm_rec *r = ETM_REC(base);
	etm_value *v = etm_rec_get(r, k->data, k->len, k->hash);
	if (!v)
		ERR("புலம் '%s' இல்லை  (no field '%s' on this record)", k->data, k->data);
	sp[-1] = etm_ref(*v);
	etm_release(H, base);
	NEXT;
}
L_SETIDXG: {
	etm_value *slot = &G[ARG];
	if (slot->kind == ETM_UNSET)
		ERR(MSG_UNDEF, p->gnames[ARG], p->gnames[ARG]);
	if (store_index(vm, slot, p->gnames[ARG], sp[-2], sp[-1]) < 0)
		FAIL;
	etm_release(H, *--sp);
	etm_release(H, *--sp);
	NEXT;
}
L_SETIDXL: {
	uint32_t g = *ip++;
	etm_value *slot = &bp[ARG];
	if (slot->kind == ETM_UNSET) {
		if (G[g].kind == ETM_UNSET)
			ERR(MSG_UNDEF, p->gnames[g], p->gnames[g]);
		*slot = etm_ref(G[g]);
	}
	if (store_index(vm, slot, p->gnames[g], sp[-2], sp[-1]) < 0)
		FAIL;
	etm_release(H, *--sp);
	etm_release(H, *--sp);
	NEXT;
}
L_SETFLDG: {
	uint32_t k = *ip++;
	etm_value *slot = &G[ARG];
	if (slot->kind == ETM_UNSET)
		ERR(MSG_UNDEF, p->gnames[ARG], p->gnames[ARG]);
	if (store_field(vm, slot, p->gnames[ARG], K[k], sp[-1]) < 0)
		FAIL;
	etm_release(H, *--sp);
	NEXT;
}
L_SETFLDL: {
	uint32_t g = *ip++, k = *ip++;
	etm_value *slot = &bp[ARG];
	if (slot->kind == ETM_UNSET) {
		if (G[g].kind == ETM_UNSET)
			ERR(MSG_UNDEF, p->gnames[g], p->gnames[g]);
		*slot = etm_ref(G[g]);
	}
	if (store_field(vm, slot, p->gnames[g], K[k], sp[-1]) < 0)
		FAIL;
	etm_release(H, *--sp);
	NEXT;
}
L_ITERPREP: {
	uint32_t ix = *ip++;
	etm_value v = sp[-1];
	if (v.kind != ETM_ARR && v.kind != ETM_REC && v.kind != ETM_STR)
		ERR("இதை சுற்ற முடியாது  (cannot iterate over %s)", etm_type_name(v));
	if (v.kind == ETM_REC)
		etm_rec_sorted(H, ETM_REC(v));
	etm_value *items = SLOT(ARG);
	etm_release(H, *items);
	*items = v;
	sp--;
	etm_value *idx = SLOT(ix);
	idx->kind = ETM_IDX;
	idx->as.i = 0;
	NEXT;
}
L_ITERNEXT: {
	uint32_t ix = ip[0], exit_pc = ip[1];
	ip += 2;
	etm_value coll = *SLOT(ARG);
	etm_value *idx = SLOT(ix);
	size_t i = (size_t)idx->as.i, n;
	switch (coll.kind) {
	case ETM_ARR:
		n = ETM_ARR(coll)->len;
		if (i >= n)
			break;
		*sp++ = etm_ref(ETM_ARR(coll)->items[i]);
		idx->as.i++;
		NEXT;
	case ETM_REC: {
		etm_rec *r = ETM_REC(coll);
		if (i >= r->len)
			break;
		etm_value k;
		k.kind = ETM_STR;
		k.as.obj = &r->ents[r->sorted[i]].key->hdr;
		*sp++ = etm_ref(k);
		idx->as.i++;
		NEXT;
	}
	default: {
		etm_string *s = ETM_STR(coll);
		if (i >= etm_str_clusters(s))
			break;
		*sp++ = cluster_value(vm, s, i);
		idx->as.i++;
		NEXT;
	}
	}
	ip = code + exit_pc;
	NEXT;
}
L_PRINT: {
	etm_value v = *--sp;
	if (v.kind == ETM_STR) {
		do_print(vm, ETM_STR(v)->data, ETM_STR(v)->len);
	} else {
		vm->tmp.len = 0;
		etm_text_append(H, &vm->tmp, v);
		do_print(vm, vm->tmp.p ? vm->tmp.p : "", vm->tmp.len);
	}
	etm_release(H, v);
	NEXT;
}
L_INPUT: {
	etm_value v;
	if (read_input(vm, &v) < 0)
		FAIL;
	*sp++ = v;
	NEXT;
}
L_RESPOND: {
	etm_value hd = *--sp, body = *--sp, st = *--sp;
	etm_value text = text_value(vm, body);
	etm_release(H, body);
	etm_release(H, G[p->g_status]);
	G[p->g_status] = st;
	etm_release(H, G[p->g_body]);
	G[p->g_body] = text;
	etm_release(H, G[p->g_headers]);
	G[p->g_headers] = hd;
	NEXT;
}
L_FILE: {
	uint32_t op = w & 0xffu;
	etm_value out = etm_nil();
	int rc;
	if (op == OP_FWRITE) {
		rc = file_op(vm, (int)op, sp[-2], sp[-1], etm_nil(), &out);
		if (rc < 0)
			FAIL;
		etm_release(H, *--sp);
		etm_release(H, *--sp);
		NEXT;
	}
	rc = file_op(vm, (int)op, sp[-1], etm_nil(), op == OP_FOPEN ? K[ARG] : etm_nil(), &out);
	if (rc < 0)
		FAIL;
	etm_release(H, *--sp);
	if (op == OP_FREAD || op == OP_CSVREAD)
		*sp++ = out;
	if (unlikely(H->over))
		goto limits;
	NEXT;
}
L_ERROR:
	ERR("%s", ETM_STR(K[ARG])->data);
L_TOPLEVEL:
	if (prelude_mode)
		NEXT;
	ERR("%s", ETM_STR(K[ARG])->data);

limits:
	stop = check_limits(vm);
	if (stop == STOP_NONE)
		NEXT;
stopped:
	switch (stop) {
	case STOP_CANCEL:
		status = ETM_RUN_CANCELLED;
		etm_vm_error(vm, "நிரல் நிறுத்தப்பட்டது  (the program was cancelled)");
		break;
	case STOP_TIMEOUT:
		status = ETM_RUN_TIMEOUT;
		etm_vm_error(vm, "நேர வரம்பு மீறல்  (time limit exceeded)");
		break;
	default:
		status = ETM_RUN_HEAP;
		etm_vm_error(vm, "நினைவக வரம்பு மீறல்  (heap limit exceeded)");
		break;
	}
	goto unwind;
fail:
	status = ETM_RUN_ERROR;
unwind:
	{
		/* ip has passed the failing instruction's first word, so ip - 1
		   lies inside it (and inside its statement's code). */
		const etm_posent *pe = etm_program_pos(p, (uint32_t)(ip - 1 - code));
		if (pe) {
			res->line = pe->line;
			res->column = pe->column;
			res->file = pe->file < p->nfiles ? p->files[pe->file] : "";
		}
	}
done:
	while (sp > vm->stack)
		etm_release(H, *--sp);
	vm->nframes = 0;
	res->status = status;
	res->steps = steps;
	res->exit_code = vm->exit_code;
	if (status != ETM_RUN_OK && status != ETM_RUN_EXIT) {
		etm_buf_add(&vm->err, "", 0);
		res->message = vm->err.p;
	}
	return status;
#undef NEXT
#undef ARG
#undef FAIL
#undef ERR
#undef SLOT
#undef PUSH_REF
#undef STORE_TO
}

/* A run that cannot start: ETM_RUN_ERROR with MSG. */
static etm_status refuse(etm_result *res, const char *msg)
{
	memset(res, 0, sizeof(*res));
	res->status = ETM_RUN_ERROR;
	res->message = msg;
	res->file = "";
	return ETM_RUN_ERROR;
}

etm_status etm_vm_resume(etm_vm *vm, etm_result *res)
{
	if (!vm->susp.active)
		return refuse(res, "the VM is not suspended");
	return run(vm, NULL, false, res);
}

etm_status etm_vm_run_main(etm_vm *vm, etm_result *res)
{
	return run(vm, &vm->p->main, false, res);
}

etm_status etm_vm_run_prelude(etm_vm *vm, etm_result *res)
{
	return run(vm, &vm->p->prelude, true, res);
}

etm_status etm_vm_run_route(etm_vm *vm, size_t i, etm_result *res)
{
	if (i >= vm->p->nroutes)
		return refuse(res, "no such route");
	return run(vm, &vm->p->routes[i], false, res);
}

etm_status etm_vm_run_schedule(etm_vm *vm, size_t i, etm_result *res)
{
	if (i >= vm->p->nschedules)
		return refuse(res, "no such schedule");
	return run(vm, &vm->p->schedules[i], false, res);
}

etm_status etm_vm_run_route_prelude(etm_vm *vm, size_t i, etm_result *res)
{
	if (i >= vm->p->nroutes)
		return etm_vm_run_route(vm, i, res);
	etm_entry e = vm->p->prelude;
	e.fmap = vm->p->routes[i].fmap;
	return run(vm, &e, true, res);
}

etm_status etm_vm_run_schedule_prelude(etm_vm *vm, size_t i, etm_result *res)
{
	if (i >= vm->p->nschedules)
		return etm_vm_run_schedule(vm, i, res);
	etm_entry e = vm->p->prelude;
	e.fmap = vm->p->schedules[i].fmap;
	return run(vm, &e, true, res);
}
