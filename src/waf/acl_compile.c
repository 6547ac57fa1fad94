/*
 * acl_compile.c — wafv2 WebACL JSON to a mamori_waf_acl.
 *
 * Accepts the WebACL object itself, or what `aws wafv2 get-web-acl` prints
 * ({"WebACL": {...}, "LockToken": ...}), optionally with the resources a
 * WebACL refers to by ARN — "IPSets", "RegexPatternSets", "RuleGroups" as
 * arrays of the objects get-ip-set / get-regex-pattern-set / get-rule-group
 * return — since a WebACL alone cannot be evaluated without them.
 *
 * Every problem is reported with the JSON path where it is
 * ("$.Rules[3].Statement.ByteMatchStatement.PositionalConstraint: ...") and
 * nothing half-compiled escapes.  Statements compile through the
 * registration table (stmt_table.c); fields and transformation chains are
 * interned so that requests decode each value once.
 */
#include "waf_internal.h"

#include <maxminddb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t waf_path_push(waf_compiler *c, const char *fmt, ...)
{
	size_t saved = c->path_len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->path + c->path_len, sizeof c->path - c->path_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->path_len += (size_t)n;
	if (c->path_len >= sizeof c->path)
		c->path_len = sizeof c->path - 1;
	return saved;
}

void waf_path_pop(waf_compiler *c, size_t len)
{
	c->path_len = len;
	c->path[len] = 0;
}

int waf_err(waf_compiler *c, const char *member, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return mamori_error_set(c->ctx, MAMORI_EINPUT, "%s: %s%s%s: %s", c->file, c->path,
				member ? "." : "", member ? member : "", msg);
}

static const char *type_name(int type)
{
	switch (type) {
	case cJSON_Object:
		return "an object";
	case cJSON_Array:
		return "an array";
	case cJSON_String:
		return "a string";
	case cJSON_Number:
		return "a number";
	default:
		return "a value";
	}
}

const cJSON *waf_req(waf_compiler *c, const cJSON *obj, const char *key, int type)
{
	const cJSON *v = mamori_json_get(obj, key);
	if (!v) {
		waf_err(c, key, "is required");
		return NULL;
	}
	if (type && !(v->type & type)) {
		waf_err(c, key, "must be %s", type_name(type));
		return NULL;
	}
	return v;
}

/* A required Priority: a number AWS accepts (0 to 2^31-1), so that it
 * converts to an integer safely. */
static const cJSON *req_priority(waf_compiler *c, const cJSON *obj)
{
	const cJSON *p = waf_req(c, obj, "Priority", cJSON_Number);
	if (p && !(p->valuedouble >= 0 && p->valuedouble <= 2147483647.0)) {
		waf_err(c, "Priority", "must be from 0 to 2147483647");
		return NULL;
	}
	return p;
}

const char *waf_req_str(waf_compiler *c, const cJSON *obj, const char *key)
{
	const cJSON *v = waf_req(c, obj, key, cJSON_String);
	return v ? v->valuestring : NULL;
}

int waf_enum(waf_compiler *c, const cJSON *obj, const char *key, const char *const *names,
	     bool required, int dflt)
{
	const cJSON *v = mamori_json_get(obj, key);
	if (!v) {
		if (required) {
			waf_err(c, key, "is required");
			return -1;
		}
		return dflt;
	}
	if (cJSON_IsString(v))
		for (int i = 0; names[i]; i++)
			if (*names[i] && strcmp(names[i], v->valuestring) == 0)
				return i;
	mamori_buf all = MAMORI_BUF_INIT;
	for (int i = 0; names[i]; i++) {
		if (!*names[i])
			continue;
		if (all.len)
			mamori_buf_puts(&all, ", ");
		mamori_buf_puts(&all, names[i]);
	}
	waf_err(c, key, "\"%s\" is not one of %s", cJSON_IsString(v) ? v->valuestring : "?",
		all.data);
	mamori_buf_free(&all);
	return -1;
}

