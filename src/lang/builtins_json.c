/* builtins_json.c -- native JSON: ஜேசான்_ஆக்கு (value -> JSON text) and
 * ஜேசான்_படி (JSON text -> சரி(value) / தவறு(reason)), with the names and
 * the observable behaviour of the standard library's nUlakam/jEcAZ.qmz, so
 * a handler gets fast JSON without importing anything.  A program that
 * defines (or imports) functions of the same names uses those instead: user
 * functions shadow builtins.
 *
 * Where this differs from the library, it is where the library's answer is
 * not JSON: \uXXXX escapes (surrogate pairs included) are decoded, \b and
 * \f mean backspace and form feed, other escapes, raw control characters
 * in strings, numbers outside the JSON grammar (+1, .5, 01) and lone
 * surrogates are refused; exponents are read (exactly, 1.5e3 -> 1500);
 * control characters are written as \u00XX.  Nesting deeper than
 * ETM_JSON_MAX_DEPTH is refused both ways, so the C stack stays small.
 * Numbers are exact decimals: they are read like எண்ணாக்கு reads text.
 */
#include "autoconfig.h"

#include <string.h>

#include "builtins.h"
#include "builtins_lib.h"

#define MSG_END "எதிர்பாராத உள்ளீட்டு முடிவு  (unexpected end of input)"
#define MSG_UNTERMINATED "முடிவடையாத சரம்  (unterminated string)"
#define MSG_VALUE "ஒரு மதிப்பு எதிர்பார்க்கப்பட்டது  (expected a value)"
#define MSG_NUMBER "செல்லாத எண்: %.*s  (not a number)"
#define MSG_ARRAY_SEP "',' அல்லது ']' எதிர்பார்க்கப்பட்டது  (expected ',' or ']')"
#define MSG_KEY "புலப் பெயர் ஒரு சரமாக இருக்க வேண்டும்  (a field name must be a string)"
#define MSG_COLON "':' எதிர்பார்க்கப்பட்டது  (expected ':')"
#define MSG_OBJECT_SEP "',' அல்லது '}' எதிர்பார்க்கப்பட்டது  (expected ',' or '}')"
#define MSG_TRAILING "ஜேசான் முடிந்த பின் கூடுதல் உரை  (trailing text after the JSON value)"
#define MSG_CONTROL "சரத்தில் கட்டுப்பாட்டு எழுத்து  (control character in a string)"
#define MSG_ESCAPE "செல்லாத விடுபடு வரிசை  (invalid escape sequence)"
#define MSG_UESCAPE "செல்லாத \\u விடுபடு  (invalid \\u escape: expected four hex digits)"
#define MSG_SURROGATE "இணையில்லாத \\u பதிலி  (unpaired surrogate in a \\u escape)"
#define MSG_DEEP "ஜேசான் மிக ஆழமானது  (JSON nested too deeply: more than %d levels)"
#define MSG_ENCODE_DEEP "ஜேசான்_ஆக்கு: மதிப்பு மிக ஆழமானது  (toJson: the value is nested too deeply: more than %d levels)"

/* ------------------------------------------------------------------ */
/* Writing                                                             */

void etm_json_append_string(etm_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	etm_buf_addc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		etm_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': etm_buf_add(b, "\\\"", 2); break;
		case '\\': etm_buf_add(b, "\\\\", 2); break;
		case '\n': etm_buf_add(b, "\\n", 2); break;
		case '\t': etm_buf_add(b, "\\t", 2); break;
		case '\r': etm_buf_add(b, "\\r", 2); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			etm_buf_add(b, u, 6);
		}
		}
	}
	etm_buf_add(b, s + run, len - run);
	etm_buf_addc(b, '"');
}

