/* builtins_redis.c -- the Redis builtins (spec §12, builtins.tsv area
 * redis): ரெடிஸ்_இணை, ரெடிஸ்_கட்டளை, ரெடிஸ்_பிரி.
 *
 * This file owns the eTamil side only: argument checks, the arguments'
 * text, the mapping of a reply to a value and every message.  Connections
 * belong to the host (etm_host.redis, see etamil.h): the daemon keeps one
 * per helper thread and server across requests, the runner one per server,
 * and neither is visible here, so the runtime needs no client library.
 *
 * ரெடிஸ்_இணை takes 0 or 1 arguments (builtins.tsv says 1; without one it
 * means the host's default server, an etamild extension).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "builtins.h"

/* (vm.c; declared in builtins.h as well once arity -1 is documented there) */
int etm_vm_nargs(etm_vm *vm);

#define DEFAULT_ADDRESS "127.0.0.1:6379"

#define MSG_CONNECT "ரெடிஸ் '%s' இணைக்க முடியவில்லை  (cannot connect to Redis at '%s'): %s"
#define MSG_NOT_CONNECTED "ரெடிஸ் இணைக்கப்படவில்லை  (not connected to Redis): use ரெடிஸ்_இணை first"
#define MSG_CLOSED "ரெடிஸ் இணைப்பு மூடப்பட்டது  (the connection closed)"
#define MSG_MARKER "தெரியாத ரெடிஸ் குறி '%s'  (unknown RESP marker '%s')"
#define MSG_INTEGER "'%s' ஒரு எண் அல்ல  ('%s' is not an integer)"
#define MSG_LENGTH "'%s' ஒரு நீளம் அல்ல  ('%s' is not a length)"
#define MSG_COUNT "'%s' ஒரு எண்ணிக்கை அல்ல  ('%s' is not a count)"
#define MSG_SEND "ரெடிஸ் கட்டளையை அனுப்ப முடியவில்லை  (cannot send the command): %s"
#define MSG_READ "ரெடிஸ் பதிலைப் படிக்க முடியவில்லை  (cannot read the reply): %s"
#define MSG_VALUE "ரெடிஸ் மதிப்பைப் படிக்க முடியவில்லை  (cannot read the value): %s"
#define MSG_ARGS "ரெடிஸ்_கட்டளை அளபுருக்கள் ஒரு அணி தேவை  (the arguments must be an array, got %s)"
#define MSG_ARITY "செயல் 'ரெடிஸ்_இணை' 1 அளவுருக்களை எதிர்பார்க்கிறது, %d வழங்கப்பட்டது  (function 'ரெடிஸ்_இணை' expects 1 argument(s), got %d)"
#define NO_HOST "this host offers no Redis"
#define BAD_ADDRESS "invalid socket address"

/* தவறு(text of B). */
static etm_value err_value(etm_vm *vm, const etm_buf *b)
{
	return etm_result_new(etm_vm_heap(vm), false, etm_buf_to_value(vm, b));
}

/* B as a NUL-terminated string (B may be empty or unallocated). */
static const char *cstr(etm_buf *b)
{
	etm_buf_addc(b, '\0');
	b->len--;
	return b->p;
}

/* The message for a failed host call into MSG.  DETAIL is the host's text;
 * for E_CONNECT it is "ADDRESS\0OS ERROR" (the address may be the one the
 * host re-connects to inside a command). */
static void failure_text(etm_buf *msg, etm_redis_status st, etm_buf *detail)
{
	const char *d = cstr(detail);
	switch (st) {
	case ETM_REDIS_NOT_CONNECTED:
		etm_buf_adds(msg, MSG_NOT_CONNECTED);
		break;
	case ETM_REDIS_E_CONNECT: {
		size_t alen = strlen(d);
		const char *os = alen < detail->len ? d + alen + 1 : "";
		etm_buf_printf(msg, MSG_CONNECT, d, d, os);
		break;
	}
	case ETM_REDIS_E_CLOSED:
		etm_buf_adds(msg, MSG_CLOSED);
		break;
	case ETM_REDIS_E_SEND:
		etm_buf_printf(msg, MSG_SEND, d);
		break;
	case ETM_REDIS_E_VALUE:
		etm_buf_printf(msg, MSG_VALUE, d);
		break;
	case ETM_REDIS_E_MARKER:
		etm_buf_printf(msg, MSG_MARKER, d, d);
		break;
	case ETM_REDIS_E_INTEGER:
		etm_buf_printf(msg, MSG_INTEGER, d, d);
		break;
	case ETM_REDIS_E_LENGTH:
		etm_buf_printf(msg, MSG_LENGTH, d, d);
		break;
	case ETM_REDIS_E_COUNT:
		etm_buf_printf(msg, MSG_COUNT, d, d);
		break;
	case ETM_REDIS_E_READ:
	default:
		etm_buf_printf(msg, MSG_READ, d);
		break;
	}
}