void waf_acl_track_regex(mamori_waf_acl *acl, void *code)
{
	if (acl->regex_count == acl->regex_cap) {
		acl->regex_cap = acl->regex_cap ? acl->regex_cap * 2 : 32;
		acl->regexes = mamori_xrealloc(acl->regexes, acl->regex_cap * sizeof *acl->regexes);
	}
	acl->regexes[acl->regex_count++] = code;
}

/* ---- inputs: (field, transformation chain), interned as a tree ---- */

static int intern_input(mamori_waf_acl *acl, int field, const unsigned char *chain, int len)
{
	int parent = len > 0 ? intern_input(acl, field, chain, len - 1) : -1;
	int tx = len > 0 ? chain[len - 1] : TX_NONE;
	for (size_t i = 0; i < acl->input_count; i++) {
		const waf_input *in = &acl->inputs[i];
		if (in->field == field && in->parent == parent && in->tx == tx && in->chain_len == len)
			return (int)i;
	}
	if (acl->input_count == acl->input_cap) {
		acl->input_cap = acl->input_cap ? acl->input_cap * 2 : 32;
		acl->inputs = mamori_xrealloc(acl->inputs, acl->input_cap * sizeof *acl->inputs);
	}
	waf_input *in = &acl->inputs[acl->input_count];
	memset(in, 0, sizeof *in);
	in->field = field;
	in->parent = parent;
	in->tx = tx;
	in->chain_len = len;
	memcpy(in->chain, chain, (size_t)len);
	return (int)acl->input_count++;
}

typedef struct txp {
	long prio;
	int tx;
} txp;

static int cmp_txp(const void *a, const void *b)
{
	const txp *x = a, *y = b;
	return x->prio < y->prio ? -1 : x->prio > y->prio;
}

int waf_compile_input(waf_compiler *c, const cJSON *body, waf_stmt *s)
{
	const cJSON *ftm = waf_req(c, body, "FieldToMatch", cJSON_Object);
	if (!ftm)
		return MAMORI_EINPUT;
	size_t saved = waf_path_push(c, ".FieldToMatch");
	int field;
	int st = waf_field_compile(c, ftm, &field);
	waf_path_pop(c, saved);
	if (st)
		return st;
	const cJSON *txs = waf_req(c, body, "TextTransformations", cJSON_Array);
	if (!txs)
		return MAMORI_EINPUT;
	int n = cJSON_GetArraySize(txs);
	if (n < 1 || n > WAF_MAX_CHAIN)
		return waf_err(c, "TextTransformations", "needs 1 to %d transformations (NONE for none)",
			       WAF_MAX_CHAIN);
	txp list[WAF_MAX_CHAIN];
	int k = 0, i = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, txs)
	{
		saved = waf_path_push(c, ".TextTransformations[%d]", i++);
		const cJSON *p = req_priority(c, t);
		const char *type = p ? waf_req_str(c, t, "Type") : NULL;
		int tx = type ? waf_tx_parse(type) : -1;
		if (type && tx < 0)
			waf_err(c, "Type", "unknown transformation \"%s\"", type);
		if (!p || tx < 0) {
			waf_path_pop(c, saved);
			return MAMORI_EINPUT;
		}
		for (int j = 0; j < k; j++) {
			if (list[j].prio == (long)p->valuedouble) {
				st = waf_err(c, "Priority", "%ld is used twice", (long)p->valuedouble);
				waf_path_pop(c, saved);
				return st;
			}
		}
		list[k++] = (txp){(long)p->valuedouble, tx};
		waf_path_pop(c, saved);
	}
	qsort(list, (size_t)k, sizeof *list, cmp_txp);
	unsigned char chain[WAF_MAX_CHAIN];
	int len = 0;
	for (int j = 0; j < k; j++)
		if (list[j].tx != TX_NONE)
			chain[len++] = (unsigned char)list[j].tx;
	s->input = intern_input(c->acl, field, chain, len);
	return MAMORI_OK;
}

/* ---- statements ---- */

