/*
 * report.c — what a WebACL did to a set of requests.
 *
 * The summary says how many requests each terminating rule blocked (the
 * question "what would this WebACL block?"), and, when the input is
 * labelled attack/benign, the detection and false-positive rates by source
 * and by attack class.  The false-positive report lists every rule match on
 * a benign request — or on any request when nothing is labelled, the usual
 * case when a rule runs in Count mode on production traffic — by rule and by
 * parameter (where the rule matched: location and name), the unit in which
 * a WebACL is tuned: exclude the rule, scope it down, or fix the parameter.
 */
#include "waf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct counter {
	char *key;
	char *rule, *group, *location, *param, *dim; /* what the key is made of */
	uint64_t n, attack, benign, blocked, blocked_attack, blocked_benign;
	char *examples[3];
	size_t example_count;
} counter;

typedef struct cmap {
	counter *v;
	size_t n, cap; /* cap is a power of two; v[i].key NULL = empty */
} cmap;

struct mamori_waf_stats {
	uint64_t total, allowed, blocked, challenged, attacks, benign, attacks_blocked,
		benign_blocked, counted;
	cmap rules;   /* terminating rule */
	cmap fps;     /* rule x parameter matches (false-positive candidates) */
	cmap classes; /* label/class */
	cmap sources; /* label/source */
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static counter *cget(cmap *m, const char *key)
{
	if (m->n * 2 >= m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		counter *v = mamori_xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->v[i].key)
				continue;
			size_t k = fnv(m->v[i].key) & (cap - 1);
			while (v[k].key)
				k = (k + 1) & (cap - 1);
			v[k] = m->v[i];
		}
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	size_t k = fnv(key) & (m->cap - 1);
	while (m->v[k].key) {
		if (!strcmp(m->v[k].key, key))
			return &m->v[k];
		k = (k + 1) & (m->cap - 1);
	}
	m->v[k].key = mamori_xstrdup(key);
	m->n++;
	return &m->v[k];
}

static void cfree(cmap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		counter *c = &m->v[i];
		if (!c->key)
			continue;
		free(c->key);
		free(c->rule);
		free(c->group);
		free(c->location);
		free(c->param);
		free(c->dim);
		for (size_t k = 0; k < c->example_count; k++)
			free(c->examples[k]);
	}
	free(m->v);
}

static char *dup_or_null(const char *s)
{
	return s ? mamori_xstrdup(s) : NULL;
}

mamori_waf_stats *mamori_waf_stats_new(void)
{
	return mamori_xcalloc(1, sizeof(mamori_waf_stats));
}

void mamori_waf_stats_free(mamori_waf_stats *st)
{
	if (!st)
		return;
	cfree(&st->rules);
	cfree(&st->fps);
	cfree(&st->classes);
	cfree(&st->sources);
	free(st);
}

static void tally(counter *c, bool attack, bool benign, bool blocked)
{
	c->n++;
	c->attack += attack;
	c->benign += benign;
	c->blocked += blocked;
	c->blocked_attack += attack && blocked;
	c->blocked_benign += benign && blocked;
}

void mamori_waf_stats_add(mamori_waf_stats *st, const mamori_waf_record *rec,
			  const mamori_waf_result *res)
{
	bool attack = rec->label && !strcmp(rec->label, "attack");
	bool benign = rec->label && !strcmp(rec->label, "benign");
	bool blocked = res->action != MAMORI_WAF_ALLOW;
	st->total++;
	st->allowed += res->action == MAMORI_WAF_ALLOW;
	st->blocked += res->action == MAMORI_WAF_BLOCK;
	st->challenged += res->action == MAMORI_WAF_CAPTCHA || res->action == MAMORI_WAF_CHALLENGE;
	st->attacks += attack;
	st->benign += benign;
	st->attacks_blocked += attack && blocked;
	st->benign_blocked += benign && blocked;
	mamori_buf key = MAMORI_BUF_INIT;
	mamori_buf_printf(&key, "%s\x1f%s", res->terminating_group ? res->terminating_group : "",
			  res->terminating_rule);
	counter *c = cget(&st->rules, key.data);
	if (!c->rule) {
		c->rule = dup_or_null(res->terminating_rule);
		c->group = dup_or_null(res->terminating_group);
		c->dim = mamori_xstrdup(mamori_waf_action_name(res->action));
	}
	tally(c, attack, benign, blocked);
	if (rec->label) {
		mamori_buf_reset(&key);
		mamori_buf_printf(&key, "%s/%s", rec->label, rec->cls ? rec->cls : "-");
		c = cget(&st->classes, key.data);
		if (!c->dim)
			c->dim = mamori_xstrdup(key.data);
		tally(c, attack, benign, blocked);
		mamori_buf_reset(&key);
		mamori_buf_printf(&key, "%s/%s", rec->label, rec->source ? rec->source : "-");
		c = cget(&st->sources, key.data);
		if (!c->dim)
			c->dim = mamori_xstrdup(key.data);
		tally(c, attack, benign, blocked);
	}
	bool counted = false;
	for (size_t i = 0; i < res->match_count; i++) {
		const mamori_waf_match *m = &res->matches[i];
		counted |= m->action == MAMORI_WAF_COUNT;
		if (attack)
			continue; /* a match on a known attack is not a false positive */
		mamori_buf_reset(&key);
		mamori_buf_printf(&key, "%s\x1f%s\x1f%s\x1f%s", m->group ? m->group : "", m->rule,
				  m->location ? m->location : "", m->field_name ? m->field_name : "");
		c = cget(&st->fps, key.data);
		if (!c->rule) {
			c->rule = dup_or_null(m->rule);
			c->group = dup_or_null(m->group);
			c->location = dup_or_null(m->location);
			c->param = dup_or_null(m->field_name);
			c->dim = mamori_xstrdup(mamori_waf_action_name(m->action));
		}
		tally(c, attack, benign, blocked);
		if (c->example_count < 3 && rec->id)
			c->examples[c->example_count++] = mamori_xstrdup(rec->id);
	}
	st->counted += counted;
	mamori_buf_free(&key);
}

