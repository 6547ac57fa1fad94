/*
 * run.c — compiling rule sets, finding data files, and evaluating them all
 * (see guard.h).
 *
 * Rules are parsed once.  Data files are handed to N worker threads one at a
 * time (a shared counter under a mutex); each worker owns its evaluator,
 * its context and an arena for the strings of its results, so workers share
 * nothing but the read-only rules.  Results are gathered per input and
 * ordered the same whatever the number of threads.  A file that cannot be
 * read or parsed, or an evaluation that hits an error, is reported for that
 * (file, rules) pair alone and everything else still runs — cfn-guard
 * aborts the whole directory instead.
 */
#include "guard.h"

#include "eval.h"
#include "load.h"
#include "parse.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_INPUT_BYTES (512u << 20)
#define WALK_MAX_DEPTH 64

/* ---- rules ---- */

void mamori_guard_rules_init(mamori_guard_rules *rs)
{
	memset(rs, 0, sizeof *rs);
}

void mamori_guard_rules_free(mamori_guard_rules *rs)
{
	for (size_t i = 0; i < rs->count; i++) {
		mg_rules_free(rs->files[i]);
		free(rs->names[i]);
		free(rs->errors[i]);
	}
	free(rs->files);
	free(rs->names);
	free(rs->errors);
	memset(rs, 0, sizeof *rs);
}

static void rules_push(mamori_guard_rules *rs, mg_rules_file *rf, const char *name)
{
	if (rs->count == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->files = mamori_xrealloc(rs->files, rs->cap * sizeof *rs->files);
		rs->names = mamori_xrealloc(rs->names, rs->cap * sizeof *rs->names);
		rs->errors = mamori_xrealloc(rs->errors, rs->cap * sizeof *rs->errors);
	}
	rs->files[rs->count] = rf;
	rs->names[rs->count] = mamori_xstrdup(name);
	rs->errors[rs->count] = NULL;
	rs->count++;
}

int mamori_guard_rules_add_text(mamori_ctx *ctx, mamori_guard_rules *rs, const char *name,
				const char *buf, size_t len)
{
	mg_rules_file *rf = NULL;
	int rc = mg_rules_parse(ctx, name, buf, len, &rf);
	if (rc)
		return rc;
	if (!rf) {
		/* only comments: a rules file with no rules (every verdict is absent) */
		rf = mamori_xcalloc(1, sizeof *rf);
		mamori_arena_init(&rf->arena, 0);
		rf->path = mamori_xstrdup(name);
		rf->source = mamori_xstrdup("");
	}
	rules_push(rs, rf, name);
	return MAMORI_OK;
}

static bool has_ext(const char *name, const char *const *exts)
{
	size_t n = strlen(name);
	for (size_t i = 0; exts[i]; i++) {
		size_t e = strlen(exts[i]);
		if (n > e && strcasecmp(name + n - e, exts[i]) == 0)
			return true;
	}
	return false;
}

typedef struct pathlist {
	char **v;
	size_t n, cap;
} pathlist;

