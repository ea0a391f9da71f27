/* decimal.c -- the exact fixed-point decimal number of the eTamil runtime.
 *
 * Owns the arithmetic, parsing and printing of etm_dec (see decimal.h and
 * spec sections 2, 6.2-6.4, 9 and 14).  The coefficient is handled as an
 * unsigned __int128; the common cases (same or nearby scales, results that
 * fit in 96 bits) are a few instructions, and only results that need
 * rounding go through the 256-bit "wide" helpers at the bottom half of the
 * file.  Rounding rules:
 *   + - *  round half-even (using every discarded digit) to the largest
 *          scale whose coefficient fits in 96 bits;
 *   /      the System.Decimal algorithm: as many fraction digits (<= 28) as
 *          fit, last one rounded half-even on the remainder, then trailing
 *          zeros dropped unless the quotient was exact at the natural scale;
 *   text   extra fraction digits rounded half-up on the first dropped one;
 *   round  half away from zero.
 * No global mutable state: the tables below are const. */
#include "decimal.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

/* Out-of-line slow paths: keep them from being split up by
 * interprocedural optimisation, so the hot path stays a leaf that only
 * tail-calls them with its own arguments. */
#if defined(__GNUC__) && !defined(__clang__)
#define SLOW_PATH __attribute__((noipa, cold))
#else
#define SLOW_PATH __attribute__((noinline, cold))
#endif

_Static_assert(sizeof(etm_dec) == 16, "etm_dec is a 16-byte value");
_Static_assert(offsetof(etm_dec, hi) == 8 && offsetof(etm_dec, scale) == 12 &&
	       offsetof(etm_dec, neg) == 13, "etm_dec layout");

#define C96_MAX ((((u128)1) << 96) - 1)
#define MAX_SCALE ETM_DEC_MAX_SCALE

#define P10_19 10000000000000000000ULL

/* 10^n for n = 0..38 (the largest power of ten below 2^128). */
static u128 p10(unsigned n)
{
	static const uint64_t lo[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL, P10_19
	};
	if (n < 20)
		return lo[n];
	return (u128)lo[n - 19] * P10_19;
}

/* fit[n] = floor((2^96 - 1) / 10^n): c * 10^n fits in 96 bits iff
 * c <= fit[n].  Built from constant expressions so it folds at compile
 * time; indexes 0..28. */
#define FIT(n) (C96_MAX / (n))
static u128 fit_of(unsigned n)
{
	static const u128 fit[29] = {
		C96_MAX, FIT(10), FIT(100), FIT(1000), FIT(10000), FIT(100000),
		FIT(1000000), FIT(10000000), FIT(100000000), FIT(1000000000),
		FIT((u128)10000000000ULL), FIT((u128)100000000000ULL),
		FIT((u128)1000000000000ULL), FIT((u128)10000000000000ULL),
		FIT((u128)100000000000000ULL), FIT((u128)1000000000000000ULL),
		FIT((u128)10000000000000000ULL),
		FIT((u128)100000000000000000ULL),
		FIT((u128)1000000000000000000ULL), FIT((u128)P10_19),
		FIT((u128)P10_19 * 10), FIT((u128)P10_19 * 100),
		FIT((u128)P10_19 * 1000), FIT((u128)P10_19 * 10000),
		FIT((u128)P10_19 * 100000), FIT((u128)P10_19 * 1000000),
		FIT((u128)P10_19 * 10000000), FIT((u128)P10_19 * 100000000),
		FIT((u128)P10_19 * 1000000000)
	};
	return fit[n];
}
#undef FIT

static inline u128 coef(etm_dec a)
{
	return ((u128)a.hi << 64) | a.lo;
}

/* A decimal from parts; c must fit in 96 bits.  A zero gets the positive
 * sign (like rust_decimal's from_parts). */