int waf_compile_stmt(waf_compiler *c, const cJSON *j, bool nested, waf_stmt **out)
{
	if (!cJSON_IsObject(j) || !j->child)
		return waf_err(c, NULL, "a statement must be an object with one XxxStatement member");
	if (j->child->next)
		return waf_err(c, NULL, "a statement holds exactly one XxxStatement, not %s and %s",
			       j->child->string, j->child->next->string);
	const waf_stmt_type *t = waf_stmt_type_find(j->child->string);
	if (!t)
		return waf_err(c, NULL, "unknown statement \"%s\"", j->child->string);
	if (nested && !t->nestable)
		return waf_err(c, j->child->string, "cannot be nested in another statement");
	if (!t->compile || !t->eval)
		return waf_err(c, j->child->string, "only a rule's top-level statement can be %s",
			       j->child->string);
	if (!cJSON_IsObject(j->child))
		return waf_err(c, j->child->string, "must be an object");
	if (++c->depth > WAF_MAX_DEPTH) {
		c->depth--;
		return waf_err(c, NULL, "statements are nested more than %d deep", WAF_MAX_DEPTH);
	}
	waf_stmt *s = mamori_arena_alloc(&c->acl->arena, sizeof *s);
	s->type = t;
	s->input = -1;
	s->pattern = -1;
	size_t saved = waf_path_push(c, ".%s", j->child->string);
	int st = t->compile(c, j->child, s);
	waf_path_pop(c, saved);
	c->depth--;
	if (st)
		return st;
	*out = s;
	return MAMORI_OK;
}

/* ---- actions ---- */

static const waf_custom_body *find_body(const mamori_waf_acl *acl, const char *key)
{
	for (size_t i = 0; i < acl->body_count; i++)
		if (strcmp(acl->bodies[i].key, key) == 0)
			return &acl->bodies[i];
	return NULL;
}

static int headers_compile(waf_compiler *c, const cJSON *arr, const char *what, waf_action *a)
{
	if (!arr)
		return MAMORI_OK;
	if (!cJSON_IsArray(arr))
		return waf_err(c, what, "must be an array of {Name, Value}");
	size_t n = (size_t)cJSON_GetArraySize(arr);
	a->headers = mamori_arena_alloc(&c->acl->arena, (n + 1) * sizeof *a->headers);
	const cJSON *h;
	int i = 0;
	cJSON_ArrayForEach(h, arr)
	{
		size_t saved = waf_path_push(c, ".%s[%d]", what, i++);
		const char *name = waf_req_str(c, h, "Name");
		const char *value = name ? waf_req_str(c, h, "Value") : NULL;
		waf_path_pop(c, saved);
		if (!value)
			return MAMORI_EINPUT;
		/* AWS prefixes inserted request headers with x-amzn-waf- */
		const char *nm = strcmp(what, "InsertHeaders") == 0
					 ? mamori_arena_printf(&c->acl->arena, "x-amzn-waf-%s", name)
					 : mamori_arena_strdup(&c->acl->arena, name);
		a->headers[a->header_count++] = (mamori_waf_header){
			nm, strlen(nm), mamori_arena_strdup(&c->acl->arena, value), strlen(value)};
	}
	return MAMORI_OK;
}

