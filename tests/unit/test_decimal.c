/* test_decimal.c -- CUnit suite for the exact decimal type (decimal.h):
 * every function, the examples of spec sections 2, 6.2, 6.3, 6.4 and 9,
 * rounding ties, scale and 96-bit limits, negative zero, overflow,
 * parsing edge cases and printing. */
#include "decimal.h"

#include <CUnit/Basic.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A decimal from text (scale kept); a leading '~' negates, so "~0" is a
 * negative zero. */
static etm_dec D(const char *s)
{
	etm_dec v = etm_dec_zero();
	int neg = *s == '~';
	int st = etm_dec_from_string(s + neg, strlen(s + neg), &v);
	CU_ASSERT_EQUAL_FATAL(st, ETM_DEC_OK);
	return neg ? etm_dec_neg(v) : v;
}

static const char *txt(etm_dec v, char *buf)
{
	etm_dec_format(v, buf, ETM_DEC_BUFSZ);
	return buf;
}

static const char *stxt(etm_dec v, char *buf)
{
	etm_dec_format_scaled(v, buf, ETM_DEC_BUFSZ);
	return buf;
}

/* Result of an operation as scaled text, or the status name. */
static const char *res(int st, etm_dec v, char *buf)
{
	switch (st) {
	case ETM_DEC_OK:
		return stxt(v, buf);
	case ETM_DEC_OVERFLOW:
		return "OVERFLOW";
	case ETM_DEC_DIVZERO:
		return "DIVZERO";
	case ETM_DEC_INVALID:
		return "INVALID";
	}
	return "?";
}

typedef int (*binop)(etm_dec, etm_dec, etm_dec *);

