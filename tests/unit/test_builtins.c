/* test_builtins.c -- CUnit suite for the library builtins: the date
 * arithmetic, the grapheme-boundary search and the case mappings directly
 * (builtins_lib.h), and every builtin through programs run on a VM whose
 * host supplies the clock, the environment and the uploads.  Files are
 * written under a fresh temporary directory, removed at the end. */
#include "autoconfig.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtins_lib.h"
#include "etamil.h"
#include "lang_util.h"

static char tmpdir[64];

/* ------------------------------------------------------------------ */
/* Running programs                                                    */

typedef struct fake_host {
	etm_buf out;
	int64_t now;
} fake_host;

static void h_print(void *ud, const char *s, size_t n)
{
	fake_host *f = ud;
	etm_buf_add(&f->out, s, n);
	etm_buf_addc(&f->out, '\n');
}

static int64_t h_now(void *ud)
{
	return ((fake_host *)ud)->now;
}

static const char *h_getenv(void *ud, const char *name)
{
	(void)ud;
	if (strcmp(name, "ETM_TEST_VAR") == 0)
		return "மதிப்பு";
	if (strcmp(name, "ETM_TEST_BAD") == 0)
		return "\xff\xfe";
	return NULL;
}

static int h_upload(void *ud, size_t index, const void **data, size_t *len)
{
	(void)ud;
	static const char bytes[] = "\x00\x01\xffPNG";
	if (index != 1)
		return -1;
	*data = bytes;
	*len = 6;
	return 0;
}

/* Run SRC; the output (malloc'd) in *OUT, the error message in MSG.  When
   GLOBAL is set, its text after the run goes to GVAL. */
