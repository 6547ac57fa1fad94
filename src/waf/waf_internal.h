/*
 * waf_internal.h — the WAF engine's inner model, shared by src/waf/.
 *
 * Compilation turns the WebACL JSON into rules whose statements point at
 * *inputs*: an input is one field of the request (FieldToMatch) seen through
 * one chain of text transformations.  Inputs form a tree — (field, [URL_DECODE,
 * LOWERCASE]) is derived from (field, [URL_DECODE]) — so that every decoded
 * value is computed at most once per request, whatever the number of rules
 * that read it.  Each input may carry a Vectorscan database holding every
 * literal and regex that some statement looks for in it: one scan per input
 * per request says which statements can possibly match, and only those run
 * their exact check (memmem, PCRE2 JIT, a detector).
 *
 * Per-request state lives in mamori_waf_eval, invalidated by bumping a
 * generation number instead of clearing arrays.
 */
#ifndef MAMORI_WAF_INTERNAL_H
#define MAMORI_WAF_INTERNAL_H

#include "internal.h"
#include "json.h"
#include "mamori/waf.h"

#include <pthread.h>

#define WAF_DEFAULT_BODY_LIMIT 8192
#define WAF_MAX_HEADERS 200	  /* AWS inspects the first 200 headers/cookies */
#define WAF_MAX_HEADER_BYTES 8192 /* ... and their first 8 KB */
#define WAF_MAX_CHAIN 10	  /* AWS allows 10 transformations per statement */
#define WAF_MAX_DEPTH 20	  /* statement nesting */
#define WAF_MATCH_EXCERPT 120	  /* bytes of matched data kept for logs */

typedef struct wstr {
	const char *p;
	size_t n;
} wstr;

/* ---- text transformations (transform.c) ---- */
enum {
	TX_NONE = 0,
	TX_COMPRESS_WHITE_SPACE,
	TX_HTML_ENTITY_DECODE,
	TX_LOWERCASE,
	TX_CMD_LINE,
	TX_URL_DECODE,
	TX_BASE64_DECODE,
	TX_HEX_DECODE,
	TX_MD5,
	TX_REPLACE_COMMENTS,
	TX_ESCAPE_SEQ_DECODE,
	TX_SQL_HEX_DECODE,
	TX_CSS_DECODE,
	TX_JS_DECODE,
	TX_NORMALIZE_PATH,
	TX_NORMALIZE_PATH_WIN,
	TX_REMOVE_NULLS,
	TX_REPLACE_NULLS,
	TX_BASE64_DECODE_EXT,
	TX_URL_DECODE_UNI,
	TX_UTF8_TO_UNICODE,
	TX_COUNT
};
int waf_tx_parse(const char *name);
const char *waf_tx_name(int tx);
/* Largest output tx can produce from n bytes. */
size_t waf_tx_bound(int tx, size_t n);
/* Does tx surely leave in[0..n) as it is?  (a quick look: false when unsure) */
bool waf_tx_identity(int tx, const unsigned char *in, size_t n);
/* Apply tx to in[0..n) writing at most waf_tx_bound() bytes to out; returns the length. */
size_t waf_tx_apply(int tx, const unsigned char *in, size_t n, unsigned char *out);

/* Decoders the detectors use on their own (decode.c). */
size_t waf_url_decode(const unsigned char *in, size_t n, unsigned char *out, bool plus, bool uni);
size_t waf_html_decode(const unsigned char *in, size_t n, unsigned char *out);
size_t waf_utf8_put(unsigned char *out, uint32_t cp);

/* ---- fields (field.c) ---- */
enum waf_fkind {
	FK_URI_PATH,
	FK_QUERY_STRING,
	FK_SINGLE_QUERY_ARG,
	FK_ALL_QUERY_ARGS,
	FK_METHOD,
	FK_SINGLE_HEADER,
	FK_HEADERS,
	FK_COOKIES,
	FK_BODY,
	FK_JSON_BODY,
	FK_HEADER_ORDER,
	FK_ARGS, /* mamori: query and body parameters, parsed by content type */
	FK_URI,	 /* mamori: the whole request-target */
};
enum { SC_ALL = 0, SC_KEY, SC_VALUE };
enum { OV_CONTINUE = 0, OV_MATCH, OV_NO_MATCH };
enum { JI_NONE = 0, JI_MATCH, JI_NO_MATCH, JI_EVALUATE_AS_STRING };

