/*
 * module_vuln.c — the `vuln` module of `mamori scan` (pillar
 * "vulnerabilities"): every host root, image, lockfile, Go binary and SBOM
 * in the target, matched against the vulnerability database, one finding
 * per (package, vulnerability), prioritised.
 *
 * Databases used, in order: advisories shipped inside the target (any
 * `advisories/` directory of OSV/ALAS/KEV/EPSS files, imported into a
 * private in-memory database for this scan — this is how the demo works
 * offline), then the local database (`mamori vuln db`, $MAMORI_VULN_DB).
 * With neither, the packages cannot be checked: that is a problem of the
 * run, never a silent pass.  A database older than 7 days (or
 * $MAMORI_VULN_MAX_AGE_DAYS) gets a warning.
 *
 * Findings: ASFF type Software and Configuration Checks/Vulnerabilities/
 * CVE, the resource is the host/image/lockfile ("Other", id
 * "host:PATH"), the CVE details go in ASFF Vulnerabilities, the priority
 * and its reasons in the description, ProductFields and the evidence.
 */
#include "../core/jsonw.h"
#include "../core/rulebook.h"
#include "collect.h"
#include "match.h"
#include "module_vuln.h"
#include "vdb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RULES_FILE "rules/vulnerabilities/vuln.yaml"
#define RULE_ID "mamori.vuln.package"

static bool is_advisory_file(const mamori_target_file *f)
{
	const char *p = f->relpath;
	bool in_dir = !strncmp(p, "advisories/", 11) || strstr(p, "/advisories/");
	static const char *const exts[] = {".json", ".zip", ".csv", NULL};
	return in_dir && mamori_target_file_has_suffix(f, exts);
}

static bool vuln_wants(const mamori_target *t)
{
	return mamori_vuln_target_wants(t);
}

static void problem_cb(void *ud, const char *msg)
{
	mamori_module_problem(ud, "%s", msg);
}

/*
 * Turning matches into findings, ~9,600 of them for a 2,000-package host:
 * every text is built in one reused buffer and copied once into the
 * findings' arena; the rule's metadata is copied once and shared; texts
 * that repeat (the host's resource id, the status file's path, a package's
 * upgrade command, severity words) are copied once and shared through a
 * small intern table; the evidence and the ASFF Vulnerabilities are written
 * with the core's streaming JSON writer (same bytes as cJSON's).
 */
typedef struct intern_slot {
	uint64_t hash;
	const char *s; /* in the findings' arena */
	size_t len;
} intern_slot;

typedef struct out_ctx {
	mamori_module_run *run;
	mamori_findings *fs;
	mamori_finding rule;	   /* the rule's fields, copied once */
	mamori_buf b, json;	   /* reused for every text */
	intern_slot *slots;	   /* open addressing, power-of-two size */
	size_t nslots, used;
	const vuln_inventory *inv; /* the one whose resource id is cached */
	const char *resource_id;
} out_ctx;

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* s[0..n) copied into the findings (UTF-8 sanitised) */
static const char *copy(out_ctx *o, const char *s, size_t n)
{
	return mamori_utf8_sanitize(&o->fs->arena, s, n);
}

/* the shared copy of s[0..n) */
static const char *intern_n(out_ctx *o, const char *s, size_t n)
{
	if (o->used * 2 >= o->nslots) {
		size_t cap = o->nslots ? o->nslots * 2 : 256;
		intern_slot *ns = mamori_xcalloc(cap, sizeof *ns);
		for (size_t i = 0; i < o->nslots; i++)
			if (o->slots[i].s) {
				size_t k = (size_t)o->slots[i].hash & (cap - 1);
				while (ns[k].s)
					k = (k + 1) & (cap - 1);
				ns[k] = o->slots[i];
			}
		free(o->slots);
		o->slots = ns;
		o->nslots = cap;
	}
	uint64_t h = fnv(s, n);
	size_t k = (size_t)h & (o->nslots - 1);
	for (; o->slots[k].s; k = (k + 1) & (o->nslots - 1))
		if (o->slots[k].hash == h && o->slots[k].len == n && !memcmp(o->slots[k].s, s, n))
			return o->slots[k].s;
	const char *c = copy(o, s, n);
	o->slots[k] = (intern_slot){h, c, n};
	o->used++;
	return c;
}

