/*
 * sigma_rule.c — loading Sigma rules: YAML to compiled selections.
 *
 * Rules are read through the core's YAML layer (libfyaml -> cJSON).  The
 * logsource decides which log a rule runs on: product aws + service
 * cloudtrail -> CloudTrail; category dns (or product aws + service
 * route53) -> Route 53 Resolver query logs, with Sigma's generic DNS field
 * names mapped to Resolver's.  Rules for other logs (a whole SigmaHQ
 * checkout is mostly Windows) are still compiled — so that a broken rule
 * is reported wherever it is — against a throw-away field table.
 */
#include "../../core/yaml.h"
#include "sigma_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define MAX_RULE_FILE (4u << 20)

static void add_problem(sg_ruleset *rs, const char *fmt, ...) MAMORI_PRINTF(2, 3);
static void add_problem(sg_ruleset *rs, const char *fmt, ...)
{
	if (rs->nproblems == rs->problems_cap) {
		rs->problems_cap = rs->problems_cap ? rs->problems_cap * 2 : 16;
		rs->problems = mamori_xrealloc(rs->problems, rs->problems_cap * sizeof *rs->problems);
	}
	mamori_buf b = MAMORI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rs->problems[rs->nproblems++] = mamori_buf_detach(&b);
}

sg_ruleset *sg_ruleset_new(mamori_ctx *ctx, dt_paths *ct_paths, dt_paths *dns_paths)
{
	sg_ruleset *rs = mamori_xcalloc(1, sizeof *rs);
	rs->ctx = ctx;
	rs->paths[SG_LOG_NONE] = mamori_xcalloc(1, sizeof(dt_paths));
	dt_paths_init(rs->paths[SG_LOG_NONE]);
	rs->paths[SG_LOG_CLOUDTRAIL] = ct_paths;
	rs->paths[SG_LOG_DNS] = dns_paths;
	return rs;
}

static void rule_free(sg_rule *r)
{
	/* every compiled regex, also those of a match or selection left half
	 * built by an error */
	for (size_t i = 0; i < r->regexes.count; i++)
		pcre2_code_free(r->regexes.items[i]);
	dt_vec_free(&r->regexes);
	mamori_arena_free(&r->arena);
	free(r);
}

void sg_ruleset_free(sg_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->count; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->nproblems; i++)
		free(rs->problems[i]);
	free(rs->problems);
	sg_prefilter_free(rs->prefilter);
	cJSON_Delete(rs->placeholders);
	dt_paths_free(rs->paths[SG_LOG_NONE]);
	free(rs->paths[SG_LOG_NONE]);
	free(rs);
}

const sg_load_stats *sg_ruleset_stats(const sg_ruleset *rs)
{
	return &rs->stats;
}
size_t sg_ruleset_count(const sg_ruleset *rs)
{
	return rs->count;
}
const sg_rule_info *sg_ruleset_info(const sg_ruleset *rs, size_t i)
{
	return &rs->rules[i]->info;
}
size_t sg_ruleset_problem_count(const sg_ruleset *rs)
{
	return rs->nproblems;
}
const char *sg_ruleset_problem(const sg_ruleset *rs, size_t i)
{
	return rs->problems[i];
}

/* ---- values ---- */

static char *scalar_text(mamori_arena *a, const cJSON *v, bool *is_num)
{
	*is_num = false;
	if (cJSON_IsString(v))
		return mamori_arena_strdup(a, v->valuestring);
	if (cJSON_IsBool(v))
		return mamori_arena_strdup(a, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		*is_num = true;
		double d = v->valuedouble;
		if (d > -1e15 && d < 1e15 && d == (double)(int64_t)d) /* in range before the cast */
			return mamori_arena_printf(a, "%lld", (long long)d);
		return mamori_arena_printf(a, "%.15g", d);
	}
	return NULL; /* null */
}

static const char *list_str(mamori_arena *a, const cJSON *o, const char *key)
{
	const cJSON *v = mamori_json_get(o, key);
	bool n;
	if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))
		return scalar_text(a, v, &n);
	return NULL;
}