static int encode(etm_heap *h, etm_buf *b, etm_value v, int depth)
{
	switch (v.kind) {
	case ETM_BOOL:
		etm_buf_adds(b, v.as.b ? "true" : "false");
		return 0;
	case ETM_NUM:
		etm_num_append(b, v.as.num, false);
		return 0;
	case ETM_STR:
		etm_json_append_string(b, ETM_STR(v)->data, ETM_STR(v)->len);
		return 0;
	case ETM_ARR: {
		if (depth >= ETM_JSON_MAX_DEPTH)
			return -1;
		etm_arr *a = ETM_ARR(v);
		etm_buf_addc(b, '[');
		for (size_t i = 0; i < a->len; i++) {
			if (i)
				etm_buf_addc(b, ',');
			if (encode(h, b, a->items[i], depth + 1) < 0)
				return -1;
		}
		etm_buf_addc(b, ']');
		return 0;
	}
	case ETM_REC: {
		if (depth >= ETM_JSON_MAX_DEPTH)
			return -1;
		etm_rec *r = ETM_REC(v);
		const uint32_t *order = etm_rec_sorted(h, r);
		etm_buf_addc(b, '{');
		for (uint32_t i = 0; i < r->len; i++) {
			etm_rent *e = &r->ents[order[i]];
			if (i)
				etm_buf_addc(b, ',');
			etm_json_append_string(b, e->key->data, e->key->len);
			etm_buf_addc(b, ':');
			if (encode(h, b, e->val, depth + 1) < 0)
				return -1;
		}
		etm_buf_addc(b, '}');
		return 0;
	}
	default:
		/* nil, and results, which have no JSON spelling */
		etm_buf_add(b, "null", 4);
		return 0;
	}
}

