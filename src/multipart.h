/*
 * multipart.h -- multipart/form-data bodies as eTamil handlers see them
 * (language spec §11.9): the boundary of a Content-Type value, and the
 * parts of a body.  Parts point into the body (no copies); nothing here
 * allocates except the growing part array.
 */
#ifndef ETD_MULTIPART_H
#define ETD_MULTIPART_H

#include <stddef.h>

struct mp_part {
    const char *name;               /* Content-Disposition name= (quotes trimmed) */
    size_t name_len;
    const char *filename;           /* filename=, or NULL when absent (a text field) */
    size_t filename_len;
    const char *type;               /* Content-Type of the part, or NULL */
    size_t type_len;
    const char *data;               /* the part's bytes, inside the body */
    size_t data_len;
};

struct mp_parts {
    struct mp_part *v;
    size_t n, cap;
};

/* The boundary= parameter of a Content-Type value that starts (after
 * blanks, case-insensitively) with multipart/form-data: 1 with *b / *blen
 * set (quotes stripped, never empty), else 0. */
int multipart_boundary(const char *ctype, size_t len, const char **b, size_t *blen);

/* Split body into parts (arrival order; parts without a name skipped).
 * out is emptied first and may be reused.  0, or -1 out of memory. */
int multipart_parse(const char *body, size_t len, const char *boundary, size_t blen,
                    struct mp_parts *out);
void multipart_free(struct mp_parts *p);

#endif
