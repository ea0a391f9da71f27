/* test_check.c -- CUnit suite for the declared-type checker (spec §5;
 * src/lang/check.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ast.h"
#include "check.h"

/* Check SRC; returns all messages joined by "\n" (malloc'd), "" if clean. */
static char *check(const char *src)
{
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NOT_NULL(p);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (p) {
		int n = etm_check(p, &d);
		CU_ASSERT_EQUAL((size_t)n, d.n);
		for (size_t i = 0; i < d.n; i++) {
			CU_ASSERT_EQUAL(d.items[i].kind, ETM_DIAG_TYPE);
			fprintf(f, "%s%s", i ? "\n" : "", d.items[i].message);
		}
	}
	fclose(f);
	etm_ast_free(p);
	etm_diag_free(&d);
	return out;
}

#define CHECKS(src, expected)                                              \
	do {                                                               \
		char *got_ = check(src);                                   \
		CU_ASSERT_STRING_EQUAL(got_, expected);                    \
		if (strcmp(got_, expected) != 0)                           \
			fprintf(stderr, "\n  %s\n  got:  %s\n  want: %s\n", src, got_, expected); \
		free(got_);                                                \
	} while (0)

#define CLEAN(src) CHECKS(src, "")

#define ERR(l, c, name, decl, found)                                                        \
	"வரி " #l ", நெடுவரிசை " #c ": '" name "' " decl " என அறிவிக்கப்பட்டது, ஆனால் " found \
	" வழங்கப்பட்டது  (line " #l ", column " #c ": '" name "' is declared " decl            \
	", but was given " found ")"

#define NUM "எண் (eN, a number)"
#define TXT "சொல் (col, a string)"
#define BOOL "ஈர்ம (Irma, a boolean)"
#define ARR "அணி (aNi, an array)"
#define REC "பொருள் (poruL, a record)"
#define DATE "தேதி (qEqi, a date)"
#define G_NUM "ஒரு எண் (a number)"
#define G_TXT "ஒரு சொல் (a string)"
#define G_BOOL "ஒரு ஈர்மம் (a boolean)"
#define G_ARR "ஒரு அணி (an array)"
#define G_REC "ஒரு பொருள் (a record)"

static void test_spec_example(void)
{
	CHECKS("எண் வருவாய் = 1000;\nவருவாய் = \"ஆயிரம்\";",
	       ERR(2, 1, "வருவாய்", NUM, G_TXT));
}

static void test_every_message(void)
{
	CHECKS("எண் a = \"x\";", ERR(1, 5, "a", NUM, G_TXT));
	CHECKS("பின்னம் a = மெய்;", ERR(1, 9, "a", NUM, G_BOOL));
	CHECKS("சொல் a = [1];", ERR(1, 6, "a", TXT, G_ARR));
	CHECKS("உரை a = {};", ERR(1, 5, "a", TXT, G_REC));
	CHECKS("ஈர்ம a = 1;", ERR(1, 6, "a", BOOL, G_NUM));
	CHECKS("அணி a = \"x\";", ERR(1, 5, "a", ARR, G_TXT));
	CHECKS("பொருள் a = [];", ERR(1, 8, "a", REC, G_ARR));
	CHECKS("தரவு a = 1 == 1;", ERR(1, 6, "a", REC, G_BOOL));
	CHECKS("தேதி a = மெய்;", ERR(1, 6, "a", DATE, G_BOOL));
	CHECKS("தேதி a = {};", ERR(1, 6, "a", DATE, G_REC));
}

static void test_acceptance(void)
{
	/* Text and Date accept numbers; unknown satisfies everything */
	CLEAN("சொல் a = 5; தேதி d = \"2024-01-01\"; தேதி e = 20240101; உரை t = 1 + 2;");
	CLEAN("எண் a = f(); அணி b = x[0]; பொருள் c = r.f; ஈர்ம d = g()?; எண் e = இன்மை; எண் z = u;");
	CLEAN("எண் a = -x; எண் b = \"a\" * 2; சொல் c = 1 & 2; ஈர்ம d = இல்லை 1; "
	      "ஈர்ம e = 1 மற்றும் 2; ஈர்ம f = 1 அல்லது 0; ஈர்ம g = 1 <= 2;");
	CLEAN("அணி a = [1]; பொருள் b = {x: 1}; தரவு c = {}; ஈர்ம d = பொய்; எண் e = 18%;");
	/* TYPE NAME; stores the number 0 */
	CHECKS("அணி a;\nபொருள் p;\nஈர்ம b;\nசொல் s;\nதேதி d;\nஎண் n;",
	       ERR(1, 5, "a", ARR, G_NUM) "\n" ERR(2, 8, "p", REC, G_NUM) "\n"
	       ERR(3, 6, "b", BOOL, G_NUM));
}