static const char *intern(out_ctx *o, const char *s)
{
	return s ? intern_n(o, s, strlen(s)) : NULL;
}

static void out_init(out_ctx *o, mamori_module_run *run, const mamori_rule_meta *rule)
{
	memset(o, 0, sizeof *o);
	o->run = run;
	o->fs = run->findings;
	mamori_rule_apply(o->fs, &o->rule, rule);
}

static void out_free(out_ctx *o)
{
	mamori_buf_free(&o->b);
	mamori_buf_free(&o->json);
	free(o->slots);
}

/* the end of join()'s list (its pieces may be NULL: skipped) */
static const char join_end[1];
#define END join_end

/* the pieces, concatenated, copied into the findings (shared: interned) */
/* int, not bool: va_start on a parameter that default promotions change is undefined */
static const char *join(out_ctx *o, int shared, ...)
{
	mamori_buf_reset(&o->b);
	va_list ap;
	va_start(ap, shared);
	for (const char *s; (s = va_arg(ap, const char *)) != END;)
		if (s)
			mamori_buf_append(&o->b, s, strlen(s));
	va_end(ap);
	return shared ? intern_n(o, o->b.data, o->b.len) : copy(o, o->b.data, o->b.len);
}

static const char *package_manager(const vuln_match *m)
{
	const char *eco = m->pkg->ecosystem;
	if (!strncmp(eco, "Debian", 6) || !strncmp(eco, "Ubuntu", 6))
		return "DPKG";
	if (!strncmp(eco, "Alpine", 6) || !strncmp(eco, "Wolfi", 5))
		return "APK";
	if (mamori_vuln_scheme_parse(eco) == VULN_SCHEME_RPM)
		return "RPM";
	static const struct {
		const char *eco, *pm;
	} pms[] = {{"npm", "NPM"},	   {"PyPI", "PYTHONPKG"}, {"Go", "GOBINARY"},
		   {"crates.io", "CARGO"}, {"Maven", "MAVEN"},	  {"RubyGems", "GEMSPEC"},
		   {"Packagist", "COMPOSER"}};
	for (size_t i = 0; i < sizeof pms / sizeof *pms; i++)
		if (!strcmp(eco, pms[i].eco))
			return pms[i].pm;
	return "OS";
}

/* where to read about the advisory: OSV for OSV ids, the advisory's own
 * first reference for ALAS (OSV does not carry them) */
static const char *advisory_url(out_ctx *o, const vuln_match *m)
{
	const char *fa = m->advisories;
	if (!strncmp(fa, "ALAS", 4) && m->refs) {
		cJSON *refs = cJSON_Parse(m->refs);
		const cJSON *first = cJSON_GetArrayItem(refs, 0);
		const char *u = cJSON_IsString(first) ? intern(o, first->valuestring) : NULL;
		cJSON_Delete(refs);
		if (u)
			return u;
	}
	mamori_buf_reset(&o->b);
	mamori_buf_puts(&o->b, "https://osv.dev/vulnerability/");
	mamori_buf_append(&o->b, fa, strcspn(fa, " "));
	return copy(o, o->b.data, o->b.len);
}

/* a JSON array held as text (from the index or a match), as the value of
 * key when it is a non-empty array; through cJSON unless it is canonical */
static void json_array(mamori_jw *w, const char *key, const char *text, bool nonempty)
{
	if (!text)
		return;
	size_t len = strlen(text);
	if (text[0] == '[' && (!nonempty || text[1] != ']')) {
		mamori_jw_mark mk;
		mamori_jw_mark_get(w, &mk);
		mamori_jw_key(w, key);
		if (mamori_jw_canonical(w, text, len))
			return;
		mamori_jw_mark_restore(w, &mk);
	}
	cJSON *a = cJSON_Parse(text);
	if (cJSON_IsArray(a) && (!nonempty || a->child)) {
		mamori_jw_key(w, key);
		mamori_jw_cjson(w, a);
	} else if (a && !nonempty) {
		mamori_jw_key(w, key);
		mamori_jw_cjson(w, a);
	}
	cJSON_Delete(a);
}