static int cmp_count(const void *a, const void *b)
{
	const counter *x = *(const counter *const *)a, *y = *(const counter *const *)b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* a JSON string, or null for a field the counter does not have */
static void quote_or_null(mamori_buf *out, const char *s)
{
	if (s)
		mamori_json_quote(out, s);
	else
		mamori_buf_puts(out, "null");
}

static const counter **sorted(const cmap *m, size_t *n)
{
	const counter **v = mamori_xcalloc(m->n + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key)
			v[k++] = &m->v[i];
	qsort(v, k, sizeof *v, cmp_count);
	*n = k;
	return v;
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void rate_rows_json(mamori_buf *out, const cmap *m)
{
	size_t n;
	const counter **v = sorted(m, &n);
	mamori_buf_putc(out, '[');
	for (size_t i = 0; i < n; i++) {
		const counter *c = v[i];
		mamori_buf_puts(out, i ? ",{\"key\":" : "{\"key\":");
		mamori_json_quote(out, c->dim);
		mamori_buf_printf(out, ",\"requests\":%llu,\"blocked\":%llu,\"rate\":%.2f}",
				  (unsigned long long)c->n, (unsigned long long)c->blocked,
				  pct(c->blocked, c->n));
	}
	mamori_buf_putc(out, ']');
	free(v);
}

void mamori_waf_stats_summary_json(const mamori_waf_stats *st, mamori_buf *out)
{
	mamori_buf_printf(out,
			  "{\"requests\":%llu,\"allowed\":%llu,\"blocked\":%llu,\"challenged\":%llu,"
			  "\"counted\":%llu",
			  (unsigned long long)st->total, (unsigned long long)st->allowed,
			  (unsigned long long)st->blocked, (unsigned long long)st->challenged,
			  (unsigned long long)st->counted);
	if (st->attacks || st->benign)
		mamori_buf_printf(out,
				  ",\"attacks\":%llu,\"attacks_blocked\":%llu,\"tpr\":%.2f,"
				  "\"benign\":%llu,\"benign_blocked\":%llu,\"fpr\":%.2f",
				  (unsigned long long)st->attacks, (unsigned long long)st->attacks_blocked,
				  pct(st->attacks_blocked, st->attacks), (unsigned long long)st->benign,
				  (unsigned long long)st->benign_blocked, pct(st->benign_blocked, st->benign));
	mamori_buf_puts(out, ",\"by_rule\":[");
	size_t n;
	const counter **v = sorted(&st->rules, &n);
	for (size_t i = 0; i < n; i++) {
		const counter *c = v[i];
		mamori_buf_puts(out, i ? ",{\"rule\":" : "{\"rule\":");
		mamori_json_quote(out, c->rule);
		mamori_buf_puts(out, ",\"group\":");
		quote_or_null(out, c->group);
		mamori_buf_puts(out, ",\"action\":");
		mamori_json_quote(out, c->dim);
		mamori_buf_printf(out, ",\"requests\":%llu", (unsigned long long)c->n);
		if (st->attacks || st->benign)
			mamori_buf_printf(out, ",\"attacks\":%llu,\"benign\":%llu",
					  (unsigned long long)c->attack, (unsigned long long)c->benign);
		mamori_buf_putc(out, '}');
	}
	free(v);
	mamori_buf_putc(out, ']');
	if (st->classes.n) {
		mamori_buf_puts(out, ",\"by_class\":");
		rate_rows_json(out, &st->classes);
		mamori_buf_puts(out, ",\"by_source\":");
		rate_rows_json(out, &st->sources);
	}
	mamori_buf_putc(out, '}');
}

void mamori_waf_stats_summary_text(const mamori_waf_stats *st, mamori_buf *out)
{
	mamori_buf_printf(out, "%llu requests: %llu allowed, %llu blocked, %llu challenged, "
			       "%llu with Count matches\n",
			  (unsigned long long)st->total, (unsigned long long)st->allowed,
			  (unsigned long long)st->blocked, (unsigned long long)st->challenged,
			  (unsigned long long)st->counted);
	if (st->attacks || st->benign)
		mamori_buf_printf(out, "attacks blocked: %llu/%llu (%.2f%%); benign blocked: %llu/%llu "
				       "(%.2f%%)\n",
				  (unsigned long long)st->attacks_blocked, (unsigned long long)st->attacks,
				  pct(st->attacks_blocked, st->attacks),
				  (unsigned long long)st->benign_blocked, (unsigned long long)st->benign,
				  pct(st->benign_blocked, st->benign));
	size_t n;
	const counter **v = sorted(&st->rules, &n);
	mamori_buf_puts(out, "\nby terminating rule:\n");
	for (size_t i = 0; i < n; i++) {
		const counter *c = v[i];
		mamori_buf_printf(out, "  %8llu  %-9s %s%s%s", (unsigned long long)c->n, c->dim,
				  c->group ? c->group : "", c->group ? " / " : "", c->rule);
		if (st->attacks || st->benign)
			mamori_buf_printf(out, "  (attack %llu, benign %llu)", (unsigned long long)c->attack,
					  (unsigned long long)c->benign);
		mamori_buf_putc(out, '\n');
	}
	free(v);
	if (st->classes.n) {
		mamori_buf_puts(out, "\nby label/class (blocked / requests):\n");
		v = sorted(&st->classes, &n);
		for (size_t i = 0; i < n; i++)
			mamori_buf_printf(out, "  %-32s %7llu / %-7llu %6.2f%%\n", v[i]->dim,
					  (unsigned long long)v[i]->blocked, (unsigned long long)v[i]->n,
					  pct(v[i]->blocked, v[i]->n));
		free(v);
		mamori_buf_puts(out, "\nby label/source (blocked / requests):\n");
		v = sorted(&st->sources, &n);
		for (size_t i = 0; i < n; i++)
			mamori_buf_printf(out, "  %-40s %7llu / %-7llu %6.2f%%\n", v[i]->dim,
					  (unsigned long long)v[i]->blocked, (unsigned long long)v[i]->n,
					  pct(v[i]->blocked, v[i]->n));
		free(v);
	}
}

void mamori_waf_stats_fp_json(const mamori_waf_stats *st, mamori_buf *out)
{
	size_t n;
	const counter **v = sorted(&st->fps, &n);
	mamori_buf_putc(out, '[');
	for (size_t i = 0; i < n; i++) {
		const counter *c = v[i];
		mamori_buf_puts(out, i ? ",\n{\"rule\":" : "\n{\"rule\":");
		mamori_json_quote(out, c->rule);
		mamori_buf_puts(out, ",\"group\":");
		quote_or_null(out, c->group);
		mamori_buf_puts(out, ",\"action\":");
		mamori_json_quote(out, c->dim);
		mamori_buf_puts(out, ",\"location\":");
		quote_or_null(out, c->location);
		mamori_buf_puts(out, ",\"parameter\":");
		if (c->param)
			waf_json_quote_n(out, c->param, strlen(c->param));
		else
			mamori_buf_puts(out, "null");
		mamori_buf_printf(out, ",\"matches\":%llu,\"benign\":%llu,\"would_block\":%llu",
				  (unsigned long long)c->n, (unsigned long long)c->benign,
				  (unsigned long long)c->blocked);
		mamori_buf_puts(out, ",\"examples\":[");
		for (size_t k = 0; k < c->example_count; k++) {
			if (k)
				mamori_buf_putc(out, ',');
			waf_json_quote_n(out, c->examples[k], strlen(c->examples[k]));
		}
		mamori_buf_puts(out, "],\"tuning\":");
		mamori_buf_puts(out, c->group ? "\"RuleActionOverrides Count for this rule, or a "
						"ScopeDownStatement excluding this parameter\""
					      : "\"Count, or narrow the statement's FieldToMatch\"");
		mamori_buf_putc(out, '}');
	}
	mamori_buf_puts(out, n ? "\n]" : "]");
	free(v);
}
