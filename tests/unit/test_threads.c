/* test_threads.c -- one compiled program run by 8 threads at once, each
 * with its own VMs: the outputs must be exactly those of a single-threaded
 * run.  Built to be run under ThreadSanitizer as well (a build configured
 * with CFLAGS='-fsanitize=thread -g -O1'). */
#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "etamil.h"

#define NTHREADS 8
#define ROUNDS 20

static const char program_text[] =
	"செயல் வரி(வருமானம்) {\n"
	"    (வருமானம் <= 300000) எனில் { திரும்பு 0; }\n"
	"    திரும்பு (வருமானம் - 300000) * 5%;\n"
	"}\n"
	"பெயர்கள் = [\"அ\", \"ஆ\", \"இ\"];\n"
	"அட்டவணை = {முதல்: 1, இரண்டாம்: [1, 2, {x: \"தமிழ்\"}]};\n"
	"மொத்தம் = 0; i = 0;\n"
	"(i < 2000) சுற்று { மொத்தம் = மொத்தம் + வரி(300000 + i * 10); i = i + 1; }\n"
	"அச்சு மொத்தம்;\n"
	"ஒவ்வொரு எ இல் \"வணக்கம்\" { அச்சு எ; }\n"
	"xs = []; ஒவ்வொரு p இல் பெயர்கள் { xs = இணை(xs, p & நீளம்(xs)); }\n"
	"அச்சு xs & அட்டவணை;\n"
	"அட்டவணை.முதல் = \"மாற்றம்\";\n"
	"அச்சு அட்டவணை;\n"
	"அச்சு இயல்பு(எண்ணாக்கு(\"12.50\"), 0) + 1;\n"
	"வழி பெறு, \"/r\" { பதில் 200, request_path & \":\" & வரி(400000); }\n";

static etm_program *prog;
static char *expected;

typedef struct capture {
	etm_buf out;
} capture;

static void cap_print(void *ud, const char *s, size_t n)
{
	capture *c = ud;
	etm_buf_add(&c->out, s, n);
	etm_buf_addc(&c->out, '\n');
}

/* One run of the whole program in prelude mode plus the route; returns the
   captured output (malloc'd) or NULL on a failed run. */
static char *run_once(int with_route)
{
	capture c = {0};
	etm_host h = {0};
	h.ud = &c;
	h.print = cap_print;
	etm_vm *vm = etm_vm_new(prog, &h, NULL);
	etm_result r;
	char *out = NULL;
	if (etm_vm_run_prelude(vm, &r) != ETM_RUN_OK)
		goto done;
	if (with_route) {
		etm_vm_set_global(vm, "request_path", etm_str_cstr(etm_vm_heap(vm), "/r"));
		if (etm_vm_run_route(vm, 0, &r) != ETM_RUN_OK)
			goto done;
		const etm_value *b = etm_vm_get_global(vm, "response_body");
		if (!b || b->kind != ETM_STR)
			goto done;
		etm_buf_add(&c.out, ETM_STR(*b)->data, ETM_STR(*b)->len);
	}
	etm_buf_add(&c.out, "", 0);
	out = c.out.p;
	c.out.p = NULL;
done:
	etm_buf_free(&c.out);
	etm_vm_free(vm);
	return out;
}

static void *worker(void *arg)
{
	long failures = 0;
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		char *out = run_once(1);
		if (!out || strcmp(out, expected) != 0)
			failures++;
		free(out);
	}
	return (void *)failures;
}

static void test_eight_threads(void)
{
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *ast = etm_load_string(program_text, strlen(program_text),
						      NULL, NULL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ast);
	CU_ASSERT_EQUAL_FATAL(etm_check(ast, &d), 0);
	prog = etm_program_compile(ast);
	etm_ast_free(ast);
	etm_diag_free(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prog);

	expected = run_once(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
	CU_ASSERT_PTR_NOT_NULL(strstr(expected, "/r:5000"));

	pthread_t t[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, worker, NULL), 0);
	long failures = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *rv;
		pthread_join(t[i], &rv);
		failures += (long)rv;
	}
	CU_ASSERT_EQUAL(failures, 0);
	free(expected);
	etm_program_free(prog);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite suite = CU_add_suite("threads", NULL, NULL);
	if (!suite || !CU_add_test(suite, "one program on 8 threads", test_eight_threads)) {
		CU_cleanup_registry();
		return CU_get_error();
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