/* split dpkg/rpm versions for ASFF: epoch, version, release */
static void evr(mamori_jw *w, const char *v)
{
	const char *colon = strchr(v, ':');
	const char *s = colon ? colon + 1 : v;
	const char *dash = strrchr(s, '-');
	MAMORI_JW_KEY(w, "Version");
	mamori_jw_strn(w, s, dash ? (size_t)(dash - s) : strlen(s));
	MAMORI_JW_KEY(w, "Epoch");
	if (colon)
		mamori_jw_strn(w, v, (size_t)(colon - v));
	else
		mamori_jw_str(w, "0");
	if (dash)
		MAMORI_JW_KSTR(w, "Release", dash + 1);
}

/* ASFF Vulnerabilities (the finding's asff_extra_json) */
static const char *asff_vulnerabilities(out_ctx *o, const vuln_match *m, const char *url)
{
	const vuln_pkg *p = m->pkg;
	mamori_buf_reset(&o->json);
	mamori_jw jw, *w = &jw;
	mamori_jw_init(w, &o->json, false);
	mamori_jw_obj(w);
	MAMORI_JW_KEY(w, "Vulnerabilities");
	mamori_jw_arr(w);
	mamori_jw_obj(w);
	MAMORI_JW_KSTR(w, "Id", m->id);
	MAMORI_JW_KEY(w, "VulnerablePackages");
	mamori_jw_arr(w);
	mamori_jw_obj(w);
	MAMORI_JW_KSTR(w, "Name", p->name);
	const char *pm = package_manager(m);
	if (!strcmp(pm, "DPKG") || !strcmp(pm, "RPM"))
		evr(w, p->version);
	else
		MAMORI_JW_KSTR(w, "Version", p->version);
	MAMORI_JW_KSTR(w, "Architecture", p->arch);
	MAMORI_JW_KSTR(w, "PackageManager", pm);
	MAMORI_JW_KSTR(w, "FilePath", p->location);
	MAMORI_JW_KSTR(w, "FixedInVersion", m->fixed);
	MAMORI_JW_KSTR(w, "Remediation", m->upgrade);
	MAMORI_JW_KSTR(w, "SourceLayerHash", p->layer);
	mamori_jw_obj_end(w);
	mamori_jw_arr_end(w);
	MAMORI_JW_KEY(w, "Cvss");
	mamori_jw_arr(w);
	if (m->cvss_vectors && strcmp(m->cvss_vectors, "[]") != 0) {
		cJSON *vectors = cJSON_Parse(m->cvss_vectors);
		const cJSON *x;
		cJSON_ArrayForEach(x, vectors)
		{
			mamori_jw_obj(w);
			MAMORI_JW_KSTR(w, "Version", mamori_json_str(x, "version"));
			MAMORI_JW_KEY(w, "BaseScore");
			mamori_jw_num(w, cJSON_GetNumberValue(mamori_json_get(x, "score")));
			MAMORI_JW_KSTR(w, "BaseVector", mamori_json_str(x, "vector"));
			MAMORI_JW_KSTR(w, "Source", mamori_json_str(x, "source"));
			mamori_jw_obj_end(w);
		}
		cJSON_Delete(vectors);
	}
	mamori_jw_arr_end(w);
	MAMORI_JW_KEY(w, "RelatedVulnerabilities");
	mamori_jw_arr(w);
	const char *lists[2] = {m->advisories, m->aliases};
	size_t idl = strlen(m->id);
	for (int l = 0; l < 2; l++)
		for (const char *s = lists[l]; s && *s;) {
			size_t k = strcspn(s, " ");
			size_t cut = k < 127 ? k : 127;
			if (k && !(cut == idl && !memcmp(s, m->id, idl)))
				mamori_jw_strn(w, s, cut);
			s += k;
			while (*s == ' ')
				s++;
		}
	mamori_jw_arr_end(w);
	MAMORI_JW_KEY(w, "Vendor");
	mamori_jw_obj(w);
	MAMORI_JW_KSTR(w, "Name", !strncmp(m->advisories, "ALAS", 4)		 ? "Amazon Linux"
				  : !strncmp(m->pkg->ecosystem, "Debian", 6) ? "Debian"
									     : "OSV");
	MAMORI_JW_KSTR(w, "Url", url);
	MAMORI_JW_KSTR(w, "VendorSeverity", m->vendor_severity);
	MAMORI_JW_KSTR(w, "VendorCreatedAt", m->published);
	MAMORI_JW_KSTR(w, "VendorUpdatedAt", m->modified);
	mamori_jw_obj_end(w);
	json_array(w, "ReferenceUrls", m->refs, true);
	MAMORI_JW_KSTR(w, "FixAvailable", !m->fixed ? "NO" : m->partial_fix ? "PARTIAL" : "YES");
	mamori_jw_obj_end(w);
	mamori_jw_arr_end(w);
	mamori_jw_obj_end(w);
	return copy(o, o->json.data, o->json.len);
}