static void str_list(mamori_arena *a, const cJSON *v, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (cJSON_IsString(v)) {
		*out = mamori_arena_alloc(a, sizeof **out);
		(*out)[(*n)++] = mamori_arena_strdup(a, v->valuestring);
		return;
	}
	if (!cJSON_IsArray(v))
		return;
	size_t count = (size_t)cJSON_GetArraySize(v);
	*out = mamori_arena_alloc(a, (count + 1) * sizeof **out);
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		bool num;
		char *s = scalar_text(a, e, &num);
		if (s)
			(*out)[(*n)++] = s;
	}
}

/* Sigma's generic DNS names -> Route 53 Resolver query log fields. */
static const char *map_field(int log, const char *f)
{
	if (log != SG_LOG_DNS)
		return f;
	static const char *const m[][2] = {
		{"query", "query_name"},     {"QueryName", "query_name"},
		{"record_type", "query_type"}, {"answer", "answers.Rdata"},
		{"src_ip", "srcaddr"},	     {"src_port", "srcport"},
		{"response_code", "rcode"},
	};
	for (size_t i = 0; i < sizeof m / sizeof *m; i++)
		if (strcmp(f, m[i][0]) == 0)
			return m[i][1];
	return f;
}

static bool parse_ip(const char *s, uint8_t out[16]);

static bool parse_cidr(const char *raw, uint8_t addr[16], int *bits)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", raw);
	char *slash = strchr(buf, '/');
	int b = -1;
	if (slash) {
		*slash = '\0';
		char *end;
		long l = strtol(slash + 1, &end, 10);
		if (*end || l < 0 || l > 128)
			return false;
		b = (int)l;
	}
	if (!parse_ip(buf, addr))
		return false;
	bool v4 = strchr(buf, ':') == NULL;
	if (b < 0)
		b = v4 ? 32 : 128;
	if (v4) {
		if (b > 32)
			return false;
		b += 96;
	}
	*bits = b;
	return true;
}

#include <arpa/inet.h>
static bool parse_ip(const char *s, uint8_t out[16])
{
	struct in_addr a4;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return true;
	}
	return inet_pton(AF_INET6, s, out) == 1;
}

bool sg_parse_ip(const char *s, size_t n, uint8_t out[16]);
bool sg_parse_ip(const char *s, size_t n, uint8_t out[16])
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return parse_ip(buf, out);
}

