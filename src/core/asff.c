/*
 * asff.c — the finding model to and from ASFF JSON.
 *
 * Members are written in the order the ASFF reference lists them, so that
 * output diffs cleanly between runs.  mamori's own fields (pillar, rule
 * attribution, evidence, location, fingerprint) travel in ProductFields under
 * "mamori/...": ProductFields is the place ASFF gives a product for its own
 * data, and it keeps the document a valid BatchImportFindings element.
 */
#include "jsonw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PF_PILLAR "mamori/Pillar"
#define PF_FINGERPRINT "mamori/Fingerprint"
#define PF_AUTHOR "mamori/RuleAuthor"
#define PF_LICENSE "mamori/RuleLicense"
#define PF_EVIDENCE "mamori/Evidence"
#define PF_LOCATION "mamori/Location"

#define ASFF_PRODUCT_FIELDS_MAX 50
#define ASFF_PF_KEY_MAX 128
#define ASFF_PF_VALUE_MAX 2048

/* Which members the document has so far: an extra member is merged only
 * when no member of that name exists, compared as cJSON_HasObjectItem does
 * (ASCII case-insensitively). */
typedef struct asff_keys {
	const char *name[64];
	size_t len[64];
	size_t count;
	mamori_buf more; /* (len, bytes) records beyond the first 64 */
} asff_keys;

