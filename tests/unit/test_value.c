/* test_value.c -- CUnit suite for the value layer (value.h): grapheme
 * clusters, printing, coercions, equality and ordering, copy-on-write
 * arrays and records, string appends and heap accounting. */
#include <CUnit/Basic.h>
#include <string.h>

#include "value.h"

static etm_heap H;

static etm_value S(const char *s)
{
	return etm_str_cstr(&H, s);
}

static etm_value N(const char *s)
{
	etm_dec d;
	CU_ASSERT_EQUAL_FATAL(etm_dec_from_string(s, strlen(s), &d), ETM_DEC_OK);
	return etm_num(d);
}

/* The text of V; the buffer is reused between calls. */
static const char *T(etm_value v)
{
	static etm_buf b;
	b.len = 0;
	etm_text_append(&H, &b, v);
	etm_buf_add(&b, "", 0);
	return b.p;
}

static size_t clusters(const char *s)
{
	etm_value v = S(s);
	size_t n = etm_str_clusters(ETM_STR(v));
	etm_release(&H, v);
	return n;
}

static void test_clusters(void)
{
	CU_ASSERT_EQUAL(clusters(""), 0);
	CU_ASSERT_EQUAL(clusters("abc"), 3);
	CU_ASSERT_EQUAL(clusters("தமிழ்"), 3);
	CU_ASSERT_EQUAL(clusters("வணக்கம்"), 5);
	CU_ASSERT_EQUAL(clusters("க்ஷ"), 2);		/* Tamil virama: no GB9c */
	CU_ASSERT_EQUAL(clusters("नमस्ते"), 3);	/* Devanagari conjunct (GB9c) */
	CU_ASSERT_EQUAL(clusters("\r\n"), 1);
	CU_ASSERT_EQUAL(clusters("a\r\nb"), 3);
	CU_ASSERT_EQUAL(clusters("👍🏽x"), 2);		/* emoji + modifier */
	CU_ASSERT_EQUAL(clusters("🇮🇳🇱🇰"), 2);		/* two flags */

	etm_value v = S("தமிழ்");
	size_t a, b;
	etm_str_cluster_at(ETM_STR(v), 1, &a, &b);
	CU_ASSERT_EQUAL(b - a, strlen("மி"));
	CU_ASSERT(memcmp(ETM_STR(v)->data + a, "மி", b - a) == 0);
	CU_ASSERT_TRUE(etm_str_is_boundary(ETM_STR(v), 0));
	CU_ASSERT_TRUE(etm_str_is_boundary(ETM_STR(v), a));
	CU_ASSERT_FALSE(etm_str_is_boundary(ETM_STR(v), a + 3));
	CU_ASSERT_TRUE(etm_str_is_boundary(ETM_STR(v), ETM_STR(v)->len));
	etm_release(&H, v);
}

static void test_printing(void)
{
	etm_value a = etm_arr_new(&H, 0);
	etm_arr_push(&H, &a, N("1.50"));
	etm_arr_push(&H, &a, S("இரண்டு"));
	etm_arr_push(&H, &a, etm_bool(true));
	etm_arr_push(&H, &a, etm_nil());
	CU_ASSERT_STRING_EQUAL(T(a), "[1.5, இரண்டு, true, nil]");

	etm_value r = etm_rec_new(&H, 0);
	etm_rec_set_cstr(&H, &r, "வயது", strlen("வயது"), N("30"));
	etm_rec_set_cstr(&H, &r, "பெயர்", strlen("பெயர்"), S("ரவி"));
	etm_rec_set_cstr(&H, &r, "Z", 1, N("1"));
	etm_rec_set_cstr(&H, &r, "a", 1, etm_ref(a));
	CU_ASSERT_STRING_EQUAL(T(r), "{Z: 1, a: [1.5, இரண்டு, true, nil], பெயர்: ரவி, வயது: 30}");

	etm_value ok = etm_result_new(&H, true, r);
	CU_ASSERT_STRING_EQUAL(T(ok), "சரி({Z: 1, a: [1.5, இரண்டு, true, nil], பெயர்: ரவி, வயது: 30})");
	etm_value err = etm_result_new(&H, false, S("x"));
	CU_ASSERT_STRING_EQUAL(T(err), "தவறு(x)");
	CU_ASSERT_STRING_EQUAL(T(N("-6.000")), "-6");
	CU_ASSERT_STRING_EQUAL(T(N("45.0900")), "45.09");
	CU_ASSERT_STRING_EQUAL(T(etm_nil()), "nil");

	etm_value t = etm_to_text(&H, a);
	CU_ASSERT_EQUAL(t.kind, ETM_STR);
	CU_ASSERT_STRING_EQUAL(ETM_STR(t)->data, "[1.5, இரண்டு, true, nil]");
	etm_release(&H, t);
	etm_release(&H, a);
	etm_release(&H, ok);
	etm_release(&H, err);
}

