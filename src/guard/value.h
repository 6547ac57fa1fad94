/*
 * value.h — the Guard value model: what documents and rule literals are made of.
 *
 * cJSON cannot be used here: Guard distinguishes IS_INT from IS_FLOAT and
 * never coerces one into the other (10 > 5.0 is "not comparable"), it has
 * regexes, characters and ranges as first-class literals, and every value
 * must know where it came from (path and line:col) for evidence.  So the
 * pillar has its own immutable tree, allocated in an arena per document:
 *
 *   - a node knows its parent and its position in it, so the path
 *     "/Resources/B/Properties/X" is computed on demand instead of stored;
 *   - strings point into the arena (never NUL-terminated by contract: use
 *     s.len), maps keep their keys as string nodes in insertion order, the
 *     way cfn-guard's IndexMap does;
 *   - equality and ordering follow cfn-guard 3.1.1 exactly (compare_eq,
 *     compare_values, and the PartialEq used by IN and list membership).
 *
 * Recursive helpers (equality, printing) are bounded by the loaders' depth
 * limit, MG_MAX_DEPTH, so no document can exhaust the stack.
 */
#ifndef MAMORI_GUARD_VALUE_H
#define MAMORI_GUARD_VALUE_H

#include "mamori/arena.h"
#include "mamori/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting a loaded document (or json_parse result) may have. */
#define MG_MAX_DEPTH 1000

typedef enum mg_type {
	MG_NULL = 0,
	MG_STRING,
	MG_REGEX,
	MG_BOOL,
	MG_INT,
	MG_FLOAT,
	MG_CHAR,
	MG_LIST,
	MG_MAP,
	MG_RANGE_INT,
	MG_RANGE_FLOAT,
	MG_RANGE_CHAR,
} mg_type;

/* Range bound flags (cfn-guard's LOWER_INCLUSIVE / UPPER_INCLUSIVE). */
#define MG_LOWER_INCL 0x1
#define MG_UPPER_INCL 0x2

/* Node flags. */
#define MG_F_KEY 0x1 /* a map key node: its path is the path of its value */

typedef struct mg_value mg_value;

struct mg_value {
	uint8_t type;
	uint8_t incl;  /* ranges: MG_LOWER_INCL | MG_UPPER_INCL */
	uint8_t flags; /* MG_F_* */
	uint8_t pad_;
	uint32_t idx;  /* position in the parent list/map */
	uint32_t line; /* 1-based; 0 = unknown (literals, computed values) */
	uint32_t col;
	const mg_value *parent; /* NULL for a root */
	union {
		struct {
			const char *p;
			uint32_t len;
			void *re; /* MG_REGEX: compiled pattern (rules only), or NULL */
		} s;
		int64_t i;
		double f;
		bool b;
		uint32_t c; /* MG_CHAR: a Unicode scalar value */
		struct {
			mg_value **v;
			uint32_t n;
		} list;
		struct {
			mg_value **k; /* MG_STRING nodes, insertion order */
			mg_value **v;
			uint32_t n;
		} map;
		struct {
			int64_t lo, hi;
		} ri;
		struct {
			double lo, hi;
		} rf;
		struct {
			uint32_t lo, hi;
		} rc;
	};
};

/* Reserve room in b and keep it NUL-terminated (mamori_buf_reserve alone does
 * not terminate a buffer that was still empty). */
static inline void mg_buf_ready(mamori_buf *b, size_t n)
{
	mamori_buf_reserve(b, n);
	b->data[b->len] = '\0';
}

/* cfn-guard's type names, as its messages print them ("int", "String"...). */
const char *mg_type_name(const mg_value *v);

static inline bool mg_is_scalar(const mg_value *v)
{
	return v->type != MG_LIST && v->type != MG_MAP;
}

