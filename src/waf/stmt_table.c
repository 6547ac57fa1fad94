/*
 * stmt_table.c — the registration table of statement types: the JSON key
 * of each wafv2 statement and the file that compiles and evaluates it.
 * Rule group references are listed so that the compiler recognises them;
 * they are compiled at rule level (rulegroup.c), not as statements.
 */
#include "waf_internal.h"

#include <string.h>

extern const waf_stmt_type waf_stmt_byte_match, waf_stmt_regex_match, waf_stmt_regex_set,
	waf_stmt_sqli, waf_stmt_xss, waf_stmt_ip_set, waf_stmt_geo, waf_stmt_asn, waf_stmt_size,
	waf_stmt_label, waf_stmt_and, waf_stmt_or, waf_stmt_not, waf_stmt_rate;

static const waf_stmt_type stmt_managed = {"ManagedRuleGroupStatement", NULL, NULL, false};
static const waf_stmt_type stmt_group = {"RuleGroupReferenceStatement", NULL, NULL, false};

static const waf_stmt_type *const types[] = {
	&waf_stmt_byte_match, &waf_stmt_regex_match, &waf_stmt_regex_set, &waf_stmt_sqli,
	&waf_stmt_xss,	      &waf_stmt_ip_set,	     &waf_stmt_geo,	  &waf_stmt_asn,
	&waf_stmt_size,	      &waf_stmt_label,	     &waf_stmt_and,	  &waf_stmt_or,
	&waf_stmt_not,	      &waf_stmt_rate,	     &stmt_managed,	  &stmt_group,
};

const waf_stmt_type *waf_stmt_type_find(const char *key)
{
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (strcmp(types[i]->name, key) == 0)
			return types[i];
	return NULL;
}

const waf_stmt_type *const *waf_stmt_types(size_t *count)
{
	*count = sizeof types / sizeof *types;
	return types;
}