static inline etm_dec make(u128 c, unsigned scale, unsigned neg)
{
	etm_dec d;
	d.lo = (uint64_t)c;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* hi, scale, neg and pad as one 64-bit word: a single store, so a
	 * caller reading the value back gets store forwarding */
	uint64_t w = (uint64_t)(c >> 64) | (uint64_t)scale << 32 |
		     (uint64_t)(c != 0 && neg) << 40;
	memcpy((char *)&d + offsetof(etm_dec, hi), &w, sizeof w);
#else
	d.hi = (uint32_t)(c >> 64);
	d.scale = (uint8_t)scale;
	d.neg = (uint8_t)(c != 0 && neg);
	d.pad_ = 0;
#endif
	return d;
}

static inline int is_zero(etm_dec a)
{
	return (a.lo | a.hi) == 0;
}

etm_dec etm_dec_zero(void)
{
	return make(0, 0, 0);
}

etm_dec etm_dec_from_int(int64_t v)
{
	uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	return make(m, 0, v < 0);
}

/* ---------------------------------------------------------------- */
/* 256-bit helpers for the rounding paths                            */

typedef struct {
	uint64_t w[4];		/* little-endian limbs */
} wide;

static wide wide_from(u128 c)
{
	wide x = { { (uint64_t)c, (uint64_t)(c >> 64), 0, 0 } };
	return x;
}

static void wide_mul_small(wide *x, uint64_t m)
{
	u128 carry = 0;
	for (int i = 0; i < 4; i++) {
		u128 t = (u128)x->w[i] * m + carry;
		x->w[i] = (uint64_t)t;
		carry = t >> 64;
	}
}

static void wide_mul_p10(wide *x, unsigned n)
{
	while (n > 19) {
		wide_mul_small(x, P10_19);
		n -= 19;
	}
	wide_mul_small(x, (uint64_t)p10(n));
}

/* x / d in place, returns x mod d. */
static uint64_t wide_divmod_small(wide *x, uint64_t d)
{
	u128 rem = 0;
	for (int i = 3; i >= 0; i--) {
		u128 cur = (rem << 64) | x->w[i];
		x->w[i] = (uint64_t)(cur / d);
		rem = cur % d;
	}
	return (uint64_t)rem;
}