static void check_op(binop f, const char *a, const char *b, const char *want,
		     int line)
{
	char buf[ETM_DEC_BUFSZ];
	etm_dec r = etm_dec_zero();
	int st = f(D(a), D(b), &r);
	const char *got = res(st, r, buf);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nline %d: %s op %s: got %s, want %s\n", line, a,
			b, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

#define OP(f, a, b, want) check_op(f, a, b, want, __LINE__)
#define ADD(a, b, w) OP(etm_dec_add, a, b, w)
#define SUB(a, b, w) OP(etm_dec_sub, a, b, w)
#define MUL(a, b, w) OP(etm_dec_mul, a, b, w)
#define DIV(a, b, w) OP(etm_dec_div, a, b, w)

#define MAX96 "79228162514264337593543950335"

typedef int (*parser)(const char *, size_t, etm_dec *);

static void check_parse(parser f, const char *s, size_t len, const char *want,
			int line)
{
	char buf[ETM_DEC_BUFSZ];
	etm_dec r = etm_dec_zero();
	const char *got = res(f(s, len, &r), r, buf);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nline %d: parse '%.*s': got %s, want %s\n",
			line, (int)len, s, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

#define LIT(s, w) check_parse(etm_dec_parse_literal, s, strlen(s), w, __LINE__)
#define PCT(s, w) check_parse(etm_dec_parse_percent, s, strlen(s), w, __LINE__)
#define STR(s, w) check_parse(etm_dec_from_string, s, strlen(s), w, __LINE__)

/* ------------------------------------------------------------------ */

static void test_representation(void)
{
	char b[ETM_DEC_BUFSZ];
	CU_ASSERT_EQUAL(sizeof(etm_dec), 16);
	CU_ASSERT_STRING_EQUAL(txt(etm_dec_zero(), b), "0");
	CU_ASSERT_STRING_EQUAL(txt(etm_dec_from_int(-6), b), "-6");
	CU_ASSERT_STRING_EQUAL(txt(etm_dec_from_int(0), b), "0");
	CU_ASSERT_STRING_EQUAL(txt(etm_dec_from_int(INT64_MAX), b),
			       "9223372036854775807");
	CU_ASSERT_STRING_EQUAL(txt(etm_dec_from_int(INT64_MIN), b),
			       "-9223372036854775808");
	CU_ASSERT_EQUAL(etm_dec_scale(etm_dec_from_int(5)), 0);
	CU_ASSERT_EQUAL(etm_dec_scale(D("1.50")), 2);
	CU_ASSERT_FALSE(etm_dec_is_negative(etm_dec_from_int(0)));
}

static void test_parse_literal(void)
{
	LIT("0", "0");
	LIT("123", "123");
	LIT("1.50", "1.50");
	LIT("007.10", "7.10");
	LIT(MAX96, MAX96);
	LIT("79228162514264337593543950336", "OVERFLOW");
	LIT("100000000000000000000000000000000", "OVERFLOW");
	LIT(MAX96 ".4", MAX96);
	LIT(MAX96 ".5", "OVERFLOW");	/* rounding up overflows at scale 0 */
	LIT("7922816251426433759354395033.56", "7922816251426433759354395034");
	LIT("7922816251426433759354395033.54", "7922816251426433759354395033.5");
	/* 28 fraction digits kept, the 29th rounds half-up */
	LIT("1.0000000000000000000000000000", "1.0000000000000000000000000000");
	LIT("0.12345678901234567890123456785",
	    "0.1234567890123456789012345679");
	LIT("0.12345678901234567890123456784999",
	    "0.1234567890123456789012345678");
	LIT("0.00000000000000000000000000005",
	    "0.0000000000000000000000000001");
	LIT("0.00000000000000000000000000004999",
	    "0.0000000000000000000000000000");
	LIT("0.99999999999999999999999999995",
	    "1.0000000000000000000000000000");
	/* fraction digits beyond 96 bits round on the first dropped one */
	LIT("1234567890.12345678901234567890123",
	    "1234567890.1234567890123456789");
	/* the syntax is exactly [0-9]+(\.[0-9]+)? */
	LIT("", "INVALID");
	LIT("1.", "INVALID");
	LIT(".5", "INVALID");
	LIT("-1", "INVALID");
	LIT("+1", "INVALID");
	LIT("1_000", "INVALID");
	LIT("1e5", "INVALID");
	LIT("1.2.3", "INVALID");
	LIT("12a", "INVALID");
	check_parse(etm_dec_parse_literal, "12345", 2, "12", __LINE__);
}

static void test_parse_percent(void)
{
	char b[ETM_DEC_BUFSZ];
	etm_dec p, r;
	PCT("18", "0.18");
	PCT("12.5", "0.125");
	PCT("100", "1");
	PCT("0", "0");
	PCT("50.00", "0.50");
	PCT("0.5", "0.005");
	PCT("1.", "INVALID");
	PCT("", "INVALID");
	PCT("79228162514264337593543950336", "OVERFLOW");
	PCT(MAX96, "792281625142643375935439503.35");
	PCT("0.00000000000000000000000000001", "0");
	/* spec 6.3: 250.50 * 18% prints 45.09 */
	CU_ASSERT_EQUAL(etm_dec_parse_percent("18", 2, &p), ETM_DEC_OK);
	CU_ASSERT_EQUAL(etm_dec_mul(D("250.50"), p, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "45.09");
}

static void test_from_string(void)
{
	char b[ETM_DEC_BUFSZ];
	etm_dec r;
	STR("  +1_000.5 ", "1000.5");
	STR(".5", "0.5");
	STR("5.", "5");
	STR("-5", "-5");
	STR("+5", "5");
	STR("-.5", "-0.5");
	STR("12", "12");
	STR("1.50", "1.50");
	STR("1__0", "10");
	STR("1_", "1");
	STR("1._5", "1.5");
	STR("\t\n\v\f\r 42 \n", "42");
	STR("\xc2\xa0" "7\xe3\x80\x80", "7");	/* NBSP, ideographic space */
	STR("\xe2\x80\x83" "8\xe2\x80\xa8", "8");	/* em space, U+2028 */
	STR("\xc2\x85" "9", "9");	/* NEL */
	STR(MAX96, MAX96);
	STR("-" MAX96, "-" MAX96);
	/* negative zero does not survive parsing (rust_decimal from_parts) */
	CU_ASSERT_EQUAL(etm_dec_from_string("-0", 2, &r), ETM_DEC_OK);
	CU_ASSERT_FALSE(etm_dec_is_negative(r));
	CU_ASSERT_STRING_EQUAL(txt(r, b), "0");
	STR("-0.00", "0.00");
	/* 29+ fraction digits: half-up on the first dropped digit */
	STR("0.123456789012345678901234567891", "0.1234567890123456789012345679");
	STR("-0.00000000000000000000000000005", "-0.0000000000000000000000000001");
	/* reference quirk: parsing stops at the rounding digit */
	STR("0.00000000000000000000000000005abc",
	    "0.0000000000000000000000000001");
	/* unparsable */
	STR("\xe0\xaf\xa7\xe0\xaf\xa8", "INVALID");	/* Tamil digits 12 */
	STR("1e5", "INVALID");
	STR("1E5", "INVALID");
	STR("", "INVALID");
	STR("   ", "INVALID");
	STR("+", "INVALID");
	STR("-", "INVALID");
	STR(".", "INVALID");
	STR("-.", "INVALID");
	STR("_1", "INVALID");
	STR("-_1", "INVALID");
	STR("._5", "INVALID");
	STR("1.2.3", "INVALID");
	STR("+-1", "INVALID");
	STR("--1", "INVALID");
	STR("1 2", "INVALID");
	STR("abc", "INVALID");
	STR("0x10", "INVALID");
	STR("\x1c" "5", "INVALID");	/* not White_Space in Rust */
	STR("79228162514264337593543950336", "INVALID");
	STR(MAX96 ".5", "INVALID");
	CU_ASSERT_EQUAL(etm_dec_from_string("5x", 1, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "5");
}

static void test_add_sub(void)
{
	char b[ETM_DEC_BUFSZ];
	etm_dec third, two3, r;
	CU_ASSERT_EQUAL(etm_dec_div(D("1"), D("3"), &third), ETM_DEC_OK);
	CU_ASSERT_EQUAL(etm_dec_div(D("2"), D("3"), &two3), ETM_DEC_OK);
	/* spec 6.2 */
	CU_ASSERT_EQUAL(etm_dec_add(third, third, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "0.6666666666666666666666666666");
	CU_ASSERT_EQUAL(etm_dec_sub(D("1"), two3, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "0.3333333333333333333333333333");

	ADD("1", "2", "3");
	ADD("0.1", "0.2", "0.3");
	ADD("1.5", "1.50", "3.00");	/* scale max(e1, e2) */
	ADD("12345.67", "5", "12350.67");
	ADD("-1.5", "1", "-0.5");
	ADD("1.5", "-1.5", "0.0");
	SUB("1.5", "1.5", "0.0");
	SUB("1", "2", "-1");
	SUB("-1", "-2", "1");
	SUB("0.0000000000000000000000000001", "1",
	    "-0.9999999999999999999999999999");
	/* a zero operand yields the other operand unchanged */
	ADD("0", "1.50", "1.50");
	ADD("0.000", "1.5", "1.5");
	ADD("1.5", "0.000", "1.5");
	SUB("0.00", "1.5", "-1.5");
	SUB("1.5", "0.00", "1.5");
	ADD("0.00", "0.0", "0.0");
	/* 0 - (-0) keeps the zero as it is; prints 0 anyway */
	CU_ASSERT_EQUAL(etm_dec_sub(D("0"), D("~0"), &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "0");
	/* a computed zero is never negative */
	CU_ASSERT_EQUAL(etm_dec_add(D("-1.5"), D("1.5"), &r), ETM_DEC_OK);
	CU_ASSERT_FALSE(etm_dec_is_negative(r));
	CU_ASSERT_TRUE(etm_dec_is_zero(r));

	/* 96-bit limit and overflow (spec 14.2) */
	ADD(MAX96, "1", "OVERFLOW");
	SUB("-" MAX96, "1", "OVERFLOW");
	ADD(MAX96, MAX96, "OVERFLOW");
	SUB(MAX96, "1", "79228162514264337593543950334");
	ADD(MAX96, "-" MAX96, "0");
	ADD(MAX96, "0.4", MAX96);
	ADD(MAX96, "0.5", "OVERFLOW");	/* half-even: odd -> up -> 2^96 */
	ADD("79228162514264337593543950334", "0.5",
	    "79228162514264337593543950334");	/* even stays */
	ADD("79228162514264337593543950334", "0.5000000000000000000000000001",
	    MAX96);
	/* scale reduced as far as needed, rounded once on all digits */
	ADD("7922816251426433759354395034", "0.51",
	    "7922816251426433759354395035");
	ADD("7922816251426433759354395033.5", "0.05",
	    "7922816251426433759354395034");
	ADD("1", "0.0000000000000000000000000001",
	    "1.0000000000000000000000000001");
	ADD("10", "0.0000000000000000000000000001",
	    "10.000000000000000000000000000");
	ADD("10", "0.0000000000000000000000000005",
	    "10.000000000000000000000000000");
	ADD("10", "0.0000000000000000000000000015",
	    "10.000000000000000000000000002");
	ADD("10", "0.0000000000000000000000000025",
	    "10.000000000000000000000000002");
	ADD("10", "0.0000000000000000000000000026",
	    "10.000000000000000000000000003");
	/* 9.9999999999999999999999999974 needs 97 bits: one digit less */
	SUB("10", "0.0000000000000000000000000026",
	    "9.999999999999999999999999997");
	SUB("100", "0.0000000000000000000000000026",
	    "100.00000000000000000000000000");
	SUB("1", "0.0000000000000000000000000026",
	    "0.9999999999999999999999999974");
	ADD("-10", "-0.0000000000000000000000000035",
	    "-10.000000000000000000000000004");
	ADD("1000000000000000000000000000", "0.5",
	    "1000000000000000000000000000.5");
	ADD("10000000000000000000000000000", "0.5",
	    "10000000000000000000000000000");
	ADD("10000000000000000000000000001", "0.5",
	    "10000000000000000000000000002");
}

static void test_mul(void)
{
	char b[ETM_DEC_BUFSZ];
	etm_dec third, r;
	MUL("250.50", "0.18", "45.0900");	/* exact at e1 + e2 */
	MUL("2", "3", "6");
	MUL("-2", "3", "-6");
	MUL("-2", "-3", "6");
	MUL("1.5", "1.5", "2.25");
	MUL("12345.67", "0.18", "2222.2206");
	/* a zero operand gives plain 0 */
	MUL("0.00", "1.5", "0");
	MUL("1.5", "0.000", "0");
	MUL("-1.5", "0", "0");
	CU_ASSERT_EQUAL(etm_dec_mul(D("-1.5"), D("0.00"), &r), ETM_DEC_OK);
	CU_ASSERT_EQUAL(etm_dec_scale(r), 0);
	CU_ASSERT_FALSE(etm_dec_is_negative(r));
	/* spec 6.2: (1/3) * 3 */
	CU_ASSERT_EQUAL(etm_dec_div(D("1"), D("3"), &third), ETM_DEC_OK);
	CU_ASSERT_EQUAL(etm_dec_mul(third, D("3"), &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "0.9999999999999999999999999999");
	/* scale above 28: rounded half-even to 28 */
	MUL("0.00000000000005", "0.000000000000001",
	    "0.0000000000000000000000000000");
	MUL("0.00000000000015", "0.000000000000001",
	    "0.0000000000000000000000000002");
	MUL("0.00000000000025", "0.000000000000001",
	    "0.0000000000000000000000000002");
	MUL("0.000000000000251", "0.000000000000001",
	    "0.0000000000000000000000000003");
	MUL("0.000000000000034501", "0.00000000000001",
	    "0.0000000000000000000000000003");
	MUL("-0.00000000000035", "0.000000000000001",
	    "-0.0000000000000000000000000004");
	/* a product far below 10^-28 of two 32-bit coefficients */
	MUL("0.00000000000000000000000001", "0.0000000000000000000000005",
	    "0");
	MUL("1.0000000000000000000000000001", "1.0000000000000000000000000001",
	    "1.0000000000000000000000000002");
	MUL("1.0000000000000000000000000005", "1.0000000000000000000000000001",
	    "1.0000000000000000000000000006");
	/* 96-bit limit */
	MUL(MAX96, "1", MAX96);
	MUL(MAX96, "-1", "-" MAX96);
	MUL(MAX96, "2", "OVERFLOW");
	MUL(MAX96, "1.1", "OVERFLOW");
	MUL(MAX96, MAX96, "OVERFLOW");
	MUL(MAX96, "0.5", "39614081257132168796771975168");
	MUL("39614081257132168796771975167", "2", "79228162514264337593543950334");
	MUL("4294967296", "4294967296", "18446744073709551616");
	MUL("18446744073709551616", "4294967295", "79228162495817593519834398720");
	MUL("18446744073709551616", "4294967296", "OVERFLOW");
	MUL("7.9228162514264337593543950335", "10",
	    "79.228162514264337593543950335");
	MUL("0.1", "0.1", "0.01");
}

static void test_div(void)
{
	/* spec 6.2 */
	DIV("1", "3", "0.3333333333333333333333333333");
	DIV("2", "3", "0.6666666666666666666666666667");
	DIV("10", "3", "3.3333333333333333333333333333");
	DIV("100", "7", "14.285714285714285714285714286");
	DIV("1", "0", "DIVZERO");
	DIV("0", "0", "DIVZERO");
	DIV("1", "0.000", "DIVZERO");
	DIV("1", "~0", "DIVZERO");
	DIV("0", "5", "0");
	DIV("0.000", "5", "0");
	/* exact at the natural scale keeps it; otherwise zeros dropped */
	DIV("1.00", "1", "1.00");
	DIV("1.50", "0.5", "3.0");
	DIV("1.0000", "8", "0.1250");
	DIV("1.000", "8", "0.125");
	DIV("1.0", "4", "0.25");
	DIV("10", "4", "2.5");
	DIV("100", "4", "25");
	DIV("100", "0.5", "200");
	DIV("100", "0.50", "200");
	DIV("7", "0.2", "35");
	DIV("1", "0.3", "3.3333333333333333333333333333");
	DIV("-1", "3", "-0.3333333333333333333333333333");
	DIV("1", "-3", "-0.3333333333333333333333333333");
	DIV("-2", "-3", "0.6666666666666666666666666667");
	DIV("1", "8", "0.125");
	DIV("1", "1024", "0.0009765625");
	DIV("1", "7", "0.1428571428571428571428571429");
	DIV("22", "7", "3.1428571428571428571428571429");
	DIV("12345.67", "3", "4115.2233333333333333333333333");
	DIV("0.0000000000000000000000000001", "3", "0");
	DIV("0.0000000000000000000000000002", "3",
	    "0.0000000000000000000000000001");
	DIV("0.0000000000000000000000000001", "2", "0");	/* tie: even */
	DIV("0.0000000000000000000000000003", "2",
	    "0.0000000000000000000000000002");
	DIV("1", MAX96, "0");
	DIV(MAX96, "1", MAX96);
	DIV(MAX96, "-1", "-" MAX96);
	DIV(MAX96, "0.1", "OVERFLOW");
	DIV(MAX96, "0.5", "OVERFLOW");
	DIV(MAX96, "2", "39614081257132168796771975168");
	DIV(MAX96, "3", "26409387504754779197847983445");
	DIV(MAX96, "10", "7922816251426433759354395033.5");
	DIV(MAX96, "0.9999999999999999999999999999", "OVERFLOW");
	DIV("39614081257132168796771975167", "0.5", "79228162514264337593543950334");
	DIV("1", "0.0000000000000000000000000001",
	    "10000000000000000000000000000");
	DIV("10", "0.0000000000000000000000000001", "OVERFLOW");
	DIV("7922816251426433759354395033", "0.1",
	    "79228162514264337593543950330");
	DIV("7922816251426433759354395033.5", "0.1", MAX96);
	DIV("7922816251426433759354395033.6", "0.1", "OVERFLOW");
	DIV("1", "79228162514.264337593543950335",
	    "0.0000000000126217744835361889");
	DIV("79228162514264337593543950335", "79228162514264337593543950334",
	    "1");	/* rounded, then the zeros dropped */
	DIV("2", "79228162514264337593543950335",
	    "0");
	DIV("1000000000000000000000000", "3",
	    "333333333333333333333333.33333");
	DIV("0.3", "0.1", "3");
	DIV("5", "2.5", "2");
}

static void test_cmp(void)
{
	CU_ASSERT_EQUAL(etm_dec_cmp(D("1"), D("1.0")), 0);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("1.50"), D("1.5")), 0);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("~0"), D("0")), 0);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("~0.00"), D("0.0")), 0);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("1.5"), D("1.49")), 1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("1.49"), D("1.5")), -1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("-1"), D("1")), -1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("1"), D("-1")), 1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("-2"), D("-1")), -1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("-1.5"), D("-1.50")), 0);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("0"), D("0.0000000000000000000000000001")),
			-1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("~0"), D("-0.0000000000000000000000000001")),
			1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D(MAX96), D("0.0000000000000000000000000001")),
			1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("7.9228162514264337593543950335"),
				    D("7.9228162514264337593543950334")), 1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("7.9228162514264337593543950335"),
				    D(MAX96)), -1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("-" MAX96), D("-7.9")), -1);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("5"), D("5.0000000000000000000000000000")),
			0);
	CU_ASSERT_EQUAL(etm_dec_cmp(D("18446744073709551616"),
				    D("18446744073709551615.9")), 1);
}