/* Constructors (the node is zeroed; strings are copied into the arena). */
mg_value *mg_new(mamori_arena *a, mg_type t);
mg_value *mg_new_str(mamori_arena *a, mg_type t, const char *s, size_t len);
mg_value *mg_new_int(mamori_arena *a, int64_t i);
mg_value *mg_new_float(mamori_arena *a, double f);
mg_value *mg_new_bool(mamori_arena *a, bool b);
/* A shallow copy carrying `like`'s parent/position, so that its path is the same. */
mg_value *mg_new_like(mamori_arena *a, const mg_value *like, mg_type t);

/* Map lookup by key (exact bytes); NULL when absent or v is not a map. */
const mg_value *mg_map_get(const mg_value *v, const char *key, size_t len);
/* Index of key in the map, or -1. */
long mg_map_find(const mg_value *v, const char *key, size_t len);

/*
 * Scalar typing of a plain (unquoted) YAML scalar or a JSON number, the way
 * cfn-guard's loader types it: null|Null|NULL|~ -> null, an i64 -> int, a
 * Rust f64 (incl. inf, infinity, nan, 1., .5, 1e5) -> float, true|false ->
 * bool, anything else -> string.  Fills *out (type and payload; the string
 * payload is not set: the caller keeps its own copy).
 */
void mg_type_plain_scalar(const char *s, size_t len, mg_value *out);
/* Rust's i64::from_str and f64::from_str. */
bool mg_parse_i64(const char *s, size_t len, int64_t *out);
bool mg_parse_f64(const char *s, size_t len, double *out);

/* ---- comparison (path_value.rs) ---- */

typedef enum mg_cmp_result {
	MG_CMP_FALSE = 0,
	MG_CMP_TRUE = 1,
	MG_CMP_NOT_COMPARABLE = -1, /* Error::NotComparable */
	MG_CMP_REGEX_ERROR = -2,    /* the regex could not be compiled or run */
} mg_cmp_result;

typedef struct mg_rx mg_rx; /* per-thread regex matching state (regex.h) */

/* compare_eq: strings vs regexes match (unanchored), maps by key set, lists by order. */
int mg_compare_eq(mg_rx *rx, const mg_value *a, const mg_value *b);
/* compare_values ordering: -1/0/1 in *ord, or MG_CMP_NOT_COMPARABLE. */
int mg_compare_values(const mg_value *a, const mg_value *b, int *ord);
int mg_compare_lt(const mg_value *a, const mg_value *b);
int mg_compare_le(const mg_value *a, const mg_value *b);
int mg_compare_gt(const mg_value *a, const mg_value *b);
int mg_compare_ge(const mg_value *a, const mg_value *b);
/* PartialEq: like compare_eq but errors are false; used by IN and contains(). */
bool mg_value_equal(mg_rx *rx, const mg_value *a, const mg_value *b);

/* ---- paths and printing ---- */

/* "/Resources/B/Properties/X" ("" for a root). */
void mg_path(const mg_value *v, mamori_buf *out);
/* The value as JSON (regexes as "/re/", ranges as "[lo,hi)"); compact. */
void mg_to_json(const mg_value *v, mamori_buf *out);
/* s[0..n) as a JSON string, escaped as serde_json does (\b \f \n \r \t,
 * other controls as \u00XX, everything else as it is) */
void mg_json_str(const char *s, size_t n, mamori_buf *out);
/* f64 the way Rust's Display prints it: shortest round-trip digits, never an
 * exponent (1e20 -> "100000000000000000000", 100.0 -> "100"). */
void mg_fmt_f64_rust(double f, mamori_buf *out);
/* f64 the way serde_json and serde_yaml print it (the ryu crate): always a
 * point or an exponent (5.0, 0.0001, 1.5e-7, 1.2345678901234568e16). */
void mg_fmt_f64_ryu(double f, mamori_buf *out);
/* A short human rendering for messages (strings unquoted at top level). */
void mg_to_display(const mg_value *v, mamori_buf *out);

#endif
