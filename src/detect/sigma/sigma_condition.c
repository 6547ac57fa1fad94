/*
 * sigma_condition.c — Sigma conditions into trees.
 *
 *   expr   := term ("or" term)*
 *   term   := factor ("and" factor)*
 *   factor := "not" factor | "(" expr ")" | ("1"|"all") "of" (PATTERN|"them") | NAME
 *
 * NAME patterns may end or contain '*'.  A legacy aggregation after a '|'
 * (count() [by field] op N, with the rule's timeframe) is parsed into
 * sg_agg; near and the other aggregate functions are refused with a reason.
 * Nesting is capped so that a hostile condition cannot exhaust the stack.
 */
#include "sigma_internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <strings.h>

#define MAX_NEST 64

typedef struct cparse {
	sg_rule *r;
	const char *p;
	const char *err;
	int depth;
} cparse;

static void ws(cparse *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
}

/* The next word (identifier or keyword) into buf; false if none. */
static bool word(cparse *c, char *buf, size_t cap, bool consume)
{
	ws(c);
	const char *s = c->p;
	size_t n = 0;
	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' && s[n] != '\r' && s[n] != '(' &&
	       s[n] != ')' && s[n] != '|')
		n++;
	if (n == 0 || n >= cap)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (consume)
		c->p += n;
	return true;
}

static sg_node *node(cparse *c, int kind)
{
	sg_node *n = mamori_arena_alloc(&c->r->arena, sizeof *n);
	n->kind = (uint8_t)kind;
	return n;
}

static void add_kid(cparse *c, sg_node *n, sg_node *k)
{
	sg_node **kids = mamori_arena_alloc(&c->r->arena, (n->nkids + 1) * sizeof *kids);
	if (n->nkids)
		memcpy(kids, n->kids, n->nkids * sizeof *kids);
	kids[n->nkids++] = k;
	n->kids = kids;
}

static sg_node *expr(cparse *c);

static sg_node *quantified(cparse *c, bool all, const char *pattern)
{
	sg_node *n = node(c, all ? SG_N_AND : SG_N_OR);
	bool them = strcmp(pattern, "them") == 0;
	for (size_t i = 0; i < c->r->nsels; i++) {
		const char *name = c->r->sels[i].name;
		if (them ? name[0] != '_' : fnmatch(pattern, name, 0) == 0) {
			sg_node *s = node(c, SG_N_SEL);
			s->sel = (int)i;
			add_kid(c, n, s);
		}
	}
	if (n->nkids == 0) {
		c->err = mamori_arena_printf(&c->r->arena, "\"%s\" matches no selection", pattern);
		return NULL;
	}
	return n;
}

static sg_node *factor(cparse *c)
{
	if (++c->depth > MAX_NEST) {
		c->err = "nested too deeply";
		return NULL;
	}
	ws(c);
	sg_node *out = NULL;
	char w[256];
	if (*c->p == '(') {
		c->p++;
		out = expr(c);
		ws(c);
		if (out && *c->p != ')') {
			c->err = "missing ')'";
			out = NULL;
		} else if (out) {
			c->p++;
		}
	} else if (!word(c, w, sizeof w, true)) {
		c->err = *c->p ? "unexpected character" : "unexpected end";
	} else if (strcasecmp(w, "not") == 0) {
		sg_node *k = factor(c);
		if (k) {
			out = node(c, SG_N_NOT);
			add_kid(c, out, k);
		}
	} else if (strcmp(w, "1") == 0 || strcasecmp(w, "all") == 0 || strcasecmp(w, "any") == 0) {
		bool all = strcasecmp(w, "all") == 0;
		char of[16], pat[256];
		if (!word(c, of, sizeof of, true) || strcasecmp(of, "of") != 0)
			c->err = "expected \"of\"";
		else if (!word(c, pat, sizeof pat, true))
			c->err = "expected a selection pattern after \"of\"";
		else
			out = quantified(c, all, pat);
	} else if (strcasecmp(w, "and") == 0 || strcasecmp(w, "or") == 0) {
		c->err = mamori_arena_printf(&c->r->arena, "unexpected \"%s\"", w);
	} else {
		for (size_t i = 0; i < c->r->nsels; i++)
			if (strcmp(c->r->sels[i].name, w) == 0) {
				out = node(c, SG_N_SEL);
				out->sel = (int)i;
			}
		if (!out)
			c->err = mamori_arena_printf(&c->r->arena, "no selection named \"%s\"", w);
	}
	c->depth--;
	return out;
}