int waf_action_compile(waf_compiler *c, const cJSON *j, waf_action *a)
{
	static const char *const names[] = {"Allow", "Block", "Count", "Captcha", "Challenge"};
	memset(a, 0, sizeof *a);
	if (!cJSON_IsObject(j) || !j->child || j->child->next)
		return waf_err(c, NULL, "an action is an object with one of Allow, Block, Count, "
					"Captcha, Challenge");
	int kind = -1;
	for (int i = 0; i < 5; i++)
		if (strcmp(j->child->string, names[i]) == 0)
			kind = i;
	if (kind < 0)
		return waf_err(c, NULL, "unknown action \"%s\" (Allow, Block, Count, Captcha, Challenge)",
			       j->child->string);
	a->kind = kind;
	const cJSON *body = j->child;
	size_t saved = waf_path_push(c, ".%s", j->child->string);
	int st = MAMORI_OK;
	if (kind == MAMORI_WAF_BLOCK) {
		const cJSON *cr = mamori_json_get(body, "CustomResponse");
		if (cr) {
			size_t s2 = waf_path_push(c, ".CustomResponse");
			const cJSON *code = waf_req(c, cr, "ResponseCode", cJSON_Number);
			if (!code) {
				st = MAMORI_EINPUT;
			} else if (code->valuedouble < 200 || code->valuedouble > 599) {
				st = waf_err(c, "ResponseCode", "must be an HTTP status (200-599)");
			} else {
				a->status = (int)code->valuedouble;
				const char *key = mamori_json_str(cr, "CustomResponseBodyKey");
				if (key) {
					const waf_custom_body *b = find_body(c->acl, key);
					if (!b)
						st = waf_err(c, "CustomResponseBodyKey",
							     "\"%s\" is not in the WebACL's CustomResponseBodies",
							     key);
					else {
						a->body = b->content;
						a->content_type = b->content_type;
					}
				}
				if (!st)
					st = headers_compile(c, mamori_json_get(cr, "ResponseHeaders"),
							     "ResponseHeaders", a);
			}
			waf_path_pop(c, s2);
		}
	} else {
		const cJSON *crh = mamori_json_get(body, "CustomRequestHandling");
		if (crh) {
			size_t s2 = waf_path_push(c, ".CustomRequestHandling");
			st = headers_compile(c, mamori_json_get(crh, "InsertHeaders"), "InsertHeaders", a);
			waf_path_pop(c, s2);
		}
	}
	waf_path_pop(c, saved);
	return st;
}

