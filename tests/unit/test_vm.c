/* test_vm.c -- CUnit suite for the compiler and VM through the public API
 * (etamil.h): output through the host, runtime errors with positions,
 * exit, the limits (cancel, deadline, heap), globals bound and read back,
 * routes and schedules, the prelude, save/reset, input, call depth, and
 * the append fast path. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "etamil.h"
#include "lang_util.h"

typedef struct capture {
	etm_buf out;
	const char *const *input;
} capture;

static void cap_print(void *ud, const char *s, size_t n)
{
	capture *c = ud;
	etm_buf_add(&c->out, s, n);
	etm_buf_addc(&c->out, '\n');
}

static int cap_read(void *ud, etm_buf *line)
{
	capture *c = ud;
	if (!c->input || !*c->input)
		return 1;
	etm_buf_adds(line, *c->input++);
	return 0;
}

/* Run SRC; returns the status, output in *OUT (malloc'd), message copied. */
static etm_status run_src(const char *src, char **out, char *msg, size_t msglen,
			  etm_result *resp, const etm_limits *lim)
{
	etm_program *p = unit_compile(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	capture c = {0};
	etm_host h = {0};
	h.ud = &c;
	h.print = cap_print;
	h.read_line = cap_read;
	etm_vm *vm = etm_vm_new(p, &h, lim);
	etm_result r;
	etm_status st = etm_vm_run_main(vm, &r);
	if (msg)
		snprintf(msg, msglen, "%s", r.message);
	if (resp)
		*resp = r;
	etm_buf_add(&c.out, "", 0);
	*out = c.out.p;
	CU_ASSERT_EQUAL(st, r.status);
	etm_vm_free(vm);
	etm_program_free(p);
	return st;
}

static void expect_out(const char *src, const char *want)
{
	char *out;
	char msg[512];
	etm_status st = run_src(src, &out, msg, sizeof(msg), NULL, NULL);
	if (st != ETM_RUN_OK)
		fprintf(stderr, "unexpected error: %s\n", msg);
	CU_ASSERT_EQUAL(st, ETM_RUN_OK);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
}

static void expect_err(const char *src, const char *want_out, const char *want_msg,
		       uint32_t line)
{
	char *out;
	char msg[512];
	etm_result r;
	etm_status st = run_src(src, &out, msg, sizeof(msg), &r, NULL);
	CU_ASSERT_EQUAL(st, ETM_RUN_ERROR);
	CU_ASSERT_STRING_EQUAL(out, want_out);
	CU_ASSERT_STRING_EQUAL(msg, want_msg);
	if (line)
		CU_ASSERT_EQUAL(r.line, line);
	free(out);
}

static void test_basics(void)
{
	expect_out("அச்சு 1 / 3; அச்சு 250.50 * 18%;", "0.3333333333333333333333333333\n45.09\n");
	expect_out("அச்சு \"மொத்தம்: \" & 2 + 3;", "3\n");
	expect_out("அ = [1, 2]; ஆ = அ; ஆ[0] = 9; அச்சு அ & ஆ;", "[1, 2][9, 2]\n");
	expect_out("ப = {}; ப[\"கீ\"] = 1; ப.x = 2; அச்சு ப;", "{x: 2, கீ: 1}\n");
	expect_out("அச்சு 1 < 2 == மெய்; அச்சு \"5\" == 5; அச்சு \"5\" < 6;", "true\nfalse\ntrue\n");
	expect_out("xs = [1, 2]; ஒவ்வொரு x இல் xs { xs = இணை(xs, x * 10); } அச்சு xs; அச்சு x;",
		   "[1, 2, 10, 20]\n2\n");
	expect_out("ஒவ்வொரு k இல் {b: 1, a: 2, B: 3} { அச்சு k; }", "B\na\nb\n");
	expect_out("i = 0; (i < 3) சுற்று { i = i + 1; } அச்சு i;", "3\n");
	expect_out("(0) எனில் { அச்சு 1; } இன்றேல் { அச்சு 2; }", "2\n");
	expect_out("அச்சு -2 * 3 + 10 / 4;", "-3.5\n");
	expect_out("அச்சு வகை(சரி(1)) & \"/\" & வகை(இன்மை);", "a result/nil\n");
}

static void test_functions(void)
{
	expect_out("மொத்தம் = 0;\n"
		   "செயல் சேர்த்து(x) { மொத்தம் = மொத்தம் + x; திரும்பு மொத்தம்; }\n"
		   "அச்சு சேர்த்து(5); அச்சு மொத்தம்;", "5\n0\n");
	expect_out("அச்சு f(); செயல் f() { திரும்பு 1; } செயல் f() { திரும்பு 2; }", "2\n");
	expect_out("செயல் நீளம்(x) { திரும்பு 42; } அச்சு நீளம்(\"abc\");", "42\n");
	expect_out("செயல் f(a, a) { திரும்பு a; } அச்சு f(1, 2);", "1\n");
	expect_out("செயல் f() { (0) எனில் { செயல் g() { திரும்பு 7; } } திரும்பு g(); } அச்சு f();", "7\n");
	expect_out("செயல் f(n) { (n == 0) எனில் { திரும்பு 0; } திரும்பு f(n - 1); } அச்சு f(255);", "0\n");
	expect_err("செயல் f(n) { (n == 0) எனில் { திரும்பு 0; } திரும்பு f(n - 1); } அச்சு f(256);", "",
		   "செயல் அழைப்பு ஆழம் மிகுதி (256)  (call depth exceeded — infinite recursion?)", 1);
	expect_out("செயல் பகு(a, b) { (b == 0) எனில் { திரும்பு தவறு(\"பூஜ்யம்\"); } திரும்பு சரி(a / b); }\n"
		   "செயல் இரட்டி(a, b) { q = பகு(a, b)?; திரும்பு சரி(q * 2); }\n"
		   "அச்சு இரட்டி(9, 2); அச்சு இரட்டி(1, 0); அச்சு இயல்பு(இரட்டி(1, 0), 0);",
		   "சரி(9)\nதவறு(பூஜ்யம்)\n0\n");
}

static void test_errors(void)
{
	expect_err("அச்சு 1;\nஅச்சு y;", "1\n",
		   "அறிவிக்கப்படாத மாறி 'y'  (undefined variable 'y')", 2);
	expect_err("அச்சு 1 / 0;", "", "பூஜ்ஜியத்தால் வகுத்தல்  (division by zero)", 1);
	expect_err("அச்சு 79228162514264337593543950335 + 1;", "", "எண் வரம்பு மீறல்  (number overflow)", 1);
	expect_err("அச்சு f(1);", "", "அறியப்படாத செயல் 'f'  (unknown function 'f')", 1);
	expect_err("அச்சு நீளம்(1, 2);", "",
		   "செயல் 'நீளம்' 1 அளவுருக்களை எதிர்பார்க்கிறது, 2 வழங்கப்பட்டது  (function 'நீளம்' expects 1 argument(s), got 2)", 1);
	expect_err("a = [1, 2];\n\nஅச்சு a[1.50];", "",
		   "அட்டவணை முழு எண்ணாக இருக்க வேண்டும்  (array index must be a whole number, got 1.50)", 3);
	expect_err("a = [1, 2]; அச்சு a[5.0];", "",
		   "அட்டவணை 5.0 வரம்பிற்கு வெளியே (நீளம் 2)  (index 5.0 out of bounds, length 2)", 1);
	expect_err("s = \"ab\"; s[0] = \"x\";", "",
		   "'s' ஐ அட்டவணைப்படுத்த முடியாது  (cannot index into a string)", 1);
	expect_err("r = 1; r.f = 2;", "", "'r' ஒரு பொருள் அல்ல  ('r.f' needs a record, got a number)", 1);
	expect_err("x = தவறு(\"z\")?;", "", "கையாளப்படாத தவறு: z  (unhandled error at top level: z)", 1);
	expect_err("திரும்பு 1;", "", "செயலுக்கு வெளியே திரும்பு  (return outside of a function)", 1);
	expect_err("ஒவ்வொரு x இல் இன்மை { }", "", "இதை சுற்ற முடியாது  (cannot iterate over nil)", 1);
	expect_err("அச்சு மதிப்பு(தவறு([1]));", "", "தவறான முடிவை விரித்தது: [1]  (unwrap on an error: [1])", 1);
	expect_err("வழி பெறு, \"/x\" { அச்சு 1; }", "",
		   "வழி (route) — இந்த VM இல் இன்னும் செயல்படுத்தப்படவில்லை  (not implemented in the VM yet)", 1);
}

static void test_exit_and_input(void)
{
	char *out;
	etm_result r;
	etm_status st = run_src("அச்சு \"a\"; வெளியேறு(3); அச்சு \"b\";", &out, NULL, 0, &r, NULL);
	CU_ASSERT_EQUAL(st, ETM_RUN_EXIT);
	CU_ASSERT_EQUAL(r.exit_code, 3);
	CU_ASSERT_STRING_EQUAL(out, "a\n");
	free(out);

	etm_program *p = unit_compile("உள்ளிடு x; அச்சு \"[\" & x & \"]\"; உள்ளிடு y; அச்சு வகை(y) & நீளம்(y);");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	static const char *const lines[] = {"  42  ", NULL};
	capture c = {0};
	c.input = lines;
	etm_host h = {0};
	h.ud = &c;
	h.print = cap_print;
	h.read_line = cap_read;
	etm_vm *vm = etm_vm_new(p, &h, NULL);
	CU_ASSERT_EQUAL(etm_vm_run_main(vm, &r), ETM_RUN_OK);
	etm_buf_add(&c.out, "", 0);
	CU_ASSERT_STRING_EQUAL(c.out.p, "[42]\na string0\n");
	etm_buf_free(&c.out);
	etm_vm_free(vm);
	etm_program_free(p);
}

static void test_limits(void)
{
	etm_program *p = unit_compile("i = 0; (மெய்) சுற்று { i = i + 1; }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	etm_vm *vm = etm_vm_new(p, NULL, NULL);
	etm_result r;
	etm_vm_cancel(vm);
	CU_ASSERT_EQUAL(etm_vm_run_main(vm, &r), ETM_RUN_CANCELLED);
	etm_vm_reset(vm);

	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	etm_limits lim = {0};
	lim.deadline_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 50000000u;
	etm_vm_set_limits(vm, &lim);
	CU_ASSERT_EQUAL(etm_vm_run_main(vm, &r), ETM_RUN_TIMEOUT);
	CU_ASSERT_TRUE(r.steps > 1000);
	etm_vm_free(vm);
	etm_program_free(p);

	p = unit_compile("xs = []; (மெய்) சுற்று { xs = இணை(xs, \"ஒரு நீண்ட சொல் ஒரு நீண்ட சொல்\" & நீளம்(xs)); }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	lim.deadline_ns = 0;
	lim.heap_limit = 1 << 20;
	vm = etm_vm_new(p, NULL, &lim);
	CU_ASSERT_EQUAL(etm_vm_run_main(vm, &r), ETM_RUN_HEAP);
	etm_vm_reset(vm);
	CU_ASSERT_TRUE(etm_vm_heap_used(vm) < 4096);
	CU_ASSERT_TRUE(etm_vm_heap_peak(vm) >= (1 << 20));
	etm_vm_free(vm);
	etm_program_free(p);
}

static void test_server_api(void)
{
	etm_program *p = unit_compile(
		"செயல் வாழ்த்து(பெயர்) { திரும்பு \"வணக்கம், \" & பெயர்; }\n"
		"அடிப்படை = 100;\n"
		"வழி பெறு, \"/hello\" {\n"
		"    பதில் 200, வாழ்த்து(query_params[\"name\"]), {\"Content-Type\": \"text/plain\"};\n"
		"}\n"
		"வழி பதி, \"/accounts/:id\" { செயல் f() { பதில் 201, param_id & \":\" & அடிப்படை; } f(); }\n"
		"இடைவெளி 2.7 { அச்சு 1; }\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(etm_program_route_count(p), 2);
	CU_ASSERT_STRING_EQUAL(etm_program_route(p, 0)->method, "GET");
	CU_ASSERT_STRING_EQUAL(etm_program_route(p, 0)->path, "/hello");
	CU_ASSERT_EQUAL(etm_program_route(p, 0)->line, 3);
	CU_ASSERT_STRING_EQUAL(etm_program_route(p, 1)->method, "POST");
	CU_ASSERT_EQUAL(etm_program_schedule_count(p), 1);
	CU_ASSERT_EQUAL(etm_program_schedule(p, 0)->seconds, 2);
	CU_ASSERT_TRUE(etm_program_prelude_pure(p));

	etm_vm *vm = etm_vm_new(p, NULL, NULL);
	etm_heap *h = etm_vm_heap(vm);
	etm_result r;
	CU_ASSERT_EQUAL(etm_vm_run_prelude(vm, &r), ETM_RUN_OK);
	etm_vm_save_globals(vm);
	for (int round = 0; round < 3; round++) {
		etm_vm_reset(vm);
		etm_value q = etm_rec_new(h, 1);
		etm_rec_set_cstr(h, &q, "name", 4, etm_str_cstr(h, "ரவி"));
		CU_ASSERT_EQUAL(etm_vm_set_global(vm, "query_params", q), 0);
		CU_ASSERT_EQUAL(etm_vm_set_global(vm, "unused_name", etm_str_cstr(h, "x")), -1);
		CU_ASSERT_EQUAL(etm_vm_run_route(vm, 0, &r), ETM_RUN_OK);
		const etm_value *st = etm_vm_get_global(vm, "response_status");
		const etm_value *body = etm_vm_get_global(vm, "response_body");
		const etm_value *hd = etm_vm_get_global(vm, "response_headers");
		CU_ASSERT_PTR_NOT_NULL_FATAL(st);
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
		CU_ASSERT_PTR_NOT_NULL_FATAL(hd);
		CU_ASSERT_EQUAL(st->kind, ETM_NUM);
		CU_ASSERT_STRING_EQUAL(ETM_STR(*body)->data, "வணக்கம், ரவி");
		CU_ASSERT_EQUAL(hd->kind, ETM_REC);
	}
	etm_vm_reset(vm);
	CU_ASSERT_PTR_NULL(etm_vm_get_global(vm, "response_status"));
	CU_ASSERT_EQUAL(etm_vm_set_global(vm, "param_id", etm_str_cstr(h, "1000")), 0);
	CU_ASSERT_EQUAL(etm_vm_run_route(vm, 1, &r), ETM_RUN_OK);
	CU_ASSERT_STRING_EQUAL(ETM_STR(*etm_vm_get_global(vm, "response_body"))->data, "1000:100");

	/* A missing query key is an ordinary runtime error with a position. */
	etm_vm_reset(vm);
	etm_vm_set_global(vm, "query_params", etm_rec_new(h, 0));
	CU_ASSERT_EQUAL(etm_vm_run_route(vm, 0, &r), ETM_RUN_ERROR);
	CU_ASSERT_STRING_EQUAL(r.message, "புலம் 'name' இல்லை  (no field 'name' on this record)");
	CU_ASSERT_EQUAL(r.line, 4);
	etm_vm_free(vm);
	etm_program_free(p);

	/* A function defined in a route body wins for that route only, also
	   for calls the prelude makes. */
	p = unit_compile("செயல் f() { திரும்பு 1; }\nx = f();\n"
		    "வழி பெறு, \"/a\" { பதில் 200, x; }\n"
		    "வழி பெறு, \"/b\" { செயல் f() { திரும்பு 2; } பதில் 200, x; }\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	vm = etm_vm_new(p, NULL, NULL);
	for (size_t i = 0; i < 2; i++) {
		etm_vm_reset(vm);
		CU_ASSERT_EQUAL(etm_vm_run_route_prelude(vm, i, &r), ETM_RUN_OK);
		CU_ASSERT_EQUAL(etm_vm_run_route(vm, i, &r), ETM_RUN_OK);
		CU_ASSERT_STRING_EQUAL(ETM_STR(*etm_vm_get_global(vm, "response_body"))->data,
				       i == 0 ? "1" : "2");
	}
	etm_vm_free(vm);
	etm_program_free(p);

	p = unit_compile("அச்சு 1; வழி பெறு, \"/\" { }");
	CU_ASSERT_FALSE(etm_program_prelude_pure(p));
	etm_program_free(p);
	p = unit_compile("x = headers; வழி பெறு, \"/\" { }");
	CU_ASSERT_FALSE(etm_program_prelude_pure(p));
	etm_program_free(p);
	p = unit_compile("வழி பெறு, x { }");
	CU_ASSERT_PTR_NULL(etm_program_route(p, 0)->path);
	CU_ASSERT_PTR_NOT_NULL(etm_program_route(p, 0)->error);
	etm_program_free(p);
}

/* xs = இணை(xs, v) appends in place: 200,000 appends must be fast. */
static void test_append_in_place(void)
{
	etm_program *p = unit_compile("xs = []; i = 0; (i < 200000) சுற்று { xs = இணை(xs, i); i = i + 1; }"
				 "அச்சு நீளம்(xs);"
				 "செயல் f() { ys = []; j = 0; (j < 100000) சுற்று { ys = இணை(ys, j); j = j + 1; } திரும்பு நீளம்(ys); }"
				 "அச்சு f();"
				 "s = \"\"; j = 0; (j < 100000) சுற்று { s = s & \"அ\"; j = j + 1; } அச்சு நீளம்(s);");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	capture c = {0};
	etm_host h = {0};
	h.ud = &c;
	h.print = cap_print;
	etm_vm *vm = etm_vm_new(p, &h, NULL);
	etm_result r;
	clock_t t0 = clock();
	CU_ASSERT_EQUAL(etm_vm_run_main(vm, &r), ETM_RUN_OK);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CU_ASSERT_TRUE(secs < 5.0);
	etm_buf_add(&c.out, "", 0);
	CU_ASSERT_STRING_EQUAL(c.out.p, "200000\n100000\n100000\n");
	etm_buf_free(&c.out);
	etm_vm_free(vm);
	etm_program_free(p);
}

/* Freeing a value nested 300,000 deep must not exhaust the C stack. */
static void test_deep_values(void)
{
	expect_out("n = இன்மை; i = 0; (i < 300000) சுற்று { n = {next: n, v: i}; i = i + 1; }\n"
		   "அச்சு n.v; n = 0;\n"
		   "a = []; i = 0; (i < 300000) சுற்று { a = [a]; i = i + 1; } அச்சு நீளம்(a);",
		   "299999\n1\n");
}

/* File statements, with the reference's OS error texts. */
static void test_files(void)
{
	char path[] = "/tmp/test_vm_XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	char src[1024];
	snprintf(src, sizeof(src),
		 "f = \"%s\"; கோப்பு_திற f, \"write\"; கோப்பு_எழுது f, [1, \"அ\"];"
		 "தரவுரை_எழுது f, 2; கோப்பு_மூடு f; கோப்பு_படி f, x; அச்சு x; தரவுரை_படி f, n; அச்சு n;",
		 path);
	expect_out(src, "[1, அ]\n2\n1\n");
	unlink(path);
	expect_err("கோப்பு_படி \"/nonexistent/x\", y;", "",
		   "கோப்பு '/nonexistent/x' படிக்க முடியவில்லை  (cannot read '/nonexistent/x'): No such file or directory (os error 2)", 1);
	expect_err("கோப்பு_எழுது \"/nonexistent/x\", 1;", "",
		   "கோப்பு '/nonexistent/x' எழுத முடியவில்லை  (cannot write '/nonexistent/x'): No such file or directory (os error 2)", 1);
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"basics", test_basics},
		{"functions", test_functions},
		{"runtime errors", test_errors},
		{"exit and input", test_exit_and_input},
		{"limits", test_limits},
		{"server API", test_server_api},
		{"append in place", test_append_in_place},
		{"deep values", test_deep_values},
		{"file statements", test_files},
	};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite suite = CU_add_suite("vm", NULL, NULL);
	if (!suite)
		goto fail;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(suite, tests[i].name, tests[i].fn))
			goto fail;
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
fail:
	CU_cleanup_registry();
	return CU_get_error();
}
