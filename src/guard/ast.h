/*
 * ast.h — a compiled Guard rules file.
 *
 * The shapes follow cfn-guard's own (exprs.rs) so that the evaluator can
 * follow its semantics step for step: a rules file is global `let`s, named
 * rules (top-level clauses gathered into one rule called "default", placed
 * first) and parameterized rules; a block is `let`s plus clauses in
 * conjunctive normal form (an AND of ORs); queries are lists of parts.
 *
 * Everything lives in the rules file's arena and is read-only once parsed,
 * so one compiled rules file serves every data file and every thread.
 */
#ifndef MAMORI_GUARD_AST_H
#define MAMORI_GUARD_AST_H

#include "value.h"

typedef enum mg_status { MG_PASS = 0, MG_FAIL = 1, MG_SKIP = 2 } mg_status;

/* "PASS", "FAIL", "SKIP" */
const char *mg_status_name(int st);

typedef enum mg_op {
	MG_OP_EQ = 0,
	MG_OP_IN,
	MG_OP_GT,
	MG_OP_GE,
	MG_OP_LT,
	MG_OP_LE,
	/* unary from here on */
	MG_OP_EXISTS,
	MG_OP_EMPTY,
	MG_OP_IS_STRING,
	MG_OP_IS_LIST,
	MG_OP_IS_MAP,
	MG_OP_IS_BOOL,
	MG_OP_IS_INT,
	MG_OP_IS_FLOAT,
	MG_OP_IS_NULL,
} mg_op;

static inline bool mg_op_is_unary(int op)
{
	return op >= MG_OP_EXISTS;
}

/* "EQUALS", "IN", "EXISTS"... (cfn-guard's Display of CmpOperator). */
const char *mg_op_name(int op);

typedef enum mg_qp_kind {
	MG_QP_THIS = 0,
	MG_QP_KEY,	   /* .name, ."quoted", ["quoted"], .%var (var = true) */
	MG_QP_INDEX,	   /* .3, [3] */
	MG_QP_ALL_INDICES, /* [*], [name] (capture) */
	MG_QP_ALL_VALUES,  /* .*, [ name ] (capture) */
	MG_QP_FILTER,	   /* [ clauses ], [ name | clauses ] */
	MG_QP_MAPKEY,	   /* [ KEYS == x ], [ name | KEYS IN x ] */
} mg_qp_kind;

typedef struct mg_conj mg_conj;
typedef struct mg_letval mg_letval;

typedef struct mg_qpart {
	uint8_t kind;
	bool var;	 /* MG_QP_KEY naming a variable: s is the name without '%' */
	bool key_is_int; /* MG_QP_KEY whose text is an i32: used as an index */
	uint8_t mk_op;	 /* MG_QP_MAPKEY: MG_OP_EQ or MG_OP_IN */
	bool mk_not;
	int32_t index; /* MG_QP_INDEX, or the key's i32 value */
	const char *s; /* key text / variable name / capture name (NULL: none) */
	uint32_t slen;
	mg_conj *filter;   /* MG_QP_FILTER */
	mg_letval *mk_rhs; /* MG_QP_MAPKEY */
} mg_qpart;

typedef struct mg_query {
	mg_qpart *parts;
	uint32_t n;
	bool match_all; /* false after `some` */
} mg_query;

static inline bool mg_query_is_var(const mg_query *q)
{
	return q->n > 0 && q->parts[0].kind == MG_QP_KEY && q->parts[0].var;
}

typedef enum mg_lv_kind { MG_LV_VALUE = 0, MG_LV_QUERY, MG_LV_CALL } mg_lv_kind;

typedef struct mg_call mg_call;

struct mg_letval {
	uint8_t kind;
	const mg_value *value; /* MG_LV_VALUE */
	mg_query query;	       /* MG_LV_QUERY */
	mg_call *call;	       /* MG_LV_CALL */
};

struct mg_call {
	int fn; /* a mg_fn id (functions.h) */
	const char *name;
	mg_letval *args;
	uint32_t nargs;
	uint32_t line, col;
};

typedef struct mg_let {
	const char *name;
	mg_letval val;
} mg_let;

typedef enum mg_clause_kind {
	MG_C_ACCESS = 0, /* query op [rhs] */
	MG_C_NAMED,	 /* [not] rule_name */
	MG_C_BLOCK,	 /* query [!empty] { ... } */
	MG_C_WHEN,	 /* when conditions { ... } */
	MG_C_PCALL,	 /* [not] rule_name(args) */
	MG_C_TYPE,	 /* AWS::S3::Bucket [when ...] { ... } */
} mg_clause_kind;

typedef struct mg_clause mg_clause;

typedef struct mg_disj {
	mg_clause **c;
	uint32_t n;
} mg_disj;

struct mg_conj {
	mg_disj *d;
	uint32_t n;
};

typedef struct mg_block {
	mg_let *lets;
	uint32_t nlets;
	mg_conj conj;
} mg_block;

struct mg_clause {
	uint8_t kind;
	bool negation; /* `not` / `!` before the clause */
	uint8_t op;    /* MG_C_ACCESS */
	bool op_not;   /* `!=`, `not exists`, `!empty`... */
	bool not_empty; /* MG_C_BLOCK: `query !empty { }` */
	uint32_t line, col;
	const char *text; /* the clause as written, for reports */
	const char *msg;  /* << custom message >>, or NULL */
	mg_query q;	  /* ACCESS / BLOCK / TYPE (the Resources.*[ Type == T ] query) */
	mg_letval *rhs;	  /* ACCESS with a binary operator */
	const char *rule; /* NAMED / PCALL */
	mg_letval *args;  /* PCALL */
	uint32_t nargs;
	mg_conj *conds; /* WHEN / TYPE: when-conditions (NULL: none) */
	mg_block block; /* BLOCK / WHEN / TYPE */
	const char *type_name; /* TYPE */
};

typedef struct mg_rule {
	const char *name;
	mg_conj *conds; /* rule-level `when` (NULL: none) */
	mg_block block;
	const char **params; /* parameterized rules */
	uint32_t nparams;
	uint32_t line, col;
	uint32_t name_id; /* index into mg_rules_file.names */
} mg_rule;

typedef struct mg_rules_file {
	char *path;   /* as given */
	char *source; /* the text (kept for excerpts) */
	size_t source_len;
	mg_let *lets;
	uint32_t nlets;
	mg_rule **rules; /* in file order, "default" first when present */
	uint32_t nrules;
	mg_rule **prules; /* parameterized rules */
	uint32_t nprules;
	const char **names; /* distinct rule names, first-appearance order */
	uint32_t nnames;
	void **regexes; /* compiled patterns to free */
	size_t nregexes, capregexes;
	mamori_arena arena;
} mg_rules_file;

#endif