int waf_forwarded_ip_compile(waf_compiler *c, const cJSON *j, const char **header, int *fallback)
{
	static const char *const fb[] = {"MATCH", "NO_MATCH", NULL};
	*header = NULL;
	*fallback = 1;
	if (!j)
		return MAMORI_OK;
	const char *h = waf_req_str(c, j, "HeaderName");
	if (!h)
		return MAMORI_EINPUT;
	int f = waf_enum(c, j, "FallbackBehavior", fb, true, 1);
	if (f < 0)
		return MAMORI_EINPUT;
	char *lc = mamori_arena_strdup(&c->acl->arena, h);
	for (char *p = lc; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	*header = lc;
	*fallback = f;
	return MAMORI_OK;
}

/* ---- rules ---- */

static const char *label_full(waf_compiler *c, const char *name)
{
	return mamori_arena_printf(&c->acl->arena, "%s%s", c->label_ns, name);
}

static int rule_compile(waf_compiler *c, const cJSON *j, waf_rule *r)
{
	const char *name = waf_req_str(c, j, "Name");
	if (!name)
		return MAMORI_EINPUT;
	r->name = mamori_arena_strdup(&c->acl->arena, name);
	const cJSON *prio = req_priority(c, j);
	if (!prio)
		return MAMORI_EINPUT;
	r->priority = (long)prio->valuedouble;
	const cJSON *stmt = waf_req(c, j, "Statement", cJSON_Object);
	if (!stmt)
		return MAMORI_EINPUT;
	const char *skey = stmt->child ? stmt->child->string : "";
	bool group_ref = skey && (!strcmp(skey, "ManagedRuleGroupStatement") ||
				  !strcmp(skey, "RuleGroupReferenceStatement"));
	const char *cls = mamori_json_str(j, "MamoriClass");
	if (cls)
		r->cls = mamori_arena_strdup(&c->acl->arena, cls);

	/* labels first: they belong to the rule whatever its statement */
	const cJSON *labels = mamori_json_get(j, "RuleLabels");
	size_t nl = labels && cJSON_IsArray(labels) ? (size_t)cJSON_GetArraySize(labels) : 0;
	r->labels = mamori_arena_alloc(&c->acl->arena, (nl + 2) * sizeof *r->labels);
	if (labels) {
		if (!cJSON_IsArray(labels))
			return waf_err(c, "RuleLabels", "must be an array of {Name}");
		int i = 0;
		const cJSON *l;
		cJSON_ArrayForEach(l, labels)
		{
			size_t saved = waf_path_push(c, ".RuleLabels[%d]", i++);
			const char *ln = waf_req_str(c, l, "Name");
			waf_path_pop(c, saved);
			if (!ln)
				return MAMORI_EINPUT;
			r->labels[r->label_count++] = label_full(c, ln);
		}
	}
	if (c->managed && c->in_group)
		r->labels[r->label_count++] = label_full(c, r->name);

	size_t saved = waf_path_push(c, ".Statement");
	int st;
	if (group_ref) {
		if (c->in_group) {
			st = waf_err(c, skey, "a rule group cannot reference another rule group");
			waf_path_pop(c, saved);
			return st;
		}
		st = waf_group_ref_compile(c, stmt->child, !strcmp(skey, "ManagedRuleGroupStatement"), r);
	} else {
		st = waf_compile_stmt(c, stmt, false, &r->stmt);
		if (!st)
			r->rate_based = !strcmp(skey, "RateBasedStatement");
	}
	waf_path_pop(c, saved);
	if (st)
		return st;

	const cJSON *action = mamori_json_get(j, "Action");
	const cJSON *override = mamori_json_get(j, "OverrideAction");
	if (group_ref) {
		if (action)
			return waf_err(c, "Action", "a rule group reference takes OverrideAction, not Action");
		if (!override)
			return waf_err(c, "OverrideAction", "is required for a rule group reference "
							    "({\"None\": {}} or {\"Count\": {}})");
		if (mamori_json_get(override, "Count"))
			r->override_count = true;
		else if (!mamori_json_get(override, "None"))
			return waf_err(c, "OverrideAction", "must be {\"None\": {}} or {\"Count\": {}}");
		return MAMORI_OK;
	}
	if (override)
		return waf_err(c, "OverrideAction", "only rule group references take OverrideAction; "
						    "use Action");
	if (!action)
		return waf_err(c, "Action", "is required");
	saved = waf_path_push(c, ".Action");
	st = waf_action_compile(c, action, &r->action);
	waf_path_pop(c, saved);
	r->has_action = true;
	return st;
}

static int cmp_rule(const void *a, const void *b)
{
	const waf_rule *x = a, *y = b;
	return x->priority < y->priority ? -1 : x->priority > y->priority;
}

int waf_rules_compile(waf_compiler *c, const cJSON *arr, waf_rule **out, size_t *count)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	waf_rule *rules = mamori_arena_alloc(&c->acl->arena, (n + 1) * sizeof *rules);
	const cJSON *j;
	int i = 0;
	cJSON_ArrayForEach(j, arr)
	{
		size_t saved = waf_path_push(c, ".Rules[%d]", i);
		int st = cJSON_IsObject(j) ? rule_compile(c, j, &rules[i])
					   : waf_err(c, NULL, "a rule must be an object");
		for (int k = 0; !st && k < i; k++) {
			if (!strcmp(rules[k].name, rules[i].name))
				st = waf_err(c, "Name", "\"%s\" is already the name of Rules[%d]",
					     rules[i].name, k);
			else if (rules[k].priority == rules[i].priority)
				st = waf_err(c, "Priority", "%ld is already the priority of Rules[%d]",
					     rules[i].priority, k);
		}
		waf_path_pop(c, saved);
		if (st)
			return st;
		i++;
	}
	qsort(rules, n, sizeof *rules, cmp_rule);
	*out = rules;
	*count = n;
	return MAMORI_OK;
}

/* ---- the WebACL ---- */