typedef struct waf_field {
	int kind;
	int scope;
	int oversize;
	int json_invalid;
	const char *name;    /* SingleHeader / SingleQueryArgument, lower-cased */
	const char **names;  /* MatchPattern Included/Excluded (headers lower-cased) */
	size_t name_count;
	bool exclude;	     /* names are excluded, not included */
	const char *key;     /* canonical description, for de-duplication */
	const char *location; /* AWS log location: URI, HEADER, BODY, ... */
} waf_field;

/* One value to inspect: a header value, a cookie name, a JSON string... */
typedef struct waf_elem {
	const char *p;
	size_t n;
	const char *name; /* what it belongs to (header, argument), for logs */
	size_t name_len;
} waf_elem;

/* An input: a field seen through a chain of transformations. */
typedef struct waf_input {
	int field;
	int parent; /* input with one transformation less; -1 for the raw field */
	int tx;	    /* the transformation applied to parent's values */
	unsigned char chain[WAF_MAX_CHAIN];
	int chain_len;
	/* prefilter: Vectorscan databases of this input's patterns (prefilter.c) */
	struct waf_pf *pf;
	int pat_base; /* global index of its first pattern */
	int pat_count;
} waf_input;

/* ---- compiled statements (stmt_*.c, stmt_table.c) ---- */
typedef struct waf_stmt waf_stmt;
typedef struct waf_compiler waf_compiler;

typedef struct waf_stmt_type {
	const char *name; /* JSON key, e.g. "ByteMatchStatement" */
	int (*compile)(waf_compiler *c, const cJSON *j, waf_stmt *s);
	bool (*eval)(mamori_waf_eval *ev, const waf_stmt *s);
	bool nestable; /* may appear inside And/Or/Not and scope-downs */
} waf_stmt_type;

struct waf_stmt {
	const waf_stmt_type *type;
	int input; /* -1 when the statement reads no field */
	int pattern; /* first global prefilter pattern id, -1 if none */
	int pattern_count; /* its patterns are pattern .. pattern + pattern_count - 1 */
	void *u;     /* type-specific */
	waf_stmt **kids;
	size_t kid_count;
};

const waf_stmt_type *waf_stmt_type_find(const char *key);
const waf_stmt_type *const *waf_stmt_types(size_t *count);

/* ---- actions, rules, groups ---- */
typedef struct waf_action {
	int kind; /* mamori_waf_action */
	int status;
	const char *body;
	const char *content_type;
	mamori_waf_header *headers; /* response headers (Block) or inserted headers */
	size_t header_count;
} waf_action;

typedef struct waf_group waf_group;

typedef struct waf_rule {
	const char *name;
	long priority;
	waf_stmt *stmt;
	waf_action action;
	bool has_action; /* false for group references (OverrideAction) */
	bool override_count;
	const char **labels;
	size_t label_count;
	const char *cls; /* mamori: attack class of a managed rule, or NULL */
	/* group references */
	const waf_group *group;
	bool *excluded;	       /* per group rule */
	waf_action **overrides; /* per group rule, NULL = keep */
	waf_stmt *scope_down;
	bool rate_based;
} waf_rule;

struct waf_group {
	const char *name;
	const char *vendor;
	const char *label_ns; /* e.g. "awswaf:managed:aws:core-rule-set:" */
	waf_rule *rules;
	size_t count;
	bool managed;
};

/* ---- rate-based state (stmt_rate.c) ---- */
typedef struct waf_rate waf_rate;
void waf_rate_free(waf_rate *r);

/* ---- the compiled WebACL ---- */
/* Vectorscan's hs_scan signature (prefilter.c picks the implementation). */
struct hs_database;
struct hs_scratch;
typedef int (*waf_hs_scan_fn)(const struct hs_database *db, const char *data, unsigned len,
			      unsigned flags, struct hs_scratch *scratch,
			      int (*on_match)(unsigned id, unsigned long long from,
					      unsigned long long to, unsigned flags, void *ctx),
			      void *ctx);

typedef struct waf_custom_body {
	const char *key;
	const char *content_type;
	const char *content;
} waf_custom_body;

