/*
 * finding.c — the finding set, its builders, and finalisation: validation,
 * ASFF limits and the stable Id.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ASFF limits (Security Hub user guide, "ASFF required and optional attributes"). */
#define ASFF_TITLE_MAX 256
#define ASFF_DESCRIPTION_MAX 1024
#define ASFF_REMEDIATION_TEXT_MAX 512
#define ASFF_RESOURCES_MAX 32
#define ASFF_REQUIREMENTS_MAX 32
#define ASFF_TYPES_MAX 50

void mamori_findings_init(mamori_findings *fs)
{
	memset(fs, 0, sizeof *fs);
	mamori_arena_init(&fs->arena, 0);
}

void mamori_findings_free(mamori_findings *fs)
{
	free(fs->items);
	mamori_arena_free(&fs->arena);
	memset(fs, 0, sizeof *fs);
}

mamori_finding *mamori_findings_add(mamori_findings *fs)
{
	if (fs->count == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->items = mamori_xrealloc(fs->items, fs->cap * sizeof *fs->items);
	}
	mamori_finding *f = &fs->items[fs->count++];
	memset(f, 0, sizeof *f);
	f->severity_normalized = -1;
	return f;
}

const char *mamori_findings_strdup(mamori_findings *fs, const char *s)
{
	return s ? mamori_utf8_sanitize(&fs->arena, s, strlen(s)) : NULL;
}

const char *mamori_findings_printf(mamori_findings *fs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = mamori_arena_vprintf(&fs->arena, fmt, ap);
	va_end(ap);
	/* printf's output has no NUL inside: valid UTF-8 needs no second copy */
	size_t n = strlen(raw);
	return mamori_utf8_invalid_at(raw, n) == n ? raw : mamori_utf8_sanitize(&fs->arena, raw, n);
}

void mamori_strlist_push(mamori_findings *fs, mamori_strlist *list, const char *s)
{
	/* lists are short (types, requirements): copy-on-grow inside the arena */
	const char **items = mamori_arena_alloc(&fs->arena, (list->count + 1) * sizeof *items);
	if (list->count)
		memcpy(items, list->items, list->count * sizeof *items);
	items[list->count++] = mamori_findings_strdup(fs, s);
	list->items = items;
}

void mamori_finding_add_type(mamori_findings *fs, mamori_finding *f, const char *type)
{
	mamori_strlist_push(fs, &f->types, type);
}

void mamori_finding_add_requirement(mamori_findings *fs, mamori_finding *f, const char *req)
{
	mamori_strlist_push(fs, &f->related_requirements, req);
}

void mamori_finding_add_standard(mamori_findings *fs, mamori_finding *f, const char *standards_id)
{
	mamori_strlist_push(fs, &f->associated_standards, standards_id);
}

mamori_resource *mamori_finding_add_resource(mamori_findings *fs, mamori_finding *f,
					     const char *type, const char *id)
{
	mamori_resource *r =
		mamori_arena_alloc(&fs->arena, (f->resource_count + 1) * sizeof *r);
	if (f->resource_count)
		memcpy(r, f->resources, f->resource_count * sizeof *r);
	f->resources = r;
	mamori_resource *n = &r[f->resource_count++];
	n->type = mamori_findings_strdup(fs, type);
	n->id = mamori_findings_strdup(fs, id);
	return n;
}

void mamori_finding_add_product_field(mamori_findings *fs, mamori_finding *f, const char *key,
				      const char *value)
{
	for (size_t i = 0; i < f->product_field_count; i++) {
		if (strcmp(f->product_fields[i].key, key) == 0) {
			f->product_fields[i].value = mamori_findings_strdup(fs, value);
			return;
		}
	}
	mamori_kv *kv = mamori_arena_alloc(&fs->arena, (f->product_field_count + 1) * sizeof *kv);
	if (f->product_field_count)
		memcpy(kv, f->product_fields, f->product_field_count * sizeof *kv);
	kv[f->product_field_count].key = mamori_findings_strdup(fs, key);
	kv[f->product_field_count].value = mamori_findings_strdup(fs, value);
	f->product_fields = kv;
	f->product_field_count++;
}