static int bodies_compile(waf_compiler *c, const cJSON *j)
{
	static const char *const types[] = {"TEXT_PLAIN", "TEXT_HTML", "APPLICATION_JSON", NULL};
	static const char *const mime[] = {"text/plain", "text/html", "application/json"};
	if (!j)
		return MAMORI_OK;
	if (!cJSON_IsObject(j))
		return waf_err(c, "CustomResponseBodies", "must be an object of key: {ContentType, Content}");
	size_t n = (size_t)cJSON_GetArraySize(j);
	c->acl->bodies = mamori_arena_alloc(&c->acl->arena, (n + 1) * sizeof *c->acl->bodies);
	const cJSON *b;
	cJSON_ArrayForEach(b, j)
	{
		size_t saved = waf_path_push(c, ".CustomResponseBodies.%s", b->string);
		int t = waf_enum(c, b, "ContentType", types, true, 0);
		const char *content = t >= 0 ? waf_req_str(c, b, "Content") : NULL;
		waf_path_pop(c, saved);
		if (!content)
			return MAMORI_EINPUT;
		c->acl->bodies[c->acl->body_count++] =
			(waf_custom_body){mamori_arena_strdup(&c->acl->arena, b->string), mime[t],
					  mamori_arena_strdup(&c->acl->arena, content)};
	}
	return MAMORI_OK;
}

/* AssociationConfig.RequestBody.{CLOUDFRONT,API_GATEWAY,...}.DefaultSizeInspectionLimit */
static int body_limit_compile(waf_compiler *c, const cJSON *j)
{
	static const char *const limits[] = {"KB_8", "KB_16", "KB_32", "KB_48", "KB_64", NULL};
	static const size_t sizes[] = {8192, 16384, 32768, 49152, 65536};
	const cJSON *rb = mamori_json_get(j, "RequestBody");
	if (!rb)
		return MAMORI_OK;
	const cJSON *svc;
	cJSON_ArrayForEach(svc, rb)
	{
		size_t saved = waf_path_push(c, ".AssociationConfig.RequestBody.%s", svc->string);
		int l = waf_enum(c, svc, "DefaultSizeInspectionLimit", limits, true, 0);
		waf_path_pop(c, saved);
		if (l < 0)
			return MAMORI_EINPUT;
		if (sizes[l] > c->acl->body_limit)
			c->acl->body_limit = sizes[l];
	}
	return MAMORI_OK;
}

static int open_mmdb(waf_compiler *c, const char *path, void **out)
{
	if (!path)
		return MAMORI_OK;
	MMDB_s *db = mamori_xcalloc(1, sizeof *db);
	int rc = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (rc != MMDB_SUCCESS) {
		free(db);
		return mamori_error_set(c->ctx, MAMORI_EINPUT, "%s: cannot open as a MaxMind DB: %s",
					path, MMDB_strerror(rc));
	}
	*out = db;
	return MAMORI_OK;
}

static int acl_compile(waf_compiler *c, const cJSON *root)
{
	mamori_waf_acl *acl = c->acl;
	const cJSON *w = mamori_json_get(root, "WebACL");
	if (w) {
		waf_path_push(c, ".WebACL");
		c->ip_sets = mamori_json_get(root, "IPSets");
		c->regex_sets = mamori_json_get(root, "RegexPatternSets");
		c->rule_groups = mamori_json_get(root, "RuleGroups");
	} else {
		w = root;
	}
	if (!cJSON_IsObject(w))
		return waf_err(c, NULL, "a WebACL must be a JSON object");
	const char *name = waf_req_str(c, w, "Name");
	if (!name)
		return MAMORI_EINPUT;
	acl->name = mamori_arena_strdup(&acl->arena, name);
	acl->id = mamori_arena_strdup(&acl->arena, mamori_json_str(w, "Id"));
	const char *arn = mamori_json_str(w, "ARN");
	acl->arn = arn ? mamori_arena_strdup(&acl->arena, arn)
		       : mamori_arena_printf(&acl->arena,
					     "arn:aws:wafv2:us-east-1:%s:regional/webacl/%s/%s",
					     acl->account, name, acl->id ? acl->id : "local");
	int st = bodies_compile(c, mamori_json_get(w, "CustomResponseBodies"));
	if (st)
		return st;
	const cJSON *assoc = mamori_json_get(w, "AssociationConfig");
	if (assoc && (st = body_limit_compile(c, assoc)) != 0)
		return st;
	const cJSON *da = waf_req(c, w, "DefaultAction", cJSON_Object);
	if (!da)
		return MAMORI_EINPUT;
	size_t saved = waf_path_push(c, ".DefaultAction");
	st = waf_action_compile(c, da, &acl->default_action);
	if (!st && acl->default_action.kind != MAMORI_WAF_ALLOW &&
	    acl->default_action.kind != MAMORI_WAF_BLOCK)
		st = waf_err(c, NULL, "the default action is Allow or Block");
	waf_path_pop(c, saved);
	if (st)
		return st;
	const cJSON *rules = mamori_json_get(w, "Rules");
	if (rules && !cJSON_IsArray(rules))
		return waf_err(c, "Rules", "must be an array");
	c->label_ns = mamori_arena_printf(&acl->arena, "awswaf:%s:webacl:%s:", acl->account, name);
	if (rules)
		st = waf_rules_compile(c, rules, &acl->rules, &acl->rule_count);
	return st;
}

