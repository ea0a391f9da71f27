/*
 * multipart.c -- multipart/form-data parsing for eTamil handlers (see
 * multipart.h and language spec §11.9).  The body is searched for
 * CRLF "--" boundary, with a CRLF assumed before the body (so a body that
 * starts with "--boundary" has its first delimiter there); the text between
 * two delimiters is a part when it starts with CRLF and holds a blank line
 * separating its headers from its bytes.  A delimiter followed by "--" ends
 * the parse.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "multipart.h"

static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void
trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

static void
trim_quotes(const char **s, size_t *n)
{
    while (*n && **s == '"') {
        (*s)++;
        (*n)--;
    }
    while (*n && (*s)[*n - 1] == '"')
        (*n)--;
}

static const char *
find(const char *h, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0 || nlen > hlen)
        return NULL;
    return memmem(h, hlen, needle, nlen);
}

/* The parameter WANTED of a header value "x; a=b; c="d"": pieces after the
 * first ';', names compared case-insensitively, the first match wins. */
static int
parameter(const char *v, size_t vlen, const char *wanted, const char **out, size_t *olen)
{
    const char *end = v + vlen;
    const char *p = memchr(v, ';', vlen);
    while (p && p < end) {
        const char *piece = p + 1;
        const char *next = memchr(piece, ';', (size_t)(end - piece));
        size_t plen = (size_t)((next ? next : end) - piece);
        const char *eq = memchr(piece, '=', plen);
        if (eq) {
            const char *n = piece;
            size_t nl = (size_t)(eq - piece);
            trim(&n, &nl);
            if (nl == strlen(wanted) && strncasecmp(n, wanted, nl) == 0) {
                const char *val = eq + 1;
                size_t vl = (size_t)(piece + plen - val);
                trim(&val, &vl);
                trim_quotes(&val, &vl);
                *out = val;
                *olen = vl;
                return 1;
            }
        }
        p = next;
    }
    return 0;
}

int
multipart_boundary(const char *ctype, size_t len, const char **b, size_t *blen)
{
    static const char mf[] = "multipart/form-data";
    const char *s = ctype;
    size_t n = len;
    while (n && is_blank(*s)) {
        s++;
        n--;
    }
    if (n < sizeof mf - 1 || strncasecmp(s, mf, sizeof mf - 1) != 0)
        return 0;
    const char *v;
    size_t vl;
    if (!parameter(ctype, len, "boundary", &v, &vl) || vl == 0)
        return 0;
    *b = v;
    *blen = vl;
    return 1;
}

static int
push(struct mp_parts *out, const struct mp_part *p)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 8;
        void *v = realloc(out->v, cap * sizeof *out->v);
        if (!v)
            return -1;
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n++] = *p;
    return 0;
}

/* One part between two delimiters: seg/slen after the delimiter. */
static int
parse_part(const char *seg, size_t slen, struct mp_parts *out)
{
    if (slen < 2 || seg[0] != '\r' || seg[1] != '\n')
        return 0;
    seg += 2;
    slen -= 2;
    const char *gap = find(seg, slen, "\r\n\r\n", 4);
    if (!gap)
        return 0;
    struct mp_part part = { 0 };
    int has_name = 0;
    const char *line = seg, *hend = gap;
    while (line < hend) {
        const char *nl = memchr(line, '\n', (size_t)(hend - line));
        const char *lend = nl ? nl : hend;
        size_t ll = (size_t)(lend - line);
        if (ll && line[ll - 1] == '\r')
            ll--;
        const char *colon = memchr(line, ':', ll);
        if (colon) {
            const char *hn = line;
            size_t hl = (size_t)(colon - line);
            trim(&hn, &hl);
            const char *val = colon + 1;
            size_t vl = (size_t)(line + ll - val);
            if (hl == 19 && strncasecmp(hn, "content-disposition", 19) == 0) {
                has_name = parameter(val, vl, "name", &part.name, &part.name_len);
                if (!parameter(val, vl, "filename", &part.filename, &part.filename_len))
                    part.filename = NULL;
            } else if (hl == 12 && strncasecmp(hn, "content-type", 12) == 0) {
                trim(&val, &vl);
                part.type = val;
                part.type_len = vl;
            }
        }
        line = nl ? nl + 1 : hend;
    }
    if (!has_name)
        return 0;
    if (part.filename && part.filename_len == 0)
        part.filename = gap;        /* present but empty: still a file */
    part.data = gap + 4;
    part.data_len = slen - (size_t)(gap + 4 - seg);
    return push(out, &part);
}

int
multipart_parse(const char *body, size_t len, const char *boundary, size_t blen,
                struct mp_parts *out)
{
    out->n = 0;
    if (blen == 0)
        return 0;
    /* the delimiter is CRLF "--" boundary */
    size_t dlen = blen + 4;
    char *delim = malloc(dlen);
    if (!delim)
        return -1;
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);

    /* Positions are body offsets of the delimiter's first byte; the
     * imagined CRLF before the body makes the first one -2. */
    ssize_t prev;
    size_t cursor;
    int have_prev = 0;
    if (len >= blen + 2 && memcmp(body, "--", 2) == 0 && memcmp(body + 2, boundary, blen) == 0) {
        prev = -2;
        cursor = blen + 2;
        have_prev = 1;
    } else {
        prev = 0;
        cursor = 0;
    }
    int rc = 0;
    for (;;) {
        const char *m = find(body + cursor, len - cursor, delim, dlen);
        if (!m)
            break;
        ssize_t at = m - body;
        cursor = (size_t)at + dlen;
        if (have_prev) {
            size_t begin = (size_t)(prev + (ssize_t)dlen);
            if (len - begin >= 2 && body[begin] == '-' && body[begin + 1] == '-')
                break;
            if (parse_part(body + begin, (size_t)at - begin, out) < 0) {
                rc = -1;
                break;
            }
        }
        prev = at;
        have_prev = 1;
    }
    free(delim);
    return rc;
}

void
multipart_free(struct mp_parts *p)
{
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}