static void test_predicates(void)
{
	CU_ASSERT_TRUE(etm_dec_is_zero(D("0")));
	CU_ASSERT_TRUE(etm_dec_is_zero(D("0.000")));
	CU_ASSERT_TRUE(etm_dec_is_zero(D("~0")));
	CU_ASSERT_FALSE(etm_dec_is_zero(D("0.0000000000000000000000000001")));
	CU_ASSERT_TRUE(etm_dec_is_integer(D("5")));
	CU_ASSERT_TRUE(etm_dec_is_integer(D("5.00")));
	CU_ASSERT_TRUE(etm_dec_is_integer(D("0.0")));
	CU_ASSERT_TRUE(etm_dec_is_integer(D("-" MAX96)));
	CU_ASSERT_TRUE(etm_dec_is_integer(D("79228162514264337593543950.000")));
	CU_ASSERT_FALSE(etm_dec_is_integer(D("5.01")));
	CU_ASSERT_FALSE(etm_dec_is_integer(D("7.9228162514264337593543950335")));
	CU_ASSERT_TRUE(etm_dec_is_negative(D("-0.1")));
	CU_ASSERT_FALSE(etm_dec_is_negative(D("~0")));
	CU_ASSERT_FALSE(etm_dec_is_negative(D("0.1")));
	CU_ASSERT_EQUAL(etm_dec_scale(D("7.9228162514264337593543950335")), 28);
	CU_ASSERT_TRUE(etm_dec_is_negative(etm_dec_neg(D("2"))));
	CU_ASSERT_FALSE(etm_dec_is_negative(etm_dec_neg(D("-2"))));
	CU_ASSERT_EQUAL(etm_dec_scale(etm_dec_neg(D("2.50"))), 2);
}