int mamori_waf_acl_compile(mamori_ctx *ctx, const char *path, const char *json, size_t len,
			   const mamori_waf_options *opts, mamori_waf_acl **out)
{
	static const mamori_waf_options none = {0};
	if (!opts)
		opts = &none;
	*out = NULL;
	cJSON *root = mamori_json_parse(ctx, path, json, len);
	if (!root)
		return MAMORI_EINPUT;
	mamori_waf_acl *acl = mamori_xcalloc(1, sizeof *acl);
	mamori_arena_init(&acl->arena, 0);
	acl->account = mamori_arena_strdup(&acl->arena, opts->account_id ? opts->account_id
									 : MAMORI_NO_ACCOUNT);
	acl->challenge = opts->challenge;
	waf_compiler *c = mamori_xcalloc(1, sizeof *c);
	c->ctx = ctx;
	c->file = path ? path : "<webacl>";
	c->acl = acl;
	c->opts = opts;
	waf_path_push(c, "$");
	int st = acl_compile(c, root);
	if (!acl->body_limit)
		acl->body_limit = WAF_DEFAULT_BODY_LIMIT;
	if (opts->body_limit)
		acl->body_limit = opts->body_limit > (64u << 20) ? (64u << 20) : opts->body_limit;
	if (!st)
		st = open_mmdb(c, opts->geo_db_path, &acl->geo_db);
	if (!st)
		st = opts->asn_db_path && opts->geo_db_path && !strcmp(opts->asn_db_path, opts->geo_db_path)
			     ? (acl->asn_db = acl->geo_db, MAMORI_OK)
			     : open_mmdb(c, opts->asn_db_path, &acl->asn_db);
	if (!st)
		st = waf_prefilter_build(ctx, acl);
	if (st == MAMORI_OK)
		waf_regex_finish(acl);
	free(c);
	cJSON_Delete(root);
	if (st) {
		mamori_waf_acl_free(acl);
		return st;
	}
	*out = acl;
	return MAMORI_OK;
}

void mamori_waf_acl_free(mamori_waf_acl *acl)
{
	if (!acl)
		return;
	waf_prefilter_free(acl);
	for (size_t i = 0; i < acl->regex_count; i++)
		waf_regex_free(acl->regexes[i]);
	free(acl->regexes);
	for (size_t i = 0; i < acl->rate_count; i++)
		waf_rate_free(acl->rates[i]);
	free(acl->rates);
	if (acl->geo_db) {
		MMDB_close(acl->geo_db);
		free(acl->geo_db);
	}
	if (acl->asn_db && acl->asn_db != acl->geo_db) {
		MMDB_close(acl->asn_db);
		free(acl->asn_db);
	}
	free(acl->groups);
	free(acl->fields);
	free(acl->inputs);
	mamori_arena_free(&acl->arena);
	free(acl);
}

const char *mamori_waf_acl_name(const mamori_waf_acl *acl)
{
	return acl->name;
}

const char *mamori_waf_acl_arn(const mamori_waf_acl *acl)
{
	return acl->arn;
}
