/*
 * arena.c — chunked bump allocation (see arena.h for why).
 *
 * Chunks are singly linked, newest first; a request larger than the chunk
 * size gets a chunk of its own so that big strings do not waste the tail of
 * the current chunk.  Every allocation is aligned to max_align_t.
 *
 * An arena that has grown past 1 MiB (a scan's findings: ~22 MB for 9,600
 * vulnerability findings) takes 2 MiB chunks aligned to 2 MiB and advised
 * as transparent huge pages: fewer, larger chunks, and the kernel faults
 * them in 2 MiB at a time instead of 4 KiB (bench/vuln, `mamori vuln
 * scan` of 2,000 packages: 7,600 page faults -> 2,800, CPU time -15-20%).
 * Small arenas never pay for it; where THP is off the advice is a no-op.
 */
#include "internal.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct mamori_arena_chunk {
	mamori_arena_chunk *next;
	size_t size; /* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_DEFAULT_CHUNK (64 * 1024)
#define ARENA_HUGE (2u << 20)	     /* a transparent huge page */
#define ARENA_HUGE_AFTER (1u << 20) /* bytes handed out before chunks grow to it */
#define ARENA_ALIGN (alignof(max_align_t))

_Noreturn void mamori_oom(size_t size)
{
	/* write(2) rather than stdio: stdio may itself need memory. */
	static const char msg[] = "mamori: fatal: out of memory\n";
	(void)size;
	ssize_t ignored = write(2, msg, sizeof msg - 1);
	(void)ignored;
	_exit(3);
}

void *mamori_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		mamori_oom(size);
	return p;
}

void *mamori_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mamori_oom(n * size);
	return p;
}

void *mamori_xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		mamori_oom(size);
	return q;
}

char *mamori_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(mamori_xmalloc(n), s, n);
}

void mamori_arena_init(mamori_arena *a, size_t chunk_size)
{
	a->head = NULL;
	a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
	a->total = 0;
}

void mamori_arena_free(mamori_arena *a)
{
	mamori_arena_chunk *c = a->head;
	while (c) {
		mamori_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

/* Uninitialised space: for callers that overwrite all of it at once. */
static void *bump(mamori_arena *a, size_t size)
{
	if (a->chunk_size == 0)
		a->chunk_size = ARENA_DEFAULT_CHUNK;
	if (size > SIZE_MAX - ARENA_ALIGN)
		mamori_oom(size);
	size_t need = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	mamori_arena_chunk *c = a->head;
	if (!c || c->size - c->used < need) {
		bool big = a->total >= ARENA_HUGE_AFTER && a->chunk_size < ARENA_HUGE;
		size_t chunk = big ? ARENA_HUGE - sizeof *c : a->chunk_size;
		size_t cap = need > chunk / 4 ? need : chunk;
		mamori_arena_chunk *n;
		if (cap == chunk && big) {
			void *p = NULL;
			if (posix_memalign(&p, ARENA_HUGE, ARENA_HUGE) != 0)
				mamori_oom(ARENA_HUGE);
#ifdef MADV_HUGEPAGE
			madvise(p, ARENA_HUGE, MADV_HUGEPAGE);
#endif
			n = p;
		} else {
			n = mamori_xmalloc(sizeof *n + cap);
		}
		n->size = cap;
		n->used = 0;
		if (c && cap == need && c->size - c->used >= ARENA_ALIGN * 8) {
			/* A big dedicated chunk: keep filling the current one. */
			n->next = c->next;
			c->next = n;
		} else {
			n->next = c;
			a->head = n;
		}
		c = n;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->total += need;
	return p;
}

void *mamori_arena_alloc(mamori_arena *a, size_t size)
{
	void *p = bump(a, size);
	memset(p, 0, size);
	return p;
}

void *mamori_arena_memdup(mamori_arena *a, const void *p, size_t size)
{
	void *q = bump(a, size);
	if (size)
		memcpy(q, p, size);
	return q;
}

char *mamori_arena_strndup(mamori_arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *q = bump(a, n + 1);
	memcpy(q, s, n);
	q[n] = '\0';
	return q;
}

char *mamori_arena_strdup(mamori_arena *a, const char *s)
{
	return s ? mamori_arena_strndup(a, s, strlen(s)) : NULL;
}

char *mamori_arena_vprintf(mamori_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return mamori_arena_strdup(a, "");
	char *q = bump(a, (size_t)n + 1);
	vsnprintf(q, (size_t)n + 1, fmt, ap);
	return q;
}

char *mamori_arena_printf(mamori_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *q = mamori_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return q;
}