/* Cut s to max characters, ending in "..." when cut. */
static const char *clip(mamori_findings *fs, const char *s, size_t max)
{
	if (!s || strlen(s) <= max) /* no more characters than bytes */
		return s;
	size_t n = mamori_utf8_prefix(s, max);
	if (s[n] == '\0')
		return s;
	size_t keep = mamori_utf8_prefix(s, max - 3);
	char *c = mamori_arena_alloc(&fs->arena, keep + 4);
	memcpy(c, s, keep);
	memcpy(c + keep, "...", 4);
	return c;
}

static bool all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *finding_id(mamori_ctx *ctx, mamori_findings *fs, const mamori_finding *f)
{
	/* Identity = who found it, which rule, where, on what, and which hit.
	 * Fields are NUL-separated so that ("ab","c") and ("a","bc") differ. */
	const char *parts[] = {
		f->module,
		f->generator_id,
		f->aws_account_id,
		f->region,
		f->resource_count ? f->resources[0].id : "",
		f->fingerprint,
	};
	size_t lens[sizeof parts / sizeof *parts], total = 0;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		total += (lens[i] = parts[i] ? strlen(parts[i]) : 0) + 1;
	char stack[1024];
	char *key = total <= sizeof stack ? stack : mamori_xmalloc(total);
	size_t at = 0;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		if (lens[i])
			memcpy(key + at, parts[i], lens[i]);
		at += lens[i];
		key[at++] = '\0';
	}
	char hex[65];
	if (ctx)
		mamori_ctx_sha256_hex(ctx, key, total, hex);
	else
		mamori_sha256_hex(key, total, hex);
	if (key != stack)
		free(key);
	/* "mamori/MODULE/" + 128 bits: collisions are not a practical concern */
	size_t ml = f->module ? strlen(f->module) : 6;
	char *id = mamori_arena_alloc(&fs->arena, 7 + ml + 1 + 32 + 1);
	memcpy(id, "mamori/", 7);
	memcpy(id + 7, f->module ? f->module : "(null)", ml);
	id[7 + ml] = '/';
	memcpy(id + 8 + ml, hex, 32);
	id[8 + ml + 32] = '\0';
	return id;
}

const char *mamori_finding_compute_id(mamori_findings *fs, const mamori_finding *f)
{
	return finding_id(NULL, fs, f);
}

const char *mamori_finding_product_arn(mamori_findings *fs, const mamori_finding *f)
{
	const char *region = mamori_str_empty(f->region) ? MAMORI_DEFAULT_REGION : f->region;
	const char *partition = f->resource_count && f->resources[0].partition
					? f->resources[0].partition
					: "aws";
	return mamori_arena_printf(&fs->arena, "arn:%s:securityhub:%s:%s:product/%s/default",
				   partition, region, f->aws_account_id, f->aws_account_id);
}

#define REQUIRE(field, name)                                                                   \
	do {                                                                                   \
		if (mamori_str_empty(field))                                                   \
			return mamori_error_set(ctx, MAMORI_EINTERNAL,                         \
						"finding from module %s (rule %s) has no %s",   \
						f->module ? f->module : "?",                    \
						f->generator_id ? f->generator_id : "?", name); \
	} while (0)