static bool same_key(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

static bool keys_has(const asff_keys *k, const char *s, size_t n)
{
	for (size_t i = 0; i < k->count && i < 64; i++)
		if (same_key(k->name[i], k->len[i], s, n))
			return true;
	for (size_t off = 0; off < k->more.len;) {
		size_t l;
		memcpy(&l, k->more.data + off, sizeof l);
		if (same_key(k->more.data + off + sizeof l, l, s, n))
			return true;
		off += sizeof l + l;
	}
	return false;
}

/* names must outlive the writing of the finding */
static void keys_add(asff_keys *k, const char *s, size_t n)
{
	if (k->count < 64) {
		k->name[k->count] = s;
		k->len[k->count] = n;
	} else {
		mamori_buf_append(&k->more, &n, sizeof n);
		mamori_buf_append(&k->more, s, n);
	}
	k->count++;
}

/* a top-level member's key (a literal), remembered for the extras */
#define KEY(w, k, lit)                                                                         \
	do {                                                                                   \
		keys_add((k), (lit), sizeof(lit) - 1);                                         \
		MAMORI_JW_KEY((w), lit);                                                       \
	} while (0)
#define KSTR(w, k, lit, s)                                                                     \
	do {                                                                                   \
		const char *v_ = (s);                                                          \
		if (v_) {                                                                      \
			KEY(w, k, lit);                                                        \
			mamori_jw_str((w), v_);                                                \
		}                                                                              \
	} while (0)

static void strlist(mamori_jw *w, const mamori_strlist *l)
{
	mamori_jw_arr(w);
	for (size_t i = 0; i < l->count; i++)
		mamori_jw_str(w, l->items[i]);
	mamori_jw_arr_end(w);
}

/* ProductFields, cut to ASFF's limits unless lossless; opened on the first */
typedef struct pf_state {
	mamori_jw *w;
	asff_keys *keys;
	bool lossless;
	size_t count;
} pf_state;

static void add_pf(pf_state *pf, const char *key_name, const char *value)
{
	if (!value)
		return;
	if (!pf->lossless && pf->count >= ASFF_PRODUCT_FIELDS_MAX)
		return;
	if (!pf->count++) {
		KEY(pf->w, pf->keys, "ProductFields");
		mamori_jw_obj(pf->w);
	}
	size_t kl = strlen(key_name);
	if (!pf->lossless && kl > ASFF_PF_KEY_MAX)
		kl = ASFF_PF_KEY_MAX; /* bytes, as snprintf into k[129] cut it */
	mamori_jw_keyn(pf->w, key_name, kl);
	size_t vl = strlen(value);
	if (pf->lossless || vl <= ASFF_PF_VALUE_MAX) {
		mamori_jw_strn(pf->w, value, vl);
		return;
	}
	size_t keep = mamori_utf8_prefix(value, ASFF_PF_VALUE_MAX - 3);
	char *cut = mamori_xmalloc(keep + 3);
	memcpy(cut, value, keep);
	memcpy(cut + keep, "...", 3);
	mamori_jw_strn(pf->w, cut, keep + 3);
	free(cut);
}

/* An embedded JSON object as the value of `name` (nothing if it is not
 * one): canonical text directly, anything else through cJSON as before. */
static void embedded_object(mamori_jw *w, asff_keys *k, const char *name, const char *json)
{
	if (mamori_str_empty(json))
		return;
	size_t len = strlen(json);
	mamori_jw_mark m;
	mamori_jw_mark_get(w, &m);
	if (json[0] == '{') {
		mamori_jw_key(w, name);
		if (mamori_jw_canonical(w, json, len)) {
			if (k)
				keys_add(k, name, strlen(name));
			return;
		}
		mamori_jw_mark_restore(w, &m);
	}
	cJSON *v = cJSON_ParseWithLength(json, len);
	if (cJSON_IsObject(v)) {
		if (k)
			keys_add(k, name, strlen(name));
		mamori_jw_key(w, name);
		mamori_jw_cjson(w, v);
	}
	cJSON_Delete(v);
}

/* A short text put together without printf: on the stack, on the heap
 * when it does not fit. */
typedef struct text {
	char stack[512];
	size_t len;
	mamori_buf heap;
} text;

static void text_init(text *t)
{
	t->len = 0;
	t->stack[0] = '\0';
	t->heap = (mamori_buf)MAMORI_BUF_INIT;
}

static void text_cat(text *t, ...)
{
	va_list ap;
	va_start(ap, t);
	for (const char *s; (s = va_arg(ap, const char *)) != NULL;) {
		size_t n = strlen(s);
		if (!t->heap.data && t->len + n < sizeof t->stack) {
			memcpy(t->stack + t->len, s, n);
			t->len += n;
			continue;
		}
		if (!t->heap.data)
			mamori_buf_append(&t->heap, t->stack, t->len);
		mamori_buf_append(&t->heap, s, n);
	}
	va_end(ap);
	if (!t->heap.data)
		t->stack[t->len] = '\0';
}

static const char *text_cstr(const text *t)
{
	return t->heap.data ? t->heap.data : t->stack;
}

#define text_value(w, ...)                                                                     \
	do {                                                                                   \
		text t_;                                                                       \
		text_init(&t_);                                                                \
		text_cat(&t_, __VA_ARGS__);                                                    \
		mamori_jw_str((w), text_cstr(&t_));                                            \
		mamori_buf_free(&t_.heap);                                                     \
	} while (0)

static const char *utoa(unsigned v, char out[16])
{
	char *p = out + 15;
	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

/* The members of asff_extra_json that the document does not have yet, in
 * their order (what moving them from a parsed extra object did). */
static void extra_members(mamori_jw *w, asff_keys *k, const char *json)
{
	if (mamori_str_empty(json))
		return;
	size_t len = strlen(json);
	const char *p = json + 1, *end = json + len;
	mamori_jw_mark m;
	mamori_jw_mark_get(w, &m);
	size_t keys_before = k->count, more_before = k->more.len;
	/* canonical: {"key":value,...} with escape-free keys, nothing after */
	bool ok = json[0] == '{' && p < end && *p == '}' && p + 1 == end;
	while (!ok && json[0] == '{' && p < end && *p == '"') {
		bool esc = false;
		size_t n = mamori_jw_canonical_string(p, end, &esc);
		if (!n || esc || p + n >= end || p[n] != ':')
			break;
		const char *name = p + 1;
		size_t nl = n - 2;
		p += n + 1;
		bool take = !keys_has(k, name, nl);
		mamori_jw_mark vm;
		mamori_jw_mark_get(w, &vm);
		mamori_jw_keyn(w, name, nl);
		size_t vl = mamori_jw_canonical_value(w, p, (size_t)(end - p));
		if (!vl)
			break;
		if (take)
			keys_add(k, name, nl);
		else
			mamori_jw_mark_restore(w, &vm); /* checked, not taken */
		p += vl;
		if (p < end && *p == ',') {
			p++; /* the loop wants the next key's quote */
			continue;
		}
		ok = p + 1 == end && *p == '}';
		break;
	}
	if (ok)
		return;
	/* not canonical: parse it, as the DOM writer did */
	mamori_jw_mark_restore(w, &m);
	k->count = keys_before;
	k->more.len = more_before;
	cJSON *extra = cJSON_ParseWithLength(json, len);
	if (cJSON_IsObject(extra))
		for (const cJSON *x = extra->child; x; x = x->next) {
			const char *name = x->string ? x->string : "";
			if (keys_has(k, name, strlen(name)))
				continue;
			keys_add(k, name, strlen(name)); /* valid until extra is deleted: last use */
			mamori_jw_key(w, name);
			mamori_jw_cjson(w, x);
		}
	cJSON_Delete(extra);
}

void mamori_finding_write_asff(const mamori_finding *f, unsigned flags, mamori_buf *out)
{
	bool lossless = flags & MAMORI_ASFF_LOSSLESS;
	mamori_jw jw, *w = &jw;
	mamori_jw_init(w, out, flags & MAMORI_ASFF_PRETTY);
	asff_keys k;
	k.count = 0;
	k.more = (mamori_buf)MAMORI_BUF_INIT;
	mamori_jw_obj(w);

	KSTR(w, &k, "SchemaVersion", MAMORI_ASFF_SCHEMA_VERSION);
	KSTR(w, &k, "Id", f->id);
	/* mamori_finding_product_arn, without an arena */
	const char *region = mamori_str_empty(f->region) ? MAMORI_DEFAULT_REGION : f->region;
	const char *partition = f->resource_count && f->resources[0].partition
					? f->resources[0].partition
					: "aws";
	const char *acct = f->aws_account_id ? f->aws_account_id : "(null)";
	KEY(w, &k, "ProductArn");
	text_value(w, "arn:", partition, ":securityhub:", region, ":", acct, ":product/", acct,
		   "/default", NULL);
	KSTR(w, &k, "ProductName", f->module);
	KSTR(w, &k, "CompanyName", "mamori");
	KSTR(w, &k, "Region", f->region);
	KSTR(w, &k, "GeneratorId", f->generator_id);
	KSTR(w, &k, "AwsAccountId", f->aws_account_id);
	KEY(w, &k, "Types");
	strlist(w, &f->types);
	KSTR(w, &k, "FirstObservedAt", f->first_observed_at);
	KSTR(w, &k, "LastObservedAt", f->last_observed_at);
	KSTR(w, &k, "CreatedAt", f->created_at);
	KSTR(w, &k, "UpdatedAt", f->updated_at);

	KEY(w, &k, "Severity");
	mamori_jw_obj(w);
	MAMORI_JW_KSTR(w, "Label", mamori_severity_name(f->severity));
	MAMORI_JW_KEY(w, "Normalized");
	mamori_jw_num(w, f->severity_normalized >= 0 ? f->severity_normalized
						     : mamori_severity_normalized(f->severity));
	MAMORI_JW_KSTR(w, "Original", f->severity_original);
	mamori_jw_obj_end(w);

	KSTR(w, &k, "Title", f->title);
	KSTR(w, &k, "Description", f->description);
	if (f->remediation_text || f->remediation_url) {
		KEY(w, &k, "Remediation");
		mamori_jw_obj(w);
		MAMORI_JW_KEY(w, "Recommendation");
		mamori_jw_obj(w);
		MAMORI_JW_KSTR(w, "Text", f->remediation_text);
		MAMORI_JW_KSTR(w, "Url", f->remediation_url);
		mamori_jw_obj_end(w);
		mamori_jw_obj_end(w);
	}

	pf_state pf = {w, &k, lossless, 0};
	add_pf(&pf, PF_PILLAR, f->pillar);
	add_pf(&pf, PF_FINGERPRINT, f->fingerprint);
	add_pf(&pf, PF_AUTHOR, f->rule_author);
	add_pf(&pf, PF_LICENSE, f->rule_license);
	if (f->location.path) {
		char line[16], col[16];
		text t;
		text_init(&t);
		text_cat(&t, f->location.path, ":", utoa(f->location.line, line), ":",
			 utoa(f->location.column, col), NULL);
		add_pf(&pf, PF_LOCATION, text_cstr(&t));
		mamori_buf_free(&t.heap);
	}
	add_pf(&pf, PF_EVIDENCE, f->evidence_json);
	for (size_t i = 0; i < f->product_field_count; i++)
		add_pf(&pf, f->product_fields[i].key, f->product_fields[i].value);
	if (pf.count)
		mamori_jw_obj_end(w);

	KEY(w, &k, "Resources");
	mamori_jw_arr(w);
	for (size_t i = 0; i < f->resource_count; i++) {
		const mamori_resource *r = &f->resources[i];
		mamori_jw_obj(w);
		MAMORI_JW_KSTR(w, "Type", r->type);
		MAMORI_JW_KSTR(w, "Id", r->id);
		MAMORI_JW_KSTR(w, "Partition", r->partition ? r->partition : "aws");
		MAMORI_JW_KSTR(w, "Region", r->region ? r->region : f->region);
		embedded_object(w, NULL, "Details", r->details_json);
		mamori_jw_obj_end(w);
	}
	mamori_jw_arr_end(w);

	if (f->compliance != MAMORI_COMPLIANCE_NONE) {
		KEY(w, &k, "Compliance");
		mamori_jw_obj(w);
		MAMORI_JW_KSTR(w, "Status", mamori_compliance_name(f->compliance));
		if (f->related_requirements.count) {
			MAMORI_JW_KEY(w, "RelatedRequirements");
			strlist(w, &f->related_requirements);
		}
		if (f->associated_standards.count) {
			MAMORI_JW_KEY(w, "AssociatedStandards");
			mamori_jw_arr(w);
			for (size_t i = 0; i < f->associated_standards.count; i++) {
				mamori_jw_obj(w);
				MAMORI_JW_KSTR(w, "StandardsId", f->associated_standards.items[i]);
				mamori_jw_obj_end(w);
			}
			mamori_jw_arr_end(w);
		}
		mamori_jw_obj_end(w);
	}
	KEY(w, &k, "Workflow");
	mamori_jw_obj(w);
	MAMORI_JW_KSTR(w, "Status", mamori_workflow_name(f->workflow));
	mamori_jw_obj_end(w);
	KSTR(w, &k, "RecordState", mamori_record_state_name(f->record_state));

	extra_members(w, &k, f->asff_extra_json);
	mamori_jw_obj_end(w);
	mamori_buf_free(&k.more);
}

char *mamori_finding_to_asff(const mamori_finding *f, unsigned flags)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_finding_write_asff(f, flags, &b);
	return mamori_buf_detach(&b);
}

/* ---- reading ---- */

static const char *dup(mamori_findings *fs, const char *s)
{
	return s ? mamori_findings_strdup(fs, s) : NULL;
}

static void read_strlist(mamori_findings *fs, mamori_strlist *l, const cJSON *a)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, a)
	{
		if (cJSON_IsString(v))
			mamori_strlist_push(fs, l, v->valuestring);
	}
}