static const char *evidence(out_ctx *o, const vuln_match *m)
{
	const vuln_pkg *p = m->pkg;
	const char *prio = mamori_vuln_priority_name(m->priority);
	mamori_buf_reset(&o->json);
	mamori_jw jw, *w = &jw;
	mamori_jw_init(w, &o->json, false);
	mamori_jw_obj(w);
	MAMORI_JW_KSTR(w, "package", p->name);
	MAMORI_JW_KSTR(w, "version", p->version);
	if (strcmp(m->compared, p->version) != 0)
		MAMORI_JW_KSTR(w, "comparedVersion", m->compared);
	MAMORI_JW_KSTR(w, "sourcePackage", p->source_name);
	MAMORI_JW_KSTR(w, "ecosystem", p->ecosystem);
	MAMORI_JW_KSTR(w, "purl", p->purl);
	MAMORI_JW_KEY(w, "installed");
	mamori_jw_bool(w, p->installed);
	if (p->dev) {
		MAMORI_JW_KEY(w, "development");
		mamori_jw_bool(w, true);
	}
	MAMORI_JW_KSTR(w, "module", p->module);
	MAMORI_JW_KEY(w, "fixedVersion");
	if (m->fixed)
		mamori_jw_str(w, m->fixed);
	else
		mamori_jw_null(w);
	MAMORI_JW_KSTR(w, "vulnerability", m->id);
	MAMORI_JW_KSTR(w, "advisories", m->advisories);
	MAMORI_JW_KSTR(w, "aliases", m->aliases);
	MAMORI_JW_KSTR(w, "priority", prio);
	MAMORI_JW_KSTR(w, "reasons", m->reasons);
	MAMORI_JW_KSTR(w, "upgrade", m->upgrade);
	json_array(w, "cvss", m->cvss_vectors, false);
	MAMORI_JW_KSTR(w, "vendorSeverity", m->vendor_severity);
	if (m->kev_date[0])
		MAMORI_JW_KSTR(w, "kevDateAdded", m->kev_date);
	if (m->epss >= 0) {
		MAMORI_JW_KEY(w, "epss");
		mamori_jw_num(w, m->epss);
	}
	mamori_jw_obj_end(w);
	return copy(o, o->json.data, o->json.len);
}