static etm_status run(const char *src, char **out, char *msg, size_t msglen,
		      const char *global, char *gval, size_t glen)
{
	etm_program *p = unit_compile(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	fake_host f;
	etm_buf_init(&f.out);
	f.now = 1718236800 + 3600;	/* 2024-06-13T01:00:00Z */
	etm_host h = {0};
	h.ud = &f;
	h.print = h_print;
	h.now = h_now;
	h.getenv = h_getenv;
	h.upload = h_upload;
	etm_vm *vm = etm_vm_new(p, &h, NULL);
	etm_result r;
	etm_status st = etm_vm_run_main(vm, &r);
	if (msg)
		snprintf(msg, msglen, "%s", r.message ? r.message : "");
	if (global) {
		const etm_value *g = etm_vm_get_global(vm, global);
		etm_buf b;
		etm_buf_init(&b);
		if (g)
			etm_text_append(etm_vm_heap(vm), &b, *g);
		else
			etm_buf_adds(&b, "<unset>");
		snprintf(gval, glen, "%s", b.p);
		etm_buf_free(&b);
	}
	etm_buf_add(&f.out, "", 0);
	*out = f.out.p;
	etm_vm_free(vm);
	etm_program_free(p);
	return st;
}

static void expect_out(const char *src, const char *want)
{
	char *out, msg[1024];
	etm_status st = run(src, &out, msg, sizeof(msg), NULL, NULL, 0);
	if (st != ETM_RUN_OK)
		fprintf(stderr, "\nunexpected error: %s\n", msg);
	CU_ASSERT_EQUAL(st, ETM_RUN_OK);
	if (strcmp(out, want) != 0)
		fprintf(stderr, "\nprogram: %s\nwant: %s\ngot:  %s\n", src, want, out);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
}

static void expect_err(const char *src, const char *want_msg)
{
	char *out, msg[1024];
	etm_status st = run(src, &out, msg, sizeof(msg), NULL, NULL, 0);
	CU_ASSERT_EQUAL(st, ETM_RUN_ERROR);
	if (strcmp(msg, want_msg) != 0)
		fprintf(stderr, "\nprogram: %s\nwant: %s\ngot:  %s\n", src, want_msg, msg);
	CU_ASSERT_STRING_EQUAL(msg, want_msg);
	free(out);
}

/* ------------------------------------------------------------------ */
/* Dates                                                               */

static void check_date(const char *text, const char *want)
{
	__int128 d;
	char buf[ETM_DATE_BUFSZ];
	int rc = etm_date_parse(text, strlen(text), &d);
	if (!want) {
		CU_ASSERT_EQUAL(rc, -1);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	etm_date_format(d, buf);
	CU_ASSERT_STRING_EQUAL(buf, want);
}

static void test_date_parse(void)
{
	check_date("1970-01-01", "1970-01-01");
	check_date("2024-02-29", "2024-02-29");
	check_date("2023-02-29", "2023-03-01");
	check_date("2023-02-31", "2023-03-03");
	check_date("2024-12-31", "2024-12-31");
	check_date("2023-04-31", "2023-05-01");
	check_date("  2024-06-13\t", "2024-06-13");
	check_date("+2024-+6-+13", "2024-06-13");
	check_date("0-1-1", "0000-01-01");
	check_date("1-01-01", "0001-01-01");
	check_date("00002024-0006-0013", "2024-06-13");
	check_date("9223372036854775807-12-31", "9223372036854775807-12-31");
	check_date("", NULL);
	check_date("2024-06", NULL);
	check_date("2024-06-13-1", NULL);
	check_date("2024/06/13", NULL);
	check_date("-2024-06-13", NULL);
	check_date("2024-00-13", NULL);
	check_date("2024-13-13", NULL);
	check_date("2024-06-00", NULL);
	check_date("2024-06-32", NULL);
	check_date("2024-06-1 3", NULL);
	check_date("2024-06-+", NULL);
	check_date("2024--06-13", NULL);
	check_date("ab-06-13", NULL);
	check_date("9223372036854775808-01-01", NULL);
	check_date("௨௦௨௪-06-13", NULL);
}

static void test_date_arith(void)
{
	/* day numbers against known values */
	CU_ASSERT(etm_date_from_civil(1970, 1, 1) == 0);
	CU_ASSERT(etm_date_from_civil(2000, 3, 1) == 11017);
	CU_ASSERT(etm_date_from_civil(1969, 12, 31) == -1);
	CU_ASSERT(etm_date_from_civil(0, 3, 1) == -719468);
	/* every day of 1600..2400 round-trips and is one after the last */
	__int128 prev = etm_date_from_civil(1599, 12, 31);
	for (int y = 1600; y <= 2400; y++) {
		for (int m = 1; m <= 12; m++) {
			static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
			int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
			int n = mdays[m - 1] + (m == 2 && leap);
			for (int d = 1; d <= n; d++) {
				__int128 k = etm_date_from_civil(y, m, d), yy;
				int mm, dd;
				CU_ASSERT_FATAL(k == prev + 1);
				etm_date_to_civil(k, &yy, &mm, &dd);
				CU_ASSERT_FATAL(yy == y && mm == m && dd == d);
				prev = k;
			}
		}
	}
	char buf[ETM_DATE_BUFSZ];
	etm_date_format(etm_date_from_civil(0, 1, 1) - 1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "-001-12-31");
	etm_date_format(etm_date_from_civil(12345, 6, 7), buf);
	CU_ASSERT_STRING_EQUAL(buf, "12345-06-07");
}

static void test_date_builtins(void)
{
	expect_out("அச்சு நாள்_கூட்டு(\"2024-02-28\", 1);", "2024-02-29\n");
	expect_out("அச்சு நாள்_வேறுபாடு(\"2024-01-01\", \"2024-12-31\");", "365\n");
	expect_out("அச்சு nAL_vERupAtu(\"2024-12-31\", \"2024-01-01\");", "-365\n");
	expect_out("அச்சு _addDays(\"2024-03-01\", 0 - 1.9);", "2024-02-29\n");
	expect_out("அச்சு நாள்_கூட்டு(\"2023-02-31\", 0);", "2023-03-03\n");
	expect_out("அச்சு நாள்_கூட்டு(\"2024-01-01\", \"x\");", "2024-01-01\n");
	expect_out("அச்சு நாள்_கூட்டு(\"1-01-01\", 0 - 1);", "0000-12-31\n");
	expect_out("அச்சு இன்று(); அச்சு iZRu() == _today();", "2024-06-13\ntrue\n");
	expect_out("அச்சு நாள்_வேறுபாடு(\"0-1-1\", \"9223372036854775807-12-31\");",
		   "3368767461170930453052\n");
	expect_err("அச்சு நாள்_கூட்டு(\"2024-02-30x\", 1);",
		   "'2024-02-30x' ஒரு நாள் அல்ல  ('2024-02-30x' is not a date; expected YYYY-MM-DD)");
	expect_err("அச்சு நாள்_வேறுபாடு(\"2024-01-01\", 5);",
		   "'5' ஒரு நாள் அல்ல  ('5' is not a date; expected YYYY-MM-DD)");
	expect_err("அச்சு நாள்_கூட்டு(\"2024-01-01\", 99999999999999999999);",
		   "நாட்கள் ஒரு முழு எண்ணாக இருக்க வேண்டும்  (days must be a whole number)");
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

static size_t matches(const char *hay, const char *needle, size_t *first)
{
	etm_heap h = {0};
	etm_value s = etm_str_cstr(&h, hay);
	size_t *offs;
	size_t n = etm_text_matches(ETM_STR(s), needle, strlen(needle), &offs);
	if (first)
		*first = n ? offs[0] : (size_t)-1;
	free(offs);
	etm_release(&h, s);
	CU_ASSERT_EQUAL(h.used, 0);
	return n;
}

static void test_boundary_search(void)
{
	size_t at;
	CU_ASSERT_EQUAL(matches("கா", "ா", NULL), 0);	/* inside a letter */
	CU_ASSERT_EQUAL(matches("கா", "க", NULL), 0);
	CU_ASSERT_EQUAL(matches("பாபா", "பா", &at), 2);
	CU_ASSERT_EQUAL(at, 0);
	CU_ASSERT_EQUAL(matches("aaa", "aa", &at), 1);	/* no overlap */
	CU_ASSERT_EQUAL(matches("aaaa", "aa", NULL), 2);
	CU_ASSERT_EQUAL(matches("a\r\nb", "\n", NULL), 0);	/* CRLF is one letter */
	CU_ASSERT_EQUAL(matches("a\r\nb", "\r\n", &at), 1);
	CU_ASSERT_EQUAL(at, 1);
	CU_ASSERT_EQUAL(matches("abc", "", NULL), 0);
	CU_ASSERT_EQUAL(matches("ab", "abc", NULL), 0);
	/* A rejected raw match is still skipped: "கிகி" holds "கிக" at 0
	   (ends inside the second letter), so the search resumes at byte 9
	   and finds nothing more. */
	CU_ASSERT_EQUAL(matches("கிகி", "கிக", NULL), 0);
	CU_ASSERT_EQUAL(matches("x,y,,z", ",", &at), 3);
	CU_ASSERT_EQUAL(at, 1);
}

static void case_is(void (*f)(etm_buf *, const char *, size_t), const char *in, const char *want)
{
	etm_buf b;
	etm_buf_init(&b);
	f(&b, in, strlen(in));
	etm_buf_add(&b, "", 0);
	if (strcmp(b.p, want) != 0)
		fprintf(stderr, "\ncase of %s: want %s, got %s\n", in, want, b.p);
	CU_ASSERT_STRING_EQUAL(b.p, want);
	etm_buf_free(&b);
}

static void test_case(void)
{
	case_is(etm_text_upper, "abc xyz", "ABC XYZ");
	case_is(etm_text_upper, "straße", "STRASSE");
	case_is(etm_text_upper, "ﬁne ŉ", "FINE ʼN");
	case_is(etm_text_upper, "ǆ ǅ", "Ǆ Ǆ");
	case_is(etm_text_upper, "தமிழ் gst", "தமிழ் GST");
	case_is(etm_text_upper, "\u0390", "\u0399\u0308\u0301");
	case_is(etm_text_lower, "ABC Xyz", "abc xyz");
	case_is(etm_text_lower, "İ", "i̇");
	case_is(etm_text_lower, "ΟΔΟΣ", "οδος");
	case_is(etm_text_lower, "ΟΔΟΣ.", "οδος.");
	case_is(etm_text_lower, "Σ", "σ");
	case_is(etm_text_lower, "ΑΣ'Α", "ασ'α");
	case_is(etm_text_lower, "ΣΑ", "σα");
	case_is(etm_text_lower, "தமிழ்", "தமிழ்");
}

static void test_string_builtins(void)
{
	expect_out("அச்சு மேல்_எழுத்து(\"gstin ß\"); அச்சு kIz_ezuqqu([\"A\", மெய்]);",
		   "GSTIN SS\n[a, true]\n");
	expect_out("அச்சு _upper(1.50);", "1.5\n");
	expect_out("அச்சு மாற்று(\"கா\", \"ா\", \"X\"); அச்சு மாற்று(\"பாபா\", \"பா\", \"மா\");",
		   "கா\nமாமா\n");
	expect_out("அச்சு மாற்று(\"abc\", \"\", \"X\"); அச்சு mARRu(12321, 2, \"-\");",
		   "abc\n1-3-1\n");
	expect_out("அச்சு பிரி(\"அ,ஆ,\", \",\"); அச்சு நீளம்(பிரி(\"அ,ஆ,\", \",\"));",
		   "[அ, ஆ, ]\n3\n");
	expect_out("அச்சு piri(\"abc\", \"\"); அச்சு பிரி(\"\", \",\"); அச்சு நீளம்(பிரி(\"\", \",\"));",
		   "[abc]\n[]\n1\n");
	expect_out("அச்சு பிரி(\"கா\", \"ா\");", "[கா]\n");
	expect_out("அச்சு ஒன்றிணை([1, \"இரண்டு\", இன்மை, [2]], \", \"); அச்சு oZRiNY([], \"x\");",
		   "1, இரண்டு, nil, [2]\n\n");
	expect_err("அச்சு ஒன்றிணை(\"abc\", \",\");",
		   "ஒன்றிணை ஒரு அணி தேவை  (join needs an array, got a string)");
}

/* ------------------------------------------------------------------ */
/* Numbers, bytes, environment                                         */

static void test_math_builtins(void)
{
	expect_out("அச்சு வட்டமிடு(2.345, 2); அச்சு வட்டமிடு(0 - 2.5, 0); அச்சு வட்டமிடு(2.5, 0);",
		   "2.35\n-3\n3\n");
	expect_out("அச்சு வட்டமிடு(1.999, 2.7); அச்சு வட்டமிடு(\"1.25\", 1); அச்சு வட்டமிடு(1.5, 40);",
		   "2\n1.3\n1.5\n");
	expect_out("அச்சு தரை(0 - 1.5); அச்சு தரை(\"7.9\"); அச்சு மேல்(1.2); அச்சு மேல்(0 - 0.5);",
		   "-2\n7\n2\n0\n");
	expect_out("அச்சு qarY(இன்மை) & mEl(மெய்);", "01\n");
	expect_err("அச்சு வட்டமிடு(1, 0 - 1);",
		   "வட்டமிடு: இடங்கள் ஒரு முழு எண்  (round: places must be a whole number)");
	expect_err("அச்சு வட்டமிடு(1, 4294967296);",
		   "வட்டமிடு: இடங்கள் ஒரு முழு எண்  (round: places must be a whole number)");
}

static void test_bytes_builtins(void)
{
	expect_out("அச்சு பைட்டுகள்(\"அa\"); அச்சு pYttukaL(12);", "[224, 174, 133, 97]\n[49, 50]\n");
	expect_out("அச்சு பைட்டுச்_சரம்([224, 174, 133, \"97\", 1.0]);", "சரி(அa\x01)\n");
	expect_out("அச்சு பைட்டுச்_சரம்(பைட்டுகள்(\"தமிழ் ✓\"));", "சரி(தமிழ் ✓)\n");
	expect_out("அச்சு _fromBytes([]);", "சரி()\n");
	expect_out("அச்சு பைட்டுச்_சரம்([224, 174]);",
		   "தவறு(இந்தப் பைட்டுகள் செல்லுபடியான UTF-8 அல்ல                           (these bytes are not valid UTF-8))\n");
	expect_err("x = பைட்டுச்_சரம்([1, 256]);",
		   "இடம் 1 இல் '256' ஒரு பைட்டு அல்ல                                   (position 1: '256' is not a byte, expected a whole number 0-255)");
	expect_err("x = பைட்டுச்_சரம்([1.50]);",
		   "இடம் 0 இல் '1.50' ஒரு பைட்டு அல்ல                                   (position 0: '1.50' is not a byte, expected a whole number 0-255)");
	expect_err("x = பைட்டுச்_சரம்([0 - 1]);",
		   "இடம் 0 இல் '-1' ஒரு பைட்டு அல்ல                                   (position 0: '-1' is not a byte, expected a whole number 0-255)");
	expect_err("x = பைட்டுச்_சரம்(\"abc\");",
		   "பைட்டுச்_சரம் ஒரு அணி தேவை  (fromBytes needs an array, got a string)");
}

static void test_env_builtin(void)
{
	expect_out("அச்சு சூழல்(\"ETM_TEST_VAR\", 0);", "மதிப்பு\n");
	expect_out("அச்சு cUzal(\"ETM_NOT_SET\", [1, 2]); அச்சு வகை(_env(\"ETM_NOT_SET\", இன்மை));",
		   "[1, 2]\nnil\n");
	expect_out("அச்சு சூழல்(\"ETM_TEST_BAD\", \"fallback\");", "fallback\n");
}

/* ------------------------------------------------------------------ */
/* Files and server                                                    */

static void test_file_save(void)
{
	char src[2048], path[128], want[2048];
	snprintf(path, sizeof(path), "%s/out.txt", tmpdir);
	snprintf(src, sizeof(src),
		 "அச்சு கோப்பு_சேமி(\"%s\", \"வணக்கம்\"); அச்சு kOppu_cEmi(\"%s\", [1, 2]);",
		 path, path);
	expect_out(src, "சரி(21)\nசரி(6)\n");
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char buf[64] = {0};
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_STRING_EQUAL(buf, "[1, 2]");
	snprintf(src, sizeof(src), "அச்சு கோப்பு_சேமி(\"%s/no/such\", 1);", tmpdir);
	snprintf(want, sizeof(want),
		 "தவறு(கோப்பு '%s/no/such' எழுத முடியவில்லை  (cannot write '%s/no/such'): No such file or directory (os error 2))\n",
		 tmpdir, tmpdir);
	expect_out(src, want);
	snprintf(src, sizeof(src), "அச்சு கோப்பு_சேமி(\"%s\", 1);", tmpdir);
	snprintf(want, sizeof(want),
		 "தவறு(கோப்பு '%s' எழுத முடியவில்லை  (cannot write '%s'): Is a directory (os error 21))\n",
		 tmpdir, tmpdir);
	expect_out(src, want);
}

static void test_respond_file(void)
{
	char src[2048], want[2048], g[256], *out;
	char path[128];
	snprintf(path, sizeof(path), "%s/page.html", tmpdir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("<p>x</p>", f);
	fclose(f);

	snprintf(src, sizeof(src),
		 "செயல் அனுப்பு() { திரும்பு பதில்_கோப்பு(\"201\", \"%s\", {\"Content-Type\": \"text/html\"}); }\n"
		 "அச்சு அனுப்பு();", path);
	CU_ASSERT_EQUAL(run(src, &out, NULL, 0, "response_file", g, sizeof(g)), ETM_RUN_OK);
	CU_ASSERT_STRING_EQUAL(out, "சரி(nil)\n");
	CU_ASSERT_STRING_EQUAL(g, path);
	free(out);
	CU_ASSERT_EQUAL(run(src, &out, NULL, 0, "response_status", g, sizeof(g)), ETM_RUN_OK);
	CU_ASSERT_STRING_EQUAL(g, "201");
	free(out);
	CU_ASSERT_EQUAL(run(src, &out, NULL, 0, "response_headers", g, sizeof(g)), ETM_RUN_OK);
	CU_ASSERT_STRING_EQUAL(g, "{Content-Type: text/html}");
	free(out);

	/* a directory or a missing file sets nothing */
	snprintf(src, sizeof(src), "அச்சு paDil_kOppu(200, \"%s\", இன்மை);", tmpdir);
	snprintf(want, sizeof(want), "தவறு(கோப்பு '%s' இல்லை  (no such file '%s'))\n", tmpdir, tmpdir);
	CU_ASSERT_EQUAL(run(src, &out, NULL, 0, "response_file", g, sizeof(g)), ETM_RUN_OK);
	CU_ASSERT_STRING_EQUAL(out, want);
	CU_ASSERT_STRING_EQUAL(g, "<unset>");
	free(out);
	expect_out("அச்சு _respondFile(200, \"/no/such/file\", இன்மை);",
		   "தவறு(கோப்பு '/no/such/file' இல்லை  (no such file '/no/such/file'))\n");
}

static void test_save_upload(void)
{
	char src[2048], want[2048], path[128];
	snprintf(path, sizeof(path), "%s/up.bin", tmpdir);
	snprintf(src, sizeof(src),
		 "அச்சு பதிவேற்றம்_சேமி(1.9, \"%s\"); அச்சு paqivERRam_cEmi(0, \"%s\");"
		 "அச்சு _saveUpload(\"1.50\" - 3, \"%s\"); அச்சு பதிவேற்றம்_சேமி(\"2.50\", \"%s\");",
		 path, path, path, path);
	expect_out(src, "சரி(6)\nதவறு(பதிவேற்றம் 0 இல்லை  (no upload at 0))\n"
		   "தவறு(பதிவேற்றம் -1.50 இல்லை  (no upload at -1.50))\n"
		   "தவறு(பதிவேற்றம் 2.50 இல்லை  (no upload at 2.50))\n");
	struct stat st;
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 6);
	snprintf(src, sizeof(src), "அச்சு பதிவேற்றம்_சேமி(1, \"%s/no/x\");", tmpdir);
	snprintf(want, sizeof(want),
		 "தவறு(கோப்பு '%s/no/x' எழுத முடியவில்லை  (cannot write '%s/no/x'): No such file or directory (os error 2))\n",
		 tmpdir, tmpdir);
	expect_out(src, want);
}

/* ------------------------------------------------------------------ */
/* EXTENDED                                                            */

static void test_extended(void)
{
	expect_err("x = வலை_பெறு(\"http://127.0.0.1:9/\", இன்மை);",
		   "'வலை_பெறு' இந்தக் கட்டமைப்பில் கிடைக்காது  ('வலை_பெறு' is not available in this build: no outbound HTTP support)");
	expect_err("x = _sign(\"k\", \"m\");",
		   "'கையொப்பம்' இந்தக் கட்டமைப்பில் கிடைக்காது  ('கையொப்பம்' is not available in this build: no cryptography support)");
	expect_err("x = mowkO_kaNtupiti(\"c\", {});",
		   "'மொங்கோ_கண்டுபிடி' இந்தக் கட்டமைப்பில் கிடைக்காது  ('மொங்கோ_கண்டுபிடி' is not available in this build: no MongoDB support)");
	expect_err("மொங்கோ_இணை();",
		   "மொங்கோ ஆதரவு இல்லாமல் கட்டப்பட்டது  (this build has no MongoDB support): rebuild with --features mongodb");
	expect_err("x = கட்டளை_ஓட்டு(\"true\", []);",
		   "செயல் 'கட்டளை_ஓட்டு' 3 அளவுருக்களை எதிர்பார்க்கிறது, 2 வழங்கப்பட்டது  (function 'கட்டளை_ஓட்டு' expects 3 argument(s), got 2)");
	/* a user function of the same name wins */
	expect_out("செயல் கையொப்பம்(a, b) { திரும்பு a & b; } அச்சு கையொப்பம்(1, 2);", "12\n");
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_builtins.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	CU_initialize_registry();
	CU_pSuite s = CU_add_suite("builtins", NULL, NULL);
	CU_add_test(s, "date parsing", test_date_parse);
	CU_add_test(s, "date arithmetic", test_date_arith);
	CU_add_test(s, "date builtins", test_date_builtins);
	CU_add_test(s, "boundary search", test_boundary_search);
	CU_add_test(s, "case mapping", test_case);
	CU_add_test(s, "string builtins", test_string_builtins);
	CU_add_test(s, "math builtins", test_math_builtins);
	CU_add_test(s, "bytes builtins", test_bytes_builtins);
	CU_add_test(s, "environment", test_env_builtin);
	CU_add_test(s, "file save", test_file_save);
	CU_add_test(s, "respond with a file", test_respond_file);
	CU_add_test(s, "save an upload", test_save_upload);
	CU_add_test(s, "extended builtins", test_extended);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		failed++;
	return failed ? 1 : 0;
}