static const char *printed(mamori_findings *fs, const cJSON *v)
{
	if (!v)
		return NULL;
	char *s = mamori_json_print(v, false);
	const char *r = mamori_findings_strdup(fs, s);
	free(s);
	return r;
}

static void read_location(mamori_findings *fs, mamori_finding *f, const char *s)
{
	/* "path:line:col" — the path may itself contain ':' */
	const char *c2 = strrchr(s, ':');
	if (!c2 || c2 == s)
		return;
	const char *c1 = c2 - 1;
	while (c1 > s && *c1 != ':')
		c1--;
	if (*c1 != ':')
		return;
	f->location.path = mamori_arena_strndup(&fs->arena, s, (size_t)(c1 - s));
	f->location.line = (unsigned)strtoul(c1 + 1, NULL, 10);
	f->location.column = (unsigned)strtoul(c2 + 1, NULL, 10);
}

static const char *const modelled[] = {
	"SchemaVersion", "Id", "ProductArn", "ProductName", "CompanyName", "Region",
	"GeneratorId", "AwsAccountId", "Types", "FirstObservedAt", "LastObservedAt",
	"CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Remediation",
	"ProductFields", "Resources", "Compliance", "Workflow", "WorkflowState",
	"RecordState", NULL,
};

static bool is_modelled(const char *key)
{
	for (const char *const *m = modelled; *m; m++)
		if (strcmp(*m, key) == 0)
			return true;
	return false;
}