/* Compile one `key: value` of a selection map into m; NULL or an error. */
static const char *compile_match(sg_ruleset *rs, sg_rule *r, int log, const char *key,
				 const cJSON *val, sg_match *m)
{
	mamori_arena *a = &r->arena;
	char *k = mamori_arena_strdup(a, key);
	char *bar = strchr(k, '|');
	char *mods = NULL;
	if (bar) {
		*bar = '\0';
		mods = bar + 1;
	}
	sg_mstate st = {0};
	st.arena = a;
	st.placeholders = rs->placeholders;
	st.op = SG_OP_EQ;
	/* values */
	const cJSON *e;
	if (cJSON_IsArray(val)) {
		cJSON_ArrayForEach(e, val)
		{
			if (cJSON_IsObject(e) || cJSON_IsArray(e))
				return "a value list holds a map or a list";
			sg_value v = {0};
			v.raw = scalar_text(a, e, &v.is_num);
			v.str = v.raw ? sg_str_parse(a, v.raw) : (sg_str){NULL, 0};
			sg_mstate_push(&st, &v.str, &v);
		}
	} else if (cJSON_IsObject(val)) {
		return "a field's value is a map";
	} else {
		sg_value v = {0};
		v.raw = scalar_text(a, val, &v.is_num);
		v.str = v.raw ? sg_str_parse(a, v.raw) : (sg_str){NULL, 0};
		sg_mstate_push(&st, &v.str, &v);
	}
	/* modifiers, in order */
	while (mods && *mods) {
		char *next = strchr(mods, '|');
		if (next)
			*next++ = '\0';
		const sg_modifier *mod = sg_modifier_find(mods);
		if (!mod)
			return mamori_arena_printf(a, "unknown modifier \"%s\"", mods);
		mod->apply(&st);
		if (st.error)
			return mamori_arena_printf(a, "modifier %s: %s", mods, st.error);
		mods = next;
	}
	m->slot = -1;
	if (*k)
		m->slot = dt_paths_add(rs->paths[log], map_field(log, k));
	else if (st.op == SG_OP_EQ)
		st.op = SG_OP_KEYWORD;
	m->op = st.op;
	m->all = st.all;
	m->cased = st.cased;
	m->neq = st.neq;
	m->npats = st.nvals;
	m->pats = mamori_arena_alloc(a, (st.nvals + 1) * sizeof *m->pats);
	for (size_t i = 0; i < st.nvals; i++) {
		sg_pat *p = &m->pats[i];
		sg_value *v = &st.vals[i];
		p->raw = v->raw;
		switch (st.op) {
		case SG_OP_EQ:
		case SG_OP_KEYWORD:
			if (!v->raw) {
				p->is_null = true;
				break;
			}
			p->str = v->str;
			if (st.op == SG_OP_KEYWORD && !sg_str_has_wild(&p->str))
				p->str = sg_str_cat(a, "\x01", &p->str, "\x01");
			if (!st.cased) {
				/* the string may point into shared storage: copy before folding */
				p->str.s = mamori_arena_memdup(a, p->str.s, p->str.n + 1);
				sg_str_lower(&p->str);
			}
			sg_pat_shape(p);
			break;
		case SG_OP_RE: {
			if (!v->raw)
				return "|re with a null value";
			int errcode;
			PCRE2_SIZE erroff;
			p->re = pcre2_compile((PCRE2_SPTR)v->raw, PCRE2_ZERO_TERMINATED,
					      (uint32_t)st.re_flags, &errcode, &erroff, NULL);
			if (!p->re) {
				PCRE2_UCHAR msg[160];
				pcre2_get_error_message(errcode, msg, sizeof msg);
				return mamori_arena_printf(a, "regex \"%s\" at %zu: %s", v->raw,
							   (size_t)erroff, (const char *)msg);
			}
			dt_vec_push(&r->regexes, p->re);
			pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE);
			break;
		}
		case SG_OP_CIDR:
			if (!v->raw || !parse_cidr(v->raw, p->addr, &p->bits))
				return mamori_arena_printf(a, "\"%s\" is not a network (|cidr)",
							   v->raw ? v->raw : "null");
			break;
		case SG_OP_GT:
		case SG_OP_GTE:
		case SG_OP_LT:
		case SG_OP_LTE: {
			char *end = NULL;
			p->num = v->raw ? strtod(v->raw, &end) : 0;
			if (!v->raw || end == v->raw || *end)
				return mamori_arena_printf(a, "\"%s\" is not a number",
							   v->raw ? v->raw : "null");
			break;
		}
		case SG_OP_EXISTS:
			if (!v->raw || (strcmp(v->raw, "true") && strcmp(v->raw, "false")))
				return "|exists needs true or false";
			p->exists = strcmp(v->raw, "true") == 0;
			break;
		case SG_OP_FIELDREF:
			if (!v->raw)
				return "|fieldref with a null value";
			p->ref_slot = dt_paths_add(rs->paths[log], map_field(log, v->str.s));
			p->ref_shape = st.ref_shape;
			break;
		default:
			break;
		}
	}
	if (m->slot < 0 && st.op != SG_OP_KEYWORD)
		return "a modifier that needs a field was used on a keyword";
	return NULL;
}

static const char *compile_map(sg_ruleset *rs, sg_rule *r, int log, const cJSON *obj,
			       sg_map *map)
{
	size_t n = (size_t)cJSON_GetArraySize(obj);
	map->matches = mamori_arena_alloc(&r->arena, (n + 1) * sizeof *map->matches);
	const cJSON *e;
	cJSON_ArrayForEach(e, obj)
	{
		const char *err = compile_match(rs, r, log, e->string, e, &map->matches[map->count]);
		if (err)
			return mamori_arena_printf(&r->arena, "%s: %s", e->string, err);
		map->count++;
	}
	return NULL;
}