static sg_node *term(cparse *c)
{
	sg_node *left = factor(c);
	char w[16];
	while (left && word(c, w, sizeof w, false) && strcasecmp(w, "and") == 0) {
		word(c, w, sizeof w, true);
		sg_node *right = factor(c);
		if (!right)
			return NULL;
		if (left->kind != SG_N_AND) {
			sg_node *n = node(c, SG_N_AND);
			add_kid(c, n, left);
			left = n;
		}
		add_kid(c, left, right);
	}
	return left;
}

static sg_node *expr(cparse *c)
{
	sg_node *left = term(c);
	char w[16];
	while (left && word(c, w, sizeof w, false) && strcasecmp(w, "or") == 0) {
		word(c, w, sizeof w, true);
		sg_node *right = term(c);
		if (!right)
			return NULL;
		if (left->kind != SG_N_OR) {
			sg_node *n = node(c, SG_N_OR);
			add_kid(c, n, left);
			left = n;
		}
		add_kid(c, left, right);
	}
	return left;
}

static const char *aggregation(cparse *c, sg_agg *agg, dt_paths *paths, const char *text)
{
	sg_rule *r = c->r;
	while (*text == ' ')
		text++;
	if (strncmp(text, "near", 4) == 0)
		return "the near aggregation is not supported";
	if (strncmp(text, "count(", 6) != 0)
		return "only the count() aggregation is supported";
	const char *p = text + 6;
	const char *close = strchr(p, ')');
	if (!close)
		return "count( without ')'";
	agg->on = true;
	agg->count_slot = agg->by_slot = -1;
	while (p < close && *p == ' ')
		p++;
	if (p < close) {
		char *f = mamori_arena_strndup(&r->arena, p, (size_t)(close - p));
		for (char *e = f + strlen(f); e > f && e[-1] == ' ';)
			*--e = '\0';
		agg->count_slot = dt_paths_add(paths, f);
	}
	p = close + 1;
	while (*p == ' ')
		p++;
	if (strncmp(p, "by ", 3) == 0) {
		p += 3;
		while (*p == ' ')
			p++;
		const char *s = p;
		while (*p && *p != ' ' && *p != '>' && *p != '<' && *p != '=')
			p++;
		char *g = mamori_arena_strndup(&r->arena, s, (size_t)(p - s));
		agg->by_slot = dt_paths_add(paths, g);
		while (*p == ' ')
			p++;
	}
	if (p[0] == '>' && p[1] == '=')
		agg->cmp = SG_OP_GTE, p += 2;
	else if (p[0] == '<' && p[1] == '=')
		agg->cmp = SG_OP_LTE, p += 2;
	else if (p[0] == '>')
		agg->cmp = SG_OP_GT, p++;
	else if (p[0] == '<')
		agg->cmp = SG_OP_LT, p++;
	else if (p[0] == '=' && p[1] == '=')
		agg->cmp = SG_OP_EQ, p += 2;
	else if (p[0] == '=')
		agg->cmp = SG_OP_EQ, p++;
	else
		return "count() must be compared with >, >=, <, <= or =";
	char *end;
	agg->threshold = strtod(p, &end);
	if (end == p)
		return "count() must be compared with a number";
	return NULL;
}

sg_node *sg_condition_parse(sg_rule *r, const char *text, sg_agg *agg, dt_paths *paths,
			    const char **err)
{
	cparse c = {r, NULL, NULL, 0};
	const char *bar = strchr(text, '|');
	char *main = mamori_arena_strndup(&r->arena, text, bar ? (size_t)(bar - text) : strlen(text));
	c.p = main;
	sg_node *n = expr(&c);
	if (n) {
		ws(&c);
		if (*c.p) {
			c.err = mamori_arena_printf(&r->arena, "unexpected \"%s\"", c.p);
			n = NULL;
		}
	}
	if (!n) {
		*err = c.err;
		return NULL;
	}
	if (bar) {
		const char *e = aggregation(&c, agg, paths, bar + 1);
		if (e) {
			*err = e;
			return NULL;
		}
	}
	return n;
}
