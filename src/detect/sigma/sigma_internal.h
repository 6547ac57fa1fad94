/*
 * sigma_internal.h — what the Sigma engine's files share: compiled
 * detections, the modifier interface and Sigma strings.
 *
 * A Sigma string is kept as bytes where the two wildcards are the marker
 * bytes SG_STAR (*) and SG_ONE (?) and every other byte is literal (escapes
 * resolved).  Case-insensitive patterns are stored lower-cased.
 */
#ifndef MAMORI_DETECT_SIGMA_INTERNAL_H
#define MAMORI_DETECT_SIGMA_INTERNAL_H

#include "sigma.h"

#include <cJSON.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define SG_STAR '\x01'
#define SG_ONE '\x02'

typedef struct sg_str {
	char *s;
	size_t n;
} sg_str;

/* How a field's values are compared. */
enum sg_op {
	SG_OP_EQ = 0,	/* Sigma string (wildcards allowed) */
	SG_OP_RE,
	SG_OP_CIDR,
	SG_OP_GT,
	SG_OP_GTE,
	SG_OP_LT,
	SG_OP_LTE,
	SG_OP_EXISTS,
	SG_OP_NULL,	/* value null: field absent or JSON null */
	SG_OP_FIELDREF, /* compare with another field's values */
	SG_OP_KEYWORD,	/* no field: anywhere in the record */
};

/* A compiled value. */
typedef struct sg_pat {
	sg_str str;	      /* EQ / KEYWORD / FIELDREF(field name) */
	uint8_t shape;	      /* EQ: SG_SH_* fast paths */
	pcre2_code *re;	      /* RE */
	uint8_t addr[16];     /* CIDR (IPv4 mapped into ::ffff:0:0/96) */
	int bits;
	double num;	      /* GT... */
	bool exists;	      /* EXISTS */
	bool is_null;	      /* EQ: the value null (field absent or null) */
	int ref_slot;	      /* FIELDREF */
	uint8_t ref_shape;
	char *raw;	      /* the rule's text, for messages */
} sg_pat;

enum { SG_SH_EXACT = 0, SG_SH_CONTAINS, SG_SH_PREFIX, SG_SH_SUFFIX, SG_SH_GLOB, SG_SH_ANY };

typedef struct sg_match {
	int slot; /* -1 for keywords */
	uint8_t op;
	bool all;   /* all values must match */
	bool cased;
	bool neq;   /* negated comparison (|neq) */
	sg_pat *pats;
	size_t npats;
} sg_match;

/* A detection item: an OR of maps; a map is an AND of matches. */
typedef struct sg_map {
	sg_match *matches;
	size_t count;
} sg_map;

typedef struct sg_sel {
	char *name;
	sg_map *maps;
	size_t nmaps;
} sg_sel;

/* Condition tree. */
enum { SG_N_SEL, SG_N_AND, SG_N_OR, SG_N_NOT, SG_N_TRUE };
typedef struct sg_node {
	uint8_t kind;
	int sel;		 /* SG_N_SEL */
	struct sg_node **kids;	 /* AND / OR / NOT(1) */
	size_t nkids;
} sg_node;

/* Legacy aggregation: `sel | count([field]) [by group] op N` within timeframe. */
typedef struct sg_agg {
	bool on;
	int count_slot; /* -1: count events; else distinct values of this field */
	int by_slot;	/* -1: no grouping */
	uint8_t cmp;	/* SG_OP_GT... or SG_OP_EQ */
	double threshold;
	int64_t timeframe; /* seconds, 0 = the whole run */
} sg_agg;

struct sg_rule {
	sg_rule_info info;
	sg_sel *sels;
	size_t nsels;
	sg_node *cond;
	sg_agg agg;
	dt_vec regexes; /* compiled |re patterns, freed with the rule */
	mamori_arena arena;
};

/* ---- modifiers (sigma_modifiers.c: the registration table; mod_*.c) ---- */

typedef struct sg_value {
	char *raw;   /* the YAML scalar as text ("" for empty; NULL = null) */
	bool is_num; /* a plain YAML number */
	sg_str str;  /* the Sigma string, built from raw and transformed */
} sg_value;

