/* test_module.c -- CUnit suite for the program loader and import splicing
 * (spec §8, §10.3; src/lang/module.c).  Works in a temporary directory. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "ast.h"

static char tmp[PATH_MAX];	/* the suite's temporary directory (real path) */

static void path_of(char *buf, const char *rel)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", tmp, rel) >= PATH_MAX)
		abort();
}

static void write_file(const char *rel, const char *content)
{
	char p[PATH_MAX];
	path_of(p, rel);
	for (char *s = p + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(p, 0700);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(content, f);
	fclose(f);
}

static int remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static int suite_init(void)
{
	const char *t = getenv("TMPDIR");
	char templ[PATH_MAX];
	snprintf(templ, sizeof templ, "%s/etm-module-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(templ) || !realpath(templ, tmp))
		return -1;
	return 0;
}

static int suite_clean(void)
{
	return remove_tree(tmp) == 0 ? 0 : -1;
}

static const struct etm_load_opts no_system = { NULL, NULL, ETM_LOAD_NO_SYSTEM_DIRS };

/* The printed strings of a program's top-level அச்சு statements, joined
   by ",", or "ERROR: " and the messages. */
static char *summary(struct etm_ast_program *p, struct etm_diag *d)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!p) {
		fputs("ERROR:", f);
		for (size_t i = 0; i < d->n; i++)
			fprintf(f, " %s", d->items[i].message);
	} else {
		for (size_t i = 0; i < p->body.n; i++) {
			const struct etm_stmt *s = p->body.items[i];
			if (i)
				fputc(',', f);
			if (s->kind == ETM_STMT_PRINT && s->u.print.value->kind == ETM_EXPR_STRING)
				fputs(s->u.print.value->u.string.s, f);
			else
				fprintf(f, "<%d>", (int)s->kind);
		}
	}
	fclose(f);
	return out;
}

static char *load(const char *rel, const struct etm_load_opts *opts)
{
	char p[PATH_MAX];
	path_of(p, rel);
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *prog = etm_load_file(p, opts, &d);
	char *s = summary(prog, &d);
	etm_ast_free(prog);
	etm_diag_free(&d);
	return s;
}

#define LOADS(rel, opts, expected)                                        \
	do {                                                              \
		char *got_ = load(rel, opts);                             \
		CU_ASSERT_STRING_EQUAL(got_, expected);                   \
		if (strcmp(got_, expected) != 0)                          \
			fprintf(stderr, "\n  %s\n  got:  %s\n  want: %s\n", rel, got_, expected); \
		free(got_);                                               \
	} while (0)

static void test_spec_example(void)
{
	write_file("ex/a.qmz", "அச்சு \"A1\"; இறக்கு \"b.qmz\"; அச்சு \"A2\";");
	write_file("ex/b.qmz", "அச்சு \"B\"; இறக்கு \"a.qmz\"; இறக்கு \"lib/c.qmz\"; இறக்கு \"lib/c.qmz\";");
	write_file("ex/lib/c.qmz", "அச்சு \"C\";");
	LOADS("ex/a.qmz", &no_system, "A1,B,C,A2");

	/* files and positions of the spliced statements */
	char p[PATH_MAX], c[PATH_MAX];
	path_of(p, "ex/a.qmz");
	path_of(c, "ex/lib/c.qmz");
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *prog = etm_load_file(p, &no_system, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prog);
	CU_ASSERT_EQUAL(prog->body.n, 4);
	CU_ASSERT_EQUAL_FATAL(prog->nfiles, 3);
	CU_ASSERT_STRING_EQUAL(prog->files[0], p);
	CU_ASSERT_STRING_EQUAL(prog->files[2], c);
	const struct etm_stmt *s = prog->body.items[2];
	CU_ASSERT_EQUAL(s->pos.file, 2);
	CU_ASSERT_STRING_EQUAL(etm_ast_file(prog, s->pos), c);
	CU_ASSERT_EQUAL(prog->body.items[3]->pos.column, 29);
	etm_ast_free(prog);
	etm_diag_free(&d);
}

