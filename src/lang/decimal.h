/* decimal.h -- the exact fixed-point decimal number of the eTamil runtime.
 *
 * An etm_dec is sign + unsigned 96-bit coefficient c + scale e (0..28),
 * value = (-1)^sign * c / 10^e (spec section 6.2).  It is a 16-byte value
 * type: pass and return it by value; no function allocates, keeps global
 * state or is thread-unsafe.  Scale is kept (1.50 and 1.5 are different
 * representations of the same number) but is invisible to etm_dec_format(),
 * etm_dec_cmp() and etm_dec_hash().  A negative zero exists, compares equal
 * to 0 and prints as 0.
 *
 * Functions that can fail return an enum etm_dec_status (0 = ETM_DEC_OK);
 * on failure *out is left unchanged.  Treat the fields as private: use the
 * functions below. */
#ifndef ETM_DECIMAL_H
#define ETM_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* Representation (private): coefficient = (uint128)hi << 64 | lo, with
 * hi < 2^32; scale 0..28; neg 0 or 1.  All-zero bytes is the number 0. */
typedef struct {
	uint64_t lo;		/* low 64 bits of the coefficient */
	uint32_t hi;		/* high 32 bits of the coefficient */
	uint8_t scale;		/* number of fractional digits, 0..28 */
	uint8_t neg;		/* 1 when the sign is negative (also -0) */
	uint16_t pad_;		/* always 0 */
} etm_dec;

enum etm_dec_status {
	ETM_DEC_OK = 0,
	ETM_DEC_OVERFLOW,	/* result needs more than 96 bits at scale 0 */
	ETM_DEC_DIVZERO,	/* division by a numeric zero */
	ETM_DEC_INVALID		/* text not a number / argument out of domain */
};

/* Largest scale (fractional digits) a decimal can have. */
#define ETM_DEC_MAX_SCALE 28
/* A buffer of this many bytes always holds etm_dec_format() and
 * etm_dec_format_scaled() output including the NUL (the longest text,
 * "-0." + 28 digits or "-" + 29 digits + ".", is 31 bytes). */
#define ETM_DEC_BUFSZ 40

/* The integer v, scale 0. */
etm_dec etm_dec_from_int(int64_t v);

/* Plain 0 (positive, scale 0). */
etm_dec etm_dec_zero(void);

/* Lexer: s[0..len) must be exactly [0-9]+(\.[0-9]+)? (no sign).  Fraction
 * digits beyond what fits (28, or fewer when the coefficient would exceed
 * 96 bits) are rounded half-up on the first dropped digit.  Returns
 * ETM_DEC_INVALID for bad syntax, ETM_DEC_OVERFLOW when the integer part
 * exceeds 2^96-1. */
int etm_dec_parse_literal(const char *s, size_t len, etm_dec *out);

/* Lexer: the digits of a percentage literal without the '%' (same syntax
 * as etm_dec_parse_literal); *out = value / 100 exactly (18 -> 0.18,
 * 12.5 -> 0.125).  Same statuses as etm_dec_parse_literal. */
int etm_dec_parse_percent(const char *s, size_t len, etm_dec *out);

/* to_number of a string (spec 6.4): trims Unicode whitespace (UTF-8) at
 * both ends, then optional '+'/'-', ASCII digits with at most one '.',
 * digits may be absent on one side (".5", "5.") but not both, '_' allowed
 * as a separator after the first digit, no exponent; excess fraction
 * digits rounded half-up.  Returns ETM_DEC_INVALID when unparsable or too
 * large (the caller then uses 0, or builds the தவறு of எண்ணாக்கு). */
int etm_dec_from_string(const char *s, size_t len, etm_dec *out);

/* a + b (6.2): exact at scale max(ea, eb) when it fits, else the scale is
 * reduced with round-half-even; ETM_DEC_OVERFLOW if even scale 0 does not
 * fit in 96 bits.  A zero operand yields the other operand unchanged
 * (scale kept: 0 + 1.50 = 1.50, 0.000 + 1.5 = 1.5); a computed zero is
 * +0 at the aligned scale (1.5 - 1.5 = 0.0).  On failure *out is left
 * unchanged; out may point to a or b's storage. */
int etm_dec_add(etm_dec a, etm_dec b, etm_dec *out);

/* a - b; same rules as etm_dec_add (0 - b is b with its sign flipped). */
int etm_dec_sub(etm_dec a, etm_dec b, etm_dec *out);