static void test_variables(void)
{
	/* a variable's kind is its declared type; a date reads as text */
	CHECKS("எண் n = 1; சொல் s = \"a\"; தேதி d = \"2024-01-01\";\n"
	       "அணி a = n; அணி b = s; அணி c = d; எண் m = n; சொல் t = d;",
	       ERR(2, 5, "a", ARR, G_NUM) "\n" ERR(2, 16, "b", ARR, G_TXT) "\n"
	       ERR(2, 27, "c", ARR, G_TXT));
	/* the value is inferred before the name is (re)declared */
	CHECKS("சொல் x = \"a\"; எண் x = x;", ERR(1, 19, "x", NUM, G_TXT));
	/* a typed statement redeclares even when it was wrong */
	CHECKS("எண் x = \"a\";\nx = \"b\";\nசொல் x = \"c\";\nx = [1];",
	       ERR(1, 5, "x", NUM, G_TXT) "\n" ERR(2, 1, "x", NUM, G_TXT) "\n"
	       ERR(4, 1, "x", TXT, G_ARR));
	/* names are spellings: வரி and vari are different variables */
	CLEAN("எண் வரி = 1; vari = \"x\";");
	CHECKS("எண் வரி = 1; வரி = \"x\";", ERR(1, 14, "வரி", NUM, G_TXT));
	/* untyped names are never checked */
	CLEAN("x = 1; x = \"a\"; x = [];");
}

static void test_scopes(void)
{
	/* one flat table, including branches, loops, routes and schedules */
	CHECKS("(c) எனில் { எண் x = 1; } இன்றேல் { சொல் y = 1; }\nx = \"a\"; y = [];",
	       ERR(2, 1, "x", NUM, G_TXT) "\n" ERR(2, 10, "y", TXT, G_ARR));
	CHECKS("(c) சுற்று { எண் x = 1; }\nவழி பெறு, \"/\" { x = \"a\"; எண் r = 1; }\n"
	       "இடைவெளி 5 { r = {}; }",
	       ERR(2, 17, "x", NUM, G_TXT) "\n" ERR(3, 13, "r", NUM, G_REC));
	/* a function body starts with an empty table, discarded afterwards */
	CHECKS("எண் x = 1;\nசெயல் f() { x = \"a\"; எண் y = 1; y = \"b\"; }\ny = \"c\"; x = \"d\";",
	       ERR(2, 33, "y", NUM, G_TXT) "\n" ERR(3, 10, "x", NUM, G_TXT));
	/* nested functions each get their own table */
	CHECKS("செயல் f() { எண் a = 1; செயல் g() { a = \"x\"; } a = \"y\"; }",
	       ERR(1, 47, "a", NUM, G_TXT));
	/* for-each forgets its loop variable, file/DB reads their targets */
	CLEAN("எண் x = 1; ஒவ்வொரு x இல் [1] { } x = \"a\";");
	CLEAN("எண் x = 1; கோப்பு_படி \"f\", x; x = \"a\";");
	CLEAN("எண் x = 1; தரவுரை_படி \"f\", x; x = \"a\";");
	CLEAN("எண் x = 1; தளம்_வினா \"q\", [], x; x = \"a\";");
	/* a for-each body still sees the table */
	CHECKS("எண் n = 1; ஒவ்வொரு x இல் [1] { n = \"a\"; }", ERR(1, 32, "n", NUM, G_TXT));
	/* a forgotten name may be declared again */
	CHECKS("எண் x = 1; ஒவ்வொரு x இல் [1] { சொல் x = 1; } x = [];",
	       ERR(1, 46, "x", TXT, G_ARR));
	/* stores and input are not checked */
	CLEAN("எண் a = 1; a[0] = \"x\"; a.f = \"y\"; உள்ளிடு a;");
}

static void test_file_of_errors(void)
{
	/* errors carry line, column and (for the main file) no file name */
	struct etm_diag d;
	etm_diag_init(&d);
	const char *src = "\n  எண் x = \"a\";";
	struct etm_ast_program *p = etm_parse_string(src, strlen(src), &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(etm_check(p, &d), 1);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_EQUAL(d.items[0].line, 2);
	CU_ASSERT_EQUAL(d.items[0].column, 7);
	CU_ASSERT_PTR_NULL(d.items[0].file);
	etm_ast_free(p);
	etm_diag_free(&d);
	CU_ASSERT_STRING_EQUAL(etm_decl_type_name(ETM_DECL_DATE), DATE);
	CU_ASSERT_STRING_EQUAL(etm_decl_type_name(ETM_DECL_NONE), "");
}

static void test_many_names(void)
{
	/* enough names to grow the table several times */
	size_t n = 5000;
	char *src = malloc(n * 40);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(src + len, "எண் v%zu = %zu;\n", i, i);
	for (size_t i = 0; i < n; i += 1000)
		len += (size_t)sprintf(src + len, "v%zu = \"x\";\n", i);
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *p = etm_parse_string(src, len, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(etm_check(p, &d), 5);
	etm_ast_free(p);
	etm_diag_free(&d);
	free(src);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite s = CU_add_suite("check", NULL, NULL);
	CU_add_test(s, "spec example", test_spec_example);
	CU_add_test(s, "every declared and given type", test_every_message);
	CU_add_test(s, "acceptance rules", test_acceptance);
	CU_add_test(s, "variables and redeclaration", test_variables);
	CU_add_test(s, "scope rules", test_scopes);
	CU_add_test(s, "error positions", test_file_of_errors);
	CU_add_test(s, "many names", test_many_names);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
