/* builtins_server.c -- the server builtins (builtins.tsv, area server;
 * spec §11.7, §11.9): பதில்_கோப்பு names a file to send as the response
 * body by setting the globals response_status, response_file and
 * response_headers (the daemon reads them after the run);
 * பதிவேற்றம்_சேமி writes one uploaded file of the current multipart
 * request, whose bytes come from the host (etm_host.upload).
 */
#include "autoconfig.h"

#include <string.h>
#include <sys/stat.h>

#include "builtins.h"
#include "builtins_lib.h"

#define MSG_NO_FILE "கோப்பு '%s' இல்லை  (no such file '%s')"
#define MSG_NO_UPLOAD "பதிவேற்றம் %s இல்லை  (no upload at %s)"
#define MSG_CANNOT_WRITE "கோப்பு '%s' எழுத முடியவில்லை  (cannot write '%s'): %s"

static etm_value err_text(etm_vm *vm, etm_buf *b)
{
	return etm_result_new(etm_vm_heap(vm), false, etm_buf_to_value(vm, b));
}

static int bi_respond_file(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_dec status = etm_to_dec(a[0]);
	etm_value path = etm_to_text(h, a[1]);
	etm_string *p = ETM_STR(path);
	struct stat st;
	if (memchr(p->data, 0, p->len) || stat(p->data, &st) < 0 || !S_ISREG(st.st_mode)) {
		etm_buf b;
		etm_buf_init(&b);
		etm_buf_printf(&b, MSG_NO_FILE, p->data, p->data);
		*out = err_text(vm, &b);
		etm_buf_free(&b);
		etm_release(h, path);
		return ETM_BI_OK;
	}
	/* The compiler declares the three response globals in every program,
	   so these cannot fail. */
	etm_vm_set_global_name(vm, "response_status", etm_num(status));
	etm_vm_set_global_name(vm, "response_file", path);
	etm_vm_set_global_name(vm, "response_headers", a[2]);
	a[2] = etm_nil();
	*out = etm_result_new(h, true, etm_nil());
	return ETM_BI_OK;
}

static int bi_save_upload(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_dec idx = etm_to_dec(a[0]);
	int places;
	const void *data = NULL;
	size_t len = 0;
	const etm_host *host = etm_vm_host(vm);
	/* The index is truncated; a negative sign or a huge value names no
	   upload. */
	bool found = etm_dec_to_places(idx, &places) == ETM_DEC_OK
		     && host->upload
		     && host->upload(host->ud, (size_t)places, &data, &len) == 0;
	etm_buf b;
	etm_buf_init(&b);
	if (!found) {
		char num[ETM_DEC_BUFSZ];
		etm_dec_format_scaled(idx, num, sizeof(num));
		etm_buf_printf(&b, MSG_NO_UPLOAD, num, num);
		*out = err_text(vm, &b);
		etm_buf_free(&b);
		return ETM_BI_OK;
	}
	etm_value path = etm_to_text(h, a[1]);
	etm_string *p = ETM_STR(path);
	etm_buf err;
	etm_buf_init(&err);
	if (etm_file_write(p->data, p->len, data, len, &err) == 0) {
		*out = etm_result_new(h, true, etm_num_int((int64_t)len));
	} else {
		etm_buf_printf(&b, MSG_CANNOT_WRITE, p->data, p->data, err.p);
		*out = err_text(vm, &b);
	}
	etm_buf_free(&err);
	etm_buf_free(&b);
	etm_release(h, path);
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_server[] = {
	{{"பதில்_கோப்பு", "paDil_kOppu", "_respondFile"}, 3, 0, bi_respond_file},
	{{"பதிவேற்றம்_சேமி", "paqivERRam_cEmi", "_saveUpload"}, 2, 0, bi_save_upload},
	{{NULL}, 0, 0, NULL}
};