static void test_coercions(void)
{
	char b[ETM_DEC_BUFSZ];
	struct { const char *in, *out; } cases[] = {
		{"12", "12"}, {"  7.50 ", "7.5"}, {"abc", "0"}, {"௧௨", "0"},
		{"-3", "-3"}, {".5", "0.5"}, {"1_000", "1000"}, {"1e3", "0"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		etm_value v = S(cases[i].in);
		etm_dec_format(etm_to_dec(v), b, sizeof(b));
		CU_ASSERT_STRING_EQUAL(b, cases[i].out);
		etm_release(&H, v);
	}
	etm_dec_format(etm_to_dec(etm_bool(true)), b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "1");
	etm_dec_format(etm_to_dec(etm_nil()), b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "0");

	/* truthiness */
	etm_value e = S(""), z = S("0"), ea = etm_arr_new(&H, 0), er = etm_rec_new(&H, 0);
	CU_ASSERT_FALSE(etm_truthy(e));
	CU_ASSERT_TRUE(etm_truthy(z));
	CU_ASSERT_FALSE(etm_truthy(ea));
	CU_ASSERT_FALSE(etm_truthy(er));
	CU_ASSERT_FALSE(etm_truthy(N("0.00")));
	CU_ASSERT_FALSE(etm_truthy(etm_nil()));
	etm_value okf = etm_result_new(&H, true, etm_bool(false));
	etm_value errt = etm_result_new(&H, false, etm_bool(true));
	CU_ASSERT_TRUE(etm_truthy(okf));
	CU_ASSERT_FALSE(etm_truthy(errt));
	etm_release(&H, e);
	etm_release(&H, z);
	etm_release(&H, ea);
	etm_release(&H, er);
	etm_release(&H, okf);
	etm_release(&H, errt);

	size_t s, en;
	const char *txt = "\u3000 x y\t\n";
	etm_trim(txt, strlen(txt), &s, &en);
	CU_ASSERT_EQUAL(en - s, 3);
	CU_ASSERT(memcmp(txt + s, "x y", 3) == 0);
}

static void test_equality(void)
{
	etm_value five = S("5");
	CU_ASSERT_FALSE(etm_equal(five, N("5")));
	CU_ASSERT_TRUE(etm_equal(N("1"), N("1.00")));
	CU_ASSERT_EQUAL(etm_compare(five, N("6")), -1);
	CU_ASSERT_EQUAL(etm_compare(etm_bool(true), etm_bool(false)), 2);
	CU_ASSERT_EQUAL(etm_compare(etm_nil(), etm_nil()), 2);
	etm_value ten = S("10"), nine = S("9"), Z = S("Z"), a = S("a");
	CU_ASSERT_EQUAL(etm_compare(ten, nine), -1);
	CU_ASSERT_EQUAL(etm_compare(Z, a), -1);

	etm_value r1 = etm_rec_new(&H, 0), r2 = etm_rec_new(&H, 0);
	etm_rec_set_cstr(&H, &r1, "a", 1, N("1"));
	etm_rec_set_cstr(&H, &r1, "b", 1, N("2"));
	etm_rec_set_cstr(&H, &r2, "b", 1, N("2.0"));
	etm_rec_set_cstr(&H, &r2, "a", 1, N("1"));
	CU_ASSERT_TRUE(etm_equal(r1, r2));
	etm_rec_set_cstr(&H, &r2, "a", 1, S("1"));
	CU_ASSERT_FALSE(etm_equal(r1, r2));

	etm_value x1 = etm_arr_new(&H, 0), x2 = etm_arr_new(&H, 0);
	CU_ASSERT_TRUE(etm_equal(x1, x2));
	etm_arr_push(&H, &x1, etm_ref(r1));
	etm_arr_push(&H, &x2, etm_ref(r1));
	CU_ASSERT_TRUE(etm_equal(x1, x2));
	etm_value o1 = etm_result_new(&H, true, etm_ref(x1));
	etm_value e1 = etm_result_new(&H, false, etm_ref(x1));
	CU_ASSERT_FALSE(etm_equal(o1, e1));

	etm_value vs[] = {five, ten, nine, Z, a, r1, r2, x1, x2, o1, e1};
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		etm_release(&H, vs[i]);
}

/* A value nested DEPTH levels deep: arrays, records and results in turn
   around LEAF (owned). */
static etm_value deep_value(size_t depth, etm_value leaf)
{
	etm_value v = leaf;
	for (size_t i = 0; i < depth; i++) {
		etm_value w;
		switch (i % 3) {
		case 0:
			w = etm_arr_new(&H, 0);
			etm_arr_push(&H, &w, etm_num_int(1));
			etm_arr_push(&H, &w, v);
			break;
		case 1:
			w = etm_rec_new(&H, 0);
			etm_rec_set_cstr(&H, &w, "k", 1, v);
			etm_rec_set_cstr(&H, &w, "a", 1, etm_bool(true));
			break;
		default:
			w = etm_result_new(&H, i % 2, v);
			break;
		}
		v = w;
	}
	return v;
}

static void test_deep_equality(void)
{
	/* Far deeper than the C stack could recurse. */
	enum { DEPTH = 300000 };
	etm_value a = deep_value(DEPTH, N("7")), b = deep_value(DEPTH, N("7.0"));
	etm_value c = deep_value(DEPTH, N("8"));
	CU_ASSERT_TRUE(etm_equal(a, b));
	CU_ASSERT_TRUE(etm_equal(a, a));
	CU_ASSERT_FALSE(etm_equal(a, c));
	etm_release(&H, a);
	etm_release(&H, b);
	etm_release(&H, c);
}

static void test_copy_on_write(void)
{
	etm_value a = etm_arr_new(&H, 0);
	etm_arr_push(&H, &a, N("1"));
	etm_arr_push(&H, &a, N("2"));
	etm_value b = etm_ref(a);		/* ஆ = அ */
	CU_ASSERT_FALSE(etm_unique(b));
	etm_make_unique(&H, &b);		/* ஆ[0] = 9 */
	CU_ASSERT_TRUE(etm_unique(b));
	CU_ASSERT_TRUE(etm_unique(a));
	etm_release(&H, ETM_ARR(b)->items[0]);
	ETM_ARR(b)->items[0] = N("9");
	CU_ASSERT_STRING_EQUAL(T(a), "[1, 2]");
	CU_ASSERT_STRING_EQUAL(T(b), "[9, 2]");

	/* A unique array grows in place, amortised. */
	etm_arr *before = ETM_ARR(b);
	for (int i = 0; i < 1000; i++)
		etm_arr_push(&H, &b, etm_num_int(i));
	CU_ASSERT_PTR_EQUAL(ETM_ARR(b), before);
	CU_ASSERT_EQUAL(ETM_ARR(b)->len, 1002);

	/* Records: big ones get a hash index, order of printing is sorted. */
	etm_value r = etm_rec_new(&H, 0);
	char key[16];
	for (int i = 99; i >= 0; i--) {
		snprintf(key, sizeof(key), "k%02d", i);
		etm_rec_set_cstr(&H, &r, key, strlen(key), etm_num_int(i));
	}
	CU_ASSERT_EQUAL(ETM_REC(r)->len, 100);
	etm_value r2 = etm_ref(r);
	etm_make_unique(&H, &r2);
	etm_rec_set_cstr(&H, &r2, "k50", 3, S("x"));
	etm_value *v = etm_rec_get(ETM_REC(r), "k50", 3, etm_hash_bytes("k50", 3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(T(*v), "50");
	v = etm_rec_get(ETM_REC(r2), "k50", 3, etm_hash_bytes("k50", 3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(T(*v), "x");
	const uint32_t *order = etm_rec_sorted(&H, ETM_REC(r));
	CU_ASSERT_STRING_EQUAL(ETM_REC(r)->ents[order[0]].key->data, "k00");
	CU_ASSERT_STRING_EQUAL(ETM_REC(r)->ents[order[99]].key->data, "k99");

	/* First occurrence wins for record literals. */
	etm_value lit = etm_rec_new(&H, 2);
	etm_value k = S("a");
	etm_rec_add_first(&H, &lit, ETM_STR(k), N("1"));
	etm_rec_add_first(&H, &lit, ETM_STR(k), N("2"));
	CU_ASSERT_STRING_EQUAL(T(lit), "{a: 1}");
	etm_release(&H, k);

	etm_release(&H, a);
	etm_release(&H, b);
	etm_release(&H, r);
	etm_release(&H, r2);
	etm_release(&H, lit);
}

static void test_string_append(void)
{
	etm_value s = S("அ");
	etm_string *first = ETM_STR(s);
	CU_ASSERT_EQUAL(etm_str_clusters(first), 1);
	for (int i = 0; i < 100; i++)
		etm_str_append(&H, &s, "ஆ", strlen("ஆ"));
	CU_ASSERT_EQUAL(etm_str_clusters(ETM_STR(s)), 101);
	etm_value shared = etm_ref(s);
	etm_str_append(&H, &s, "x", 1);	/* shared: copies */
	CU_ASSERT_EQUAL(etm_str_clusters(ETM_STR(shared)), 101);
	CU_ASSERT_EQUAL(etm_str_clusters(ETM_STR(s)), 102);
	etm_release(&H, s);
	etm_release(&H, shared);
}

static void test_heap_accounting(void)
{
	/* Everything above was released: nothing may remain charged except
	   the printing buffer (not charged) and sorted-key caches freed with
	   their records. */
	CU_ASSERT_EQUAL(H.used, 0);
	etm_heap lim = {0};
	lim.limit = 1000;
	etm_value a = etm_arr_new(&lim, 0);
	for (int i = 0; i < 100; i++)
		etm_arr_push(&lim, &a, etm_num_int(i));
	CU_ASSERT_TRUE(lim.over);
	etm_release(&lim, a);
	CU_ASSERT_EQUAL(lim.used, 0);
	CU_ASSERT_TRUE(lim.peak > 1000);
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"grapheme clusters", test_clusters},
		{"printing", test_printing},
		{"coercions and truthiness", test_coercions},
		{"equality and ordering", test_equality},
		{"equality of deeply nested values", test_deep_equality},
		{"copy on write", test_copy_on_write},
		{"string append", test_string_append},
		{"heap accounting", test_heap_accounting},
	};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite suite = CU_add_suite("value", NULL, NULL);
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
