/*
 * dt_json.h — a lazy, streaming JSON scanner for log records.
 *
 * Why not cJSON: building a DOM of every CloudTrail record costs more than
 * everything else the detection pillar does (cJSON parses ~175 MB/s here,
 * the target is 250 MB/s for the whole pipeline).  Rules only look at a few
 * dozen of a record's hundreds of members, so the scanner walks a record
 * once, skips what no rule or detector asked for (SSE2 search for quotes
 * and brackets), and records where the wanted values are (dt_jval spans
 * into the input).  Wanted paths form a trie (dt_paths); recursion follows
 * the trie only, so its depth is bounded by the longest wanted path, and
 * skipping is iterative with a bracket stack.  Skipped values are checked
 * for structure (brackets, strings) but not for number syntax.
 */
#ifndef MAMORI_DETECT_JSON_H
#define MAMORI_DETECT_JSON_H

#include "dt_util.h"

enum dt_jtype {
	DT_JNONE = 0,
	DT_JSTR,
	DT_JNUM,
	DT_JTRUE,
	DT_JFALSE,
	DT_JNULL,
	DT_JOBJ,
	DT_JARR,
};

/* A value in the input: strings without their quotes (esc: has escapes);
 * other values as their raw text (objects and arrays with brackets). */
typedef struct dt_jval {
	const char *p;
	uint32_t len;
	uint8_t type;
	uint8_t esc;
} dt_jval;

enum { DT_JS_OK = 0, DT_JS_MORE = 1, DT_JS_ERR = 2 };

/* A set of wanted dotted paths ("userIdentity.sessionContext.sessionIssuer.type"). */
typedef struct dt_pnode dt_pnode;
typedef struct dt_pkid {
	const char *key;
	uint32_t klen;
	int slot;	 /* -1: not wanted itself */
	dt_pnode *child; /* NULL: nothing wanted below */
} dt_pkid;
struct dt_pnode {
	dt_pkid *kids;
	size_t count, cap;
	uint16_t *index; /* hash index when many kids (index_mask + 1 entries) */
	uint32_t index_mask;
};

typedef struct dt_paths {
	dt_pnode root;
	size_t nslots;
	char **names; /* slot -> dotted name */
	size_t names_cap;
	mamori_arena arena;
	bool frozen;
} dt_paths;

void dt_paths_init(dt_paths *ps);
void dt_paths_free(dt_paths *ps);
/* The slot of a dotted path, added if new (before dt_paths_freeze). */
int dt_paths_add(dt_paths *ps, const char *dotted);
/* The slot of a path, or -1. */
int dt_paths_find(const dt_paths *ps, const char *dotted);
/* Build lookup indexes; no more adds. */
void dt_paths_freeze(dt_paths *ps);

/* The values found for each slot of one record. */
typedef struct dt_index {
	dt_jval *vals;
	int32_t *next; /* next value of the same slot, -1 */
	size_t nvals, cap;
	int32_t *first; /* per slot, -1 = absent */
	int32_t *last;
	size_t nslots;
	uint32_t *touched;
	size_t ntouched;
	const char *rec; /* the record's text */
	size_t reclen;
	int depth_limit_hit;
} dt_index;

void dt_index_init(dt_index *ix, size_t nslots);
void dt_index_free(dt_index *ix);
void dt_index_reset(dt_index *ix);
/* Append a value to a slot (the indexer's own step; also used to rebuild
 * an index copied out of the input, see dt_reorder). */
void dt_index_add(dt_index *ix, int slot, const dt_jval *v);
/* Room for n values (an index rebuilt wholesale). */
void dt_index_reserve(dt_index *ix, size_t n);
/* First value of slot (or NULL). */
static inline const dt_jval *dt_index_get(const dt_index *ix, int slot)
{
	if (slot < 0 || (size_t)slot >= ix->nslots || ix->first[slot] < 0)
		return NULL;
	return &ix->vals[ix->first[slot]];
}

/*
 * Index the object starting at *pp ('{').  On DT_JS_OK *pp points after
 * it.  DT_JS_MORE: the input ended inside the object.  DT_JS_ERR: *err and
 * *pp say what and where.
 */
int dt_json_index(dt_index *ix, const dt_paths *ps, const char **pp, const char *end,
		  const char **err);

/* Skip any value at *pp (after whitespace); fills v when not NULL. */
int dt_json_skip(const char **pp, const char *end, dt_jval *v, const char **err);
/* Skip whitespace. */
static inline const char *dt_json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}
/* Parse a string at *pp ('"'): v gets the content span. */
int dt_json_string(const char **pp, const char *end, dt_jval *v);

/*
 * Decode a string value's escapes into out (cap >= v->len + 1 suffices:
 * decoding never grows).  Returns the decoded length.  Invalid escapes are
 * kept as written; \u0000 becomes U+FFFD.
 */
size_t dt_json_unescape(const dt_jval *v, char *out);

/* Iterate the elements of an array value: *it starts at 0. */
bool dt_json_array_next(const dt_jval *arr, size_t *it, dt_jval *elem);
/* Find member key in an object value (exact, no escapes in key). */
bool dt_json_member(const dt_jval *obj, const char *key, dt_jval *out);

#endif