static void test_format(void)
{
	char b[ETM_DEC_BUFSZ], small[4];
	CU_ASSERT_STRING_EQUAL(txt(D("1.50"), b), "1.5");
	CU_ASSERT_STRING_EQUAL(txt(D("45.0900"), b), "45.09");
	CU_ASSERT_STRING_EQUAL(txt(D("-6"), b), "-6");
	CU_ASSERT_STRING_EQUAL(txt(D("3.000"), b), "3");
	CU_ASSERT_STRING_EQUAL(txt(D("0.00"), b), "0");
	CU_ASSERT_STRING_EQUAL(txt(D("~0"), b), "0");
	CU_ASSERT_STRING_EQUAL(txt(D("~0.00"), b), "0");
	CU_ASSERT_STRING_EQUAL(txt(D("0.5"), b), "0.5");
	CU_ASSERT_STRING_EQUAL(txt(D("-0.05"), b), "-0.05");
	CU_ASSERT_STRING_EQUAL(txt(D("1.05"), b), "1.05");
	CU_ASSERT_STRING_EQUAL(txt(D("100"), b), "100");
	CU_ASSERT_STRING_EQUAL(txt(D("100.00"), b), "100");
	CU_ASSERT_STRING_EQUAL(txt(D(MAX96), b), MAX96);
	CU_ASSERT_STRING_EQUAL(txt(D("-" MAX96), b), "-" MAX96);
	CU_ASSERT_STRING_EQUAL(txt(D("-7.9228162514264337593543950335"), b),
			       "-7.9228162514264337593543950335");
	CU_ASSERT_STRING_EQUAL(txt(D("-0.0000000000000000000000000001"), b),
			       "-0.0000000000000000000000000001");
	CU_ASSERT_STRING_EQUAL(txt(D("18446744073709551616"), b),
			       "18446744073709551616");
	CU_ASSERT_STRING_EQUAL(txt(D("1844674407370955161.6"), b),
			       "1844674407370955161.6");
	/* returns the full length; truncates like snprintf */
	CU_ASSERT_EQUAL(etm_dec_format(D("12345"), small, sizeof small), 5);
	CU_ASSERT_STRING_EQUAL(small, "123");
	CU_ASSERT_EQUAL(etm_dec_format(D("-1.25"), small, sizeof small), 5);
	CU_ASSERT_STRING_EQUAL(small, "-1.");
	CU_ASSERT_EQUAL(etm_dec_format(D("-1.25"), NULL, 0), 5);
	CU_ASSERT_EQUAL(etm_dec_format(D("-0.0000000000000000000000000001"), b,
				       sizeof b), 31);
	CU_ASSERT(etm_dec_format_scaled(D("-0.0000000000000000000000000001"), b,
					sizeof b) < ETM_DEC_BUFSZ);
}

