/* arena.h -- a bump allocator that owns all nodes of one parsed program.
 * Allocation is not thread-safe (one loader fills one arena); freeing the
 * arena releases everything at once. */
#ifndef ETM_ARENA_H
#define ETM_ARENA_H

#include <stddef.h>

struct etm_arena;

struct etm_arena *etm_arena_new(void);	/* NULL when out of memory */
void etm_arena_free(struct etm_arena *a);	/* a may be NULL */

/* SIZE bytes, zero-filled, aligned to 8 bytes (enough for every type that
   does not need more, i.e. not long double); NULL when out of memory. */
void *etm_arena_alloc(struct etm_arena *a, size_t size);

/* A NUL-terminated copy of S[0..len); NULL when out of memory. */
char *etm_arena_strndup(struct etm_arena *a, const char *s, size_t len);

/* Bytes handed out so far (for statistics). */
size_t etm_arena_used(const struct etm_arena *a);

#endif
