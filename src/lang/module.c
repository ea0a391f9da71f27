/* module.c -- loading a program: read, lex, parse, and splice top-level
 * imports (spec §8, §10.3).  Also owns etm_ast_free and the server's
 * top-level split helper.
 *
 * Every file of one program is parsed into the program's single arena.
 * An import is resolved beside the importing file (its real directory),
 * then along the caller's search path, next to the executable, and in the
 * two system data directories; each canonical file is included once, so
 * repeated and cyclic imports contribute nothing.
 */
#define _GNU_SOURCE 1	/* GNU strerror_r */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "lexer.h"
#include "module.h"
#include "parser.h"

static const char *const system_dirs[] = { "/usr/share/etamil", "/usr/local/share/etamil" };

struct loader {
	struct etm_ast_program *prog;
	const struct etm_load_opts *opts;
	struct etm_diag *diags;
	char **visited;		/* canonical paths (malloc'd) */
	size_t nvisited, capvisited;
	const char **files;	/* arena strings; becomes prog->files */
	size_t nfiles, capfiles;
	struct etm_stmt **top;	/* spliced top-level statements (malloc'd) */
	size_t ntop, captop;
	char exe_dir[PATH_MAX];
	int exe_dir_state;	/* 0 unknown, 1 known, -1 none */
	int oom;
};

/* ------------------------------------------------------------------ */

static void add_oom(struct loader *L)
{
	if (!L->oom)
		etm_diag_add(L->diags, ETM_DIAG_LOAD, NULL, 0, 0, "நினைவகம் போதவில்லை  (out of memory)");
	L->oom = 1;
}

/* The OS error text the way the reference (Rust) prints it. */
static void os_text(int err, char *buf, size_t size)
{
	char tmp[256];
	const char *s = strerror_r(err, tmp, sizeof tmp);
	snprintf(buf, size, "%s (os error %d)", s, err);
}

static int add_msg(struct loader *L, enum etm_diag_kind kind, const char *file, uint32_t line,
		   uint32_t col, const char *fmt, const char *a, const char *b)
{
	size_t size = strlen(fmt) + 2 * strlen(a) + strlen(b) + 1;
	char *msg = malloc(size);
	if (!msg) {
		add_oom(L);
		return -1;
	}
	snprintf(msg, size, fmt, a, a, b);
	if (etm_diag_add(L->diags, kind, file, line, col, msg) < 0)
		add_oom(L);
	free(msg);
	return -1;
}

#define MSG_CANNOT_OPEN "கோப்பு '%s' திறக்க முடியவில்லை  (cannot open '%s'): %s"
#define MSG_CANNOT_READ "கோப்பு '%s' படிக்க முடியவில்லை  (cannot read '%s'): %s"
#define MSG_NO_MODULE "தொகுதி '%s' கண்டுபிடிக்க முடியவில்லை  (cannot open module '%s'): " \
	"looked beside the importing file, along ETAMIL_PATH, and next to the compiler%s"

static int push_top(struct loader *L, struct etm_stmt *s)
{
	if (L->ntop == L->captop) {
		size_t cap = L->captop ? L->captop * 2 : 64;
		struct etm_stmt **t = realloc(L->top, cap * sizeof *t);
		if (!t) {
			add_oom(L);
			return -1;
		}
		L->top = t;
		L->captop = cap;
	}
	L->top[L->ntop++] = s;
	return 0;
}

/* Index of a new entry in the program's file list. */
static int add_file(struct loader *L, const char *name, uint32_t *index)
{
	if (L->nfiles == L->capfiles) {
		size_t cap = L->capfiles ? L->capfiles * 2 : 8;
		const char **f = etm_arena_alloc(L->prog->arena, cap * sizeof *f);
		if (!f) {
			add_oom(L);
			return -1;
		}
		if (L->nfiles)
			memcpy(f, L->files, L->nfiles * sizeof *f);
		L->files = f;
		L->capfiles = cap;
	}
	const char *copy = NULL;
	if (name && !(copy = etm_arena_strndup(L->prog->arena, name, strlen(name)))) {
		add_oom(L);
		return -1;
	}
	*index = (uint32_t)L->nfiles;
	L->files[L->nfiles++] = copy;
	return 0;
}