static void test_format_scaled(void)
{
	char b[ETM_DEC_BUFSZ];
	CU_ASSERT_STRING_EQUAL(stxt(D("1.50"), b), "1.50");
	CU_ASSERT_STRING_EQUAL(stxt(D("5.0"), b), "5.0");
	CU_ASSERT_STRING_EQUAL(stxt(D("5"), b), "5");
	CU_ASSERT_STRING_EQUAL(stxt(D("0.00"), b), "0.00");
	CU_ASSERT_STRING_EQUAL(stxt(D("~0.0"), b), "0.0");
	CU_ASSERT_STRING_EQUAL(stxt(D("-1.50"), b), "-1.50");
	CU_ASSERT_STRING_EQUAL(stxt(D("0.050"), b), "0.050");
	CU_ASSERT_STRING_EQUAL(stxt(D("0.0000000000000000000000000000"), b),
			       "0.0000000000000000000000000000");
}

static void test_round(void)
{
	char b[ETM_DEC_BUFSZ];
	etm_dec r;
	/* spec 9 */
	CU_ASSERT_EQUAL(etm_dec_round(D("2.345"), 2, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "2.35");
	CU_ASSERT_EQUAL(etm_dec_round(D("-2.5"), 0, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(txt(r, b), "-3");
	CU_ASSERT_EQUAL(etm_dec_round(D("2.5"), 0, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "3");
	CU_ASSERT_EQUAL(etm_dec_round(D("2.344"), 2, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "2.34");
	CU_ASSERT_EQUAL(etm_dec_round(D("-2.345"), 2, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "-2.35");
	CU_ASSERT_EQUAL(etm_dec_round(D("1.999"), 2, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "2.00");	/* scale = places */
	CU_ASSERT_EQUAL(etm_dec_round(D("0.4999"), 0, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "0");
	CU_ASSERT_EQUAL(etm_dec_round(D("0.5"), 0, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "1");
	/* fewer digits than places: unchanged, scale kept */
	CU_ASSERT_EQUAL(etm_dec_round(D("1.5"), 5, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "1.5");
	CU_ASSERT_EQUAL(etm_dec_round(D("1.50"), 2, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "1.50");
	CU_ASSERT_EQUAL(etm_dec_round(D("1.5"), 100, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "1.5");
	CU_ASSERT_EQUAL(etm_dec_round(D("1.5"), INT_MAX, &r), ETM_DEC_OK);
	CU_ASSERT_EQUAL(etm_dec_round(D("1.5"), -1, &r), ETM_DEC_INVALID);
	/* zero: keeps its sign, takes the scale; prints 0 */
	CU_ASSERT_EQUAL(etm_dec_round(D("0.000"), 1, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "0.0");
	CU_ASSERT_EQUAL(etm_dec_round(D("-0.001"), 2, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "0.00");
	CU_ASSERT_FALSE(etm_dec_is_negative(r));
	CU_ASSERT_EQUAL(etm_dec_round(D(MAX96), 0, &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), MAX96);
	CU_ASSERT_EQUAL(etm_dec_round(D("7.9228162514264337593543950335"), 27,
				      &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "7.922816251426433759354395034");
	CU_ASSERT_EQUAL(etm_dec_round(D("9.9999999999999999999999999999"), 0,
				      &r), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(r, b), "10");
}

static void test_to_places(void)
{
	int p = -7;
	CU_ASSERT_EQUAL(etm_dec_to_places(D("2"), &p), ETM_DEC_OK);
	CU_ASSERT_EQUAL(p, 2);
	CU_ASSERT_EQUAL(etm_dec_to_places(D("2.9"), &p), ETM_DEC_OK);
	CU_ASSERT_EQUAL(p, 2);
	CU_ASSERT_EQUAL(etm_dec_to_places(D("0.00"), &p), ETM_DEC_OK);
	CU_ASSERT_EQUAL(p, 0);
	CU_ASSERT_EQUAL(etm_dec_to_places(D("4294967295"), &p), ETM_DEC_OK);
	CU_ASSERT_EQUAL(p, INT_MAX);
	p = 5;
	CU_ASSERT_EQUAL(etm_dec_to_places(D("4294967296"), &p), ETM_DEC_INVALID);
	CU_ASSERT_EQUAL(etm_dec_to_places(D("-1"), &p), ETM_DEC_INVALID);
	CU_ASSERT_EQUAL(etm_dec_to_places(D("-0.5"), &p), ETM_DEC_INVALID);
	CU_ASSERT_EQUAL(etm_dec_to_places(D("~0"), &p), ETM_DEC_INVALID);
	CU_ASSERT_EQUAL(p, 5);
}

static void test_floor_ceil_trunc(void)
{
	char b[ETM_DEC_BUFSZ];
	etm_dec r;
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("-1.5")), b), "-2");	/* spec 9 */
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_ceil(D("1.2")), b), "2");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("1.5")), b), "1");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_ceil(D("-1.5")), b), "-1");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("2.0")), b), "2");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_ceil(D("2.00")), b), "2");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("-2.00")), b), "-2");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("7")), b), "7");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("-0.5")), b), "-1");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("0.5")), b), "0");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_trunc(D("1.9")), b), "1");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_trunc(D("-1.9")), b), "-1");
	/* spec 14.3: ceil(-0.5) is 0, never -0 */
	r = etm_dec_ceil(D("-0.5"));
	CU_ASSERT_STRING_EQUAL(txt(r, b), "0");
	CU_ASSERT_FALSE(etm_dec_is_negative(r));
	CU_ASSERT_EQUAL(etm_dec_to_places(r, &(int){ 0 }), ETM_DEC_OK);
	r = etm_dec_trunc(D("-0.5"));
	CU_ASSERT_STRING_EQUAL(txt(r, b), "0");
	CU_ASSERT_EQUAL(etm_dec_to_places(r, &(int){ 0 }), ETM_DEC_OK);
	r = etm_dec_floor(D("~0"));
	CU_ASSERT_EQUAL(etm_dec_to_places(r, &(int){ 0 }), ETM_DEC_OK);
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_ceil(D("7.9228162514264337593543950335")),
				    b), "8");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("-7.9228162514264337593543950335")),
				    b), "-8");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_ceil(D(MAX96)), b), MAX96);
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_floor(D("0.0000000000000000000000000001")),
				    b), "0");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_ceil(D("0.0000000000000000000000000001")),
				    b), "1");
}

