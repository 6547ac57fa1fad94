/*
 * dt_intel.h — threat intelligence: IP/CIDR and domain lists.
 *
 * Formats: GuardDuty's plain text (one IP, CIDR or domain a line, '#'
 * comments), STIX 2.1 bundles (indicators with [ipv4-addr:value = '...'],
 * [ipv6-addr:value ...], [domain-name:value ...] patterns), and OTX-style
 * CSV (indicator,type[,description]).  Each list has a kind: malicious
 * (the default), tor, crypto, c2, or trusted (suppresses).  Give it as
 * KIND:FILE.  Addresses live in a binary radix tree (longest prefix wins,
 * lookup in at most 128 steps), domains in a hash set matched on every
 * suffix of the name — never a linear scan.
 */
#ifndef MAMORI_DETECT_INTEL_H
#define MAMORI_DETECT_INTEL_H

#include "dt_util.h"

typedef struct dt_intel dt_intel;

enum dt_intel_kind {
	DT_INTEL_NONE = 0,
	DT_INTEL_MALICIOUS,
	DT_INTEL_TOR,
	DT_INTEL_CRYPTO,
	DT_INTEL_C2,
	DT_INTEL_TRUSTED,
};

typedef struct dt_intel_hit {
	int kind;
	const char *list; /* the list's name (file) */
	const char *entry; /* the matching entry as written */
} dt_intel_hit;

dt_intel *dt_intel_new(void);
void dt_intel_free(dt_intel *in);
/* Load "[KIND:]FILE". */
int dt_intel_load(mamori_ctx *ctx, dt_intel *in, const char *spec);
/* Load a list from memory (tests, fuzzing). */
void dt_intel_load_buf(dt_intel *in, int kind, const char *name, const char *buf, size_t len);
size_t dt_intel_problem_count(const dt_intel *in);
const char *dt_intel_problem(const dt_intel *in, size_t i);
void dt_intel_clear_problems(dt_intel *in);

/* Longest-prefix match of a 16-byte address (IPv4 mapped). */
bool dt_intel_ip(const dt_intel *in, const uint8_t addr[16], dt_intel_hit *hit);
/* A domain or any parent domain on a list (trailing dot ignored). */
bool dt_intel_domain(const dt_intel *in, const char *name, size_t n, dt_intel_hit *hit);
size_t dt_intel_size(const dt_intel *in);
bool dt_intel_empty(const dt_intel *in);
const char *dt_intel_kind_name(int kind);

#endif