static etm_value failure(etm_vm *vm, etm_redis_status st, etm_buf *detail)
{
	etm_buf msg;
	etm_buf_init(&msg);
	failure_text(&msg, st, detail);
	etm_value v = err_value(vm, &msg);
	etm_buf_free(&msg);
	return v;
}

static etm_value text_value(etm_vm *vm, etm_buf *tmp, const char *s, size_t len)
{
	if (etm_str_valid_utf8(s, len))
		return etm_str_new(etm_vm_heap(vm), s, len);
	tmp->len = 0;
	etm_buf_add_utf8_lossy(tmp, s, len);
	return etm_str_new(etm_vm_heap(vm), tmp->p, tmp->len);
}

/* ---- building a reply value from the host's pre-order items ---- */

struct frame {
	etm_value arr;
	long long left;
};

struct build {
	etm_vm *vm;
	etm_buf tmp;
	struct frame *st;
	size_t n, cap;
	etm_value root;
	int have_root;
	etm_redis_item top;	/* kind of the top-level item */
};

/* Put V (owned) where the next item goes, closing finished arrays. */
static void place(struct build *b, etm_value v)
{
	etm_heap *h = etm_vm_heap(b->vm);
	for (;;) {
		if (b->n == 0) {
			if (b->have_root) {
				etm_release(h, v);	/* a host sent too much */
			} else {
				b->root = v;
				b->have_root = 1;
			}
			return;
		}
		struct frame *f = &b->st[b->n - 1];
		etm_arr_push(h, &f->arr, v);
		if (--f->left > 0)
			return;
		v = f->arr;
		b->n--;
	}
}

static void on_item(void *ctx, etm_redis_item kind, const char *s, size_t len, long long n)
{
	struct build *b = ctx;
	etm_heap *h = etm_vm_heap(b->vm);
	if (b->n == 0) {
		if (b->have_root)
			return;
		b->top = kind;
	}
	switch (kind) {
	case ETM_REDIS_STATUS:
	case ETM_REDIS_ERROR:
	case ETM_REDIS_BULK:
		place(b, text_value(b->vm, &b->tmp, s ? s : "", s ? len : 0));
		break;
	case ETM_REDIS_INTEGER:
		place(b, etm_num_int((int64_t)n));
		break;
	case ETM_REDIS_ARRAY:
		if (n <= 0) {
			place(b, etm_arr_new(h, 0));
			break;
		}
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 8;
			struct frame *st = realloc(b->st, cap * sizeof(*st));
			if (!st)
				abort();
			b->st = st;
			b->cap = cap;
		}
		b->st[b->n].arr = etm_arr_new(h, n < 1024 ? (size_t)n : 1024);
		b->st[b->n].left = n;
		b->n++;
		break;
	case ETM_REDIS_NIL:
	default:
		place(b, etm_nil());
		break;
	}
}

/* ---- the builtins ---- */

static int bi_connect(etm_vm *vm, etm_value *a, etm_value *out)
{
	int nargs = etm_vm_nargs(vm);
	if (nargs > 1)
		return etm_vm_error(vm, MSG_ARITY, nargs, nargs);
	const etm_host *host = etm_vm_host(vm);
	const etm_redis_ops *ops = host->redis;
	etm_buf addr, detail;
	etm_buf_init(&addr);
	etm_buf_init(&detail);
	if (nargs == 1) {
		etm_text_cstr(vm, &addr, a[0]);
	} else {
		const char *d = ops && ops->default_address ? ops->default_address(host->redis_ud) : NULL;
		etm_buf_adds(&addr, d ? d : DEFAULT_ADDRESS);
		cstr(&addr);
	}
	etm_redis_status st;
	if (!ops || !ops->connect) {
		st = ETM_REDIS_E_CONNECT;
		etm_buf_add(&detail, addr.p, addr.len);
		etm_buf_addc(&detail, '\0');
		etm_buf_adds(&detail, NO_HOST);
	} else if (memchr(addr.p, '\0', addr.len)) {
		st = ETM_REDIS_E_CONNECT;
		etm_buf_add(&detail, addr.p, strlen(addr.p));
		etm_buf_addc(&detail, '\0');
		etm_buf_adds(&detail, BAD_ADDRESS);
	} else {
		st = ops->connect(host->redis_ud, addr.p, &detail);
	}
	if (st == ETM_REDIS_OK) {
		*out = etm_result_new(etm_vm_heap(vm), true, etm_buf_to_value(vm, &addr));
	} else {
		if (st == ETM_REDIS_E_CONNECT && !(detail.len && memchr(detail.p, '\0', detail.len))) {
			/* the host gave the OS error only */
			etm_buf d2;
			etm_buf_init(&d2);
			etm_buf_add(&d2, addr.p, strlen(addr.p));
			etm_buf_addc(&d2, '\0');
			etm_buf_add(&d2, detail.p, detail.len);
			etm_buf_free(&detail);
			detail = d2;
		}
		*out = failure(vm, st, &detail);
	}
	etm_buf_free(&addr);
	etm_buf_free(&detail);
	return ETM_BI_OK;
}