/* 1 if CANON was already included, else records it and returns 0; -1 OOM. */
static int visit(struct loader *L, const char *canon)
{
	for (size_t i = 0; i < L->nvisited; i++)
		if (strcmp(L->visited[i], canon) == 0)
			return 1;
	if (L->nvisited == L->capvisited) {
		size_t cap = L->capvisited ? L->capvisited * 2 : 8;
		char **v = realloc(L->visited, cap * sizeof *v);
		if (!v) {
			add_oom(L);
			return -1;
		}
		L->visited = v;
		L->capvisited = cap;
	}
	if (!(L->visited[L->nvisited] = strdup(canon))) {
		add_oom(L);
		return -1;
	}
	L->nvisited++;
	return 0;
}

/* Read the whole file PATH into a malloc'd buffer; errno-style result. */
static int read_all(const char *path, char **out, size_t *outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return ENOMEM;
	}
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*out = buf;
	*outlen = len;
	return 0;
}

/* ------------------------------------------------------------------ */

static int splice_imports(struct loader *L, struct etm_block *stmts, const char *base_dir,
		  const char *file_for_diag);

/* Lex and parse SRC as file FILE_INDEX; FILE_FOR_DIAG names it in errors
   (NULL for the main file). */
static int parse_source(struct loader *L, const char *src, size_t len, uint32_t file_index,
			const char *file_for_diag, struct etm_block *out)
{
	return etm_parse_source(src, len, L->prog->arena, file_index, file_for_diag, out, L->diags);
}

/* Load the file at PATH (as found or given) and splice its statements.
   IS_MAIN: PATH is the main file (errors name it as given; it is file 0). */
static int load_path(struct loader *L, const char *path, int is_main)
{
	char canon[PATH_MAX], os[300];
	if (!realpath(path, canon)) {
		os_text(errno, os, sizeof os);
		return add_msg(L, ETM_DIAG_LOAD, NULL, 0, 0, MSG_CANNOT_OPEN, path, os);
	}
	int seen = visit(L, canon);
	if (seen < 0)
		return -1;
	if (seen)
		return 0;
	char *src = NULL;
	size_t len = 0;
	int err = read_all(canon, &src, &len);
	if (err) {
		if (err == ENOMEM) {
			add_oom(L);
			return -1;
		}
		os_text(err, os, sizeof os);
		return add_msg(L, ETM_DIAG_LOAD, is_main ? NULL : canon, 0, 0, MSG_CANNOT_READ, canon, os);
	}
	if (!etm_utf8_valid(src, len)) {
		free(src);
		return add_msg(L, ETM_DIAG_LOAD, is_main ? NULL : canon, 0, 0, MSG_CANNOT_READ, canon,
			       "stream did not contain valid UTF-8");
	}
	uint32_t index;
	if (add_file(L, is_main ? path : canon, &index) < 0) {
		free(src);
		return -1;
	}
	struct etm_block stmts;
	const char *diag_file = is_main ? NULL : L->files[index];
	int rc = parse_source(L, src, len, index, diag_file, &stmts);
	free(src);
	if (rc < 0)
		return -1;
	char *slash = strrchr(canon, '/');
	if (slash == canon)
		canon[1] = 0;
	else if (slash)
		*slash = 0;
	return splice_imports(L, &stmts, canon, diag_file);
}

/* DIR joined with REL the way Rust's Path::join does. */
static int join(char *buf, size_t size, const char *dir, const char *rel)
{
	int n;
	if (rel[0] == '/' || dir[0] == 0)
		n = snprintf(buf, size, "%s", rel);
	else if (dir[strlen(dir) - 1] == '/')
		n = snprintf(buf, size, "%s%s", dir, rel);
	else
		n = snprintf(buf, size, "%s/%s", dir, rel);
	return n >= 0 && (size_t)n < size;
}

