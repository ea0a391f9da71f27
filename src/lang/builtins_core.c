/* builtins_core.c -- the builtins the language core needs (builtins.tsv,
 * area core and result, plus வெளியேறு): length, append, type, text and
 * number conversion, result constructors and inspectors, exit.
 */
#include <string.h>

#include "builtins.h"

static int bi_length(etm_vm *vm, etm_value *a, etm_value *out)
{
	size_t n;
	switch (a[0].kind) {
	case ETM_ARR: n = ETM_ARR(a[0])->len; break;
	case ETM_REC: n = ETM_REC(a[0])->len; break;
	case ETM_STR: n = etm_str_clusters(ETM_STR(a[0])); break;
	default:
		return etm_vm_error(vm, "நீளம் ஒரு அணி/பொருள்/சொல் தேவை  (length needs an array, record or string, got %s)",
				    etm_type_name(a[0]));
	}
	*out = etm_num_int((int64_t)n);
	return ETM_BI_OK;
}

static int bi_append(etm_vm *vm, etm_value *a, etm_value *out)
{
	if (a[0].kind != ETM_ARR)
		return etm_vm_error(vm, "சேர் ஒரு அணி தேவை  (append needs an array, got %s)",
				    etm_type_name(a[0]));
	etm_value arr = a[0], v = a[1];
	a[0] = etm_nil();
	a[1] = etm_nil();
	etm_make_unique(etm_vm_heap(vm), &arr);
	etm_arr_push(etm_vm_heap(vm), &arr, v);
	*out = arr;
	return ETM_BI_OK;
}

static int bi_typeof(etm_vm *vm, etm_value *a, etm_value *out)
{
	*out = etm_str_cstr(etm_vm_heap(vm), etm_type_name(a[0]));
	return ETM_BI_OK;
}

static int bi_ok(etm_vm *vm, etm_value *a, etm_value *out)
{
	*out = etm_result_new(etm_vm_heap(vm), true, a[0]);
	a[0] = etm_nil();
	return ETM_BI_OK;
}

static int bi_err(etm_vm *vm, etm_value *a, etm_value *out)
{
	*out = etm_result_new(etm_vm_heap(vm), false, a[0]);
	a[0] = etm_nil();
	return ETM_BI_OK;
}

static int bi_is_ok(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)vm;
	*out = etm_bool(a[0].kind == ETM_OK);
	return ETM_BI_OK;
}

static int bi_is_err(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)vm;
	*out = etm_bool(a[0].kind == ETM_ERR);
	return ETM_BI_OK;
}

static int inner_text_error(etm_vm *vm, const char *fmt, etm_value inner)
{
	etm_buf b;
	etm_buf_init(&b);
	etm_text_cstr(vm, &b, inner);
	etm_vm_error(vm, fmt, b.p, b.p);
	etm_buf_free(&b);
	return ETM_BI_ERROR;
}

static int bi_unwrap(etm_vm *vm, etm_value *a, etm_value *out)
{
	if (a[0].kind == ETM_OK) {
		*out = etm_ref(ETM_RES(a[0])->inner);
		return ETM_BI_OK;
	}
	if (a[0].kind == ETM_ERR)
		return inner_text_error(vm, "தவறான முடிவை விரித்தது: %s  (unwrap on an error: %s)",
					ETM_RES(a[0])->inner);
	return etm_vm_error(vm, "மதிப்பு க்கு ஒரு முடிவு தேவை  (unwrap needs a result, got %s)",
			    etm_type_name(a[0]));
}

static int bi_unwrap_err(etm_vm *vm, etm_value *a, etm_value *out)
{
	if (a[0].kind == ETM_ERR) {
		*out = etm_ref(ETM_RES(a[0])->inner);
		return ETM_BI_OK;
	}
	if (a[0].kind == ETM_OK)
		return inner_text_error(vm, "வெற்றியான முடிவில் பிழை இல்லை: %s  (there is no error in a successful result: %s)",
					ETM_RES(a[0])->inner);
	return etm_vm_error(vm, "தவறு_மதிப்பு க்கு ஒரு முடிவு தேவை  (it needs a result, got %s)",
			    etm_type_name(a[0]));
}