static void test_cycles_and_repeats(void)
{
	write_file("cyc/x.qmz", "அச்சு \"x1\"; இறக்கு \"y.qmz\"; அச்சு \"x2\";");
	write_file("cyc/y.qmz", "இறக்கு \"x.qmz\"; அச்சு \"y\"; இறக்கு \"y.qmz\"; இறக்கு \"./y.qmz\";");
	LOADS("cyc/x.qmz", &no_system, "x1,y,x2");
	/* the main file counts as included */
	write_file("cyc/self.qmz", "அச்சு \"s\"; இறக்கு \"self.qmz\";");
	LOADS("cyc/self.qmz", &no_system, "s");
	/* an empty imported file contributes nothing */
	write_file("cyc/empty.qmz", "// nothing\n");
	write_file("cyc/e.qmz", "இறக்கு \"empty.qmz\"; அச்சு \"e\";");
	LOADS("cyc/e.qmz", &no_system, "e");
}

static void test_search_order(void)
{
	write_file("so/main/m.qmz", "இறக்கு \"lib.qmz\"; இறக்கு \"only2.qmz\";");
	write_file("so/s1/lib.qmz", "அச்சு \"s1\";");
	write_file("so/s2/lib.qmz", "அச்சு \"s2\";");
	write_file("so/s2/only2.qmz", "அச்சு \"o2\";");
	char s1[PATH_MAX], s2[PATH_MAX];
	path_of(s1, "so/s1");
	path_of(s2, "so/s2");
	const char *const path[] = { s1, s2, NULL };
	struct etm_load_opts opts = { path, NULL, ETM_LOAD_NO_SYSTEM_DIRS };
	LOADS("so/main/m.qmz", &opts, "s1,o2");
	const char *const rev[] = { s2, s1, NULL };
	opts.search_path = rev;
	LOADS("so/main/m.qmz", &opts, "s2,o2");
	/* beside the importing file comes first */
	write_file("so/main/lib.qmz", "அச்சு \"beside\";");
	LOADS("so/main/m.qmz", &opts, "beside,o2");
	/* relative to the imported file's own directory */
	write_file("so/s2/only2.qmz", "இறக்கு \"sub/deep.qmz\";");
	write_file("so/s2/sub/deep.qmz", "அச்சு \"deep\";");
	LOADS("so/main/m.qmz", &opts, "beside,deep");
}

static void test_exe_dir(void)
{
	write_file("exe/bin/tool.qmz", "அச்சு \"tool\";");
	write_file("exe/app/main.qmz", "இறக்கு \"tool.qmz\";");
	char bin[PATH_MAX];
	path_of(bin, "exe/bin");
	struct etm_load_opts opts = { NULL, bin, 0 };
	LOADS("exe/app/main.qmz", &opts, "tool");
	opts.flags = ETM_LOAD_NO_SYSTEM_DIRS;
	LOADS("exe/app/main.qmz", &opts,
	      "ERROR: தொகுதி 'tool.qmz' கண்டுபிடிக்க முடியவில்லை  (cannot open module 'tool.qmz'): "
	      "looked beside the importing file, along ETAMIL_PATH, and next to the compiler");
}

static void test_not_found(void)
{
	write_file("nf/main.qmz", "x = 1;\n  இறக்கு \"missing.qmz\";");
	char p[PATH_MAX];
	path_of(p, "nf/main.qmz");
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *prog = etm_load_file(p, &no_system, &d);
	CU_ASSERT_PTR_NULL(prog);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.items[0].kind, ETM_DIAG_MODULE);
	CU_ASSERT_STRING_EQUAL(d.items[0].message,
			       "தொகுதி 'missing.qmz' கண்டுபிடிக்க முடியவில்லை  (cannot open module "
			       "'missing.qmz'): looked beside the importing file, along ETAMIL_PATH, "
			       "and next to the compiler");
	CU_ASSERT_PTR_NULL(d.items[0].file);
	CU_ASSERT_EQUAL(d.items[0].line, 2);
	CU_ASSERT_EQUAL(d.items[0].column, 3);
	etm_diag_free(&d);

	/* inside an imported file the error names the importing file */
	write_file("nf/outer.qmz", "இறக்கு \"inner.qmz\";");
	write_file("nf/inner.qmz", "இறக்கு \"gone.qmz\";");
	char inner[PATH_MAX];
	path_of(p, "nf/outer.qmz");
	path_of(inner, "nf/inner.qmz");
	prog = etm_load_file(p, &no_system, &d);
	CU_ASSERT_PTR_NULL(prog);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_STRING_EQUAL(d.items[0].file, inner);
	etm_diag_free(&d);
}