static int exists_in(const char *dir, const char *rel, char *buf, size_t size)
{
	struct stat st;
	return join(buf, size, dir, rel) && stat(buf, &st) == 0;
}

static const char *exe_dir(struct loader *L)
{
	if (L->exe_dir_state == 0) {
		L->exe_dir_state = -1;
		if (L->opts && L->opts->exe_dir) {
			if (strlen(L->opts->exe_dir) < sizeof L->exe_dir) {
				strcpy(L->exe_dir, L->opts->exe_dir);
				L->exe_dir_state = 1;
			}
		} else {
			ssize_t n = readlink("/proc/self/exe", L->exe_dir, sizeof L->exe_dir - 1);
			if (n > 0) {
				L->exe_dir[n] = 0;
				char *slash = strrchr(L->exe_dir, '/');
				if (slash) {
					if (slash == L->exe_dir)
						slash[1] = 0;
					else
						*slash = 0;
					L->exe_dir_state = 1;
				}
			}
		}
	}
	return L->exe_dir_state == 1 ? L->exe_dir : NULL;
}

/* The first existing candidate for REL (spec §8), into BUF; 0 if none. */
static int locate(struct loader *L, const char *rel, const char *base_dir, char *buf, size_t size)
{
	if (exists_in(base_dir, rel, buf, size))
		return 1;
	if (L->opts && L->opts->search_path)
		for (const char *const *d = L->opts->search_path; *d; d++)
			if (exists_in(*d, rel, buf, size))
				return 1;
	if (L->opts && (L->opts->flags & ETM_LOAD_NO_SYSTEM_DIRS))
		return 0;
	const char *exe = exe_dir(L);
	if (exe && exists_in(exe, rel, buf, size))
		return 1;
	for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
		if (exists_in(system_dirs[i], rel, buf, size))
			return 1;
	return 0;
}

static int splice_imports(struct loader *L, struct etm_block *stmts, const char *base_dir,
		  const char *file_for_diag)
{
	char *found = malloc(PATH_MAX);
	int rc = 0;
	if (!found) {
		add_oom(L);
		return -1;
	}
	for (size_t i = 0; i < stmts->n; i++) {
		struct etm_stmt *s = stmts->items[i];
		if (s->kind != ETM_STMT_IMPORT) {
			if ((rc = push_top(L, s)) < 0)
				break;
			continue;
		}
		const char *rel = s->u.import.path.s;
		if (strlen(rel) != s->u.import.path.len || !locate(L, rel, base_dir, found, PATH_MAX)) {
			rc = add_msg(L, ETM_DIAG_MODULE, file_for_diag, s->pos.line, s->pos.column,
				     MSG_NO_MODULE, rel, "");
			break;
		}
		if ((rc = load_path(L, found, 0)) < 0)
			break;
	}
	free(found);
	return rc;
}

/* ------------------------------------------------------------------ */

static struct etm_ast_program *new_program(void)
{
	struct etm_ast_program *prog = calloc(1, sizeof *prog);
	if (!prog)
		return NULL;
	prog->arena = etm_arena_new();
	if (!prog->arena) {
		free(prog);
		return NULL;
	}
	return prog;
}

static struct etm_ast_program *finish(struct loader *L, int rc)
{
	for (size_t i = 0; i < L->nvisited; i++)
		free(L->visited[i]);
	free(L->visited);
	struct etm_ast_program *prog = L->prog;
	if (rc == 0 && !L->oom) {
		struct etm_stmt **items = NULL;
		if (L->ntop) {
			items = etm_arena_alloc(prog->arena, L->ntop * sizeof *items);
			if (items)
				memcpy(items, L->top, L->ntop * sizeof *items);
			else
				add_oom(L);
		}
		if (!L->oom) {
			prog->body.items = items;
			prog->body.n = L->ntop;
			prog->files = L->files;
			prog->nfiles = L->nfiles;
			free(L->top);
			return prog;
		}
	}
	free(L->top);
	etm_ast_free(prog);
	return NULL;
}