static const char *compile_sel(sg_ruleset *rs, sg_rule *r, int log, const cJSON *v, sg_sel *s)
{
	mamori_arena *a = &r->arena;
	if (cJSON_IsObject(v)) {
		s->maps = mamori_arena_alloc(a, sizeof *s->maps);
		s->nmaps = 1;
		return compile_map(rs, r, log, v, &s->maps[0]);
	}
	if (cJSON_IsArray(v)) {
		size_t n = (size_t)cJSON_GetArraySize(v);
		bool maps = n && cJSON_IsObject(v->child);
		const cJSON *e;
		cJSON_ArrayForEach(e, v)
		{
			if (cJSON_IsObject(e) != maps || cJSON_IsArray(e))
				return "a selection list mixes maps and values";
		}
		if (maps) {
			s->maps = mamori_arena_alloc(a, (n + 1) * sizeof *s->maps);
			cJSON_ArrayForEach(e, v)
			{
				const char *err = compile_map(rs, r, log, e, &s->maps[s->nmaps]);
				if (err)
					return err;
				s->nmaps++;
			}
			return NULL;
		}
	}
	if (cJSON_IsNull(v))
		return "a selection is empty";
	/* keywords: a list of values (or a single one) anywhere in the record */
	s->maps = mamori_arena_alloc(a, sizeof *s->maps);
	s->nmaps = 1;
	s->maps[0].matches = mamori_arena_alloc(a, sizeof(sg_match));
	s->maps[0].count = 1;
	return compile_match(rs, r, log, "", v, &s->maps[0].matches[0]);
}

static int log_of(const cJSON *ls)
{
	const char *product = mamori_json_str(ls, "product");
	const char *service = mamori_json_str(ls, "service");
	const char *category = mamori_json_str(ls, "category");
	bool aws = product && strcasecmp(product, "aws") == 0;
	if (aws && service && strcasecmp(service, "cloudtrail") == 0)
		return SG_LOG_CLOUDTRAIL;
	if (category && strcasecmp(category, "dns") == 0 && (!product || aws))
		return SG_LOG_DNS;
	if (aws && service &&
	    (strcasecmp(service, "route53") == 0 || strcasecmp(service, "route53resolver") == 0))
		return SG_LOG_DNS;
	return SG_LOG_NONE;
}

static const char *stem_of(mamori_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *b = slash ? slash + 1 : path;
	const char *dot = strrchr(b, '.');
	return mamori_arena_strndup(a, b, dot ? (size_t)(dot - b) : strlen(b));
}

