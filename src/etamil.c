/* etamil.c -- the `etamil` runner: run or check one eTamil program.
 *
 *   etamil [--vm] [--check] [FILE | -]
 *
 * Standard output carries exactly what the program prints; diagnostics go
 * to standard error as "✗ message".  Exit status: 0 success; 1 load, lex,
 * parse, type or runtime error; the program's own status for வெளியேறு;
 * 2 usage (interfaces.md, spec §10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etamil.h"
#include "redis.h"
#include "serve_compat.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: etamil [--vm] [--check] [FILE | -]\n"
		"       etamil --server [--host H] [--port P] FILE\n"
		"Run an eTamil program (.qmz), or read it from standard input.\n"
		"\n"
		"  --vm           run on the bytecode VM (the default; accepted for compatibility)\n"
		"  --check        lex, parse, resolve imports and type check only; never runs\n"
		"  --server, --async  serve FILE's routes on the etamild engine in the foreground\n"
		"                 (--host 127.0.0.1 and --port 8080 by default; etamild(8))\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  print the version and exit\n"
		"\n"
		"Standard output carries only what the program prints; errors go to\n"
		"standard error.  ETAMIL_PATH (a colon-separated list of directories)\n"
		"extends where இறக்கு looks for modules; ETAMIL_REDIS (HOST:PORT or\n"
		"unix:PATH) is the server ரெடிஸ்_இணை() connects to (127.0.0.1:6379),\n"
		"authenticated with ETAMIL_REDIS_USER and ETAMIL_REDIS_PASSWORD if set.\n"
		"Exit status: 0 success, 1 error, 2 usage, or the program's own status\n"
		"from வெளியேறு.\n");
}

static int read_line_stdin(void *ud, etm_buf *line)
{
	(void)ud;
	char *p = NULL;
	size_t cap = 0;
	ssize_t n = getline(&p, &cap, stdin);
	if (n < 0) {
		free(p);
		return 1;
	}
	if (!etm_str_valid_utf8(p, (size_t)n)) {
		free(p);
		etm_buf_adds(line, "stream did not contain valid UTF-8");
		return -1;
	}
	while (n > 0 && p[n - 1] == '\n')
		n--;
	etm_buf_add(line, p, (size_t)n);
	free(p);
	return 0;
}

static void flush_stdout(void *ud)
{
	(void)ud;
	fflush(stdout);
	fflush(stderr);
}

/* ETAMIL_PATH split on ':' (empty entries skipped), NULL-terminated. */
static char **search_path(char **storage)
{
	const char *env = getenv("ETAMIL_PATH");
	*storage = NULL;
	if (!env || !*env)
		return NULL;
	char *copy = strdup(env);
	size_t n = 2;
	for (const char *c = env; *c; c++)
		n += *c == ':';
	char **v = calloc(n, sizeof(char *));
	if (!copy || !v) {
		free(copy);
		free(v);
		return NULL;
	}
	size_t k = 0;
	for (char *tok = strtok(copy, ":"); tok; tok = strtok(NULL, ":"))
		v[k++] = tok;
	*storage = copy;
	return v;
}

static char *slurp_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				return NULL;
			}
			buf = b;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, stdin);
		n += r;
		if (r == 0)
			break;
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	int check_only = 0;
	int served = serve_compat(argc, argv);	/* --server / --async */
	if (served >= 0)
		return served;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--vm") == 0) {
			continue;
		} else if (strcmp(a, "--check") == 0) {
			check_only = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("etamil %s\n", etm_version());
			return 0;
		} else if (strcmp(a, "--server") == 0 || strcmp(a, "--async") == 0) {
			continue;	/* with --check: only check */
		} else if (strcmp(a, "--host") == 0 || strcmp(a, "--port") == 0) {
			i++;		/* its value was checked by serve_compat() */
		} else if (strcmp(a, "-") == 0) {
			file = NULL;
		} else if (a[0] == '-') {
			fprintf(stderr, "✗ Unknown option: %s\n", a);
			fprintf(stderr, "   Run `etamil --help` to see the available options.\n");
			return 2;
		} else {
			file = a;
		}
	}

	char *path_storage;
	char **path = search_path(&path_storage);
	struct etm_load_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.search_path = (const char *const *)path;

	struct etm_diag diags;
	etm_diag_init(&diags);
	struct etm_ast_program *ast;
	int from_stdin = file == NULL;
	if (from_stdin) {
		size_t len = 0;
		char *src = slurp_stdin(&len);
		if (!src) {
			fprintf(stderr, "✗ out of memory\n");
			return 1;
		}
		ast = etm_load_string(src, len, NULL, &opts, &diags);
		free(src);
	} else {
		ast = etm_load_file(file, &opts, &diags);
	}
	free(path);
	free(path_storage);

	int status = 0;
	if (!ast || etm_check(ast, &diags) > 0) {
		etm_diag_print(&diags, stderr);
		etm_diag_free(&diags);
		etm_ast_free(ast);
		return 1;
	}
	etm_diag_free(&diags);
	if (check_only) {
		etm_ast_free(ast);
		return 0;
	}

	etm_program *prog = etm_program_compile(ast);
	etm_ast_free(ast);
	if (!prog) {
		fprintf(stderr, "✗ out of memory\n");
		return 1;
	}

	etm_host host;
	memset(&host, 0, sizeof(host));
	/* A program read from standard input leaves no input for உள்ளிடு. */
	host.read_line = from_stdin ? NULL : read_line_stdin;
	host.flush = flush_stdout;

	/* Redis: ETAMIL_REDIS names the default server (spec: 10 s timeouts);
	   ETAMIL_REDIS_USER / ETAMIL_REDIS_PASSWORD authenticate to it. */
	const char *redis_addr = getenv("ETAMIL_REDIS");
	const char *redis_user = getenv("ETAMIL_REDIS_USER");
	const char *redis_pw = getenv("ETAMIL_REDIS_PASSWORD");
	struct redis_local *redis = redis_local_new(redis_addr && *redis_addr ? redis_addr : "127.0.0.1:6379", 10,
						    redis_user && *redis_user ? redis_user : NULL,
						    redis_pw && *redis_pw ? redis_pw : NULL, NULL, NULL);
	if (redis)
		redis_local_host(redis, &host);

	etm_vm *vm = etm_vm_new(prog, &host, NULL);
	if (!vm) {
		fprintf(stderr, "✗ out of memory\n");
		redis_local_free(redis);
		etm_program_free(prog);
		return 1;
	}
	etm_result res;
	double t0 = now_s();
	etm_status st = etm_vm_run_main(vm, &res);
	double t1 = now_s();
	if (getenv("ETAMIL_STATS")) {
		fflush(stdout);
		fprintf(stderr, "etamil: %llu instructions in %.3f ms, %.2f ns per instruction, heap peak %zu bytes\n",
			(unsigned long long)res.steps, (t1 - t0) * 1e3,
			res.steps ? (t1 - t0) * 1e9 / (double)res.steps : 0.0, etm_vm_heap_peak(vm));
	}
	switch (st) {
	case ETM_RUN_OK:
		break;
	case ETM_RUN_EXIT:
		status = res.exit_code;
		break;
	default:
		fflush(stdout);
		fprintf(stderr, "✗ Runtime error: %s\n", res.message);
		status = 1;
		break;
	}
	etm_vm_free(vm);
	redis_local_free(redis);
	etm_program_free(prog);
	if (fflush(stdout) != 0 && status == 0)
		status = 1;
	return status;
}