static void test_to_int64(void)
{
	int64_t v = 0;
	CU_ASSERT_EQUAL(etm_dec_to_int64(D("1.9"), &v), ETM_DEC_OK);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(etm_dec_to_int64(D("-1.9"), &v), ETM_DEC_OK);
	CU_ASSERT_EQUAL(v, -1);
	CU_ASSERT_EQUAL(etm_dec_to_int64(D("~0"), &v), ETM_DEC_OK);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(etm_dec_to_int64(D("9223372036854775807"), &v), ETM_DEC_OK);
	CU_ASSERT_EQUAL(v, INT64_MAX);
	CU_ASSERT_EQUAL(etm_dec_to_int64(D("-9223372036854775808.9"), &v),
			ETM_DEC_OK);
	CU_ASSERT_EQUAL(v, INT64_MIN);
	v = 3;
	CU_ASSERT_EQUAL(etm_dec_to_int64(D("9223372036854775808"), &v),
			ETM_DEC_OVERFLOW);
	CU_ASSERT_EQUAL(etm_dec_to_int64(D("-9223372036854775809"), &v),
			ETM_DEC_OVERFLOW);
	CU_ASSERT_EQUAL(etm_dec_to_int64(D(MAX96), &v), ETM_DEC_OVERFLOW);
	CU_ASSERT_EQUAL(v, 3);
}