/* Compilation state of one `field|mod|mod: values` entry. */
typedef struct sg_mstate {
	sg_value *vals;
	size_t nvals, cap;
	uint8_t op;
	bool all, cased, neq;
	int re_flags; /* PCRE2_CASELESS / MULTILINE / DOTALL */
	uint8_t ref_shape; /* fieldref: SG_SH_EXACT / CONTAINS / PREFIX / SUFFIX */
	mamori_arena *arena;
	const cJSON *placeholders; /* |expand: name -> value or list (or NULL) */
	const char *error; /* set by a modifier that cannot apply */
} sg_mstate;

typedef struct sg_modifier {
	const char *name;
	/* Apply to the state: rewrite values or set the comparison. */
	void (*apply)(sg_mstate *st);
} sg_modifier;

const sg_modifier *sg_modifier_find(const char *name);
/* Append a value to the state (transforms build a new list). */
void sg_mstate_push(sg_mstate *st, const sg_str *s, const sg_value *from);
/* Helpers for the modifier files: apply fn to every value, replacing the
 * list with what fn pushes; set error when a value has wildcards. */
void sg_mstate_transform(sg_mstate *st, void (*fn)(sg_mstate *st, const sg_value *v),
			 bool refuse_wildcards);
/* Surround every value with wildcards (contains / startswith / endswith). */
void sg_mstate_wrap(sg_mstate *st, const char *pre, const char *post, uint8_t ref_shape);

/* mod_base64.c: standard base64 with padding; returns the length. */
size_t sg_base64(const unsigned char *in, size_t n, char *out);

/* ---- Sigma strings (sigma_string.c) ---- */

/* Parse a YAML scalar into a Sigma string (wildcards, escapes). */
sg_str sg_str_parse(mamori_arena *a, const char *raw);
/* Does s hold a wildcard marker? */
bool sg_str_has_wild(const sg_str *s);
sg_str sg_str_cat(mamori_arena *a, const char *pre, const sg_str *s, const char *post);
void sg_str_lower(sg_str *s);
/* Match value v (len n) against a compiled EQ pattern (already lower-cased
 * when !cased). */
bool sg_str_match(const sg_pat *p, bool cased, const char *v, size_t n);
/* Decide the fast-path shape of a pattern. */
void sg_pat_shape(sg_pat *p);

/* The longest run of literal bytes in s (for the prefilter). */
sg_str sg_str_longest_literal(const sg_str *s);

/* ---- the ruleset ---- */

struct sg_ruleset {
	mamori_ctx *ctx;
	dt_paths *paths[3]; /* by SG_LOG_* */
	sg_rule **rules;
	size_t count, cap;
	sg_load_stats stats;
	char **problems;
	size_t nproblems, problems_cap;
	void *prefilter; /* sigma_prefilter.c */
	cJSON *placeholders; /* |expand values (sg_ruleset_load_placeholders) */
	bool compiled;
};

/* sigma_condition.c */
sg_node *sg_condition_parse(sg_rule *r, const char *text, sg_agg *agg, dt_paths *paths,
			    const char **err);

/* sigma_eval.c: evaluate one rule's condition (no aggregation). */
typedef struct sg_evalctx sg_evalctx;
bool sg_rule_eval(const sg_rule *r, const dt_event *ev, sg_evalctx *ec);
sg_evalctx *sg_evalctx_new(size_t max_sels);
void sg_evalctx_free(sg_evalctx *ec);

/* sigma_prefilter.c */
int sg_prefilter_build(sg_ruleset *rs);
void sg_prefilter_free(void *pf);
typedef struct sg_pfscan sg_pfscan;
sg_pfscan *sg_pfscan_new(const sg_ruleset *rs);
void sg_pfscan_free(sg_pfscan *ps);
/* Mark candidate rules (by index) for this record in `cand`; returns the
 * list of candidate indexes (sorted), count in *n. */
const uint32_t *sg_pfscan_run(sg_pfscan *ps, int log, const dt_event *ev, size_t *n);

/* sigma_aggregate.c: legacy count() state */
typedef struct sg_aggstate sg_aggstate;
sg_aggstate *sg_aggstate_new(void);
void sg_aggstate_free(sg_aggstate *s);
/* A record matched the rule's condition: does the aggregation fire now? */
bool sg_agg_step(sg_aggstate *s, size_t rule_index, const sg_rule *r, const dt_event *ev);

/* Collect the values of a slot (arrays expanded): calls fn for each. */
typedef bool (*sg_value_fn)(void *ud, const char *s, size_t n, uint8_t type);
bool sg_each_value(const dt_event *ev, int slot, sg_value_fn fn, void *ud);

#endif