struct mamori_waf_acl {
	mamori_arena arena;
	const char *name, *arn, *id, *account;
	waf_action default_action;
	waf_rule *rules;
	size_t rule_count;
	waf_field *fields;
	size_t field_count, field_cap;
	waf_input *inputs;
	size_t input_count, input_cap;
	waf_group **groups; /* every group compiled (references share them) */
	size_t group_count;
	waf_custom_body *bodies;
	size_t body_count;
	size_t body_limit;
	int challenge;
	void *geo_db; /* MMDB_s */
	void *asn_db;
	waf_rate **rates; /* owned by rate statements, freed with the ACL */
	size_t rate_count;
	/* prefilter patterns before the databases are built */
	waf_hs_scan_fn hs_scan; /* hs_scan, or an implementation that passed the self-test */
	struct waf_pattern *patterns;
	size_t pattern_count, pattern_cap;
	size_t literal_max; /* literals in the largest input's database */
	/* the bytes regexes need (waf_regex_finish): each one's bit, or 0 */
	uint64_t byte_bit[256];
	bool uses_body_params;
	/* regexes and other objects needing a destructor */
	void **regexes;
	size_t regex_count, regex_cap;
};

/* ---- the compiler (acl_compile.c) ---- */
struct waf_compiler {
	mamori_ctx *ctx;
	const char *file;
	mamori_waf_acl *acl;
	const mamori_waf_options *opts;
	char path[1024]; /* the JSON path being compiled, "$.Rules[2].Statement" */
	size_t path_len;
	const cJSON *ip_sets, *regex_sets, *rule_groups;
	const char *label_ns; /* namespace for rule labels at this level */
	int depth;
	bool in_group;
	bool managed; /* compiling mamori's own groups: extensions allowed */
};

/* Path helpers: push returns the previous length to restore with pop. */
size_t waf_path_push(waf_compiler *c, const char *fmt, ...) MAMORI_PRINTF(2, 3);
void waf_path_pop(waf_compiler *c, size_t len);
/* Record an input error at the current path (plus an optional member). */
int waf_err(waf_compiler *c, const char *member, const char *fmt, ...) MAMORI_PRINTF(3, 4);

/* Members: required ones report their absence. */
const cJSON *waf_req(waf_compiler *c, const cJSON *obj, const char *key, int type);
const char *waf_req_str(waf_compiler *c, const cJSON *obj, const char *key);
int waf_enum(waf_compiler *c, const cJSON *obj, const char *key, const char *const *names,
	     bool required, int dflt);

/* Compile one statement object ({"XxxStatement": {...}}). */
int waf_compile_stmt(waf_compiler *c, const cJSON *j, bool nested, waf_stmt **out);
/* FieldToMatch + TextTransformations of a statement body: sets s->input. */
int waf_compile_input(waf_compiler *c, const cJSON *body, waf_stmt *s);
/* The field table entry for a FieldToMatch object. */
int waf_field_compile(waf_compiler *c, const cJSON *ftm, int *field_id);
int waf_action_compile(waf_compiler *c, const cJSON *j, waf_action *a);
int waf_forwarded_ip_compile(waf_compiler *c, const cJSON *j, const char **header, int *fallback);
/* Add a prefilter pattern for s on its input: a compiled regex, or (re
 * NULL) a literal. */
typedef struct waf_regex waf_regex;
void waf_prefilter_add(waf_compiler *c, waf_stmt *s, const waf_regex *re, const char *lit,
		       size_t lit_len, bool caseless);
int waf_prefilter_build(mamori_ctx *ctx, mamori_waf_acl *acl);
void waf_prefilter_free(mamori_waf_acl *acl);
/* Vectorscan scratch space for every database of the ACL (NULL if none). */
void *waf_prefilter_scratch(const mamori_waf_acl *acl);
/* A ManagedRuleGroupStatement / RuleGroupReferenceStatement body into rule r. */
int waf_group_ref_compile(waf_compiler *c, const cJSON *body, bool managed, waf_rule *r);
int waf_rules_compile(waf_compiler *c, const cJSON *arr, waf_rule **out, size_t *count);
/* Names of mamori's managed rule groups (NULL-terminated). */
const char *const *waf_managed_group_names(void);
void waf_acl_track_regex(mamori_waf_acl *acl, void *code);

/* ---- literal factors of regexes (regex_factor.c) ---- */
/* Strings of which every match of a regex contains at least one. */
typedef struct waf_factor {
	char **lits;
	size_t *lens;
	size_t count;
	bool caseless;
	bool anchored; /* the strings are at the start of the value (a ^ regex) */
	double cost;   /* estimated frequency in ordinary text, per byte */
} waf_factor;
/* The best factor of re whose cost is at most max_cost; false when there
 * is none (the regex is not understood, or needs nothing rare). */
bool waf_regex_factor(const char *re, bool caseless, double max_cost, waf_factor *out);
void waf_factor_free(waf_factor *f);
/* The factor (as waf_regex_factor) and up to max_req byte sets (256-bit)
 * every match of re holds a byte of each, in *req_count (a value missing
 * one needs no regex run): one reading of the regex. */