static int wide_cmp(const wide *a, const wide *b)
{
	for (int i = 3; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

static void wide_add(wide *a, const wide *b)
{
	unsigned carry = 0;
	for (int i = 0; i < 4; i++) {
		u128 t = (u128)a->w[i] + b->w[i] + carry;
		a->w[i] = (uint64_t)t;
		carry = (unsigned)(t >> 64);
	}
}

/* a -= b, a >= b. */
static void wide_sub(wide *a, const wide *b)
{
	unsigned borrow = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t bi = b->w[i];
		uint64_t t = a->w[i] - bi - borrow;
		borrow = (a->w[i] < bi) || (a->w[i] - bi < borrow);
		a->w[i] = t;
	}
}

static void wide_inc(wide *a)
{
	for (int i = 0; i < 4; i++)
		if (++a->w[i] != 0)
			break;
}

static unsigned wide_bits(const wide *a)
{
	for (int i = 3; i >= 0; i--)
		if (a->w[i])
			return (unsigned)(64 * i + 64 - __builtin_clzll(a->w[i]));
	return 0;
}

static int wide_fits96(const wide *a, u128 *out)
{
	if (a->w[3] || a->w[2] || (a->w[1] >> 32))
		return 0;
	*out = ((u128)a->w[1] << 64) | a->w[0];
	return 1;
}

/* x / 10^k rounded half-even, using every discarded digit. */
static wide wide_round_p10(wide x, unsigned k)
{
	unsigned sticky = 0;
	if (k == 0)
		return x;
	while (k > 1) {
		unsigned n = k - 1 > 19 ? 19 : k - 1;
		sticky |= wide_divmod_small(&x, (uint64_t)p10(n)) != 0;
		k -= n;
	}
	uint64_t digit = wide_divmod_small(&x, 10);
	if (digit > 5 || (digit == 5 && (sticky || (x.w[0] & 1))))
		wide_inc(&x);
	return x;
}

/* The exact non-negative value x / 10^smax rounded half-even to the
 * largest scale s <= smax - kmin whose coefficient fits in 96 bits. */
static int reduce_to_fit(const wide *x, unsigned smax, unsigned kmin,
			 unsigned neg, etm_dec *out)
{
	unsigned bits = wide_bits(x);
	unsigned k = bits > 97 ? ((bits - 97) * 77) >> 8 : 0;	/* lower bound */
	if (k < kmin)
		k = kmin;
	for (;; k++) {
		u128 c;
		if (k > smax)
			return ETM_DEC_OVERFLOW;
		wide r = wide_round_p10(*x, k);
		if (wide_fits96(&r, &c)) {
			*out = make(c, smax - k, neg);
			return ETM_DEC_OK;
		}
	}
}

/* ---------------------------------------------------------------- */
/* + and -                                                           */

static int add_slow(etm_dec a, etm_dec b, unsigned bneg, etm_dec *out)
{
	unsigned s = a.scale > b.scale ? a.scale : b.scale;
	wide x = wide_from(coef(a)), y = wide_from(coef(b));
	unsigned neg = a.neg;

	wide_mul_p10(&x, s - a.scale);
	wide_mul_p10(&y, s - b.scale);
	if (a.neg == bneg) {
		wide_add(&x, &y);
	} else if (wide_cmp(&x, &y) >= 0) {
		wide_sub(&x, &y);
	} else {
		wide_sub(&y, &x);
		x = y;
		neg = bneg;
	}
	return reduce_to_fit(&x, s, 0, neg, out);
}

/* a + (b with sign bneg), every case. */
static SLOW_PATH int addsub_general(etm_dec a, etm_dec b,
						    unsigned bneg,
						    etm_dec *out)
{
	if (is_zero(a)) {
		/* 0 + b is b itself (scale kept), 0 - b flips a non-zero b. */
		etm_dec r = b;
		if (!is_zero(b))
			r.neg = (uint8_t)bneg;
		*out = r;
		return ETM_DEC_OK;
	}
	if (is_zero(b)) {
		*out = a;
		return ETM_DEC_OK;
	}

	u128 x = coef(a), y = coef(b);
	unsigned s = a.scale;
	if (a.scale < b.scale) {
		unsigned d = b.scale - a.scale;
		if (x > fit_of(d))
			return add_slow(a, b, bneg, out);
		x *= p10(d);
		s = b.scale;
	} else if (b.scale < a.scale) {
		unsigned d = a.scale - b.scale;
		if (y > fit_of(d))
			return add_slow(a, b, bneg, out);
		y *= p10(d);
	}
	if (a.neg == bneg) {
		u128 r = x + y;
		if (r > C96_MAX)
			return add_slow(a, b, bneg, out);
		*out = make(r, s, a.neg);
	} else if (x >= y) {
		*out = make(x - y, s, a.neg);
	} else {
		*out = make(y - x, s, bneg);
	}
	return ETM_DEC_OK;
}

/* The hot path: non-zero 64-bit coefficients at the same scale. */
static inline int addsub(etm_dec a, etm_dec b, unsigned bneg, etm_dec *out)
{
	if (__builtin_expect(a.scale == b.scale && (a.hi | b.hi) == 0 &&
			     a.lo != 0 && b.lo != 0, 1)) {
		uint64_t r;
		if (a.neg == bneg) {
			if (!__builtin_add_overflow(a.lo, b.lo, &r)) {
				*out = make(r, a.scale, a.neg);
				return ETM_DEC_OK;
			}
		} else if (a.lo >= b.lo) {
			*out = make(a.lo - b.lo, a.scale, a.neg);
			return ETM_DEC_OK;
		} else {
			*out = make(b.lo - a.lo, a.scale, bneg);
			return ETM_DEC_OK;
		}
	}
	return addsub_general(a, b, bneg, out);
}

int etm_dec_add(etm_dec a, etm_dec b, etm_dec *out)
{
	return addsub(a, b, b.neg, out);
}

int etm_dec_sub(etm_dec a, etm_dec b, etm_dec *out)
{
	return addsub(a, b, !b.neg, out);
}

/* ---------------------------------------------------------------- */
/* *                                                                 */

static SLOW_PATH int mul_slow(etm_dec a, etm_dec b,
					      etm_dec *out)
{
	unsigned s = a.scale + b.scale;
	unsigned neg = a.neg ^ b.neg;
	if (is_zero(a) || is_zero(b)) {
		*out = make(0, 0, 0);
		return ETM_DEC_OK;
	}
	u128 al = a.lo, bl = b.lo;
	u128 ll = al * bl;
	u128 lh = al * b.hi;	/* < 2^96 */
	u128 hl = (u128)a.hi * bl;	/* < 2^96 */
	u128 hh = (u128)a.hi * b.hi;	/* < 2^64 */
	/* ll + (lh + hl) << 64 + hh << 128 */
	u128 mid = lh + hl;	/* < 2^97 */
	wide p;
	u128 t = (ll >> 64) + (uint64_t)mid;
	p.w[0] = (uint64_t)ll;
	p.w[1] = (uint64_t)t;
	t = (t >> 64) + (mid >> 64) + (uint64_t)hh;
	p.w[2] = (uint64_t)t;
	p.w[3] = (uint64_t)(t >> 64) + (uint64_t)(hh >> 64);

	int st = reduce_to_fit(&p, s, s > MAX_SCALE ? s - MAX_SCALE : 0, neg,
			       out);
	if (st == ETM_DEC_OK && is_zero(*out) && s > 47 &&
	    (a.hi | b.hi) == 0 && (a.lo >> 32) == 0 && (b.lo >> 32) == 0)
		*out = make(0, 0, 0);	/* rust_decimal's 32x32 shortcut */
	return st;
}

int etm_dec_mul(etm_dec a, etm_dec b, etm_dec *out)
{
	unsigned s = a.scale + b.scale;
	if (__builtin_expect((a.hi | b.hi) == 0 && s <= MAX_SCALE, 1)) {
		/* zero operands land here too: plain 0 */
		u128 p = (u128)a.lo * b.lo;
		if (p <= C96_MAX) {
			*out = make(p, p ? s : 0, a.neg ^ b.neg);
			return ETM_DEC_OK;
		}
	}
	return mul_slow(a, b, out);
}

/* ---------------------------------------------------------------- */
/* /                                                                 */

/* Largest p <= 9 with q * 10^p < 2^96. */
static unsigned max_fit9(u128 q)
{
	unsigned p = 9;
	while (p > 0 && q > fit_of(p))
		p--;
	return p;
}

int etm_dec_div(etm_dec a, etm_dec b, etm_dec *out)
{
	u128 cb = coef(b), ca = coef(a), q, r;
	if (cb == 0)
		return ETM_DEC_DIVZERO;
	if (ca == 0) {
		*out = make(0, 0, 0);
		return ETM_DEC_OK;
	}
	unsigned neg = a.neg ^ b.neg;
	int sc = (int)a.scale - (int)b.scale;

	if ((a.hi | b.hi) == 0) {
		uint64_t q64 = a.lo / b.lo;
		q = q64;
		r = a.lo - q64 * b.lo;
	} else {
		q = ca / cb;
		r = ca % cb;
	}
	if (r == 0 && sc >= 0) {
		/* exact at the natural scale: keep it (1.00 / 1 = 1.00) */
		*out = make(q, (unsigned)sc, neg);
		return ETM_DEC_OK;
	}
	int unscale = r != 0;
	for (;;) {
		unsigned p;
		if (r == 0) {
			if (sc >= 0)
				break;
			p = -sc > 9 ? 9 : (unsigned)-sc;
			if (q > fit_of(p))
				return ETM_DEC_OVERFLOW;
			q *= p10(p);
			sc += (int)p;
			continue;
		}
		if (sc == MAX_SCALE)
			goto round;
		p = max_fit9(q);
		if (sc < 0 && p < 9 && sc + (int)p < 0)
			return ETM_DEC_OVERFLOW;
		if (p > (unsigned)(MAX_SCALE - sc))
			p = (unsigned)(MAX_SCALE - sc);
		if (p == 0)
			goto round;
		u128 rr = r * p10(p), t;
		if ((rr >> 64) == 0 && (cb >> 64) == 0) {
			t = (uint64_t)rr / (uint64_t)cb;	/* 64-bit divide */
		} else {
			t = rr / cb;
		}
		r = rr - t * cb;
		q = q * p10(p) + t;
		sc += (int)p;
		if (q > C96_MAX) {
			/* the new digits overflowed: keep one digit fewer */
			if (sc - 1 < 0)
				return ETM_DEC_OVERFLOW;
			unsigned digit = (unsigned)(q % 10);
			q /= 10;
			sc--;
			if (digit > 5 || (digit == 5 && (r != 0 || (q & 1))))
				q++;
			goto done;
		}
	}
	goto done;
round:
	{
		u128 r2 = r << 1;	/* r < cb < 2^96 */
		if (r2 > cb || (r2 == cb && (q & 1))) {
			q++;
			if (q > C96_MAX) {
				if (sc == 0)
					return ETM_DEC_OVERFLOW;
				/* 2^96 / 10 = ...33.6, rounded */
				q = (((u128)1) << 96) / 10 + 1;
				sc--;
			}
		}
	}
done:
	if (unscale) {
		/* inexact: drop the trailing zeros the scaling added */
		*out = etm_dec_normalize(make(q, (unsigned)sc, neg));
		return ETM_DEC_OK;
	}
	*out = make(q, (unsigned)sc, neg);
	return ETM_DEC_OK;
}

/* ---------------------------------------------------------------- */
/* sign, comparison, predicates                                      */

etm_dec etm_dec_neg(etm_dec a)
{
	a.neg ^= 1;
	return a;
}

/* |a| vs |b|, both non-zero. */
static int cmp_mag(etm_dec a, etm_dec b)
{
	u128 x = coef(a), y = coef(b);
	if (a.scale < b.scale) {
		unsigned d = b.scale - a.scale;
		if (x > fit_of(d))
			return 1;
		x *= p10(d);
	} else if (b.scale < a.scale) {
		unsigned d = a.scale - b.scale;
		if (y > fit_of(d))
			return -1;
		y *= p10(d);
	}
	return x < y ? -1 : x > y;
}

static SLOW_PATH int cmp_general(etm_dec a, etm_dec b)
{
	int sa = is_zero(a) ? 0 : a.neg ? -1 : 1;
	int sb = is_zero(b) ? 0 : b.neg ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	int m = cmp_mag(a, b);
	return sa < 0 ? -m : m;
}

int etm_dec_cmp(etm_dec a, etm_dec b)
{
	if (__builtin_expect(a.scale == b.scale && (a.hi | b.hi) == 0, 1)) {
		if (a.neg == b.neg) {
			int m = (a.lo > b.lo) - (a.lo < b.lo);
			return a.neg ? -m : m;
		}
		if ((a.lo | b.lo) == 0)
			return 0;	/* -0 == 0 */
		return a.neg ? -1 : 1;
	}
	return cmp_general(a, b);
}

int etm_dec_is_zero(etm_dec a)
{
	return is_zero(a);
}

int etm_dec_is_negative(etm_dec a)
{
	return a.neg && !is_zero(a);
}

unsigned etm_dec_scale(etm_dec a)
{
	return a.scale;
}

/* c mod 10^s (s <= 28). */
static inline u128 frac_part(etm_dec a)
{
	if (a.scale == 0)
		return 0;
	if (a.hi == 0 && a.scale <= 19)
		return a.lo % (uint64_t)p10(a.scale);
	return coef(a) % p10(a.scale);
}

int etm_dec_is_integer(etm_dec a)
{
	return frac_part(a) == 0;
}

/* ---------------------------------------------------------------- */
/* rounding builtins                                                 */

int etm_dec_round(etm_dec a, int places, etm_dec *out)
{
	if (places < 0)
		return ETM_DEC_INVALID;
	if ((unsigned)places >= a.scale) {
		*out = a;
		return ETM_DEC_OK;
	}
	if (is_zero(a)) {
		etm_dec r = a;	/* zero keeps its sign, takes the new scale */
		r.scale = (uint8_t)places;
		*out = r;
		return ETM_DEC_OK;
	}
	unsigned d = a.scale - (unsigned)places;
	u128 pw = p10(d), c = coef(a);
	u128 q = c / pw, rem = c - q * pw;
	if (rem >= pw / 2)	/* pw / 2 = 5 * 10^(d-1): midpoint goes up */
		q++;
	*out = make(q, (unsigned)places, a.neg);
	return ETM_DEC_OK;
}

int etm_dec_to_places(etm_dec a, int *out)
{
	if (a.neg)
		return ETM_DEC_INVALID;
	u128 t = coef(a) / p10(a.scale);
	if (t > UINT32_MAX)
		return ETM_DEC_INVALID;
	*out = t > INT_MAX ? INT_MAX : (int)t;
	return ETM_DEC_OK;
}

etm_dec etm_dec_trunc(etm_dec a)
{
	if (a.scale == 0)
		return make(coef(a), 0, a.neg);
	return make(coef(a) / p10(a.scale), 0, a.neg);
}

etm_dec etm_dec_floor(etm_dec a)
{
	if (a.scale == 0)
		return make(coef(a), 0, a.neg);
	u128 c = coef(a), pw = p10(a.scale), q = c / pw;
	if (a.neg && q * pw != c)
		q++;
	return make(q, 0, a.neg);
}

etm_dec etm_dec_ceil(etm_dec a)
{
	if (a.scale == 0)
		return make(coef(a), 0, a.neg);
	u128 c = coef(a), pw = p10(a.scale), q = c / pw;
	if (!a.neg && q * pw != c)
		q++;
	return make(q, 0, a.neg);
}

etm_dec etm_dec_normalize(etm_dec a)
{
	u128 c = coef(a);
	unsigned s = a.scale;
	if (c == 0)
		return make(0, 0, 0);
	if (a.hi == 0) {
		uint64_t v = a.lo;
		while (s > 0 && v % 10 == 0) {
			v /= 10;
			s--;
		}
		return make(v, s, a.neg);
	}
	while (s > 0 && c % 10 == 0) {
		c /= 10;
		s--;
	}
	return make(c, s, a.neg);
}

/* ---------------------------------------------------------------- */
/* conversions                                                       */

int etm_dec_to_int64(etm_dec a, int64_t *out)
{
	u128 t = a.scale ? coef(a) / p10(a.scale) : coef(a);
	if (a.neg) {
		if (t > (u128)INT64_MAX + 1)
			return ETM_DEC_OVERFLOW;
		*out = t == (u128)INT64_MAX + 1 ? INT64_MIN : -(int64_t)t;
	} else {
		if (t > INT64_MAX)
			return ETM_DEC_OVERFLOW;
		*out = (int64_t)t;
	}
	return ETM_DEC_OK;
}

double etm_dec_to_double(etm_dec a)
{
	/* 10^0..10^22 are exact doubles: for coefficients below 2^53 and
	 * scales up to 22 this is one correctly rounded division; otherwise
	 * within a few ulps. */
	static const double pw[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
		1e20, 1e21, 1e22
	};
	double v = (double)coef(a);
	if (a.scale <= 22)
		v /= pw[a.scale];
	else
		v = v / pw[22] / pw[a.scale - 22];
	return a.neg ? -v : v;
}

uint64_t etm_dec_hash(etm_dec a)
{
	etm_dec n = etm_dec_normalize(a);
	uint64_t h = n.lo;
	h ^= (((uint64_t)n.hi << 8 | n.scale) << 1 | n.neg) *
	     0x9e3779b97f4a7c15ULL;
	/* splitmix64 finaliser */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* ---------------------------------------------------------------- */
/* printing                                                          */

/* Decimal digits of c into d (most significant first, no leading zeros,
 * "" for 0); returns the count (<= 29). */
static unsigned coef_digits(u128 c, char *d)
{
	char tmp[40];
	unsigned n = 0;
	if (c >> 64) {
		uint64_t low = (uint64_t)(c % P10_19);
		uint64_t high = (uint64_t)(c / P10_19);
		for (int i = 0; i < 19; i++) {
			tmp[n++] = (char)('0' + low % 10);
			low /= 10;
		}
		while (high) {
			tmp[n++] = (char)('0' + high % 10);
			high /= 10;
		}
	} else {
		uint64_t v = (uint64_t)c;
		while (v) {
			tmp[n++] = (char)('0' + v % 10);
			v /= 10;
		}
	}
	for (unsigned i = 0; i < n; i++)
		d[i] = tmp[n - 1 - i];
	return n;
}

/* Writes text into buf like snprintf (truncating, NUL-terminated). */
static size_t emit(const char *text, size_t n, char *buf, size_t len)
{
	if (len > 0) {
		size_t k = n < len - 1 ? n : len - 1;
		memcpy(buf, text, k);
		buf[k] = '\0';
	}
	return n;
}

static size_t format_impl(etm_dec a, int keep_scale, char *buf, size_t len)
{
	char digits[40], text[ETM_DEC_BUFSZ];
	unsigned n = coef_digits(coef(a), digits);
	unsigned scale = a.scale;
	size_t k = 0;

	if (!keep_scale) {
		/* drop trailing fractional zeros */
		while (scale > 0 && n > 0 && digits[n - 1] == '0') {
			n--;
			scale--;
		}
		if (n == 0)
			scale = 0;
	}
	if (n > 0 && a.neg)
		text[k++] = '-';
	if (n <= scale) {
		text[k++] = '0';
		if (scale > 0) {
			text[k++] = '.';
			for (unsigned i = n; i < scale; i++)
				text[k++] = '0';
			memcpy(text + k, digits, n);
			k += n;
		}
	} else {
		memcpy(text + k, digits, n - scale);
		k += n - scale;
		if (scale > 0) {
			text[k++] = '.';
			memcpy(text + k, digits + n - scale, scale);
			k += scale;
		}
	}
	return emit(text, k, buf, len);
}

size_t etm_dec_format(etm_dec a, char *buf, size_t len)
{
	if (a.hi == 0 && a.scale == 0) {
		/* whole numbers that fit in 64 bits: the common case */
		char text[24];
		char *p = text + sizeof text;
		uint64_t v = a.lo;
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		if (a.neg && a.lo)
			*--p = '-';
		return emit(p, (size_t)(text + sizeof text - p), buf, len);
	}
	return format_impl(a, 0, buf, len);
}

size_t etm_dec_format_scaled(etm_dec a, char *buf, size_t len)
{
	return format_impl(a, 1, buf, len);
}

/* ---------------------------------------------------------------- */
/* parsing                                                           */

#define WILL_OVERFLOW_U64 (UINT64_MAX / 10 - 255)

/* Rounds data half-up on the first dropped digit (as rust_decimal's
 * from_str does when digits run out of room). */
static int round_dropped(u128 data, unsigned digit, unsigned scale,
			 unsigned neg, etm_dec *out)
{
	if (digit >= 5) {
		data++;
		if (data > C96_MAX) {
			if (scale == 0)
				return ETM_DEC_OVERFLOW;
			data = (data + 4) / 10;
			scale--;
		}
	}
	*out = make(data, scale, neg);
	return ETM_DEC_OK;
}

/* rust_decimal's Decimal::from_str (1.x, radix 10, no exponent), on the
 * bytes s[0..len).  A digit that no longer fits (fraction beyond scale 28,
 * or the coefficient beyond 96 bits) is the rounding digit; parsing stops
 * there and whatever follows is not examined, as in the reference. */
static int parse_decimal(const char *s, size_t len, etm_dec *out)
{
	u128 data = 0;
	unsigned scale = 0, neg = 0, point = 0, has = 0;
	size_t i = 0;

	if (len == 0)
		return ETM_DEC_INVALID;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	for (; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= '0' && ch <= '9') {
			unsigned digit = ch - '0';
			/* from_str keeps 64-bit state until it grows large;
			 * the two states treat '_' after the 28th fraction
			 * digit differently. */
			int wide_state = data >= WILL_OVERFLOW_U64 && len >= 18;
			u128 next = data * 10 + digit;
			if (next > C96_MAX) {
				if (!point)
					return ETM_DEC_OVERFLOW;
				return round_dropped(data, digit, scale, neg,
						     out);
			}
			data = next;
			scale += point;
			has = 1;
			if (point && scale >= MAX_SCALE && i + 1 < len) {
				size_t j = i + 1;
				if (wide_state)
					while (j < len && s[j] == '_')
						j++;
				if (j == len)
					break;
				ch = (unsigned char)s[j];
				if (ch >= '0' && ch <= '9')
					digit = ch - '0';
				else if (ch == '_')
					digit = 0;
				else
					return ETM_DEC_INVALID;
				return round_dropped(data, digit, scale, neg,
						     out);
			}
		} else if (ch == '.' && !point) {
			point = 1;
		} else if (ch == '_' && has) {
			continue;
		} else {
			return ETM_DEC_INVALID;
		}
	}
	if (!has)
		return ETM_DEC_INVALID;
	*out = make(data, scale, neg);
	return ETM_DEC_OK;
}

int etm_dec_parse_literal(const char *s, size_t len, etm_dec *out)
{
	size_t i = 0, digits = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0)
		return ETM_DEC_INVALID;
	if (i < len) {
		if (s[i] != '.')
			return ETM_DEC_INVALID;
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
		if (digits == 0 || i != len)
			return ETM_DEC_INVALID;
	}
	return parse_decimal(s, len, out);
}

