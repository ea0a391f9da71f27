/* builtins_bytes.c -- text <-> bytes (builtins.tsv, area bytes):
 * பைட்டுகள் (the UTF-8 bytes of a text rendering) and பைட்டுச்_சரம் (an
 * array of whole numbers 0-255 back to text, as a result).  The long runs
 * of spaces in two messages are the reference's, kept exactly (§14.20).
 */
#include "autoconfig.h"

#include <string.h>

#include "builtins.h"

#define MSG_NOT_ARRAY "பைட்டுச்_சரம் ஒரு அணி தேவை  (fromBytes needs an array, got %s)"
/* 35 spaces before the parenthesis. */
#define MSG_NOT_BYTE "இடம் %zu இல் '%s' ஒரு பைட்டு அல்ல" \
	"                                   " \
	"(position %zu: '%s' is not a byte, expected a whole number 0-255)"
/* 27 spaces before the parenthesis. */
#define MSG_NOT_UTF8 "இந்தப் பைட்டுகள் செல்லுபடியான UTF-8 அல்ல" \
	"                           " \
	"(these bytes are not valid UTF-8)"

static int bi_bytes(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value t = etm_to_text(h, a[0]);
	etm_string *s = ETM_STR(t);
	etm_value arr = etm_arr_new(h, s->len);
	etm_arr *r = ETM_ARR(arr);
	for (size_t i = 0; i < s->len; i++)
		r->items[i] = etm_num_int((unsigned char)s->data[i]);
	r->len = s->len;
	etm_release(h, t);
	*out = arr;
	return ETM_BI_OK;
}

/* The byte N names: a number with no fractional part and no negative sign
   (so -0 and -0.5 are refused too), at most 255. */
static int byte_of(etm_dec d, unsigned char *out)
{
	int places;
	int64_t v;
	if (!etm_dec_is_integer(d) || etm_dec_to_places(d, &places) != ETM_DEC_OK
	    || etm_dec_to_int64(d, &v) != ETM_DEC_OK || v > 255)
		return -1;
	*out = (unsigned char)v;
	return 0;
}

static int bi_from_bytes(etm_vm *vm, etm_value *a, etm_value *out)
{
	if (a[0].kind != ETM_ARR)
		return etm_vm_error(vm, MSG_NOT_ARRAY, etm_type_name(a[0]));
	etm_heap *h = etm_vm_heap(vm);
	etm_arr *arr = ETM_ARR(a[0]);
	etm_string *s = etm_str_alloc(h, arr->len);
	etm_value sv;
	sv.kind = ETM_STR;
	sv.as.obj = &s->hdr;
	for (size_t i = 0; i < arr->len; i++) {
		etm_dec d = etm_to_dec(arr->items[i]);
		unsigned char c;
		if (byte_of(d, &c) < 0) {
			char num[ETM_DEC_BUFSZ];
			etm_dec_format_scaled(d, num, sizeof(num));
			etm_release(h, sv);
			return etm_vm_error(vm, MSG_NOT_BYTE, i, num, i, num);
		}
		s->data[i] = (char)c;
	}
	if (etm_str_valid_utf8(s->data, s->len)) {
		*out = etm_result_new(h, true, sv);
	} else {
		etm_release(h, sv);
		*out = etm_result_new(h, false, etm_str_cstr(h, MSG_NOT_UTF8));
	}
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_bytes[] = {
	{{"பைட்டுகள்", "pYttukaL", "_bytes"}, 1, ETM_BI_PURE, bi_bytes},
	{{"பைட்டுச்_சரம்", "pYttuc_caram", "_fromBytes"}, 1, ETM_BI_PURE, bi_from_bytes},
	{{NULL}, 0, 0, NULL}
};