static void test_load_errors(void)
{
	char msg[3 * PATH_MAX];
	/* a missing main file: the path as given */
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *prog = etm_load_file("no-such-dir/x.qmz", &no_system, &d);
	CU_ASSERT_PTR_NULL(prog);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.items[0].kind, ETM_DIAG_LOAD);
	CU_ASSERT_STRING_EQUAL(d.items[0].message,
			       "கோப்பு 'no-such-dir/x.qmz' திறக்க முடியவில்லை  (cannot open "
			       "'no-such-dir/x.qmz'): No such file or directory (os error 2)");
	etm_diag_free(&d);

	/* invalid UTF-8: the canonical path */
	write_file("le/bad.qmz", "x = \"\xFF\";");
	char p[PATH_MAX];
	path_of(p, "le/bad.qmz");
	snprintf(msg, sizeof msg, "ERROR: கோப்பு '%s' படிக்க முடியவில்லை  (cannot read '%s'): "
		 "stream did not contain valid UTF-8", p, p);
	LOADS("le/bad.qmz", &no_system, msg);
	write_file("le/imports_bad.qmz", "இறக்கு \"bad.qmz\";");
	LOADS("le/imports_bad.qmz", &no_system, msg);

	/* a directory cannot be read */
	write_file("le/lib/x.qmz", "");
	write_file("le/dir.qmz", "இறக்கு \"lib\";");
	path_of(p, "le/lib");
	snprintf(msg, sizeof msg, "ERROR: கோப்பு '%s' படிக்க முடியவில்லை  (cannot read '%s'): "
		 "Is a directory (os error 21)", p, p);
	LOADS("le/dir.qmz", &no_system, msg);
}

static void test_errors_in_imported_files(void)
{
	write_file("ie/lex.qmz", "x = 1;\ny = 5 @ 3 #;");
	write_file("ie/parse.qmz", "x = 1;\n  y = ;");
	write_file("ie/main1.qmz", "அச்சு 1;\nஇறக்கு \"lex.qmz\";");
	write_file("ie/main2.qmz", "இறக்கு \"parse.qmz\";");
	char p[PATH_MAX], lexf[PATH_MAX], parsef[PATH_MAX];
	path_of(lexf, "ie/lex.qmz");
	path_of(parsef, "ie/parse.qmz");
	struct etm_diag d;
	etm_diag_init(&d);
	path_of(p, "ie/main1.qmz");
	struct etm_ast_program *prog = etm_load_file(p, &no_system, &d);
	CU_ASSERT_PTR_NULL(prog);
	CU_ASSERT_EQUAL_FATAL(d.n, 2);
	CU_ASSERT_EQUAL(d.items[0].kind, ETM_DIAG_LEX);
	CU_ASSERT_STRING_EQUAL(d.items[0].file, lexf);
	CU_ASSERT_EQUAL(d.items[0].line, 2);
	CU_ASSERT_EQUAL(d.items[0].column, 7);
	CU_ASSERT_STRING_EQUAL(d.items[1].message,
			       "வரி 2, நெடுவரிசை 11: அறியப்படாத உள்ளீடு '#'  (line 2, column 11: unrecognized input '#')");
	etm_diag_free(&d);

	path_of(p, "ie/main2.qmz");
	prog = etm_load_file(p, &no_system, &d);
	CU_ASSERT_PTR_NULL(prog);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.items[0].kind, ETM_DIAG_PARSE);
	CU_ASSERT_STRING_EQUAL(d.items[0].file, parsef);
	CU_ASSERT_STRING_EQUAL(d.items[0].message,
			       "வரி 2, நெடுவரிசை 7: a value எதிர்பார்க்கப்பட்டது, ';' கிடைத்தது  "
			       "(line 2, column 7: expected a value, found ';')");
	etm_diag_free(&d);

	/* the main file's own errors come first: imports are resolved after
	   the whole file parsed */
	write_file("ie/main3.qmz", "இறக்கு \"parse.qmz\";\nx = ;");
	path_of(p, "ie/main3.qmz");
	prog = etm_load_file(p, &no_system, &d);
	CU_ASSERT_PTR_NULL(prog);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_PTR_NULL(d.items[0].file);
	CU_ASSERT_EQUAL(d.items[0].line, 2);
	etm_diag_free(&d);
}