int etm_json_append(etm_heap *h, etm_buf *b, etm_value v)
{
	return encode(h, b, v, 0);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

typedef struct jparser {
	etm_heap *h;
	const char *p, *end;
	etm_buf *err;
	etm_buf tmp;		/* string bytes with escapes */
	etm_buf num;		/* number text with the exponent applied */
	int depth;
} jparser;

static int fail(jparser *j, const char *msg)
{
	etm_buf_adds(j->err, msg);
	return -1;
}

static void skip_ws(jparser *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static int parse_value(jparser *j, etm_value *out);

static int hex4(const char *p, const char *end, uint32_t *out)
{
	if (end - p < 4)
		return -1;
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + (uint32_t)d;
	}
	*out = v;
	return 0;
}

static void add_utf8(etm_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	etm_buf_add(b, u, n);
}

/* Bytes that end a run of plain string bytes: controls, '"' and '\\'. */
static const unsigned char string_stop[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1
};

/* A string starting at the opening quote: its bytes into a new string value
   (*OUT), without copying twice when it holds no escape. */
static int parse_string(jparser *j, etm_value *out)
{
	const char *p = ++j->p, *start = p;
	bool escaped = false;
	j->tmp.len = 0;
	for (;;) {
		while (p < j->end && !string_stop[(unsigned char)*p])
			p++;
		if (p == j->end)
			return fail(j, MSG_UNTERMINATED);
		if (*p == '"')
			break;
		if (*p != '\\')
			return fail(j, MSG_CONTROL);
		etm_buf_add(&j->tmp, start, (size_t)(p - start));
		escaped = true;
		if (++p == j->end)
			return fail(j, MSG_UNTERMINATED);
		char c = *p++;
		switch (c) {
		case '"': case '\\': case '/':
			etm_buf_addc(&j->tmp, c);
			break;
		case 'b': etm_buf_addc(&j->tmp, '\b'); break;
		case 'f': etm_buf_addc(&j->tmp, '\f'); break;
		case 'n': etm_buf_addc(&j->tmp, '\n'); break;
		case 'r': etm_buf_addc(&j->tmp, '\r'); break;
		case 't': etm_buf_addc(&j->tmp, '\t'); break;
		case 'u': {
			uint32_t cp, lo;
			if (hex4(p, j->end, &cp) < 0)
				return fail(j, MSG_UESCAPE);
			p += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(j, MSG_SURROGATE);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (j->end - p < 2 || p[0] != '\\' || p[1] != 'u')
					return fail(j, MSG_SURROGATE);
				if (hex4(p + 2, j->end, &lo) < 0)
					return fail(j, MSG_UESCAPE);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(j, MSG_SURROGATE);
				p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			add_utf8(&j->tmp, cp);
			break;
		}
		default:
			return fail(j, MSG_ESCAPE);
		}
		start = p;
	}
	if (escaped) {
		etm_buf_add(&j->tmp, start, (size_t)(p - start));
		*out = etm_str_new(j->h, j->tmp.p, j->tmp.len);
	} else {
		*out = etm_str_new(j->h, start, (size_t)(p - start));
	}
	j->p = p + 1;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_zero(const char *p, const char *e)
{
	for (; p < e; p++)
		if (*p != '0')
			return false;
	return true;
}

/* A number: the longest run of number characters (as the library reads
   it), which must then be one JSON number; its value is exact. */
static int parse_number(jparser *j, etm_value *out)
{
	const char *s = j->p, *e = s;
	while (e < j->end && (is_digit(*e) || *e == '-' || *e == '+' || *e == '.'
			      || *e == 'e' || *e == 'E'))
		e++;
	size_t n = (size_t)(e - s);
	/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	const char *p = s, *int0, *frac0 = NULL, *frac1 = NULL;
	bool neg = false;
	if (p < e && *p == '-') {
		neg = true;
		p++;
	}
	int0 = p;
	if (p < e && *p == '0')
		p++;
	else if (p < e && is_digit(*p))
		while (p < e && is_digit(*p))
			p++;
	else
		goto bad;
	const char *int1 = p;
	if (p < e && *p == '.') {
		frac0 = ++p;
		while (p < e && is_digit(*p))
			p++;
		frac1 = p;
		if (frac0 == frac1)
			goto bad;
	}
	long exp = 0;
	bool has_exp = false;
	if (p < e && (*p == 'e' || *p == 'E')) {
		has_exp = true;
		p++;
		bool eneg = false;
		if (p < e && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == e || !is_digit(*p))
			goto bad;
		while (p < e && is_digit(*p)) {
			if (exp < 1000000000)	/* saturate: far beyond any result */
				exp = exp * 10 + (*p - '0');
			p++;
		}
		if (eneg)
			exp = -exp;
	}
	if (p != e)
		goto bad;

	etm_dec d;
	if (!has_exp) {
		if (etm_dec_from_string(s, n, &d) != ETM_DEC_OK)
			goto bad;
	} else if (all_zero(int0, int1) && (!frac0 || all_zero(frac0, frac1))) {
		d = etm_dec_zero();
	} else {
		/* Shift the point by the exponent and read the plain text: the
		   digits D (integer and fraction part) with P of them before
		   the point. */
		etm_buf *t = &j->num;
		size_t nint = (size_t)(int1 - int0);
		size_t nfrac = frac0 ? (size_t)(frac1 - frac0) : 0;
		long ndig = (long)(nint + nfrac);
		long point = (long)nint + exp;
		t->len = 0;
		if (point > ndig + 40)
			goto bad;	/* at least 10^40: beyond 96 bits */
		if (point < -40) {
			d = etm_dec_zero();	/* below 10^-40: rounds to 0 */
		} else {
			if (neg)
				etm_buf_addc(t, '-');
			if (point <= 0) {
				etm_buf_add(t, "0.", 2);
				for (long i = 0; i < -point; i++)
					etm_buf_addc(t, '0');
			}
			for (long i = 0; i < ndig; i++) {
				if (i == point && point > 0)
					etm_buf_addc(t, '.');
				etm_buf_addc(t, i < (long)nint ? int0[i] : frac0[i - (long)nint]);
			}
			for (long i = ndig; i < point; i++)
				etm_buf_addc(t, '0');
			if (etm_dec_from_string(t->p, t->len, &d) != ETM_DEC_OK)
				goto bad;
		}
	}
	*out = etm_num(d);
	j->p = e;
	return 0;
bad:
	etm_buf_printf(j->err, MSG_NUMBER, (int)n, s);
	return -1;
}

static int enter(jparser *j)
{
	if (++j->depth > ETM_JSON_MAX_DEPTH) {
		etm_buf_printf(j->err, MSG_DEEP, ETM_JSON_MAX_DEPTH);
		return -1;
	}
	j->p++;
	skip_ws(j);
	return 0;
}

static int parse_array(jparser *j, etm_value *out)
{
	if (enter(j) < 0)
		return -1;
	etm_value arr = etm_arr_new(j->h, 0);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		goto done;
	}
	for (;;) {
		etm_value item;
		if (parse_value(j, &item) < 0)
			goto error;
		etm_arr_push(j->h, &arr, item);
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
		} else if (j->p < j->end && *j->p == ']') {
			j->p++;
			break;
		} else {
			fail(j, MSG_ARRAY_SEP);
			goto error;
		}
	}
done:
	j->depth--;
	*out = arr;
	return 0;
error:
	etm_release(j->h, arr);
	return -1;
}