static int oom_diag(struct etm_diag *diags)
{
	etm_diag_add(diags, ETM_DIAG_LOAD, NULL, 0, 0, "நினைவகம் போதவில்லை  (out of memory)");
	return 0;
}

struct etm_ast_program *etm_load_file(const char *path, const struct etm_load_opts *opts,
				      struct etm_diag *diags)
{
	struct loader L = { .opts = opts, .diags = diags };
	if (!(L.prog = new_program())) {
		oom_diag(diags);
		return NULL;
	}
	int rc = load_path(&L, path, 1);
	return finish(&L, rc);
}

struct etm_ast_program *etm_load_string(const char *src, size_t len, const char *dir_for_imports,
					const struct etm_load_opts *opts,
					struct etm_diag *diags)
{
	struct loader L = { .opts = opts, .diags = diags };
	if (!(L.prog = new_program())) {
		oom_diag(diags);
		return NULL;
	}
	int rc = -1;
	uint32_t index;
	struct etm_block stmts;
	if (!etm_utf8_valid(src, len))
		add_msg(&L, ETM_DIAG_LOAD, NULL, 0, 0, MSG_CANNOT_READ, "<stdin>",
			"stream did not contain valid UTF-8");
	else if (add_file(&L, NULL, &index) == 0
		 && parse_source(&L, src, len, index, NULL, &stmts) == 0)
		rc = splice_imports(&L, &stmts, dir_for_imports ? dir_for_imports : ".", NULL);
	return finish(&L, rc);
}

struct etm_ast_program *etm_parse_string(const char *src, size_t len, struct etm_diag *diags)
{
	struct loader L = { .diags = diags };
	if (!(L.prog = new_program())) {
		oom_diag(diags);
		return NULL;
	}
	int rc = -1;
	uint32_t index;
	struct etm_block stmts;
	if (add_file(&L, NULL, &index) == 0 && parse_source(&L, src, len, index, NULL, &stmts) == 0) {
		rc = 0;
		for (size_t i = 0; i < stmts.n && rc == 0; i++)
			rc = push_top(&L, stmts.items[i]);
	}
	return finish(&L, rc);
}

void etm_ast_free(struct etm_ast_program *prog)
{
	if (!prog)
		return;
	etm_arena_free(prog->arena);
	free(prog);
}

const char *etm_ast_file(const struct etm_ast_program *prog, struct etm_pos pos)
{
	if (pos.file >= prog->nfiles || !prog->files[pos.file])
		return "";
	return prog->files[pos.file];
}

int etm_ast_split(const struct etm_ast_program *prog, struct etm_ast_split *out)
{
	memset(out, 0, sizeof *out);
	size_t n = prog->body.n ? prog->body.n : 1;
	out->routes = malloc(n * sizeof *out->routes);
	out->schedules = malloc(n * sizeof *out->schedules);
	out->prelude = malloc(n * sizeof *out->prelude);
	if (!out->routes || !out->schedules || !out->prelude) {
		etm_ast_split_free(out);
		return -1;
	}
	for (size_t i = 0; i < prog->body.n; i++) {
		const struct etm_stmt *s = prog->body.items[i];
		if (s->kind == ETM_STMT_ROUTE)
			out->routes[out->nroutes++] = s;
		else if (s->kind == ETM_STMT_EVERY)
			out->schedules[out->nschedules++] = s;
		else
			out->prelude[out->nprelude++] = s;
	}
	return 0;
}

void etm_ast_split_free(struct etm_ast_split *split)
{
	free(split->routes);
	free(split->schedules);
	free(split->prelude);
	memset(split, 0, sizeof *split);
}