static void test_to_double(void)
{
	CU_ASSERT_EQUAL(etm_dec_to_double(D("0.1")), 0.1);
	CU_ASSERT_EQUAL(etm_dec_to_double(D("-2.5")), -2.5);
	CU_ASSERT_EQUAL(etm_dec_to_double(D("12345.67")), 12345.67);
	CU_ASSERT_EQUAL(etm_dec_to_double(D("0")), 0.0);
	CU_ASSERT_DOUBLE_EQUAL(etm_dec_to_double(D(MAX96)), 7.9228162514264338e28,
			       1e13);
	CU_ASSERT_DOUBLE_EQUAL(etm_dec_to_double(D("0.0000000000000000000000000001")),
			       1e-28, 1e-42);
	CU_ASSERT_DOUBLE_EQUAL(etm_dec_to_double(D("-7.9228162514264337593543950335")),
			       -7.9228162514264338, 1e-14);
}

static void test_hash_normalize(void)
{
	char b[ETM_DEC_BUFSZ];
	CU_ASSERT_EQUAL(etm_dec_hash(D("1")), etm_dec_hash(D("1.0")));
	CU_ASSERT_EQUAL(etm_dec_hash(D("1")), etm_dec_hash(D("1.0000000000000000000000000000")));
	CU_ASSERT_EQUAL(etm_dec_hash(D("~0")), etm_dec_hash(D("0.00")));
	CU_ASSERT_EQUAL(etm_dec_hash(D("-1.5")), etm_dec_hash(D("-1.50")));
	CU_ASSERT_EQUAL(etm_dec_hash(D(MAX96)), etm_dec_hash(D(MAX96 ".000")));
	CU_ASSERT_NOT_EQUAL(etm_dec_hash(D("1")), etm_dec_hash(D("2")));
	CU_ASSERT_NOT_EQUAL(etm_dec_hash(D("1")), etm_dec_hash(D("-1")));
	CU_ASSERT_NOT_EQUAL(etm_dec_hash(D("1")), etm_dec_hash(D("0.1")));
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_normalize(D("1.50")), b), "1.5");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_normalize(D("5.00")), b), "5");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_normalize(D("500")), b), "500");
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_normalize(D("0.00")), b), "0");
	CU_ASSERT_FALSE(etm_dec_is_negative(etm_dec_normalize(D("~0"))));
	CU_ASSERT_STRING_EQUAL(stxt(etm_dec_normalize(D("79228162514264337593543950.000")),
				    b), "79228162514264337593543950");
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "representation", test_representation },
		{ "parse_literal", test_parse_literal },
		{ "parse_percent", test_parse_percent },
		{ "from_string", test_from_string },
		{ "add_sub", test_add_sub },
		{ "mul", test_mul },
		{ "div", test_div },
		{ "cmp", test_cmp },
		{ "predicates", test_predicates },
		{ "format", test_format },
		{ "format_scaled", test_format_scaled },
		{ "round", test_round },
		{ "to_places", test_to_places },
		{ "floor_ceil_trunc", test_floor_ceil_trunc },
		{ "to_int64", test_to_int64 },
		{ "to_double", test_to_double },
		{ "hash_normalize", test_hash_normalize },
	};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite suite = CU_add_suite("decimal", NULL, NULL);
	if (suite == NULL)
		goto fail;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
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