static void make_finding(out_ctx *o, const vuln_match *m)
{
	mamori_findings *fs = o->fs;
	const vuln_pkg *p = m->pkg;
	const vuln_inventory *inv = m->inv;
	const char *prio = mamori_vuln_priority_name(m->priority);
	const char *kind = mamori_vuln_inv_kind_name(inv->kind);
	mamori_finding *f = mamori_module_finding(o->run, RULE_ID);
	/* the rule's metadata, shared (the module replaces title, description,
	 * severity and remediation) */
	f->generator_id = o->rule.generator_id;
	f->rule_author = o->rule.rule_author;
	f->rule_license = o->rule.rule_license;
	f->types = o->rule.types;
	f->related_requirements = o->rule.related_requirements;
	f->associated_standards = o->rule.associated_standards;
	f->severity = m->severity;
	if (m->has_cvss) {
		char sev[48];
		int n = snprintf(sev, sizeof sev, "CVSS %s %.1f",
				 mamori_vuln_cvss_version_name(m->cvss.version), m->cvss.score);
		f->severity_original = intern_n(o, sev, (size_t)n);
	} else {
		f->severity_original = intern(o, m->vendor_severity);
	}
	f->title = join(o, false, "[", prio, "] ", m->id, " in ", p->name, " ", p->version,
			m->fixed ? " (fixed in " : " (no fix yet)", m->fixed, m->fixed ? ")" : NULL, END);
	const char *summary = m->summary ? m->summary : m->details ? m->details : "";
	f->description = join(o, false, summary, *summary ? " " : NULL, kind, " ", inv->name, " ",
			      p->name, " is affected (", m->ecosystem ? m->ecosystem : p->ecosystem,
			      ", advisories: ", m->advisories, "). Priority ", prio, ": ", m->reasons,
			      ".", END);
	/* the resource: "host:PATH", one copy per inventory */
	if (o->inv != inv) {
		o->resource_id = join(o, true, kind, ":", inv->name, END);
		o->inv = inv;
	}
	mamori_resource *r = mamori_arena_alloc(&fs->arena, sizeof *r);
	r->type = "Other";
	r->id = o->resource_id;
	f->resources = r;
	f->resource_count = 1;
	f->fingerprint = join(o, false, p->name, "|", p->arch, "|", m->id, END);
	if (p->location) {
		f->location.path = intern(o, p->location);
		f->location.line = p->line;
	}
	if (m->upgrade) {
		f->remediation_text = join(o, true,
					   m->fixed ? "Upgrade: "
						    : "No fixed version yet; when there is one: ",
					   m->upgrade, END);
	} else if (!m->fixed) {
		f->remediation_text = "No fixed version yet: mitigate (remove the package, restrict "
				      "exposure) and follow the advisory.";
	} else {
		f->remediation_text = o->rule.remediation_text;
	}
	f->remediation_url = advisory_url(o, m);
	f->asff_extra_json = asff_vulnerabilities(o, m, f->remediation_url);
	f->evidence_json = evidence(o, m);
	/* ProductFields: keys are constants, repeated values shared */
	size_t npf = 4 + (m->kev_date[0] != '\0') + (m->epss >= 0);
	mamori_kv *kv = mamori_arena_alloc(&fs->arena, npf * sizeof *kv);
	size_t k = 0;
	kv[k++] = (mamori_kv){"mamori/vuln/priority", prio};
	kv[k++] = (mamori_kv){"mamori/vuln/package", join(o, true, p->name, "@", p->version, END)};
	kv[k++] = (mamori_kv){"mamori/vuln/fixed", m->fixed ? intern(o, m->fixed) : "none"};
	kv[k++] = (mamori_kv){"mamori/vuln/installed", p->installed ? "yes" : "no"};
	if (m->kev_date[0])
		kv[k++] = (mamori_kv){"mamori/vuln/kev", intern(o, m->kev_date)};
	if (m->epss >= 0) {
		char e[32];
		int n = snprintf(e, sizeof e, "%.5f", m->epss);
		kv[k++] = (mamori_kv){"mamori/vuln/epss", intern_n(o, e, (size_t)n)};
	}
	f->product_fields = kv;
	f->product_field_count = k;
}

static void on_package(void *ud, const vuln_matches *ms)
{
	for (size_t k = 0; k < ms->count; k++)
		make_finding(ud, &ms->items[k]);
}

