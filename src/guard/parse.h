/*
 * parse.h — the Guard rules language, text to AST (ast.h).
 *
 * A hand-written recursive-descent parser that accepts exactly what
 * cfn-guard 3.1.1's nom grammar accepts (including its quirks: `not` before
 * a binary clause is accepted and ignored, a bare rule reference must end
 * its line, a block cannot be empty).  Nesting is capped so that no rules
 * file can exhaust the stack; a syntax error is reported as
 * `file:line:col: expected ...` with the line and a caret.
 */
#ifndef MAMORI_GUARD_PARSE_H
#define MAMORI_GUARD_PARSE_H

#include "../core/internal.h"
#include "ast.h"

/*
 * Parse buf[0..len) (the rules file at path).  *out is NULL when the file
 * holds no rules at all (only comments), which is not an error.
 */
int mg_rules_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		   mg_rules_file **out);
void mg_rules_free(mg_rules_file *rf);

/* The rule named name: its blocks (several rules may share a name). */
const mg_rule *mg_rules_find_param(const mg_rules_file *rf, const char *name);

#endif
