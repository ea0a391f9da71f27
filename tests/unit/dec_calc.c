/* dec_calc.c -- line-oriented calculator over etm_dec for
 * scripts/decimal-crosscheck, plus a micro-benchmark (--bench).
 *
 * Reads one operation per line from stdin and prints one result per line:
 *   add|sub|mul|div A B   result with its scale, or OVERFLOW / DIVZERO
 *   cmp A B               -1, 0 or 1
 *   round A N             வட்டமிடு(A, N) with its scale, or INVALID
 *   floor|ceil|trunc A    with its scale
 *   fmt A                 etm_dec_format (the eTamil text of A)
 *   int A                 etm_dec_to_int64, or OVERFLOW
 *   hash A B              1 when the hashes are equal, else 0
 *   parse HEX             etm_dec_from_string of the hex-encoded bytes
 *   lit TEXT | pct TEXT   etm_dec_parse_literal / etm_dec_parse_percent
 * Operands are decimal text (scale kept: 1.50 has scale 2); a leading '~'
 * negates after parsing, so ~0 is a negative zero. */
#include "decimal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *status_name(int st)
{
	switch (st) {
	case ETM_DEC_OVERFLOW:
		return "OVERFLOW";
	case ETM_DEC_DIVZERO:
		return "DIVZERO";
	case ETM_DEC_INVALID:
		return "INVALID";
	default:
		return "OK";
	}
}

static int operand(const char *t, etm_dec *out)
{
	int negate = 0;
	if (t == NULL)
		return -1;
	if (*t == '~') {
		negate = 1;
		t++;
	}
	if (etm_dec_from_string(t, strlen(t), out) != ETM_DEC_OK)
		return -1;
	if (negate)
		*out = etm_dec_neg(*out);
	return 0;
}

static void put_scaled(int st, etm_dec v)
{
	char buf[ETM_DEC_BUFSZ];
	if (st != ETM_DEC_OK) {
		puts(status_name(st));
		return;
	}
	etm_dec_format_scaled(v, buf, sizeof buf);
	puts(buf);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void run_line(char *line)
{
	char *op = strtok(line, " \n");
	char *x = strtok(NULL, " \n");
	char *y = strtok(NULL, " \n");
	etm_dec a, b, r;
	char buf[ETM_DEC_BUFSZ];
	int st;

	if (op == NULL) {
		puts("ERROR empty");
		return;
	}
	if (strcmp(op, "parse") == 0) {
		char bytes[1024];
		size_t n = 0;
		for (const char *p = x ? x : ""; p[0] && p[1] && n < sizeof bytes; p += 2)
			bytes[n++] = (char)(hexval(p[0]) << 4 | hexval(p[1]));
		put_scaled(etm_dec_from_string(bytes, n, &r), r);
		return;
	}
	if (strcmp(op, "lit") == 0 || strcmp(op, "pct") == 0) {
		const char *t = x ? x : "";
		st = op[0] == 'l' ? etm_dec_parse_literal(t, strlen(t), &r)
				  : etm_dec_parse_percent(t, strlen(t), &r);
		put_scaled(st, r);
		return;
	}
	if (operand(x, &a) != 0) {
		puts("ERROR operand");
		return;
	}
	if (strcmp(op, "fmt") == 0) {
		etm_dec_format(a, buf, sizeof buf);
		puts(buf);
	} else if (strcmp(op, "floor") == 0) {
		put_scaled(ETM_DEC_OK, etm_dec_floor(a));
	} else if (strcmp(op, "ceil") == 0) {
		put_scaled(ETM_DEC_OK, etm_dec_ceil(a));
	} else if (strcmp(op, "trunc") == 0) {
		put_scaled(ETM_DEC_OK, etm_dec_trunc(a));
	} else if (strcmp(op, "int") == 0) {
		int64_t v;
		if (etm_dec_to_int64(a, &v) == ETM_DEC_OK)
			printf("%lld\n", (long long)v);
		else
			puts("OVERFLOW");
	} else if (strcmp(op, "round") == 0) {
		int places = y ? atoi(y) : 0;
		put_scaled(etm_dec_round(a, places, &r), r);
	} else if (operand(y, &b) != 0) {
		puts("ERROR operand");
	} else if (strcmp(op, "add") == 0) {
		put_scaled(etm_dec_add(a, b, &r), r);
	} else if (strcmp(op, "sub") == 0) {
		put_scaled(etm_dec_sub(a, b, &r), r);
	} else if (strcmp(op, "mul") == 0) {
		put_scaled(etm_dec_mul(a, b, &r), r);
	} else if (strcmp(op, "div") == 0) {
		put_scaled(etm_dec_div(a, b, &r), r);
	} else if (strcmp(op, "cmp") == 0) {
		printf("%d\n", etm_dec_cmp(a, b));
	} else if (strcmp(op, "hash") == 0) {
		printf("%d\n", etm_dec_hash(a) == etm_dec_hash(b));
	} else {
		puts("ERROR op");
	}
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per operation of typical money arithmetic, in a dependent chain so
 * the compiler cannot hoist the work out of the loop. */
static int bench(long n)
{
	etm_dec price, rate, acc, t;
	const char *p = "12345.67", *q = "0.18";
	etm_dec_parse_literal(p, strlen(p), &price);
	etm_dec_parse_literal(q, strlen(q), &rate);
	volatile uint64_t sink = 0;
	double t0, t1;

	acc = etm_dec_zero();
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		etm_dec_add(acc, price, &acc);
		if ((i & 0xffff) == 0xffff)
			acc = etm_dec_zero();
	}
	t1 = now_ns();
	sink += acc.lo;
	printf("add  %.2f ns/op (12345.67 + running sum)\n", (t1 - t0) / n);

	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		etm_dec_mul(price, rate, &t);
		sink += t.lo;
		price.lo ^= (uint64_t)(i & 1);
	}
	t1 = now_ns();
	printf("mul  %.2f ns/op (12345.67 * 0.18)\n", (t1 - t0) / n);

	t0 = now_ns();
	int c = 0;
	for (long i = 0; i < n; i++) {
		c += etm_dec_cmp(price, acc);
		price.lo ^= (uint64_t)(i & 1);
	}
	t1 = now_ns();
	sink += (uint64_t)c;
	printf("cmp  %.2f ns/op\n", (t1 - t0) / n);

	long nd = n / 10;
	etm_dec three = etm_dec_from_int(3);
	t0 = now_ns();
	for (long i = 0; i < nd; i++) {
		etm_dec_div(price, three, &t);
		sink += t.lo;
		price.lo ^= (uint64_t)(i & 1);
	}
	t1 = now_ns();
	printf("div  %.2f ns/op (12345.67 / 3)\n", (t1 - t0) / nd);

	char buf[ETM_DEC_BUFSZ];
	t0 = now_ns();
	for (long i = 0; i < nd; i++) {
		sink += etm_dec_format(price, buf, sizeof buf);
		price.lo ^= (uint64_t)(i & 1);
	}
	t1 = now_ns();
	printf("fmt  %.2f ns/op (12345.67)\n", (t1 - t0) / nd);
	return sink == 42;
}

int main(int argc, char **argv)
{
	char line[4096];
	if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
		bench(argc > 2 ? atol(argv[2]) : 50000000L);
		return 0;
	}
	while (fgets(line, sizeof line, stdin))
		run_line(line);
	return 0;
}