/* a * b (6.2): exact at scale ea+eb when <= 28 and it fits, else the
 * largest scale that fits, rounded half-even on all discarded digits.  A
 * zero operand gives plain 0.  ETM_DEC_OVERFLOW beyond 96 bits. */
int etm_dec_mul(etm_dec a, etm_dec b, etm_dec *out);

/* a / b (6.2, the OLE/.NET System.Decimal algorithm): ETM_DEC_DIVZERO when
 * b is numerically zero; otherwise the most fractional digits (<= 28) that
 * fit in 96 bits, last digit rounded half-even; ETM_DEC_OVERFLOW when the
 * integer quotient does not fit. */
int etm_dec_div(etm_dec a, etm_dec b, etm_dec *out);

/* -a (same coefficient and scale, sign flipped; -0 is possible). */
etm_dec etm_dec_neg(etm_dec a);

/* -1, 0 or 1 as a <, ==, > b numerically (1.5 == 1.50, -0 == 0). */
int etm_dec_cmp(etm_dec a, etm_dec b);

/* 1 when a is numerically zero (any scale, either sign), else 0. */
int etm_dec_is_zero(etm_dec a);
/* 1 when a has no non-zero fractional digit (5.00 is an integer). */
int etm_dec_is_integer(etm_dec a);
/* 1 when a < 0 (0 for zero, including -0). */
int etm_dec_is_negative(etm_dec a);
/* The scale (number of stored fractional digits), 0..28. */
unsigned etm_dec_scale(etm_dec a);

/* "text of v" (6.3): no trailing fractional zeros, no point for whole
 * values, leading "0" before the point, '-' for negatives, never an
 * exponent; -0 prints "0".  Writes at most len-1 bytes plus a NUL (when
 * len > 0) and returns the full length, like snprintf; ETM_DEC_BUFSZ
 * always suffices. */
size_t etm_dec_format(etm_dec a, char *buf, size_t len);

/* Like etm_dec_format but keeps the stored scale (1.50, 5.0, 0.00), for
 * the index error messages of 6.7.  A zero prints without '-'. */
size_t etm_dec_format_scaled(etm_dec a, char *buf, size_t len);

/* வட்டமிடு (9): a rounded to `places` fractional digits, midpoint away
 * from zero (2.345,2 -> 2.35; -2.5,0 -> -3).  When a has <= places
 * fractional digits (including any places > 28) it is returned unchanged;
 * otherwise the result has scale `places` (1.999,2 -> 2.00).  places < 0
 * -> ETM_DEC_INVALID.  The reference converts the places argument with
 * Decimal::to_u32: a negative sign (even -0 or -0.5) or a value >= 2^32 is
 * the runtime error "round: places must be a whole number"; fractional
 * places are truncated -- see etm_dec_to_places(). */
int etm_dec_round(etm_dec a, int places, etm_dec *out);

/* The reference's places conversion for வட்டமிடு: truncates toward zero;
 * ETM_DEC_INVALID when a has the negative sign (including -0 and -0.5) or
 * is >= 2^32; values above INT_MAX are clamped to INT_MAX (which round()
 * treats like any places > 28). */
int etm_dec_to_places(etm_dec a, int *out);

/* தரை: largest whole number <= a (scale 0). */
etm_dec etm_dec_floor(etm_dec a);
/* மேல்: smallest whole number >= a (scale 0); ceil(-0.5) is +0 (14.3). */
etm_dec etm_dec_ceil(etm_dec a);
/* Drops the fractional digits (toward zero, scale 0); trunc(-0.5) is +0. */
etm_dec etm_dec_trunc(etm_dec a);

/* Truncates toward zero into *out; ETM_DEC_OVERFLOW (out unchanged) when
 * the truncated value is outside int64_t. */
int etm_dec_to_int64(etm_dec a, int64_t *out);

/* Nearest double (for maths that needs floating point, e.g. formatting
 * percentages in logs); not used for eTamil arithmetic. */
double etm_dec_to_double(etm_dec a);

/* Hash consistent with etm_dec_cmp: numbers that compare equal (1, 1.0,
 * 1.00, -0, 0) hash equal. */
uint64_t etm_dec_hash(etm_dec a);

/* The same number with trailing fractional zeros removed (1.50 -> 1.5,
 * 5.00 -> 5) and -0 made +0. */
etm_dec etm_dec_normalize(etm_dec a);

#endif /* ETM_DECIMAL_H */