int mamori_finding_finalize(mamori_ctx *ctx, mamori_findings *fs, mamori_finding *f)
{
	REQUIRE(f->module, "module");
	REQUIRE(f->generator_id, "GeneratorId (rule id)");
	REQUIRE(f->title, "Title");
	REQUIRE(f->description, "Description");
	if (f->resource_count == 0)
		return mamori_error_set(ctx, MAMORI_EINTERNAL,
					"finding %s from module %s has no resource",
					f->generator_id, f->module);
	for (size_t i = 0; i < f->resource_count; i++) {
		REQUIRE(f->resources[i].type, "Resources[].Type");
		REQUIRE(f->resources[i].id, "Resources[].Id");
	}
	if (f->types.count == 0)
		return mamori_error_set(ctx, MAMORI_EINTERNAL,
					"finding %s from module %s has no ASFF Types",
					f->generator_id, f->module);
	for (size_t i = 0; i < f->types.count; i++) {
		/* namespace/category/classifier: one or two slashes at most */
		const char *t = f->types.items[i];
		const char *slash = strchr(t, '/');
		if (!slash || slash == t)
			return mamori_error_set(ctx, MAMORI_EINTERNAL,
						"finding %s: type \"%s\" is not namespace/category",
						f->generator_id, t);
	}
	if (mamori_str_empty(f->aws_account_id))
		f->aws_account_id = MAMORI_NO_ACCOUNT;
	if (!all_digits(f->aws_account_id, 12))
		return mamori_error_set(ctx, MAMORI_EINTERNAL,
					"finding %s: AwsAccountId \"%s\" is not 12 digits",
					f->generator_id, f->aws_account_id);
	if (mamori_str_empty(f->region))
		f->region = MAMORI_DEFAULT_REGION;
	if ((unsigned)f->severity > MAMORI_SEV_CRITICAL)
		f->severity = MAMORI_SEV_MEDIUM;
	if (f->severity_normalized < 0 || f->severity_normalized > 100)
		f->severity_normalized = mamori_severity_normalized(f->severity);

	f->title = clip(fs, f->title, ASFF_TITLE_MAX);
	f->description = clip(fs, f->description, ASFF_DESCRIPTION_MAX);
	f->remediation_text = clip(fs, f->remediation_text, ASFF_REMEDIATION_TEXT_MAX);
	if (f->resource_count > ASFF_RESOURCES_MAX)
		f->resource_count = ASFF_RESOURCES_MAX;
	if (f->related_requirements.count > ASFF_REQUIREMENTS_MAX)
		f->related_requirements.count = ASFF_REQUIREMENTS_MAX;
	if (f->types.count > ASFF_TYPES_MAX)
		f->types.count = ASFF_TYPES_MAX;
	for (size_t i = 0; i < f->resource_count; i++) {
		mamori_resource *r = &f->resources[i];
		if (mamori_str_empty(r->partition))
			r->partition = "aws";
		if (mamori_str_empty(r->region))
			r->region = f->region;
	}
	f->id = finding_id(ctx, fs, f);
	return MAMORI_OK;
}

bool mamori_finding_is_open(const mamori_finding *f)
{
	return f->record_state == MAMORI_RECORD_ACTIVE &&
	       f->workflow != MAMORI_WORKFLOW_SUPPRESSED &&
	       f->workflow != MAMORI_WORKFLOW_RESOLVED &&
	       f->compliance != MAMORI_COMPLIANCE_PASSED;
}

static const char *dup_raw(mamori_findings *fs, const char *s)
{
	return s ? mamori_arena_strdup(&fs->arena, s) : NULL;
}

static void copy_list(mamori_findings *fs, mamori_strlist *dst, const mamori_strlist *src)
{
	dst->items = NULL;
	dst->count = 0;
	if (!src->count)
		return;
	dst->items = mamori_arena_alloc(&fs->arena, src->count * sizeof *dst->items);
	for (size_t i = 0; i < src->count; i++)
		dst->items[i] = dup_raw(fs, src->items[i]);
	dst->count = src->count;
}

mamori_finding *mamori_findings_copy(mamori_findings *dst, const mamori_finding *src)
{
	mamori_finding *f = mamori_findings_add(dst);
	*f = *src;
	const char **strs[] = {
		&f->id, &f->module, &f->pillar, &f->generator_id, &f->fingerprint,
		&f->aws_account_id, &f->region, &f->created_at, &f->updated_at,
		&f->first_observed_at, &f->last_observed_at, &f->severity_original, &f->title,
		&f->description, &f->remediation_text, &f->remediation_url, &f->rule_author,
		&f->rule_license, &f->evidence_json, &f->location.path, &f->asff_extra_json,
	};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		*strs[i] = dup_raw(dst, *strs[i]);
	copy_list(dst, &f->types, &src->types);
	copy_list(dst, &f->related_requirements, &src->related_requirements);
	copy_list(dst, &f->associated_standards, &src->associated_standards);
	if (src->resource_count) {
		f->resources = mamori_arena_alloc(&dst->arena, src->resource_count * sizeof *f->resources);
		for (size_t i = 0; i < src->resource_count; i++) {
			const mamori_resource *r = &src->resources[i];
			f->resources[i] = (mamori_resource){dup_raw(dst, r->type), dup_raw(dst, r->id),
							    dup_raw(dst, r->partition),
							    dup_raw(dst, r->region),
							    dup_raw(dst, r->details_json)};
		}
	}
	if (src->product_field_count) {
		f->product_fields =
			mamori_arena_alloc(&dst->arena, src->product_field_count * sizeof(mamori_kv));
		for (size_t i = 0; i < src->product_field_count; i++)
			f->product_fields[i] = (mamori_kv){dup_raw(dst, src->product_fields[i].key),
							   dup_raw(dst, src->product_fields[i].value)};
	}
	return f;
}