int etm_dec_parse_percent(const char *s, size_t len, etm_dec *out)
{
	etm_dec v;
	int st = etm_dec_parse_literal(s, len, &v);
	if (st != ETM_DEC_OK)
		return st;
	return etm_dec_div(v, etm_dec_from_int(100), out);
}

/* Length of the Unicode White_Space character (Rust's char::is_whitespace)
 * starting at s[0..n), or 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
	if (n >= 1 && ((s[0] >= 0x09 && s[0] <= 0x0d) || s[0] == ' '))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n >= 3) {
		unsigned cp;
		if ((s[0] & 0xf0) != 0xe0 || (s[1] & 0xc0) != 0x80 ||
		    (s[2] & 0xc0) != 0x80)
			return 0;
		cp = (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 |
		     (s[2] & 0x3f);
		if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
		    cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
		    cp == 0x205f || cp == 0x3000)
			return 3;
	}
	return 0;
}

/* Length of the White_Space character ending at s[n-1], or 0. */
static size_t space_before(const unsigned char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++)
		if (space_at(s + n - k, k) == k)
			return k;
	return 0;
}

int etm_dec_from_string(const char *s, size_t len, etm_dec *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k;
	while (len > 0 && (k = space_at(u, len)) > 0) {
		u += k;
		len -= k;
	}
	while (len > 0 && (k = space_before(u, len)) > 0)
		len -= k;
	return parse_decimal((const char *)u, len, out) == ETM_DEC_OK
		? ETM_DEC_OK : ETM_DEC_INVALID;
}