/* The value of a command's outcome ST, whose reply B has built (B and
 * DETAIL are freed). */
static etm_value reply_value(etm_vm *vm, etm_redis_status st, struct build *b, etm_buf *detail)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value out;
	/* Arrays the host left unfinished are closed as they are. */
	while (b->n > 0) {
		etm_value v = b->st[--b->n].arr;
		place(b, v);
	}
	if (st == ETM_REDIS_OK) {
		etm_value v = b->have_root ? b->root : etm_nil();
		out = etm_result_new(h, b->top != ETM_REDIS_ERROR || !b->have_root, v);
	} else {
		if (b->have_root)
			etm_release(h, b->root);
		out = failure(vm, st, detail);
	}
	free(b->st);
	etm_buf_free(&b->tmp);
	etm_buf_free(detail);
	return out;
}

/* ரெடிஸ்_கட்டளை resumed after the host answered PENDING. */
static int finish_command(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)a;
	const etm_host *host = etm_vm_host(vm);
	struct build b;
	memset(&b, 0, sizeof(b));
	b.vm = vm;
	etm_buf_init(&b.tmp);
	etm_buf detail;
	etm_buf_init(&detail);
	etm_redis_status st = host->redis->finish(host->redis_ud, on_item, &b, &detail);
	if (st == ETM_REDIS_PENDING) {
		st = ETM_REDIS_E_READ;
		etm_buf_adds(&detail, "no reply");
	}
	*out = reply_value(vm, st, &b, &detail);
	return ETM_BI_OK;
}

static int bi_command(etm_vm *vm, etm_value *a, etm_value *out)
{
	if (a[1].kind != ETM_ARR)
		return etm_vm_error(vm, MSG_ARGS, etm_type_name(a[1]));
	const etm_host *host = etm_vm_host(vm);
	const etm_redis_ops *ops = host->redis;
	etm_buf detail;
	etm_buf_init(&detail);
	if (!ops || !ops->command) {
		*out = failure(vm, ETM_REDIS_NOT_CONNECTED, &detail);
		etm_buf_free(&detail);
		return ETM_BI_OK;
	}

	etm_heap *h = etm_vm_heap(vm);
	etm_arr *arr = ETM_ARR(a[1]);
	size_t argc = arr->len + 1;
	size_t small_len[8];
	const char *small_v[8];
	size_t *lens = argc <= 8 ? small_len : malloc(argc * sizeof(size_t));
	const char **argv = argc <= 8 ? small_v : malloc(argc * sizeof(char *));
	if (!lens || !argv)
		abort();
	/* All texts in one buffer; lens[i] holds the end offset first. */
	etm_buf text;
	etm_buf_init(&text);
	etm_text_append(h, &text, a[0]);
	lens[0] = text.len;
	for (size_t i = 0; i < arr->len; i++) {
		etm_text_append(h, &text, arr->items[i]);
		lens[i + 1] = text.len;
	}
	etm_buf_addc(&text, '\0');
	size_t start = 0;
	for (size_t i = 0; i < argc; i++) {
		argv[i] = text.p + start;
		size_t end = lens[i];
		lens[i] = end - start;
		start = end;
	}

	struct build b;
	memset(&b, 0, sizeof(b));
	b.vm = vm;
	etm_buf_init(&b.tmp);
	etm_redis_status st = ops->command(host->redis_ud, argc, (const char *const *)argv, lens,
					   on_item, &b, &detail);
	etm_buf_free(&text);
	if (lens != small_len)
		free(lens);
	if (argv != small_v)
		free(argv);
	if (st == ETM_REDIS_PENDING && ops->finish) {
		/* the host answers later: finish_command gives the result */
		free(b.st);
		etm_buf_free(&b.tmp);
		etm_buf_free(&detail);
		etm_vm_suspend(vm, finish_command);
		return ETM_BI_SUSPEND;
	}
	if (st == ETM_REDIS_PENDING) {
		st = ETM_REDIS_E_READ;
		etm_buf_adds(&detail, "the host cannot wait for the reply");
	}
	*out = reply_value(vm, st, &b, &detail);
	return ETM_BI_OK;
}

static int bi_close(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)a;
	const etm_host *host = etm_vm_host(vm);
	bool was = host->redis && host->redis->close && host->redis->close(host->redis_ud);
	*out = etm_bool(was);
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_redis[] = {
	{{"ரெடிஸ்_இணை", "retis_iNY", "_redisConnect"}, -1, 0, bi_connect},
	{{"ரெடிஸ்_கட்டளை", "retis_kattaLY", "_redisCommand"}, 2, 0, bi_command},
	{{"ரெடிஸ்_பிரி", "retis_piri", "_redisClose"}, 0, 0, bi_close},
	{{NULL}, 0, 0, NULL}
};