int sg_ruleset_add(sg_ruleset *rs, const char *path, const char *buf, size_t len)
{
	rs->stats.files++;
	cJSON *root = mamori_yaml_parse(rs->ctx, path, buf, len);
	if (!root) {
		rs->stats.errors++;
		add_problem(rs, "%s", mamori_error_last(rs->ctx)->message);
		return MAMORI_EINPUT;
	}
	const cJSON *det = mamori_json_get(root, "detection");
	bool correlation = mamori_json_get(root, "correlation") != NULL;
	if (!cJSON_IsObject(root) || (!det && !correlation)) {
		rs->stats.not_rules++;
		cJSON_Delete(root);
		return MAMORI_OK;
	}
	sg_rule *r = mamori_xcalloc(1, sizeof *r);
	mamori_arena_init(&r->arena, 0);
	mamori_arena *a = &r->arena;
	sg_rule_info *in = &r->info;
	in->path = mamori_arena_strdup(a, path);
	in->stem = stem_of(a, path);
	in->id = list_str(a, root, "id");
	in->title = list_str(a, root, "title");
	in->description = list_str(a, root, "description");
	in->level = list_str(a, root, "level");
	in->status = list_str(a, root, "status");
	in->author = list_str(a, root, "author");
	in->license = list_str(a, root, "license");
	if (!in->license)
		in->license = "DRL-1.1"; /* SigmaHQ's rules; the DRL asks for the author */
	if (!in->id)
		in->id = in->stem;
	if (!in->title)
		in->title = in->stem;
	if (!in->level)
		in->level = "medium";
	str_list(a, mamori_json_get(root, "tags"), &in->tags, &in->ntags);
	str_list(a, mamori_json_get(root, "references"), &in->refs, &in->nrefs);
	str_list(a, mamori_json_get(root, "falsepositives"), &in->falsepositives,
		 &in->nfalsepositives);
	int log = log_of(mamori_json_get(root, "logsource"));
	in->log = log;
	const char *why = NULL;
	if (correlation) {
		why = "Sigma correlation rules are not supported";
	} else if (!cJSON_IsObject(det)) {
		why = "detection is not a map";
	} else {
		size_t n = (size_t)cJSON_GetArraySize(det);
		r->sels = mamori_arena_alloc(a, (n + 1) * sizeof *r->sels);
		const cJSON *e;
		const cJSON *cond = NULL;
		const char *timeframe = NULL;
		cJSON_ArrayForEach(e, det)
		{
			if (strcmp(e->string, "condition") == 0) {
				cond = e;
				continue;
			}
			if (strcmp(e->string, "timeframe") == 0) {
				timeframe = cJSON_IsString(e) ? e->valuestring : NULL;
				continue;
			}
			sg_sel *s = &r->sels[r->nsels];
			s->name = mamori_arena_strdup(a, e->string);
			const char *err = compile_sel(rs, r, log, e, s);
			if (err) {
				why = mamori_arena_printf(a, "selection %s: %s", e->string, err);
				break;
			}
			r->nsels++;
		}
		if (!why && !cond)
			why = "detection has no condition";
		if (!why) {
			/* a list of conditions is their OR */
			mamori_buf text = MAMORI_BUF_INIT;
			if (cJSON_IsArray(cond)) {
				const cJSON *c;
				cJSON_ArrayForEach(c, cond)
				{
					if (!cJSON_IsString(c))
						continue;
					mamori_buf_printf(&text, "%s(%s)", text.len ? " or " : "",
							  c->valuestring);
				}
			} else if (cJSON_IsString(cond)) {
				mamori_buf_puts(&text, cond->valuestring);
			}
			const char *err = NULL;
			r->cond = text.len ? sg_condition_parse(r, text.data, &r->agg, rs->paths[log], &err)
					   : NULL;
			if (!r->cond)
				why = mamori_arena_printf(a, "condition: %s",
							  err ? err : "empty or not a string");
			mamori_buf_free(&text);
			if (!why && r->agg.on && timeframe) {
				char *end;
				double t = strtod(timeframe, &end);
				int64_t mult = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600
					     : *end == 'd' ? 86400 : *end == 'M' ? 2592000 : 0;
				if (mult == 0 || t <= 0)
					why = mamori_arena_printf(a, "timeframe \"%s\" is not understood",
								  timeframe);
				else
					r->agg.timeframe = (int64_t)(t * (double)mult);
			}
		}
	}
	cJSON_Delete(root);
	rs->stats.rules++;
	if (why && (correlation || log != SG_LOG_NONE)) {
		in->runnable = false;
		in->why_not = why;
		rs->stats.unsupported++;
		add_problem(rs, "%s: rule %s (%s) cannot run: %s", path, in->id, in->title, why);
	} else if (log == SG_LOG_NONE) {
		/* a whole SigmaHQ checkout is mostly Windows and Linux rules: what
		 * they use that mamori lacks would not matter, they are counted */
		in->runnable = false;
		in->why_not = why ? why : "its logsource is not a log mamori reads";
		rs->stats.other_logs++;
	} else {
		in->runnable = true;
		rs->stats.runnable++;
	}
	if (rs->count == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->rules = mamori_xrealloc(rs->rules, rs->cap * sizeof *rs->rules);
	}
	rs->rules[rs->count++] = r;
	return MAMORI_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_tree(sg_ruleset *rs, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d) {
		add_problem(rs, "%s: cannot read the directory: %s", dir, strerror(errno));
		rs->stats.errors++;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = mamori_xrealloc(names, cap * sizeof *names);
		}
		names[n++] = mamori_xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name); /* deterministic order */
	mamori_buf path = MAMORI_BUF_INIT, content = MAMORI_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		mamori_buf_reset(&path);
		mamori_buf_printf(&path, "%s/%s", dir, names[i]);
		struct stat stt;
		if (lstat(path.data, &stt) != 0)
			continue;
		if (S_ISDIR(stt.st_mode)) {
			if (depth < 32)
				load_tree(rs, path.data, depth + 1);
			continue;
		}
		size_t l = strlen(names[i]);
		bool yml = (l > 4 && strcmp(names[i] + l - 4, ".yml") == 0) ||
			   (l > 5 && strcmp(names[i] + l - 5, ".yaml") == 0);
		if (!S_ISREG(stt.st_mode) || !yml)
			continue;
		mamori_buf_reset(&content);
		if (mamori_buf_read_file(rs->ctx, &content, path.data, MAX_RULE_FILE)) {
			rs->stats.errors++;
			add_problem(rs, "%s", mamori_error_last(rs->ctx)->message);
			continue;
		}
		sg_ruleset_add(rs, path.data, content.data ? content.data : "", content.len);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	mamori_buf_free(&path);
	mamori_buf_free(&content);
}

