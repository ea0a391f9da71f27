/* test_json.c -- CUnit suite for the native JSON reader and writer
 * (builtins_lib.h: etm_json_parse, etm_json_append) and for the builtins
 * ஜேசான்_படி / ஜேசான்_ஆக்கு in programs: values and round trips of nested
 * records and arrays, Tamil text, escapes and surrogate pairs, exact big and
 * fractional numbers, every malformed input answered with a message, the
 * depth limit, heap accounting back to zero, and user functions of the same
 * name taking precedence. */
#include "autoconfig.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins_lib.h"
#include "etamil.h"

/* Parse IN and return the text of the value (§6.3), or "ERR: message". */
static char *parse_text(const char *in, size_t len)
{
	etm_heap h = {0};
	etm_buf err, out;
	etm_buf_init(&err);
	etm_buf_init(&out);
	etm_value v;
	if (etm_json_parse(&h, in, len, &v, &err) == 0) {
		etm_text_append(&h, &out, v);
		etm_release(&h, v);
	} else {
		etm_buf_adds(&out, "ERR: ");
		etm_buf_add(&out, err.p, err.len);
	}
	etm_buf_add(&out, "", 0);
	etm_buf_free(&err);
	CU_ASSERT_EQUAL(h.used, 0);
	return out.p;
}

