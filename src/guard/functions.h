/*
 * functions.h — Guard's built-in functions, one family per file
 * (fn_collections.c, fn_strings.c, fn_convert.c, fn_time.c) and one
 * registration table (functions.c) that the parser and evaluator share.
 *
 * A function takes one list of query results per argument and returns a
 * list of values; like cfn-guard, most functions map over their first
 * argument and silently drop what they cannot convert (a number given to
 * to_upper yields nothing), so that `count(...)` and `%x == ...` see only
 * what made sense.
 */
#ifndef MAMORI_GUARD_FUNCTIONS_H
#define MAMORI_GUARD_FUNCTIONS_H

#include "eval.h"

typedef enum mg_fn {
	MG_FN_COUNT = 0,
	MG_FN_JSON_PARSE,
	MG_FN_REGEX_REPLACE,
	MG_FN_JOIN,
	MG_FN_SUBSTRING,
	MG_FN_TO_LOWER,
	MG_FN_TO_UPPER,
	MG_FN_URL_DECODE,
	MG_FN_PARSE_BOOLEAN,
	MG_FN_PARSE_INT,
	MG_FN_PARSE_FLOAT,
	MG_FN_PARSE_STRING,
	MG_FN_PARSE_CHAR,
	MG_FN_NOW,
	MG_FN_PARSE_EPOCH,
	MG_FN__COUNT
} mg_fn;

/* Evaluated arguments: args[i] is the result list of argument i. */
typedef int (*mg_fn_impl)(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);

typedef struct mg_fn_def {
	const char *name;
	int arity;
	mg_fn_impl impl;
} mg_fn_def;

/* The function named name[0..len), or NULL. */
const mg_fn_def *mg_fn_lookup(const char *name, size_t len);
const mg_fn_def *mg_fn_get(int fn);

/* Family implementations (one file each). */
int mg_fn_count(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_json_parse(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_regex_replace(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_join(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_substring(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_to_lower(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_to_upper(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_url_decode(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_parse_boolean(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_parse_int(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_parse_float(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_parse_string(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_parse_char(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_now(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);
int mg_fn_parse_epoch(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out);

#endif
