/*
 * eval.h — evaluating a compiled rules file against one document.
 *
 * The evaluator follows cfn-guard 3.1.1's own structure (eval.rs,
 * eval_context.rs, operators.rs) so that every verdict agrees with it,
 * quirks included; where the behaviour is surprising the code says so and
 * tests/unit/test_guard_semantics.c pins it against the real binary's
 * answer.  The pieces:
 *
 *   scopes     root (the document, global lets, rule results and captured
 *              keys), block (a block's lets, over the value in scope),
 *              value (a value being filtered or iterated) and parameters
 *              (a parameterized rule's arguments);
 *   queries    mg_query_eval(): Resources.*[ Type == X ].Properties ...
 *              yielding resolved values and unresolved remainders;
 *   operators  ops.c (==, IN, <, ..., unary checks), returning per-value
 *              PASS/FAIL the clause then aggregates (all, or `some`);
 *   blocks     conjunctions of disjunctions, when conditions, type blocks,
 *              named and parameterized rule references.
 *
 * A mg_eval belongs to one thread.  Everything an evaluation allocates
 * lives in its arena and is released by mg_eval_reset().  When recording is
 * on, every failing check leaves a mg_record (the evidence for reports).
 */
#ifndef MAMORI_GUARD_EVAL_H
#define MAMORI_GUARD_EVAL_H

#include "../core/internal.h"
#include "ast.h"
#include "regex.h"


typedef enum mg_qr_kind { MG_QR_RESOLVED = 0, MG_QR_LITERAL, MG_QR_UNRESOLVED } mg_qr_kind;

/* Why a query stopped short (cfn-guard's UnResolved). */
typedef struct mg_unres {
	const mg_value *traversed_to; /* the last value reached */
	const mg_query *q;	      /* the query ... */
	uint32_t qi;		      /* ... and the part it could not take */
	const char *reason;	      /* a sentence for reports */
} mg_unres;

typedef struct mg_qres {
	uint8_t kind; /* mg_qr_kind */
	const mg_value *v;
	const mg_unres *ur;
} mg_qres;

typedef struct mg_qvec {
	mg_qres *v;
	uint32_t n, cap;
} mg_qvec;

/* What a failing check is about (evidence for reports and findings). */
typedef enum mg_rec_kind {
	MG_REC_COMPARE = 0, /* lhs OP rhs was false */
	MG_REC_IN,	    /* lhs not in the rhs values */
	MG_REC_UNARY,	    /* lhs EXISTS/EMPTY/IS_* was false */
	MG_REC_MISSING,	    /* the lhs query did not resolve (ur) */
	MG_REC_RHS_MISSING, /* the rhs query did not resolve (ur) */
	MG_REC_NOT_COMPARABLE,
	MG_REC_EMPTY_QUERY, /* %x !empty with nothing selected */
	MG_REC_RULE,	    /* a referenced rule did not pass */
	MG_REC_BLOCK_MISSING, /* a block's query did not resolve */
} mg_rec_kind;

typedef struct mg_record {
	uint8_t kind;
	uint8_t op;
	bool op_not;
	const mg_clause *clause;
	const mg_value *lhs;
	const mg_value *rhs;
	const mg_unres *ur;
	const mg_value *const *rhs_list; /* MG_REC_IN: what lhs was looked for in */
	uint32_t nrhs;
	const char *msg;  /* the custom message in force */
	const char *note; /* e.g. "not comparable: int, float" */
} mg_record;

typedef struct mg_eval mg_eval;
typedef struct mg_scope mg_scope;

typedef enum mg_scope_kind { MG_SC_ROOT = 0, MG_SC_BLOCK, MG_SC_VALUE, MG_SC_PARAMS } mg_scope_kind;

/* EvalContext: where queries start and variables are found (see eval.c). */
struct mg_scope {
	uint8_t kind;
	mg_eval *ev;
	mg_scope *parent;
	const mg_value *root;	/* ROOT, BLOCK, VALUE */
	const mg_block *block;	/* BLOCK: its lets ... */
	mg_qvec *cache;		/* ... resolved on first use */
	uint8_t *cached;
	const mg_rule *prule;	/* PARAMS: the called rule ... */
	mg_qvec *params;	/* ... and its arguments */
};

typedef struct mg_var {
	const char *name;
	mg_qvec vals;
} mg_var;

struct mg_eval {
	mamori_ctx *ctx;
	mg_rx *rx;
	mamori_arena arena; /* everything one evaluation allocates */
	const mg_rules_file *rf;
	const mg_value *root;
	int8_t *rule_status; /* per rules-file name id: -1 unknown */
	uint8_t *rule_busy;
	uint32_t nnames_cap;
	mg_var *rootvars; /* resolved global lets and captured keys */
	uint32_t nrootvars, caprootvars;
	int depth;
	time_t now;
	/* the first error aborts the (document, rules file) evaluation */
	char err[512];
	/* evidence */
	bool record;
	/* no evidence from inside filters (what a filter did not select is not
	 * what failed: the scan module's findings want the failing checks only;
	 * cfn-guard's reports show them, so `guard validate` keeps them) */
	bool quiet_filters;
	uint32_t in_filter;
	mg_record *recs;
	uint32_t nrecs, caprecs;
	const char *msg_in_force;
};

/* Results of one rules file on one document, per rule block in file order. */
typedef struct mg_rule_result {
	const mg_rule *rule;
	int status;
	uint32_t rec_start, rec_count; /* this rule's records in ev->recs */
} mg_rule_result;

void mg_eval_init(mg_eval *ev, mamori_ctx *ctx);
void mg_eval_free(mg_eval *ev);
/* Drop everything the last evaluation allocated (records included). */
void mg_eval_reset(mg_eval *ev);

/*
 * Evaluate every rule of rf against root, filling results[0..rf->nrules).
 * Returns 0, or -1 when the evaluation hit an error (ev->err says which);
 * like cfn-guard, an error is the outcome of the whole (file, rules) pair.
 */
int mg_eval_rules(mg_eval *ev, const mg_rules_file *rf, const mg_value *root,
		  mg_rule_result *results);

/* ---- for the operator and function files ---- */

void mg_qvec_push(mg_eval *ev, mg_qvec *v, uint8_t kind, const mg_value *val,
		  const mg_unres *ur);
int mg_eval_error(mg_eval *ev, const char *fmt, ...) MAMORI_PRINTF(2, 3);
void mg_eval_rec(mg_eval *ev, const mg_record *r);

/* Evaluate a query in a scope (EvalContext::query). */
int mg_scope_query(mg_scope *s, const mg_query *q, mg_qvec *out);
/* Call a function (arguments evaluated in s); results are Resolved. */
int mg_call_eval(mg_scope *s, const mg_call *call, mg_qvec *out);

/* Per-value outcome of an operator, before the clause aggregates it. */
typedef struct mg_vstat {
	mg_qres q;
	uint8_t status; /* MG_PASS / MG_FAIL */
} mg_vstat;

typedef struct mg_evres {
	bool empty; /* EmptyQueryResult: `status` is the answer */
	uint8_t status;
	mg_vstat *v;
	uint32_t n, cap;
} mg_evres;

int mg_op_unary(mg_scope *s, const mg_clause *c, mg_evres *out);
int mg_op_binary(mg_scope *s, const mg_clause *c, const mg_qvec *lhs, const mg_qvec *rhs,
		 mg_evres *out);
/* real_binary_operation: the KEYS filter's comparison of keys against rhs. */
int mg_op_keys(mg_eval *ev, uint8_t op, bool op_not, const mg_qvec *lhs, const mg_qvec *rhs,
	       mg_evres *out);

#endif