static void parses_to(const char *in, const char *want)
{
	char *got = parse_text(in, strlen(in));
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ninput: %s\nwant: %s\ngot:  %s\n", in, want, got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

/* Parse IN and write it back as JSON. */
static void reencodes_to(const char *in, const char *want)
{
	etm_heap h = {0};
	etm_buf err, out;
	etm_buf_init(&err);
	etm_buf_init(&out);
	etm_value v;
	CU_ASSERT_EQUAL_FATAL(etm_json_parse(&h, in, strlen(in), &v, &err), 0);
	CU_ASSERT_EQUAL(etm_json_append(&h, &out, v), 0);
	etm_buf_add(&out, "", 0);
	if (strcmp(out.p, want) != 0)
		fprintf(stderr, "\ninput: %s\nwant: %s\ngot:  %s\n", in, want, out.p);
	CU_ASSERT_STRING_EQUAL(out.p, want);
	/* and the output reads back to an equal value */
	etm_value w;
	etm_buf_free(&err);
	CU_ASSERT_EQUAL_FATAL(etm_json_parse(&h, out.p, out.len, &w, &err), 0);
	CU_ASSERT(etm_equal(v, w));
	etm_release(&h, v);
	etm_release(&h, w);
	etm_buf_free(&err);
	etm_buf_free(&out);
	CU_ASSERT_EQUAL(h.used, 0);
}

static void test_values(void)
{
	parses_to("null", "nil");
	parses_to(" true ", "true");
	parses_to("\tfalse\r\n", "false");
	parses_to("\"\"", "");
	parses_to("[]", "[]");
	parses_to("{}", "{}");
	parses_to("[1, \"இரண்டு\", true, null]", "[1, இரண்டு, true, nil]");
	parses_to("{\"வயது\": 30, \"பெயர்\": \"ரவி\", \"Z\": 1}", "{Z: 1, பெயர்: ரவி, வயது: 30}");
	parses_to("{\"a\": 1, \"a\": 2}", "{a: 2}");	/* the later key wins */
	parses_to("{\"\": [[], {}]}", "{: [[], {}]}");
	parses_to("[[[[1]]], {\"x\": {\"y\": [2, {\"z\": null}]}}]", "[[[[1]]], {x: {y: [2, {z: nil}]}}]");
}

static void test_numbers(void)
{
	parses_to("0", "0");
	parses_to("-0", "0");
	parses_to("1.50", "1.5");
	parses_to("-12.75", "-12.75");
	parses_to("79228162514264337593543950335", "79228162514264337593543950335");
	parses_to("-79228162514264337593543950335", "-79228162514264337593543950335");
	parses_to("0.1234567890123456789012345678", "0.1234567890123456789012345678");
	parses_to("0.00000000000000000000000000015", "0.0000000000000000000000000002");
	parses_to("12345678901234567890.123456789", "12345678901234567890.123456789");
	parses_to("1e3", "1000");
	parses_to("1.5E+3", "1500");
	parses_to("15e-1", "1.5");
	parses_to("-2.5e-3", "-0.0025");
	parses_to("123e-3", "0.123");		/* the point lands before the digits */
	parses_to("-5765706.4463e-7", "-0.57657064463");
	parses_to("1.5e-1", "0.15");
	parses_to("12.5e1", "125");
	parses_to("0e999999999", "0");
	parses_to("0.0e-7", "0");
	parses_to("1e-400", "0");
	parses_to("7.9228162514264337593543950335e28", "79228162514264337593543950335");
	/* numbers keep their scale where it matters: 2.50 is stored as 2.50 */
	etm_heap h = {0};
	etm_buf err;
	etm_buf_init(&err);
	etm_value v;
	CU_ASSERT_EQUAL_FATAL(etm_json_parse(&h, "2.50", 4, &v, &err), 0);
	CU_ASSERT_EQUAL(v.kind, ETM_NUM);
	CU_ASSERT_EQUAL(etm_dec_scale(v.as.num), 2);
	etm_buf_free(&err);
}

static void test_strings(void)
{
	parses_to("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d");
	parses_to("\"\\n\\t\\r\\b\\f\"", "\n\t\r\b\f");
	parses_to("\"\\u0ba4\\u0BAE\\u0bbf\\u0bb4\\u0bcd\"", "தமிழ்");
	parses_to("\"\\u00e9\\u0041\"", "éA");
	parses_to("\"\\ud83d\\ude00!\"", "😀!");
	parses_to("\"\\uD834\\uDD1E\"", "𝄞");
	parses_to("\"வணக்கம் 😀\"", "வணக்கம் 😀");
	char *z = parse_text("\"a\\u0000b\"", 10);
	CU_ASSERT_EQUAL(memcmp(z, "a\0b", 4), 0);
	free(z);
}

static void test_malformed(void)
{
	parses_to("", "ERR: எதிர்பாராத உள்ளீட்டு முடிவு  (unexpected end of input)");
	parses_to("   ", "ERR: எதிர்பாராத உள்ளீட்டு முடிவு  (unexpected end of input)");
	parses_to("[1,", "ERR: எதிர்பாராத உள்ளீட்டு முடிவு  (unexpected end of input)");
	parses_to("\"abc", "ERR: முடிவடையாத சரம்  (unterminated string)");
	parses_to("\"abc\\", "ERR: முடிவடையாத சரம்  (unterminated string)");
	parses_to("tru", "ERR: ஒரு மதிப்பு எதிர்பார்க்கப்பட்டது  (expected a value)");
	parses_to("[1,]", "ERR: ஒரு மதிப்பு எதிர்பார்க்கப்பட்டது  (expected a value)");
	parses_to("'a'", "ERR: ஒரு மதிப்பு எதிர்பார்க்கப்பட்டது  (expected a value)");
	parses_to("+1", "ERR: செல்லாத எண்: +1  (not a number)");
	parses_to(".5", "ERR: செல்லாத எண்: .5  (not a number)");
	parses_to("01", "ERR: செல்லாத எண்: 01  (not a number)");
	parses_to("1.", "ERR: செல்லாத எண்: 1.  (not a number)");
	parses_to("-", "ERR: செல்லாத எண்: -  (not a number)");
	parses_to("1e", "ERR: செல்லாத எண்: 1e  (not a number)");
	parses_to("1-2", "ERR: செல்லாத எண்: 1-2  (not a number)");
	parses_to("79228162514264337593543950336", "ERR: செல்லாத எண்: 79228162514264337593543950336  (not a number)");
	parses_to("1e29", "ERR: செல்லாத எண்: 1e29  (not a number)");
	parses_to("1e99999999999999999999", "ERR: செல்லாத எண்: 1e99999999999999999999  (not a number)");
	parses_to("[1 2]", "ERR: ',' அல்லது ']' எதிர்பார்க்கப்பட்டது  (expected ',' or ']')");
	parses_to("{1: 2}", "ERR: புலப் பெயர் ஒரு சரமாக இருக்க வேண்டும்  (a field name must be a string)");
	parses_to("{\"a\": 1,}", "ERR: புலப் பெயர் ஒரு சரமாக இருக்க வேண்டும்  (a field name must be a string)");
	parses_to("{", "ERR: புலப் பெயர் ஒரு சரமாக இருக்க வேண்டும்  (a field name must be a string)");
	parses_to("{\"a\" 1}", "ERR: ':' எதிர்பார்க்கப்பட்டது  (expected ':')");
	parses_to("{\"a\": 1 \"b\": 2}", "ERR: ',' அல்லது '}' எதிர்பார்க்கப்பட்டது  (expected ',' or '}')");
	parses_to("{} x", "ERR: ஜேசான் முடிந்த பின் கூடுதல் உரை  (trailing text after the JSON value)");
	parses_to("truex", "ERR: ஜேசான் முடிந்த பின் கூடுதல் உரை  (trailing text after the JSON value)");
	parses_to("\"a\nb\"", "ERR: சரத்தில் கட்டுப்பாட்டு எழுத்து  (control character in a string)");
	parses_to("\"\\x\"", "ERR: செல்லாத விடுபடு வரிசை  (invalid escape sequence)");
	parses_to("\"\\u12\"", "ERR: செல்லாத \\u விடுபடு  (invalid \\u escape: expected four hex digits)");
	parses_to("\"\\u12g4\"", "ERR: செல்லாத \\u விடுபடு  (invalid \\u escape: expected four hex digits)");
	parses_to("\"\\ud83d\"", "ERR: இணையில்லாத \\u பதிலி  (unpaired surrogate in a \\u escape)");
	parses_to("\"\\ud83dx\"", "ERR: இணையில்லாத \\u பதிலி  (unpaired surrogate in a \\u escape)");
	parses_to("\"\\ud83d\\u0041\"", "ERR: இணையில்லாத \\u பதிலி  (unpaired surrogate in a \\u escape)");
	parses_to("\"\\ude00\"", "ERR: இணையில்லாத \\u பதிலி  (unpaired surrogate in a \\u escape)");
	/* a NUL byte is not JSON whitespace */
	char *r = parse_text("1\0", 2);
	CU_ASSERT_STRING_EQUAL(r, "ERR: ஜேசான் முடிந்த பின் கூடுதல் உரை  (trailing text after the JSON value)");
	free(r);
}

static void test_depth(void)
{
	size_t n = 100000;
	char *deep = malloc(2 * n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
	/* 512 levels parse, 513 do not; 100000 fail fast without recursion */
	for (size_t depth = 512; depth <= 513; depth++) {
		memset(deep, '[', depth);
		memset(deep + depth, ']', depth);
		char *got = parse_text(deep, 2 * depth);
		CU_ASSERT_EQUAL(strncmp(got, "ERR", 3) == 0, depth == 513);
		free(got);
	}
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	char *got = parse_text(deep, 2 * n);
	CU_ASSERT_STRING_EQUAL(got, "ERR: ஜேசான் மிக ஆழமானது  (JSON nested too deeply: more than 512 levels)");
	free(got);
	for (size_t i = 0; i + 5 <= 2 * n; i += 5)
		memcpy(deep + i, "{\"a\":", 5);
	got = parse_text(deep, 2 * n);
	CU_ASSERT_STRING_EQUAL(got, "ERR: ஜேசான் மிக ஆழமானது  (JSON nested too deeply: more than 512 levels)");
	free(got);
	free(deep);

	/* writing: a value nested deeper than the limit is refused */
	etm_heap h = {0};
	etm_value v = etm_nil();
	for (int i = 0; i < 600; i++) {
		etm_value a = etm_arr_new(&h, 1);
		etm_arr_push(&h, &a, v);
		v = a;
	}
	etm_buf b;
	etm_buf_init(&b);
	CU_ASSERT_EQUAL(etm_json_append(&h, &b, v), -1);
	etm_buf_free(&b);
	etm_release(&h, v);
	CU_ASSERT_EQUAL(h.used, 0);
}

static void test_writing(void)
{
	etm_buf b;
	etm_buf_init(&b);
	etm_json_append_string(&b, "a\"b\\c\n\t\r\x01\x1f\x7f/தமிழ்", strlen("a\"b\\c\n\t\r\x01\x1f\x7f/தமிழ்"));
	etm_buf_add(&b, "", 0);
	CU_ASSERT_STRING_EQUAL(b.p, "\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u001f\x7f/தமிழ்\"");
	etm_buf_free(&b);

	reencodes_to("{\"b\": [1, 2.50, \"x\"], \"a\": null, \"பெயர்\": \"ரவி\", \"Z\": {}}",
		     "{\"Z\":{},\"a\":null,\"b\":[1,2.5,\"x\"],\"பெயர்\":\"ரவி\"}");
	reencodes_to("[\"\\u0000\\u001f\", \"\\ud83d\\ude00\", \"\\\"\\\\\"]",
		     "[\"\\u0000\\u001f\",\"😀\",\"\\\"\\\\\"]");
	reencodes_to("[79228162514264337593543950335, -0.0000000000000000000000000001, 1e2]",
		     "[79228162514264337593543950335,-0.0000000000000000000000000001,100]");
	reencodes_to("[[[]], {\"k\": [{\"k\": [true, false, null]}]}]",
		     "[[[]],{\"k\":[{\"k\":[true,false,null]}]}]");
	/* results have no JSON spelling */
	etm_heap h = {0};
	etm_value r = etm_result_new(&h, true, etm_num_int(1));
	etm_buf_init(&b);
	CU_ASSERT_EQUAL(etm_json_append(&h, &b, r), 0);
	CU_ASSERT_STRING_EQUAL(b.p, "null");
	etm_buf_free(&b);
	etm_release(&h, r);
}

/* ------------------------------------------------------------------ */
/* In programs                                                         */

static void cap_print(void *ud, const char *s, size_t n)
{
	etm_buf_add(ud, s, n);
	etm_buf_addc(ud, '\n');
}

static void expect_out(const char *src, const char *want)
{
	struct etm_diag d;
	etm_diag_init(&d);
	struct etm_ast_program *ast = etm_load_string(src, strlen(src), NULL, NULL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ast);
	CU_ASSERT_EQUAL_FATAL(etm_check(ast, &d), 0);
	etm_diag_free(&d);
	etm_program *p = etm_program_compile(ast);
	etm_ast_free(ast);
	etm_buf out;
	etm_buf_init(&out);
	etm_host h = {0};
	h.ud = &out;
	h.print = cap_print;
	etm_vm *vm = etm_vm_new(p, &h, NULL);
	etm_result r;
	CU_ASSERT_EQUAL(etm_vm_run_main(vm, &r), ETM_RUN_OK);
	if (r.status != ETM_RUN_OK)
		fprintf(stderr, "\nerror: %s\n", r.message);
	etm_buf_add(&out, "", 0);
	if (strcmp(out.p, want) != 0)
		fprintf(stderr, "\nprogram: %s\nwant: %s\ngot:  %s\n", src, want, out.p);
	CU_ASSERT_STRING_EQUAL(out.p, want);
	etm_buf_free(&out);
	etm_vm_free(vm);
	etm_program_free(p);
}

static void test_builtins(void)
{
	expect_out("அச்சு ஜேசான்_ஆக்கு({நிலுவை: 1500.50, பெயர்: \"ரவி\", x: [மெய், இன்மை]});",
		   "{\"x\":[true,null],\"நிலுவை\":1500.5,\"பெயர்\":\"ரவி\"}\n");
	expect_out("அச்சு ஜேசான்_ஆக்கு(1500.5); அச்சு ஜேசான்_ஆக்கு(\"வரவு\"); "
		   "அச்சு ஜேசான்_ஆக்கு(மெய்); அச்சு ஜேசான்_ஆக்கு(இன்மை); அச்சு ஜேசான்_ஆக்கு(தவறு(1));",
		   "1500.5\n\"வரவு\"\ntrue\nnull\nnull\n");
	expect_out("ப = மதிப்பு(ஜேசான்_படி(\"{\\\"qokY\\\": 1500.25}\")); அச்சு ப[\"qokY\"] + 1;",
		   "1501.25\n");
	expect_out("அச்சு jEcAZ_pati(\"[1, 2\"); அச்சு _fromJson(\"[]\"); அச்சு _toJson([]) & jEcAZ_Akku({});",
		   "தவறு(',' அல்லது ']' எதிர்பார்க்கப்பட்டது  (expected ',' or ']'))\nசரி([])\n[]{}\n");
	/* round trip through a program */
	expect_out("x = {a: [1, {b: \"\\\"q\\\"\"}], c: 0.10};"
		   "அச்சு மதிப்பு(ஜேசான்_படி(ஜேசான்_ஆக்கு(x))) == x;",
		   "true\n");
	/* a program's own function of the same name is used instead */
	expect_out("செயல் ஜேசான்_ஆக்கு(v) { திரும்பு \"mine\"; } அச்சு ஜேசான்_ஆக்கு(1);", "mine\n");
}

int main(void)
{
	CU_initialize_registry();
	CU_pSuite s = CU_add_suite("json", NULL, NULL);
	CU_add_test(s, "values", test_values);
	CU_add_test(s, "numbers", test_numbers);
	CU_add_test(s, "strings", test_strings);
	CU_add_test(s, "malformed input", test_malformed);
	CU_add_test(s, "depth limit", test_depth);
	CU_add_test(s, "writing", test_writing);
	CU_add_test(s, "builtins in programs", test_builtins);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