bool waf_regex_analyse(const char *re, bool caseless, double max_cost, waf_factor *fac,
		       uint64_t (*req)[4], size_t max_req, size_t *req_count);
/* A regex whose best factor is likelier than this per byte of text is not
 * worth a literal: the prefilter gives it to its regex database. */
#define WAF_FACTOR_MAX_COST 0.03

/* ---- word alternations as tries (regex_trie.c) ---- */
/* pattern with its alternations of literal words merged into tries where
 * that keeps its meaning exactly; NULL when nothing changes (or the pattern
 * uses constructs the rewrite does not follow).  Free with free(). */
char *waf_regex_trie(const char *pattern, bool caseless);

/* ---- regexes (regex.c) ---- */
typedef struct waf_regex waf_regex;
/* Compiled once per WebACL: the same pattern again returns the same regex. */
waf_regex *waf_regex_compile(waf_compiler *c, const char *pattern, bool caseless, char *err,
			     size_t errlen);
const char *waf_regex_source(const waf_regex *re);
/* Once every regex of the WebACL is compiled: the bytes their required
 * sets name get a bit each (up to 64), for one-pass byte maps of values. */
void waf_regex_finish(mamori_waf_acl *acl);
/* Its literal factor for the prefilter, or NULL when it has none. */
const waf_factor *waf_regex_prefilter_factor(const waf_regex *re);
/* Value i of an input against re: 1 match (sets at and span), 0 no match.
 * No PCRE2 run when the value lacks a byte every match needs
 * (waf_regex_analyse); match-limit errors count as no match. */
int waf_regex_match_value(mamori_waf_eval *ev, const waf_regex *re, int input, size_t i,
			  size_t *at, size_t *span);
void waf_regex_free(waf_regex *re);

/* ---- per-request evaluation state (eval.c) ---- */
/* Which bytes a value holds (waf_value_bytes). */
/* Which of the WebACL's checked bytes a value holds (regex.c). */
typedef struct waf_bytes {
	uint64_t bits; /* one bit per byte in mamori_waf_acl.byte_bit */
	bool done;
} waf_bytes;

typedef struct waf_vals {
	unsigned gen;
	waf_elem *el;
	size_t n;
	bool oversize; /* the field was cut at a limit */
	bool invalid;  /* JsonBody that did not parse */
	unsigned bytes_gen; /* bytes[] belongs to this generation */
	waf_bytes *bytes;   /* per value, computed when a regex asks */
} waf_vals;

typedef struct waf_param {
	wstr name, value; /* raw (still encoded, as sent) */
} waf_param;

typedef struct waf_hit {
	const char *condition;
	const char *location;
	const char *field_name;
	size_t field_name_len;
	const char *data;
	size_t data_len;
	const char *sensitivity;
} waf_hit;

struct mamori_waf_eval {
	const mamori_waf_acl *acl;
	const mamori_waf_request *rq;
	unsigned gen;
	/* per-request bump allocator */
	struct waf_block *blocks;
	/* the request, split */
	wstr uri, path, query;
	mamori_waf_header *hdr_lc; /* headers with lower-cased names */
	size_t hdr_count;
	unsigned parsed; /* bit set of lazily parsed parts */
	waf_param *qargs;
	size_t qarg_count;
	waf_param *cookies;
	size_t cookie_count;
	bool cookies_oversize;
	wstr body;
	bool body_oversize;
	int body_type; /* BT_* */
	waf_param *bparams; /* body parameters (form, multipart, JSON, XML), decoded */
	size_t bparam_count;

	/* caches */
	waf_vals *fields;
	waf_vals *inputs;
	unsigned *pf_gen;	 /* per input: scanned in this generation */
	uint64_t *pf_vals;	 /* per pattern: the values it might match in */
	uint64_t *pf_seen;	 /* per literal: scan serial << 6 | the value last credited */
	uint64_t pf_serial;	 /* scans so far */
	unsigned char *det_cache; /* per input x detector: 0 unknown, 1 no, 2 yes */
	unsigned *det_gen;
	void *hs_scratch;
	void *pcre_md;
	void *pcre_mctx;
	void *pcre_jit_stack;
	/* results */
	waf_hit hit;
	const char **labels;
	size_t label_count, label_cap;
	mamori_waf_match *matches;
	size_t match_count, match_cap;
	mamori_waf_header *insert;
	size_t insert_count, insert_cap;
	int64_t now_ms;
	char country[4];
	bool country_done;
};