static int parse_object(jparser *j, etm_value *out)
{
	if (enter(j) < 0)
		return -1;
	etm_value rec = etm_rec_new(j->h, 0);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		goto done;
	}
	for (;;) {
		etm_value key, val;
		if (j->p == j->end || *j->p != '"') {
			fail(j, MSG_KEY);
			goto error;
		}
		if (parse_string(j, &key) < 0)
			goto error;
		skip_ws(j);
		if (j->p == j->end || *j->p != ':') {
			etm_release(j->h, key);
			fail(j, MSG_COLON);
			goto error;
		}
		j->p++;
		if (parse_value(j, &val) < 0) {
			etm_release(j->h, key);
			goto error;
		}
		etm_rec_set(j->h, &rec, ETM_STR(key), val);
		etm_release(j->h, key);
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
		} else if (j->p < j->end && *j->p == '}') {
			j->p++;
			break;
		} else {
			fail(j, MSG_OBJECT_SEP);
			goto error;
		}
	}
done:
	j->depth--;
	*out = rec;
	return 0;
error:
	etm_release(j->h, rec);
	return -1;
}

static bool literal(jparser *j, const char *word, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return false;
	j->p += n;
	return true;
}

static int parse_value(jparser *j, etm_value *out)
{
	skip_ws(j);
	if (j->p == j->end)
		return fail(j, MSG_END);
	char c = *j->p;
	switch (c) {
	case '{':
		return parse_object(j, out);
	case '[':
		return parse_array(j, out);
	case '"':
		return parse_string(j, out);
	case 't':
		if (!literal(j, "true", 4))
			break;
		*out = etm_bool(true);
		return 0;
	case 'f':
		if (!literal(j, "false", 5))
			break;
		*out = etm_bool(false);
		return 0;
	case 'n':
		if (!literal(j, "null", 4))
			break;
		*out = etm_nil();
		return 0;
	default:
		if (is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')
			return parse_number(j, out);
		break;
	}
	return fail(j, MSG_VALUE);
}

int etm_json_parse(etm_heap *h, const char *s, size_t len, etm_value *out,
		   etm_buf *err)
{
	jparser j;
	j.h = h;
	j.p = s;
	j.end = s + len;
	j.err = err;
	j.depth = 0;
	etm_buf_init(&j.tmp);
	etm_buf_init(&j.num);
	etm_value v;
	int rc = parse_value(&j, &v);
	if (rc == 0) {
		skip_ws(&j);
		if (j.p < j.end) {
			etm_release(h, v);
			rc = fail(&j, MSG_TRAILING);
		} else {
			*out = v;
		}
	}
	etm_buf_free(&j.tmp);
	etm_buf_free(&j.num);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Builtins                                                            */

static int bi_to_json(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_buf b;
	etm_buf_init(&b);
	if (etm_json_append(etm_vm_heap(vm), &b, a[0]) < 0) {
		etm_buf_free(&b);
		return etm_vm_error(vm, MSG_ENCODE_DEEP, ETM_JSON_MAX_DEPTH);
	}
	*out = etm_buf_to_value(vm, &b);
	etm_buf_free(&b);
	return ETM_BI_OK;
}

static int bi_from_json(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value text = etm_to_text(h, a[0]);
	etm_buf err;
	etm_buf_init(&err);
	etm_value v;
	if (etm_json_parse(h, ETM_STR(text)->data, ETM_STR(text)->len, &v, &err) == 0)
		*out = etm_result_new(h, true, v);
	else
		*out = etm_result_new(h, false, etm_buf_to_value(vm, &err));
	etm_buf_free(&err);
	etm_release(h, text);
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_json[] = {
	{{"ஜேசான்_ஆக்கு", "jEcAZ_Akku", "_toJson"}, 1, ETM_BI_PURE, bi_to_json},
	{{"ஜேசான்_படி", "jEcAZ_pati", "_fromJson"}, 1, ETM_BI_PURE, bi_from_json},
	{{NULL}, 0, 0, NULL}
};