static void test_strings_and_nested(void)
{
	write_file("st/a.qmz", "அச்சு \"a\"; இறக்கு \"a.qmz\";");
	char dir[PATH_MAX];
	path_of(dir, "st");
	const char *src = "இறக்கு \"a.qmz\"; அச்சு \"main\"; இறக்கு \"a.qmz\";";
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *prog = etm_load_string(src, strlen(src), dir, &no_system, &d);
	char *s = summary(prog, &d);
	CU_ASSERT_STRING_EQUAL(s, "a,main");
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prog);
	CU_ASSERT_PTR_NULL(prog->files[0]);
	etm_ast_free(prog);

	/* imports nested in blocks are not resolved */
	src = "(1) எனில் { இறக்கு \"missing.qmz\"; }";
	prog = etm_load_string(src, strlen(src), dir, &no_system, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prog);
	CU_ASSERT_EQUAL(prog->body.items[0]->u.if_.then_block.items[0]->kind, ETM_STMT_IMPORT);
	etm_ast_free(prog);

	/* a BOM is skipped; invalid UTF-8 in a string is a read error */
	src = "\xEF\xBB\xBFஅச்சு \"bom\";";
	prog = etm_load_string(src, strlen(src), NULL, &no_system, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prog);
	CU_ASSERT_EQUAL(prog->body.items[0]->pos.column, 1);
	etm_ast_free(prog);
	prog = etm_load_string("\xC3", 1, NULL, &no_system, &d);
	CU_ASSERT_PTR_NULL(prog);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.items[0].kind, ETM_DIAG_LOAD);
	etm_diag_free(&d);
}

static void test_real_directory_and_absolute(void)
{
	/* a symlinked main file resolves imports beside its real file */
	write_file("real/main.qmz", "இறக்கு \"lib.qmz\";");
	write_file("real/lib.qmz", "அச்சு \"real\";");
	write_file("links/lib.qmz", "அச்சு \"link\";");
	char target[PATH_MAX], link[PATH_MAX];
	path_of(target, "real/main.qmz");
	path_of(link, "links/main.qmz");
	CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
	LOADS("links/main.qmz", &no_system, "real");

	/* an absolute path is used as is */
	char abs[PATH_MAX], src[2 * PATH_MAX];
	path_of(abs, "real/lib.qmz");
	snprintf(src, sizeof src, "இறக்கு \"%s\";", abs);
	write_file("abs/main.qmz", src);
	LOADS("abs/main.qmz", &no_system, "real");

	/* the same file reached through a symlink is included once */
	snprintf(src, sizeof src, "இறக்கு \"%s\"; இறக்கு \"../real/lib.qmz\";", abs);
	write_file("abs/twice.qmz", src);
	CU_ASSERT_EQUAL(symlink(abs, strcat(strcpy(link, tmp), "/abs/lib.qmz")), 0);
	write_file("abs/three.qmz", "இறக்கு \"lib.qmz\"; இறக்கு \"../real/lib.qmz\";");
	LOADS("abs/twice.qmz", &no_system, "real");
	LOADS("abs/three.qmz", &no_system, "real");
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite s = CU_add_suite("module", suite_init, suite_clean);
	CU_add_test(s, "spec example", test_spec_example);
	CU_add_test(s, "cycles and repeated imports", test_cycles_and_repeats);
	CU_add_test(s, "search path order", test_search_order);
	CU_add_test(s, "executable directory", test_exe_dir);
	CU_add_test(s, "module not found", test_not_found);
	CU_add_test(s, "load errors", test_load_errors);
	CU_add_test(s, "errors inside imported files", test_errors_in_imported_files);
	CU_add_test(s, "strings and nested imports", test_strings_and_nested);
	CU_add_test(s, "real directory, absolute paths", test_real_directory_and_absolute);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