/* Oversize/invalid handling common to field statements: 1 match, 0 no, -1 inspect.
 * (Inline: every field statement of every request asks, and almost always
 * the answer is "inspect".) */
int waf_vals_pre_slow(mamori_waf_eval *ev, const waf_stmt *s, const waf_vals *v);
static inline int waf_vals_pre(mamori_waf_eval *ev, const waf_stmt *s, const waf_vals *v)
{
	return v->invalid || v->oversize ? waf_vals_pre_slow(ev, s, v) : -1;
}

enum { BT_NONE = 0, BT_FORM, BT_MULTIPART, BT_JSON, BT_XML, BT_OTHER };

void *waf_alloc(mamori_waf_eval *ev, size_t n);
char *waf_strndup(mamori_waf_eval *ev, const char *s, size_t n);
/* The values of an input (computed once per request: the first ask
 * computes them, the others are an inline look). */
const waf_vals *waf_input_values_compute(mamori_waf_eval *ev, int input);
static inline const waf_vals *waf_input_values(mamori_waf_eval *ev, int input)
{
	const waf_vals *v = &ev->inputs[input];
	return v->gen == ev->gen ? v : waf_input_values_compute(ev, input);
}
const waf_vals *waf_field_values(mamori_waf_eval *ev, int field);
/* Record what matched for the log. */
void waf_hit_set(mamori_waf_eval *ev, const char *condition, int input, const waf_elem *e,
		 size_t at, size_t span);
/* Scan an input's values with its prefilter databases (once per request). */
void waf_prefilter_scan(mamori_waf_eval *ev, int input);
/* May the statement's pattern(s) match this input (prefilter)?  */
static inline bool waf_prefilter_may_match(mamori_waf_eval *ev, const waf_stmt *s)
{
	if (s->pattern < 0)
		return true;
	if (ev->pf_gen[s->input] != ev->gen)
		waf_prefilter_scan(ev, s->input);
	const uint64_t *vals = ev->pf_vals + s->pattern;
	for (int k = 0; k < s->pattern_count; k++)
		if (vals[k])
			return true;
	return false;
}
/* In which of the input's values may its k-th pattern match?  A bit set per
 * value (waf_value_bit), after waf_prefilter_may_match. */
static inline uint64_t waf_prefilter_values(const mamori_waf_eval *ev, const waf_stmt *s, int k)
{
	return s->pattern < 0 ? ~0ull : ev->pf_vals[s->pattern + k];
}
/* The bit of value i in such a set: values from the 64th on share the last. */
static inline uint64_t waf_value_bit(size_t i)
{
	return 1ull << (i < 63 ? i : 63);
}
bool waf_has_label(const mamori_waf_eval *ev, const char *key, bool ns);
void waf_add_label(mamori_waf_eval *ev, const char *label);
/* Client address for IP-based statements: the peer or a forwarded header. */
const char *waf_client_ip(mamori_waf_eval *ev, const char *fwd_header, int fallback,
			  int position, bool *no_ip);
const wstr *waf_header_get(mamori_waf_eval *ev, const char *lc_name);

/* Request parsing (request.c). */
void waf_request_prepare(mamori_waf_eval *ev, const mamori_waf_request *rq);
void waf_parse_query(mamori_waf_eval *ev);
void waf_parse_cookies(mamori_waf_eval *ev);
void waf_parse_body(mamori_waf_eval *ev);
/* Extract the raw elements of a field (field.c). */
void waf_field_extract(mamori_waf_eval *ev, const waf_field *f, waf_vals *out);

/* Detectors (sqli.c, xss.c). */
/* The SQL keyword id of s[0..n) (0: not a keyword), and the word of an id. */
unsigned waf_sqli_keyword(const char *s, size_t n);
const char *waf_sqli_keyword_name(unsigned kw);
bool waf_sqli_detect(const char *s, size_t n, bool high, size_t *at, size_t *span,
		     const char **why);
bool waf_xss_detect(const char *s, size_t n, size_t *at, size_t *span, const char **why);

/* JSON writing of arbitrary bytes: valid JSON, invalid UTF-8 as \u00XX. */
void waf_json_quote_n(mamori_buf *b, const char *s, size_t n);

/* IP addresses: parse text into a 16-byte (IPv4-mapped) address. */
bool waf_ip_parse(const char *s, size_t n, unsigned char out[16], bool *v4);

#endif
