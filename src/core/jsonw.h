/*
 * jsonw.h — a streaming JSON writer whose bytes are cJSON's.
 *
 * Why: `mamori vuln scan` of a 2,000-package host prints ~9,600 findings
 * (33 MB of JSON).  Building a cJSON DOM per finding (one malloc per node,
 * the embedded evidence and ASFF extras parsed again) and printing it took
 * ~45% of the command's time (bench/vuln/run).  This writer appends to a
 * reused mamori_buf instead, and writes exactly what cJSON_Print /
 * cJSON_PrintUnformatted would for the same document (tabs, "key":\tvalue,
 * ", " between array elements, cJSON's escapes and number formats), so
 * stored documents hash the same and every existing consumer reads the same
 * bytes.  tests/unit/test_jsonw.c holds it to cJSON; fuzz/fuzz_jsonw.c too.
 *
 * Embedded JSON (a finding's evidence, ASFF extras, resource details) is
 * re-emitted: text that cJSON would print back unchanged ("canonical":
 * compact, cJSON's escapes and number forms — what this writer and
 * cJSON_PrintUnformatted produce) is copied or re-indented in one pass;
 * anything else goes through cJSON_Parse + a DOM walk, as before.
 *
 * Internal to libmamori.
 */
#ifndef MAMORI_CORE_JSONW_H
#define MAMORI_CORE_JSONW_H

#include "json.h"

/* cJSON refuses deeper input (CJSON_NESTING_LIMIT); a few levels of ours on top */
#define MAMORI_JW_MAX_DEPTH 1040

typedef struct mamori_jw {
	mamori_buf *out;
	bool pretty;
	bool after_key;	 /* the next value belongs to the key just written */
	unsigned depth;	 /* cJSON's print depth: +1 per open object or array */
	unsigned char level[MAMORI_JW_MAX_DEPTH + 1]; /* per depth: bit 0 has items, bit 1 object */
} mamori_jw;

/* A point to return to when an embedded value turns out unusable. */
typedef struct mamori_jw_mark {
	size_t len;
	unsigned depth;
	unsigned char level;
	bool after_key;
} mamori_jw_mark;

void mamori_jw_init(mamori_jw *w, mamori_buf *out, bool pretty);

void mamori_jw_obj(mamori_jw *w);
void mamori_jw_obj_end(mamori_jw *w);
void mamori_jw_arr(mamori_jw *w);
void mamori_jw_arr_end(mamori_jw *w);
/* A member's key (escaped as needed); the next call writes its value. */
void mamori_jw_key(mamori_jw *w, const char *key);
void mamori_jw_keyn(mamori_jw *w, const char *key, size_t n);

/* A key already quoted and escaped (q[0..n) includes the quotes); the
 * macros take a string literal that needs no escaping. */
void mamori_jw_key_quoted(mamori_jw *w, const char *q, size_t n);
#define MAMORI_JW_KEY(w, lit) mamori_jw_key_quoted((w), "\"" lit "\"", sizeof(lit) + 1)
#define MAMORI_JW_KSTR(w, lit, s)                                                              \
	do {                                                                                   \
		const char *s_ = (s);                                                          \
		if (s_) {                                                                      \
			MAMORI_JW_KEY(w, lit);                                                 \
			mamori_jw_str(w, s_);                                                  \
		}                                                                              \
	} while (0)

/* Values.  str(NULL) is "" (as cJSON prints a NULL valuestring). */
void mamori_jw_str(mamori_jw *w, const char *s);
void mamori_jw_strn(mamori_jw *w, const char *s, size_t n);
/* A number as cJSON prints one made by cJSON_CreateNumber(d). */
void mamori_jw_num(mamori_jw *w, double d);
void mamori_jw_bool(mamori_jw *w, bool b);
void mamori_jw_null(mamori_jw *w);

/* Members with a string value; nothing when s is NULL (mamori_json_add_str). */
void mamori_jw_kstr(mamori_jw *w, const char *key, const char *s);

/* A cJSON value, as cJSON prints it at this place. */
void mamori_jw_cjson(mamori_jw *w, const cJSON *v);

/*
 * Embedded JSON text json[0..len) as one value, exactly as
 * cJSON_ParseWithLength + print would render it here.  Returns false and
 * writes nothing when the text is not canonical (see above): the caller
 * then parses it with cJSON.
 */
bool mamori_jw_canonical(mamori_jw *w, const char *json, size_t len);
/* The same for the one value at the start of json: the bytes it took, 0
 * (nothing written) when it is not canonical. */
size_t mamori_jw_canonical_value(mamori_jw *w, const char *json, size_t len);

/* The length of the canonical string literal at p (quotes included), 0 if
 * none; *escaped tells whether it holds an escape sequence. */
size_t mamori_jw_canonical_string(const char *p, const char *end, bool *escaped);

void mamori_jw_mark_get(const mamori_jw *w, mamori_jw_mark *m);
void mamori_jw_mark_restore(mamori_jw *w, const mamori_jw_mark *m);

#endif