int mamori_finding_from_asff(mamori_ctx *ctx, mamori_findings *fs, const char *json, size_t len)
{
	cJSON *o = mamori_json_parse(ctx, NULL, json, len);
	if (!o)
		return MAMORI_EINPUT;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return mamori_error_set(ctx, MAMORI_EINPUT, "an ASFF finding must be a JSON object");
	}
	mamori_finding *f = mamori_findings_add(fs);
	f->id = dup(fs, mamori_json_str(o, "Id"));
	f->module = dup(fs, mamori_json_str(o, "ProductName"));
	f->generator_id = dup(fs, mamori_json_str(o, "GeneratorId"));
	f->aws_account_id = dup(fs, mamori_json_str(o, "AwsAccountId"));
	f->region = dup(fs, mamori_json_str(o, "Region"));
	read_strlist(fs, &f->types, mamori_json_get(o, "Types"));
	f->first_observed_at = dup(fs, mamori_json_str(o, "FirstObservedAt"));
	f->last_observed_at = dup(fs, mamori_json_str(o, "LastObservedAt"));
	f->created_at = dup(fs, mamori_json_str(o, "CreatedAt"));
	f->updated_at = dup(fs, mamori_json_str(o, "UpdatedAt"));
	f->title = dup(fs, mamori_json_str(o, "Title"));
	f->description = dup(fs, mamori_json_str(o, "Description"));

	const cJSON *sev = mamori_json_get(o, "Severity");
	int label = mamori_severity_parse(mamori_json_str(sev, "Label"));
	const cJSON *norm = mamori_json_get(sev, "Normalized");
	const cJSON *product = mamori_json_get(sev, "Product");
	f->severity_normalized = cJSON_IsNumber(norm) ? (int)norm->valuedouble : -1;
	if (label >= 0)
		f->severity = (mamori_severity)label;
	else if (f->severity_normalized >= 0)
		f->severity = mamori_severity_from_normalized(f->severity_normalized);
	else if (cJSON_IsNumber(product)) /* legacy: Product 0-10 */
		f->severity = mamori_severity_from_normalized((int)(product->valuedouble * 10));
	else
		f->severity = MAMORI_SEV_INFORMATIONAL;
	f->severity_original = dup(fs, mamori_json_str(sev, "Original"));

	const cJSON *rec = mamori_json_get(mamori_json_get(o, "Remediation"), "Recommendation");
	f->remediation_text = dup(fs, mamori_json_str(rec, "Text"));
	f->remediation_url = dup(fs, mamori_json_str(rec, "Url"));

	const cJSON *r;
	cJSON_ArrayForEach(r, mamori_json_get(o, "Resources"))
	{
		mamori_resource *res = mamori_finding_add_resource(fs, f, mamori_json_str(r, "Type"),
								   mamori_json_str(r, "Id"));
		res->partition = dup(fs, mamori_json_str(r, "Partition"));
		res->region = dup(fs, mamori_json_str(r, "Region"));
		res->details_json = printed(fs, mamori_json_get(r, "Details"));
	}

	const cJSON *comp = mamori_json_get(o, "Compliance");
	if (comp) {
		int st = mamori_compliance_parse(mamori_json_str(comp, "Status"));
		f->compliance = st > 0 ? (mamori_compliance)st : MAMORI_COMPLIANCE_NOT_AVAILABLE;
		read_strlist(fs, &f->related_requirements, mamori_json_get(comp, "RelatedRequirements"));
		const cJSON *as;
		cJSON_ArrayForEach(as, mamori_json_get(comp, "AssociatedStandards"))
		{
			const char *id = mamori_json_str(as, "StandardsId");
			if (id)
				mamori_finding_add_standard(fs, f, id);
		}
	}

	int wf = mamori_workflow_parse(mamori_json_str(mamori_json_get(o, "Workflow"), "Status"));
	if (wf < 0) {
		/* legacy WorkflowState: NEW, ASSIGNED, IN_PROGRESS, DEFERRED, RESOLVED */
		const char *legacy = mamori_json_str(o, "WorkflowState");
		wf = legacy && strcmp(legacy, "RESOLVED") == 0	 ? MAMORI_WORKFLOW_RESOLVED
		     : legacy && strcmp(legacy, "DEFERRED") == 0 ? MAMORI_WORKFLOW_SUPPRESSED
		     : legacy && strcmp(legacy, "NEW") != 0	 ? MAMORI_WORKFLOW_NOTIFIED
								 : MAMORI_WORKFLOW_NEW;
	}
	f->workflow = (mamori_workflow)wf;
	int rs = mamori_record_state_parse(mamori_json_str(o, "RecordState"));
	f->record_state = rs >= 0 ? (mamori_record_state)rs : MAMORI_RECORD_ACTIVE;

	const cJSON *pf;
	cJSON_ArrayForEach(pf, mamori_json_get(o, "ProductFields"))
	{
		if (!cJSON_IsString(pf))
			continue;
		const char *k = pf->string, *v = pf->valuestring;
		if (strcmp(k, PF_PILLAR) == 0)
			f->pillar = dup(fs, v);
		else if (strcmp(k, PF_FINGERPRINT) == 0)
			f->fingerprint = dup(fs, v);
		else if (strcmp(k, PF_AUTHOR) == 0)
			f->rule_author = dup(fs, v);
		else if (strcmp(k, PF_LICENSE) == 0)
			f->rule_license = dup(fs, v);
		else if (strcmp(k, PF_EVIDENCE) == 0)
			f->evidence_json = dup(fs, v);
		else if (strcmp(k, PF_LOCATION) == 0)
			read_location(fs, f, v);
		else
			mamori_finding_add_product_field(fs, f, k, v);
	}

	cJSON *extra = cJSON_CreateObject();
	for (cJSON *m = o->child; m; m = m->next)
		if (m->string && !is_modelled(m->string))
			cJSON_AddItemToObject(extra, m->string, cJSON_Duplicate(m, true));
	if (extra->child)
		f->asff_extra_json = printed(fs, extra);
	cJSON_Delete(extra);
	cJSON_Delete(o);

	if (mamori_str_empty(f->id) || mamori_str_empty(f->generator_id) ||
	    mamori_str_empty(f->title) || f->resource_count == 0) {
		fs->count--;
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"ASFF finding lacks a required field (Id, GeneratorId, Title "
					"or Resources)");
	}
	if (mamori_str_empty(f->module))
		f->module = "unknown";
	return MAMORI_OK;
}
