/* builtins_date.c -- the date builtins (builtins.tsv, area date; spec §9):
 * இன்று, நாள்_வேறுபாடு, நாள்_கூட்டு, and the calendar arithmetic behind
 * them.  Dates are "YYYY-MM-DD" text on the proleptic Gregorian calendar;
 * day numbers count from 1970-01-01.  The arithmetic is done in 128 bits
 * so that every year a date can spell (up to 2^63-1) stays exact.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "builtins.h"
#include "builtins_lib.h"

#define MSG_NOT_DATE "'%s' ஒரு நாள் அல்ல  ('%s' is not a date; expected YYYY-MM-DD)"
#define MSG_DAYS "நாட்கள் ஒரு முழு எண்ணாக இருக்க வேண்டும்  (days must be a whole number)"

/* Floor division for a positive divisor. */
static __int128 fdiv(__int128 a, __int128 b)
{
	__int128 q = a / b;
	if ((a % b) != 0 && a < 0)
		q--;
	return q;
}

__int128 etm_date_from_civil(__int128 y, int m, int d)
{
	/* Count years from March, so the leap day is the last of the year. */
	if (m <= 2)
		y -= 1;
	__int128 era = fdiv(y, 400);
	__int128 yoe = y - era * 400;			/* 0..399 */
	int mp = m > 2 ? m - 3 : m + 9;			/* 0 = March */
	__int128 doy = (153 * mp + 2) / 5 + d - 1;	/* may exceed the month */
	__int128 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void etm_date_to_civil(__int128 days, __int128 *y, int *m, int *d)
{
	__int128 z = days + 719468;
	__int128 era = fdiv(z, 146097);
	__int128 doe = z - era * 146097;			/* 0..146096 */
	__int128 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	__int128 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (int)((5 * doy + 2) / 153);
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* Decimal text of V (any sign) zero-padded to WIDTH characters counting the
   sign, like printf's "%0*d". */
static size_t fmt_i128(char *buf, __int128 v, int width)
{
	char digits[48];
	size_t n = 0;
	unsigned __int128 u = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v
				    : (unsigned __int128)v;
	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	size_t len = 0;
	if (v < 0)
		buf[len++] = '-';
	while ((int)(len + n) < width)
		buf[len++] = '0';
	while (n)
		buf[len++] = digits[--n];
	buf[len] = 0;
	return len;
}

size_t etm_date_format(__int128 days, char *buf)
{
	__int128 y;
	int m, d;
	etm_date_to_civil(days, &y, &m, &d);
	size_t n = fmt_i128(buf, y, 4);
	n += (size_t)snprintf(buf + n, ETM_DATE_BUFSZ - n, "-%02d-%02d", m, d);
	return n;
}

/* One part of a date: optional '+', then decimal digits, as a signed
   64-bit value (like parsing an i64). */
static int parse_part(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	if (i < len && s[i] == '+')
		i++;
	if (i == len)
		return -1;
	uint64_t v = 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned dg = (unsigned)(s[i] - '0');
		if (v > (UINT64_C(0x7fffffffffffffff) - dg) / 10)
			return -1;
		v = v * 10 + dg;
	}
	*out = (int64_t)v;
	return 0;
}

int etm_date_parse(const char *s, size_t len, __int128 *days)
{
	size_t a, b;
	etm_trim(s, len, &a, &b);
	const char *p = s + a, *end = s + b;
	int64_t part[3];
	for (int k = 0; k < 3; k++) {
		const char *dash = memchr(p, '-', (size_t)(end - p));
		if (k < 2 && !dash)
			return -1;
		if (k == 2 && dash)
			return -1;
		const char *stop = k < 2 ? dash : end;
		if (parse_part(p, (size_t)(stop - p), &part[k]) < 0)
			return -1;
		p = stop + 1;
	}
	if (part[1] < 1 || part[1] > 12 || part[2] < 1 || part[2] > 31)
		return -1;
	*days = etm_date_from_civil(part[0], (int)part[1], (int)part[2]);
	return 0;
}

static int arg_date(etm_vm *vm, etm_value v, __int128 *days)
{
	etm_buf b;
	etm_buf_init(&b);
	const char *t = etm_text_cstr(vm, &b, v);
	int rc = ETM_BI_OK;
	if (etm_date_parse(t, b.len, days) < 0)
		rc = etm_vm_error(vm, MSG_NOT_DATE, t, t);
	etm_buf_free(&b);
	return rc;
}

static etm_value date_value(etm_vm *vm, __int128 days)
{
	char buf[ETM_DATE_BUFSZ];
	size_t n = etm_date_format(days, buf);
	return etm_str_new(etm_vm_heap(vm), buf, n);
}

static int bi_today(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)a;
	const etm_host *h = etm_vm_host(vm);
	int64_t secs = h->now ? h->now(h->ud) : (int64_t)time(NULL);
	*out = date_value(vm, secs / 86400);
	return ETM_BI_OK;
}

static int bi_days_between(etm_vm *vm, etm_value *a, etm_value *out)
{
	__int128 from, to;
	if (arg_date(vm, a[0], &from) != ETM_BI_OK || arg_date(vm, a[1], &to) != ETM_BI_OK)
		return ETM_BI_ERROR;
	__int128 diff = to - from;
	/* Both ends come from 64-bit years, so the difference fits 96 bits;
	   build the decimal from its text. */
	char buf[48];
	size_t n = fmt_i128(buf, diff, 0);
	etm_dec d;
	if (etm_dec_from_string(buf, n, &d) != ETM_DEC_OK)
		return etm_vm_error(vm, "எண் வரம்பு மீறல்  (number overflow)");
	*out = etm_num(d);
	return ETM_BI_OK;
}

static int bi_add_days(etm_vm *vm, etm_value *a, etm_value *out)
{
	__int128 date;
	if (arg_date(vm, a[0], &date) != ETM_BI_OK)
		return ETM_BI_ERROR;
	int64_t days;
	if (etm_dec_to_int64(etm_to_dec(a[1]), &days) != ETM_DEC_OK)
		return etm_vm_error(vm, MSG_DAYS);
	*out = date_value(vm, date + days);
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_date[] = {
	{{"இன்று", "iZRu", "_today"}, 0, 0, bi_today},
	{{"நாள்_வேறுபாடு", "nAL_vERupAtu", "_daysBetween"}, 2, ETM_BI_PURE, bi_days_between},
	{{"நாள்_கூட்டு", "nAL_kUttu", "_addDays"}, 2, ETM_BI_PURE, bi_add_days},
	{{NULL}, 0, 0, NULL}
};