int sg_ruleset_load_placeholders(sg_ruleset *rs, const char *path)
{
	mamori_buf b = MAMORI_BUF_INIT;
	int rc = mamori_buf_read_file(rs->ctx, &b, path, MAX_RULE_FILE);
	if (!rc)
		rc = sg_ruleset_placeholders_buf(rs, path, b.data ? b.data : "", b.len);
	mamori_buf_free(&b);
	return rc;
}

int sg_ruleset_placeholders_buf(sg_ruleset *rs, const char *path, const char *buf, size_t len)
{
	cJSON *root = mamori_yaml_parse(rs->ctx, path, buf, len);
	if (!root)
		return MAMORI_EINPUT;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return mamori_error_set(rs->ctx, MAMORI_EINPUT,
					"%s: placeholders: a map of NAME: value or [values] expected",
					path);
	}
	const cJSON *e, *x;
	cJSON_ArrayForEach(e, root)
	{
		bool ok = cJSON_IsString(e) || cJSON_IsNumber(e);
		if (cJSON_IsArray(e)) {
			ok = true;
			cJSON_ArrayForEach(x, e) ok &= cJSON_IsString(x) || cJSON_IsNumber(x);
		}
		if (!ok) {
			mamori_error_set(rs->ctx, MAMORI_EINPUT,
					 "%s: placeholder %s: a value or a list of values expected",
					 path, e->string);
			cJSON_Delete(root);
			return MAMORI_EINPUT;
		}
	}
	if (rs->placeholders) { /* a later file wins, name by name */
		cJSON *item;
		while ((item = root->child) != NULL) {
			cJSON_DetachItemViaPointer(root, item);
			cJSON_DeleteItemFromObjectCaseSensitive(rs->placeholders, item->string);
			cJSON_AddItemToObject(rs->placeholders, item->string, item);
		}
		cJSON_Delete(root);
	} else {
		rs->placeholders = root;
	}
	return MAMORI_OK;
}

int sg_ruleset_load_dir(sg_ruleset *rs, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return mamori_error_set(rs->ctx, MAMORI_EINPUT, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		mamori_buf content = MAMORI_BUF_INIT;
		int rc = mamori_buf_read_file(rs->ctx, &content, dir, MAX_RULE_FILE);
		if (!rc)
			rc = sg_ruleset_add(rs, dir, content.data ? content.data : "", content.len);
		mamori_buf_free(&content);
		return rc == MAMORI_EINPUT ? MAMORI_OK : rc;
	}
	load_tree(rs, dir, 0);
	return MAMORI_OK;
}

int sg_ruleset_compile(sg_ruleset *rs)
{
	if (rs->compiled)
		return MAMORI_OK;
	rs->compiled = true;
	return sg_prefilter_build(rs);
}
