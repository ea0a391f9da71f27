/* builtins_file.c -- கோப்பு_சேமி (builtins.tsv, area file): write a text
 * rendering to a file exactly (create or truncate, no newline added), and
 * the whole-file writer it shares with பதிவேற்றம்_சேமி.  Paths are relative
 * to the working directory; failures are தவறு values whose reason has the
 * reference's (Rust) form, "No such file or directory (os error 2)".
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "builtins.h"
#include "builtins_lib.h"

#define MSG_CANNOT_WRITE "கோப்பு '%s' எழுத முடியவில்லை  (cannot write '%s'): %s"

void etm_os_error_append(etm_buf *b, int err)
{
	char tmp[256];
	/* GNU strerror_r: returns the message, maybe not in tmp. */
	const char *s = strerror_r(err, tmp, sizeof(tmp));
	etm_buf_printf(b, "%s (os error %d)", s, err);
}

int etm_file_write(const char *path, size_t pathlen, const void *data,
		   size_t len, etm_buf *err)
{
	if (memchr(path, 0, pathlen)) {
		etm_buf_adds(err, "file name contained an unexpected NUL byte");
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		etm_os_error_append(err, errno);
		return -1;
	}
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			etm_os_error_append(err, e);
			return -1;
		}
		if (n == 0) {
			close(fd);
			etm_buf_adds(err, "failed to write whole buffer");
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0 && errno != EINTR) {
		etm_os_error_append(err, errno);
		return -1;
	}
	return 0;
}

static int bi_file_save(etm_vm *vm, etm_value *a, etm_value *out)
{
	etm_heap *h = etm_vm_heap(vm);
	etm_value path = etm_to_text(h, a[0]);
	etm_value body = etm_to_text(h, a[1]);
	etm_string *p = ETM_STR(path), *b = ETM_STR(body);
	etm_buf err;
	etm_buf_init(&err);
	if (etm_file_write(p->data, p->len, b->data, b->len, &err) == 0) {
		*out = etm_result_new(h, true, etm_num_int((int64_t)b->len));
	} else {
		etm_buf msg;
		etm_buf_init(&msg);
		etm_buf_add(&err, "", 0);
		etm_buf_printf(&msg, MSG_CANNOT_WRITE, p->data, p->data, err.p);
		*out = etm_result_new(h, false, etm_buf_to_value(vm, &msg));
		etm_buf_free(&msg);
	}
	etm_buf_free(&err);
	etm_release(h, path);
	etm_release(h, body);
	return ETM_BI_OK;
}

const etm_builtin_def etm_builtins_file[] = {
	{{"கோப்பு_சேமி", "kOppu_cEmi", "_fileSave"}, 2, 0, bi_file_save},
	{{NULL}, 0, 0, NULL}
};
