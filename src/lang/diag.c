/* diag.c -- the list of front-end diagnostics (see struct etm_diag in
 * ast.h) and its printing in the reference CLI's format. */
#include <stdlib.h>
#include <string.h>

#include "ast.h"

void etm_diag_init(struct etm_diag *d)
{
	d->items = NULL;
	d->n = d->cap = 0;
}

void etm_diag_free(struct etm_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	etm_diag_init(d);
}

int etm_diag_add(struct etm_diag *d, enum etm_diag_kind kind, const char *file,
		 uint32_t line, uint32_t column, const char *message)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct etm_diag_item *items = realloc(d->items, cap * sizeof *items);
		if (!items)
			return -1;
		d->items = items;
		d->cap = cap;
	}
	struct etm_diag_item *it = &d->items[d->n];
	it->kind = kind;
	it->line = line;
	it->column = column;
	it->file = file ? strdup(file) : NULL;
	it->message = strdup(message);
	if (!it->message || (file && !it->file)) {
		free(it->file);
		free(it->message);
		return -1;
	}
	d->n++;
	return 0;
}

static int same_file(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

void etm_diag_print(const struct etm_diag *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct etm_diag_item *it = &d->items[i];
		int joined = i > 0 && it->kind == ETM_DIAG_LEX && d->items[i - 1].kind == ETM_DIAG_LEX
			&& same_file(it->file, d->items[i - 1].file);
		if (joined)
			fputs("\n  ", out);
		else if (i > 0)
			fputs("\n", out);
		if (!joined)
			fputs("✗ ", out);
		fputs(it->message, out);
	}
	if (d->n)
		fputs("\n", out);
}