static int bi_unwrap_or(etm_vm *vm, etm_value *a, etm_value *out)
{
	if (a[0].kind == ETM_OK) {
		*out = etm_ref(ETM_RES(a[0])->inner);
		return ETM_BI_OK;
	}
	if (a[0].kind == ETM_ERR) {
		*out = a[1];
		a[1] = etm_nil();
		return ETM_BI_OK;
	}
	return etm_vm_error(vm, "இயல்பு க்கு ஒரு முடிவு தேவை  (unwrapOr needs a result, got %s)",
			    etm_type_name(a[0]));
}

static int bi_to_string(etm_vm *vm, etm_value *a, etm_value *out)
{
	*out = etm_to_text(etm_vm_heap(vm), a[0]);
	return ETM_BI_OK;
}

static int bi_to_number(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value t = etm_to_text(h, a[0]);
	etm_dec d;
	if (etm_dec_from_string(ETM_STR(t)->data, ETM_STR(t)->len, &d) == ETM_DEC_OK) {
		*out = etm_result_new(h, true, etm_num(d));
	} else {
		etm_buf b;
		etm_buf_init(&b);
		etm_buf_printf(&b, "'%s' ஒரு எண் அல்ல  ('%s' is not a number)",
			       ETM_STR(t)->data, ETM_STR(t)->data);
		*out = etm_result_new(h, false, etm_buf_to_value(vm, &b));
		etm_buf_free(&b);
	}
	etm_release(h, t);
	return ETM_BI_OK;
}

static int bi_exit(etm_vm *vm, etm_value *a, etm_value *out)
{
	(void)out;
	etm_dec d = etm_dec_trunc(etm_to_dec(a[0]));
	int64_t i;
	int code = 1;
	if (etm_dec_to_int64(d, &i) == ETM_DEC_OK && i >= INT32_MIN && i <= INT32_MAX)
		code = (int)i;
	const etm_host *h = etm_vm_host(vm);
	if (h->flush)
		h->flush(h->ud);
	return etm_vm_exit(vm, code);
}

const etm_builtin_def etm_builtins_core[] = {
	{{"நீளம்", "nILam", "_length"}, 1, ETM_BI_PURE, bi_length},
	{{"இணை", "iNY", "_append"}, 2, ETM_BI_PURE | ETM_BI_MOVE_ARG0, bi_append},
	{{"வகை", "vakY", "_typeof"}, 1, ETM_BI_PURE, bi_typeof},
	{{"சரி", "cari", "_ok"}, 1, ETM_BI_PURE, bi_ok},
	{{"தவறு", "qavaRu", "_err"}, 1, ETM_BI_PURE, bi_err},
	{{"சரியா", "cariyA", "_isOk"}, 1, ETM_BI_PURE, bi_is_ok},
	{{"தவறா", "qavaRA", "_isErr"}, 1, ETM_BI_PURE, bi_is_err},
	{{"மதிப்பு", "maqippu", "_unwrap"}, 1, ETM_BI_PURE, bi_unwrap},
	{{"தவறு_மதிப்பு", "qavaRu_maqippu", "_unwrapErr"}, 1, ETM_BI_PURE, bi_unwrap_err},
	{{"இயல்பு", "iyalpu", "_unwrapOr"}, 2, ETM_BI_PURE, bi_unwrap_or},
	{{"சொல்லாக்கு", "collAkku", "_toString"}, 1, ETM_BI_PURE, bi_to_string},
	{{"எண்ணாக்கு", "eNNAkku", "_toNumber"}, 1, ETM_BI_PURE, bi_to_number},
	{{"வெளியேறு", "veLiyERu", "_exit"}, 1, 0, bi_exit},
	{{NULL}, 0, 0, NULL}
};