static int open_dbs(mamori_ctx *ctx, const mamori_target *t, vuln_db **dbs, size_t *ndb,
			 vuln_problem_fn problem, void *ud)
{
	*ndb = 0;
	/* advisories shipped in the target */
	bool any = false;
	for (size_t i = 0; t && i < t->file_count; i++)
		if (is_advisory_file(&t->files[i]))
			any = true;
	if (any) {
		vuln_db *mem;
		int rc = mamori_vuln_db_open(ctx, ":memory:", VULN_DB_CREATE, &mem);
		if (rc)
			return rc;
		for (size_t i = 0; i < t->file_count; i++) {
			if (!is_advisory_file(&t->files[i]))
				continue;
			vuln_import_stats st;
			rc = mamori_vuln_db_import(ctx, mem, t->files[i].path, "target", &st, problem,
						   ud);
			if (rc) {
				mamori_vuln_db_close(mem);
				return rc;
			}
		}
		dbs[(*ndb)++] = mem;
	}
	char *path = mamori_vuln_db_default_path();
	struct stat st;
	if (stat(path, &st) == 0) {
		vuln_db *db;
		int rc = mamori_vuln_db_open(ctx, path, VULN_DB_READONLY, &db);
		if (rc) {
			free(path);
			return rc;
		}
		time_t imported;
		char at[32];
		mamori_vuln_db_imported(db, &imported, at);
		const char *max_env = getenv("MAMORI_VULN_MAX_AGE_DAYS");
		double max_days = max_env && *max_env ? atof(max_env) : 7;
		time_t now = mamori_ctx_now(ctx);
		if (!imported)
			mamori_log(ctx, MAMORI_LOG_WARN, "%s: the vulnerability database has never been "
							 "updated; run `mamori vuln db update`",
				   path);
		else if (difftime(now, imported) > max_days * 86400)
			mamori_log(ctx, MAMORI_LOG_WARN,
				   "%s: the vulnerability database is stale (last update %s, %.0f "
				   "days ago); run `mamori vuln db update`",
				   path, at, difftime(now, imported) / 86400);
		dbs[(*ndb)++] = db;
	}
	free(path);
	return MAMORI_OK;
}

static int vuln_run(mamori_module_run *run)
{
	mamori_rulebook rules;
	int rc = mamori_rulebook_load_builtin(run->ctx, RULES_FILE, &rules);
	if (rc)
		return rc;
	const mamori_rule_meta *rule = mamori_rulebook_find(&rules, RULE_ID);
	vuln_db *dbs[2];
	size_t ndb = 0;
	rc = open_dbs(run->ctx, run->target, dbs, &ndb, problem_cb, run);
	if (rc) {
		mamori_rulebook_free(&rules);
		return rc;
	}
	vuln_invset set = {0};
	mamori_progress_begin(run->ctx, "vuln: reading inventories", 0);
	mamori_vuln_collect_target(run->ctx, run->target, &set);
	mamori_progress_end(run->ctx);
	size_t packages = 0;
	for (size_t i = 0; i < set.count; i++) {
		for (size_t k = 0; k < set.items[i].problem_count; k++)
			mamori_module_problem(run, "%s", set.items[i].problems[k]);
		packages += set.items[i].count;
	}
	if (ndb == 0 && packages > 0)
		mamori_module_problem(run,
				      "%zu packages were found but there is no vulnerability database "
				      "to check them against: run `mamori vuln db update` or `mamori "
				      "vuln db import PATH` (or put OSV files in an advisories/ "
				      "directory of the target)",
				      packages);
	mamori_progress_begin(run->ctx, "vuln: matching", set.count);
	out_ctx out;
	out_init(&out, run, rule);
	for (size_t i = 0; i < set.count && ndb; i++) {
		mamori_progress_update(run->ctx, i);
		vuln_matches ms;
		mamori_vuln_matches_init(&ms);
		/* findings as each package is matched: the matches never pile up */
		ms.on_package = on_package;
		ms.ud = &out;
		size_t before = run->findings->count;
		rc = mamori_vuln_match(run->ctx, dbs, ndb, &set.items[i], &ms);
		if (rc) {
			mamori_module_problem(run, NULL);
			rc = MAMORI_OK;
		}
		mamori_log(run->ctx, MAMORI_LOG_INFO, "vuln: %s %s: %zu packages, %zu vulnerabilities",
			   mamori_vuln_inv_kind_name(set.items[i].kind), set.items[i].name,
			   set.items[i].count, run->findings->count - before);
		mamori_vuln_matches_free(&ms);
	}
	out_free(&out);
	mamori_progress_end(run->ctx);
	mamori_vuln_invset_free(&set);
	for (size_t d = 0; d < ndb; d++)
		mamori_vuln_db_close(dbs[d]);
	mamori_rulebook_free(&rules);
	return rc;
}

const mamori_module mamori_module_vuln = {
	.name = "vuln",
	.pillar = "vulnerabilities",
	.summary = "packages of host roots, images, lockfiles, Go binaries and SBOMs against "
		   "OSV/ALAS advisories, prioritised",
	.target_kinds = MAMORI_TARGET_PATH,
	.wants = vuln_wants,
	.run = vuln_run,
};
