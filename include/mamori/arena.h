/*
 * arena.h — region allocation.
 *
 * Findings, parsed documents and rule sets are made of many small strings
 * that live and die together.  An arena hands them out from large chunks and
 * frees them all at once, so that parsers and modules never track individual
 * allocations.  Allocation failure is fatal (see mamori_oom): the library
 * never hands back a NULL from these functions.
 */
#ifndef MAMORI_ARENA_H
#define MAMORI_ARENA_H

#include "common.h"
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mamori_arena_chunk mamori_arena_chunk;

typedef struct mamori_arena {
	mamori_arena_chunk *head; /* newest chunk first */
	size_t chunk_size;	  /* bytes per ordinary chunk; grows for large requests */
	size_t total;		  /* bytes handed out, for statistics */
} mamori_arena;

/* A zeroed arena is valid; init only chooses the chunk size (0 = default). */
MAMORI_API void mamori_arena_init(mamori_arena *a, size_t chunk_size);
MAMORI_API void mamori_arena_free(mamori_arena *a);

/* Zero-filled, aligned for any type. */
MAMORI_API void *mamori_arena_alloc(mamori_arena *a, size_t size);
MAMORI_API void *mamori_arena_memdup(mamori_arena *a, const void *p, size_t size);
/* NULL in, NULL out. */
MAMORI_API char *mamori_arena_strdup(mamori_arena *a, const char *s);
MAMORI_API char *mamori_arena_strndup(mamori_arena *a, const char *s, size_t n);
MAMORI_API char *mamori_arena_printf(mamori_arena *a, const char *fmt, ...) MAMORI_PRINTF(2, 3);
MAMORI_API char *mamori_arena_vprintf(mamori_arena *a, const char *fmt, va_list ap)
	MAMORI_PRINTF(2, 0);

/* Called on allocation failure: prints one line to stderr and exits with 3. */
MAMORI_API _Noreturn void mamori_oom(size_t size);

/* malloc/realloc/calloc/strdup that never return NULL (they call mamori_oom). */
MAMORI_API void *mamori_xmalloc(size_t size);
MAMORI_API void *mamori_xcalloc(size_t n, size_t size);
MAMORI_API void *mamori_xrealloc(void *p, size_t size);
MAMORI_API char *mamori_xstrdup(const char *s);

#ifdef __cplusplus
}
#endif
#endif