static void pl_push(pathlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = mamori_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* relative paths of matching files under dir (skipping hidden entries) */
static int walk(mamori_ctx *ctx, const char *root, const char *rel, int depth,
		const char *const *exts, pathlist *out)
{
	if (depth > WALK_MAX_DEPTH)
		return MAMORI_OK;
	mamori_buf p = MAMORI_BUF_INIT;
	mamori_buf_printf(&p, "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(p.data);
	if (!d) {
		int rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot open the directory",
					  p.data);
		mamori_buf_free(&p);
		return rc;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		mamori_buf full = MAMORI_BUF_INIT, r = MAMORI_BUF_INIT;
		mamori_buf_printf(&full, "%s/%s", p.data, e->d_name);
		mamori_buf_printf(&r, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		struct stat st;
		if (stat(full.data, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				walk(ctx, root, r.data, depth + 1, exts, out);
			else if (S_ISREG(st.st_mode) && has_ext(e->d_name, exts))
				pl_push(out, mamori_buf_detach(&r));
		}
		mamori_buf_free(&full);
		mamori_buf_free(&r);
	}
	closedir(d);
	mamori_buf_free(&p);
	return MAMORI_OK;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void rules_broken(mamori_ctx *ctx, mamori_guard_rules *rs, const char *name)
{
	rules_push(rs, NULL, name);
	const mamori_error *e = mamori_error_last(ctx);
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_puts(&b, e->message ? e->message : "the rules file could not be read");
	if (e->excerpt) {
		mamori_buf_putc(&b, '\n');
		mamori_buf_puts(&b, e->excerpt);
	}
	rs->errors[rs->count - 1] = mamori_buf_detach(&b);
}

static int read_rules(mamori_ctx *ctx, mamori_guard_rules *rs, const char *path, const char *name)
{
	mamori_buf b = MAMORI_BUF_INIT;
	int rc = mamori_buf_read_file(ctx, &b, path, MAX_INPUT_BYTES);
	if (rc)
		rules_broken(ctx, rs, name);
	if (!rc) {
		mg_rules_file *rf = NULL;
		rc = mg_rules_parse(ctx, path, b.data ? b.data : "", b.len, &rf);
		if (!rc) {
			if (!rf) {
				rf = mamori_xcalloc(1, sizeof *rf);
				mamori_arena_init(&rf->arena, 0);
				rf->path = mamori_xstrdup(path);
				rf->source = mamori_xstrdup("");
			}
			rules_push(rs, rf, name);
		} else {
			rules_broken(ctx, rs, name);
		}
	}
	mamori_buf_free(&b);
	return rc;
}

int mamori_guard_rules_add_path(mamori_ctx *ctx, mamori_guard_rules *rs, const char *path)
{
	static const char *const exts[] = {".guard", ".ruleset", NULL};
	struct stat st;
	if (stat(path, &st) != 0)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: no such file or directory", path);
	if (!S_ISDIR(st.st_mode))
		return read_rules(ctx, rs, path, basename_of(path));
	pathlist l = {0};
	int rc = walk(ctx, path, "", 0, exts, &l);
	if (!rc)
		qsort(l.v, l.n, sizeof *l.v, cmp_str);
	/* keep reading after a broken file; report the first error at the end */
	mamori_ctx *first = NULL;
	for (size_t i = 0; i < l.n; i++) {
		mamori_buf f = MAMORI_BUF_INIT;
		mamori_buf_printf(&f, "%s/%s", path, l.v[i]);
		int r = read_rules(ctx, rs, f.data, l.v[i]);
		mamori_buf_free(&f);
		if (r && !rc) {
			rc = r;
			first = mamori_ctx_new();
			const mamori_error *e = mamori_error_last(ctx);
			mamori_error_set(first, e->code, "%s", e->message);
		}
	}
	if (first) {
		mamori_error_set(ctx, rc, "%s", mamori_error_last(first)->message);
		mamori_ctx_free(first);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return rc;
}

/* ---- inputs ---- */

void mamori_guard_inputs_free(mamori_guard_inputs *in)
{
	for (size_t i = 0; i < in->count; i++) {
		free(in->items[i].path);
		free(in->items[i].name);
		free(in->items[i].text);
	}
	free(in->items);
	memset(in, 0, sizeof *in);
}

static mamori_guard_input *in_push(mamori_guard_inputs *in)
{
	if (in->count == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 32;
		in->items = mamori_xrealloc(in->items, in->cap * sizeof *in->items);
	}
	mamori_guard_input *it = &in->items[in->count++];
	memset(it, 0, sizeof *it);
	return it;
}

void mamori_guard_inputs_add_text(mamori_guard_inputs *in, const char *name, const char *text,
				  size_t len)
{
	mamori_guard_input *it = in_push(in);
	it->name = mamori_xstrdup(name);
	it->text = mamori_xmalloc(len + 1);
	memcpy(it->text, text, len);
	it->text[len] = '\0';
	it->text_len = len;
}

int mamori_guard_inputs_add_path(mamori_ctx *ctx, mamori_guard_inputs *in, const char *path)
{
	static const char *const exts[] = {".yaml", ".yml", ".json", ".jsn", ".template", NULL};
	struct stat st;
	if (stat(path, &st) != 0)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: no such file or directory", path);
	if (!S_ISDIR(st.st_mode)) {
		mamori_guard_input *it = in_push(in);
		it->path = mamori_xstrdup(path);
		it->name = mamori_xstrdup(basename_of(path));
		return MAMORI_OK;
	}
	pathlist l = {0};
	int rc = walk(ctx, path, "", 0, exts, &l);
	if (!rc)
		qsort(l.v, l.n, sizeof *l.v, cmp_str);
	for (size_t i = 0; i < l.n; i++) {
		if (!rc) {
			mamori_guard_input *it = in_push(in);
			mamori_buf f = MAMORI_BUF_INIT;
			mamori_buf_printf(&f, "%s/%s", path, l.v[i]);
			it->path = mamori_buf_detach(&f);
			it->name = mamori_xstrdup(l.v[i]);
		}
		free(l.v[i]);
	}
	free(l.v);
	return rc;
}

/* ---- evidence ---- */

/* The resource a failing value belongs to: a CloudFormation logical id (a key
 * of Resources), a Terraform address, or an AWS Config item's ARN. */
static void locate_resource(const mg_value *v, const char **id, const char **type, mamori_arena *a)
{
	*id = NULL;
	*type = NULL;
	for (const mg_value *c = v; c && c->parent; c = c->parent) {
		const mg_value *p = c->parent;
		const mg_value *gp = p->parent;
		if (p->type == MG_MAP && gp && gp->type == MG_MAP && c->idx < p->map.n) {
			const mg_value *pk = gp->map.k[p->idx < gp->map.n ? p->idx : 0];
			if (!gp->parent && pk->s.len == 9 && memcmp(pk->s.p, "Resources", 9) == 0) {
				const mg_value *k = p->map.k[c->idx];
				*id = mamori_arena_strndup(a, k->s.p, k->s.len);
				const mg_value *t = mg_map_get(c, "Type", 4);
				if (t && t->type == MG_STRING)
					*type = mamori_arena_strndup(a, t->s.p, t->s.len);
				return;
			}
		}
		if (p->type == MG_LIST && c->type == MG_MAP) {
			const mg_value *addr = mg_map_get(c, "address", 7);
			const mg_value *arn = mg_map_get(c, "ARN", 3);
			if (!arn)
				arn = mg_map_get(c, "arn", 3);
			if (addr && addr->type == MG_STRING) {
				*id = mamori_arena_strndup(a, addr->s.p, addr->s.len);
				const mg_value *t = mg_map_get(c, "type", 4);
				if (t && t->type == MG_STRING)
					*type = mamori_arena_strndup(a, t->s.p, t->s.len);
				return;
			}
			if (arn && arn->type == MG_STRING) {
				*id = mamori_arena_strndup(a, arn->s.p, arn->s.len);
				const mg_value *t = mg_map_get(c, "resourceType", 12);
				if (t && t->type == MG_STRING)
					*type = mamori_arena_strndup(a, t->s.p, t->s.len);
				return;
			}
		}
		if (!p->parent && p->type == MG_MAP) {
			/* a single Config item: the document itself */
			const mg_value *arn = mg_map_get(p, "ARN", 3);
			if (!arn)
				arn = mg_map_get(p, "arn", 3);
			const mg_value *rt = mg_map_get(p, "resourceType", 12);
			if (arn && arn->type == MG_STRING && rt) {
				*id = mamori_arena_strndup(a, arn->s.p, arn->s.len);
				if (rt->type == MG_STRING)
					*type = mamori_arena_strndup(a, rt->s.p, rt->s.len);
				return;
			}
		}
	}
}

static const char *json_of(const mg_value *v, mamori_arena *a)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mg_to_json(v, &b);
	if (b.len > 4096) { /* evidence, not a copy of the template */
		b.len = 4096;
		b.data[b.len] = '\0';
		mamori_buf_puts(&b, "...");
	}
	const char *s = mamori_arena_strndup(a, b.data, b.len);
	mamori_buf_free(&b);
	return s;
}

static const char *path_of(const mg_value *v, mamori_arena *a)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mg_path(v, &b);
	const char *s = mamori_arena_strndup(a, b.data ? b.data : "", b.len);
	mamori_buf_free(&b);
	return s;
}

static const char *remaining(const mg_unres *u, mamori_arena *a)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mg_buf_ready(&b, 16);
	if (u && u->q)
		for (uint32_t i = u->qi; i < u->q->n; i++) {
			const mg_qpart *p = &u->q->parts[i];
			switch (p->kind) {
			case MG_QP_KEY:
				if (b.len)
					mamori_buf_putc(&b, '.');
				if (p->var)
					mamori_buf_putc(&b, '%');
				mamori_buf_append(&b, p->s, p->slen);
				break;
			case MG_QP_INDEX:
				mamori_buf_printf(&b, "[%d]", p->index);
				break;
			case MG_QP_ALL_INDICES:
				mamori_buf_puts(&b, "[*]");
				break;
			case MG_QP_ALL_VALUES:
				mamori_buf_puts(&b, b.len ? ".*" : "*");
				break;
			case MG_QP_FILTER:
				mamori_buf_puts(&b, "[filter]");
				break;
			case MG_QP_MAPKEY:
				mamori_buf_puts(&b, "[KEYS filter]");
				break;
			default:
				mamori_buf_puts(&b, "this");
			}
		}
	const char *s = mamori_arena_strndup(a, b.data, b.len);
	mamori_buf_free(&b);
	return s;
}

static const char *op_text(const mg_record *r)
{
	static const char *const ops[] = {"equal to", "in",	  "greater than", "greater than or equal to",
					  "less than", "less than or equal to"};
	if (r->op <= MG_OP_LE)
		return ops[r->op];
	return mg_op_name(r->op);
}

static void to_check(const mg_record *r, const char *rule, mamori_guard_check *c, mamori_arena *a)
{
	memset(c, 0, sizeof *c);
	c->rule = rule;
	c->clause = r->clause && r->clause->text ? r->clause->text : NULL;
	c->custom = r->msg ? mamori_arena_strdup(a, r->msg) : NULL;
	const mg_value *at = r->lhs ? r->lhs : r->ur ? r->ur->traversed_to : NULL;
	if (at) {
		c->path = path_of(at, a);
		c->line = at->line;
		c->col = at->col;
		locate_resource(at, &c->resource, &c->resource_type, a);
	}
	if (r->lhs)
		c->value = json_of(r->lhs, a);
	if (r->rhs)
		c->expected = json_of(r->rhs, a);
	if (r->rhs_list) {
		mamori_buf b = MAMORI_BUF_INIT;
		mamori_buf_putc(&b, '[');
		for (uint32_t i = 0; i < r->nrhs && b.len < 4096; i++) {
			if (i)
				mamori_buf_putc(&b, ',');
			mg_to_json(r->rhs_list[i], &b);
		}
		mamori_buf_putc(&b, ']');
		c->expected = mamori_arena_strndup(a, b.data, b.len);
		mamori_buf_free(&b);
	}
	const char *no = r->op_not ? "not " : "";
	switch ((mg_rec_kind)r->kind) {
	case MG_REC_COMPARE:
		c->message = mamori_arena_printf(a, "%s is %s, expected it %sto be %s %s", c->path,
						 c->value, no, op_text(r), c->expected);
		break;
	case MG_REC_IN:
		c->message = mamori_arena_printf(a, "%s is %s, expected it %sto be in %s", c->path,
						 c->value, no, c->expected ? c->expected : "[]");
		break;
	case MG_REC_UNARY:
		c->message = mamori_arena_printf(a, "%s is %s, which is %s%s", c->path, c->value,
						 r->op_not ? "" : "not ", mg_op_name(r->op));
		break;
	case MG_REC_MISSING:
	case MG_REC_BLOCK_MISSING:
		c->message = mamori_arena_printf(a, "%s%s%s is missing",
						 c->path && *c->path ? c->path : "",
						 c->path && *c->path ? ": " : "", remaining(r->ur, a));
		break;
	case MG_REC_RHS_MISSING:
		c->message = mamori_arena_printf(a, "%s: the value to compare with (%s) is missing",
						 c->path, remaining(r->ur, a));
		break;
	case MG_REC_NOT_COMPARABLE:
		c->message = mamori_arena_printf(a, "%s is %s, which cannot be compared with %s (%s, %s)",
						 c->path, c->value, c->expected,
						 r->lhs ? mg_type_name(r->lhs) : "?",
						 r->rhs ? mg_type_name(r->rhs) : "?");
		break;
	case MG_REC_EMPTY_QUERY:
		c->message = mamori_arena_printf(a, "%s selected nothing",
						 c->clause ? c->clause : "the query");
		break;
	case MG_REC_RULE:
		c->message = mamori_arena_printf(a, "rule %s did not pass",
						 r->clause && r->clause->rule ? r->clause->rule : "?");
		break;
	}
}

/* ---- evaluation ---- */

void mamori_guard_evaluate_root(mg_eval *ev, const mg_rules_file *rf, const mg_value *root,
				bool evidence, mamori_arena *out, mamori_guard_pair *p)
{
	mg_eval_reset(ev);
	ev->record = evidence;
	p->overall = MG_SKIP;
	if (!p->status)
		p->status = mamori_arena_alloc(out, rf->nnames ? rf->nnames : 1);
	if (!p->blocks)
		p->blocks = mamori_arena_alloc(out, rf->nrules ? rf->nrules : 1);
	mg_rule_result *rr = mamori_xcalloc(rf->nrules ? rf->nrules : 1, sizeof *rr);
	if (mg_eval_rules(ev, rf, root, rr)) {
		p->error = mamori_arena_strdup(out, ev->err);
		free(rr);
		return;
	}
	memset(p->status, MG_SKIP, rf->nnames ? rf->nnames : 1);
	size_t nchecks = 0;
	for (uint32_t k = 0; k < rf->nrules; k++) {
		uint8_t st = (uint8_t)rr[k].status;
		p->blocks[k] = st;
		uint8_t *ns = &p->status[rf->rules[k]->name_id];
		if (st == MG_FAIL || (st == MG_PASS && *ns == MG_SKIP))
			*ns = st;
		if (st == MG_FAIL || (st == MG_PASS && p->overall == MG_SKIP))
			p->overall = st;
		nchecks += rr[k].rec_count;
	}
	if (evidence && nchecks) {
		p->checks = mamori_arena_alloc(out, nchecks * sizeof *p->checks);
		for (uint32_t k = 0; k < rf->nrules; k++)
			for (uint32_t q = 0; q < rr[k].rec_count; q++)
				to_check(&ev->recs[rr[k].rec_start + q], rf->rules[k]->name,
					 &p->checks[p->ncheck++], out);
	}
	free(rr);
}

typedef struct input_result {
	mamori_guard_pair *pairs;
	size_t count;
	bool data_error;
	size_t eval_errors;
	bool done;
	mamori_arena *arena; /* owns this input's result strings */
} input_result;

typedef struct job {
	const mamori_guard_rules *rs;
	const mamori_guard_inputs *in;
	const mamori_guard_options *opts;
	const mg_value *params;
	input_result *res;
	size_t next;	  /* next input to evaluate */
	size_t next_emit; /* next input to hand to opts->emit */
	pthread_mutex_t lock;
	mamori_ctx *main_ctx;
	size_t data_errors, eval_errors;
} job;

static void eval_input(job *j, size_t idx, mamori_ctx *ctx, mg_eval *ev)
{
	const mamori_guard_input *it = &j->in->items[idx];
	const mamori_guard_rules *rs = j->rs;
	input_result *res = &j->res[idx];
	res->arena = mamori_xmalloc(sizeof *res->arena);
	mamori_arena_init(res->arena, 16 * 1024);
	mamori_arena *out = res->arena;
	mamori_arena docarena;
	mamori_arena_init(&docarena, 0);
	mamori_buf buf = MAMORI_BUF_INIT;
	const char *buf_data;
	size_t buf_len;
	int rc = 0;
	if (it->text) {
		buf_data = it->text;
		buf_len = it->text_len;
	} else {
		rc = mamori_buf_read_file(ctx, &buf, it->path, MAX_INPUT_BYTES);
		buf_data = buf.data ? buf.data : "";
		buf_len = buf.len;
	}
	mg_docs docs = {0};
	if (!rc)
		rc = mg_load(ctx, it->path ? it->path : it->name, buf_data, buf_len, &docarena, &docs);
	const char *data_error = NULL;
	if (rc) {
		const mamori_error *e = mamori_error_last(ctx);
		data_error = e->excerpt ? mamori_arena_printf(out, "%s\n%s", e->message, e->excerpt)
					: mamori_arena_strdup(out, e->message);
		res->data_error = true;
		docs.count = 0;
	}
	size_t ndoc = docs.count ? docs.count : 1;
	res->count = ndoc * rs->count;
	res->pairs = mamori_xcalloc(res->count ? res->count : 1, sizeof *res->pairs);
	for (size_t d = 0; d < ndoc; d++) {
		const char *dname = d == 0 ? mamori_arena_strdup(out, it->name)
					   : mamori_arena_printf(out, "%s#%zu", it->name, d + 1);
		mg_value *root = docs.count ? docs.roots[d] : NULL;
		const char *perr = data_error;
		if (root && j->params && !perr)
			perr = mg_merge_params(&docarena, &root, j->params);
		for (size_t r = 0; r < rs->count; r++) {
			mamori_guard_pair *p = &res->pairs[d * rs->count + r];
			const mg_rules_file *rf = rs->files[r];
			p->input = idx;
			p->doc = (int)d;
			p->rules = r;
			p->data_name = dname;
			p->overall = MG_SKIP;
			if (!rf) {
				p->error = rs->errors[r];
				continue;
			}
			if (perr) {
				p->error = perr;
				continue;
			}
			mamori_guard_evaluate_root(ev, rf, root, j->opts->evidence, out, p);
			if (p->error)
				res->eval_errors++;
		}
	}
	mg_eval_reset(ev);
	mamori_buf_free(&buf);
	mamori_arena_free(&docarena);
}

static void release(input_result *r)
{
	free(r->pairs);
	r->pairs = NULL;
	r->count = 0;
	if (r->arena) {
		mamori_arena_free(r->arena);
		free(r->arena);
		r->arena = NULL;
	}
}

/* Hand finished inputs to opts->emit in input order (caller holds the lock). */
static void flush(job *j)
{
	while (j->next_emit < j->in->count && j->res[j->next_emit].done) {
		input_result *r = &j->res[j->next_emit];
		j->data_errors += r->data_error;
		j->eval_errors += r->eval_errors;
		if (j->opts->emit) {
			j->opts->emit(j->opts->emit_ud, r->pairs, r->count);
			release(r);
		}
		j->next_emit++;
	}
}

static void finish_input(job *j, size_t idx)
{
	pthread_mutex_lock(&j->lock);
	j->res[idx].done = true;
	flush(j);
	pthread_mutex_unlock(&j->lock);
}

static void *worker(void *argp)
{
	job *j = argp;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_ctx_set_now(ctx, mamori_ctx_now(j->main_ctx));
	mg_eval ev;
	mg_eval_init(&ev, ctx);
	for (;;) {
		pthread_mutex_lock(&j->lock);
		size_t idx = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (idx >= j->in->count)
			break;
		eval_input(j, idx, ctx, &ev);
		finish_input(j, idx);
	}
	mg_eval_free(&ev);
	mamori_ctx_free(ctx);
	return NULL;
}

typedef struct report_priv {
	input_result *res;
	size_t nres;
	mamori_arena params;
} report_priv;

int mamori_guard_evaluate(mamori_ctx *ctx, const mamori_guard_rules *rs,
			  const mamori_guard_inputs *in, const mamori_guard_options *opts,
			  mamori_guard_report *out)
{
	memset(out, 0, sizeof *out);
	int threads = opts->threads > 1 ? opts->threads : 1;
	if ((size_t)threads > in->count)
		threads = in->count ? (int)in->count : 1;
	report_priv *priv = mamori_xcalloc(1, sizeof *priv);
	mamori_arena_init(&priv->params, 0);
	out->priv = priv;
	job j = {.rs = rs, .in = in, .opts = opts, .main_ctx = ctx};
	if (opts->params) {
		mg_docs pd;
		int rc = mg_load(ctx, opts->params_name ? opts->params_name : "input parameters",
				 opts->params, opts->params_len, &priv->params, &pd);
		if (rc)
			return rc;
		if (pd.roots[0]->type != MG_MAP)
			return mamori_error_set(ctx, MAMORI_EINPUT,
						"%s: input parameters must be a mapping",
						opts->params_name ? opts->params_name : "parameters");
		j.params = pd.roots[0];
	}
	j.res = mamori_xcalloc(in->count ? in->count : 1, sizeof *j.res);
	priv->res = j.res;
	priv->nres = in->count;
	pthread_mutex_init(&j.lock, NULL);
	mamori_progress_begin(ctx, "guard: evaluating", in->count);
	if (threads == 1) {
		mg_eval ev;
		mg_eval_init(&ev, ctx);
		for (size_t i = 0; i < in->count; i++) {
			mamori_progress_update(ctx, i);
			eval_input(&j, i, ctx, &ev);
			finish_input(&j, i);
		}
		mg_eval_free(&ev);
		mamori_error_clear(ctx);
	} else {
		pthread_t *tids = mamori_xcalloc((size_t)threads, sizeof *tids);
		for (int i = 0; i < threads; i++)
			if (pthread_create(&tids[i], NULL, worker, &j) != 0)
				mamori_oom(0);
		for (int i = 0; i < threads; i++)
			pthread_join(tids[i], NULL);
		free(tids);
	}
	mamori_progress_end(ctx);
	pthread_mutex_destroy(&j.lock);
	out->data_errors = j.data_errors;
	out->eval_errors = j.eval_errors;
	if (opts->emit)
		return MAMORI_OK;
	size_t total = 0;
	for (size_t i = 0; i < in->count; i++)
		total += j.res[i].count;
	out->pairs = mamori_xcalloc(total ? total : 1, sizeof *out->pairs);
	for (size_t i = 0; i < in->count; i++) {
		if (j.res[i].count)
			memcpy(out->pairs + out->count, j.res[i].pairs,
			       j.res[i].count * sizeof *out->pairs);
		out->count += j.res[i].count;
		free(j.res[i].pairs);
		j.res[i].pairs = NULL;
	}
	return MAMORI_OK;
}

void mamori_guard_report_free(mamori_guard_report *r)
{
	report_priv *priv = r->priv;
	if (priv) {
		for (size_t i = 0; i < priv->nres; i++)
			release(&priv->res[i]);
		free(priv->res);
		mamori_arena_free(&priv->params);
		free(priv);
	}
	free(r->pairs);
	memset(r, 0, sizeof *r);
}
