/*
 * embedded.h — data files compiled into the binary (cmake/embed.cmake):
 * rule metadata for libmamori, help pages for the CLI.
 */
#ifndef MAMORI_CORE_EMBEDDED_H
#define MAMORI_CORE_EMBEDDED_H

#include <stddef.h>

typedef struct mamori_embedded_file {
	const char *name; /* path relative to the source tree, e.g. "rules/posture/s3.yaml" */
	const unsigned char *data; /* NUL-terminated */
	size_t len;
} mamori_embedded_file;

/* The files under rules/ built into libmamori. */
extern const mamori_embedded_file mamori_embedded_rules[];
extern const size_t mamori_embedded_rules_count;

/* Find a built-in rule file by its path; NULL if absent. */
const mamori_embedded_file *mamori_embedded_rule(const char *name);

#endif
