/*
 * common.h — what every libmamori header needs: the export macro, the
 * library version, and the opaque types passed between modules.
 *
 * libmamori is the library behind the `mamori` CLI, the way libcurl is behind
 * curl.  Every function is named mamori_<module>_<verb>; every function that
 * can fail returns an int status (0 = MAMORI_OK, negative = a mamori_status)
 * and leaves a human-readable message in its mamori_ctx (see error.h).
 */
#ifndef MAMORI_COMMON_H
#define MAMORI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define MAMORI_API __attribute__((visibility("default")))
#define MAMORI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MAMORI_API
#define MAMORI_PRINTF(fmt, args)
#endif

#define MAMORI_VERSION_MAJOR 0
#define MAMORI_VERSION_MINOR 1
#define MAMORI_VERSION_PATCH 0
#define MAMORI_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mamori_ctx mamori_ctx;
typedef struct mamori_store mamori_store;
typedef struct mamori_findings mamori_findings;
typedef struct mamori_registry mamori_registry;

/* The value of a hexadecimal digit (either case), or -1. */
static inline int mamori_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The version this library was built as, e.g. "0.1.0". */
MAMORI_API const char *mamori_version(void);

#ifdef __cplusplus
}
#endif
#endif
