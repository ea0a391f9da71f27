/* arena.c -- chunked bump allocator (see arena.h).  Chunks grow
 * geometrically up to 1 MiB; requests larger than a chunk get their own. */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct chunk {
	struct chunk *next;
	size_t size;		/* usable bytes in data */
	size_t used;
	alignas(8) unsigned char data[];
};

struct etm_arena {
	struct chunk *head;
	size_t next_size;
	size_t total;
};

/* Every object of the AST needs at most 8-byte alignment (pointers,
   size_t, uint64_t in etm_dec); max_align_t (16 on x86-64) would waste
   memory on the many small nodes. */
#define ALIGN ((size_t)8)
#define FIRST_CHUNK 4096
#define MAX_CHUNK (1u << 20)

struct etm_arena *etm_arena_new(void)
{
	struct etm_arena *a = calloc(1, sizeof *a);
	if (a)
		a->next_size = FIRST_CHUNK;
	return a;
}

void etm_arena_free(struct etm_arena *a)
{
	if (!a)
		return;
	struct chunk *c = a->head;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

void *etm_arena_alloc(struct etm_arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ALIGN - sizeof(struct chunk))
		return NULL;
	size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	struct chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t csize = a->next_size;
		if (csize < size)
			csize = size;
		c = malloc(sizeof *c + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->used = 0;
		if (a->head && size > a->next_size) {
			/* an oversized block: keep filling the current chunk */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
			if (a->next_size < MAX_CHUNK)
				a->next_size *= 2;
		}
	}
	void *p = c->data + c->used;
	c->used += size;
	a->total += size;
	memset(p, 0, size);
	return p;
}

char *etm_arena_strndup(struct etm_arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = etm_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = 0;
	return p;
}

size_t etm_arena_used(const struct etm_arena *a)
{
	return a->total;
}
