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
#include "../core/rulebook.h"
#include "collect.h"
#include "match.h"
#include "module_vuln.h"
#include "vdb.h"

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

/* split dpkg/rpm versions for ASFF: epoch, version, release */
static void split_evr(mamori_findings *fs, const char *v, const char **e, const char **ver,
		      const char **rel)
{
	const char *colon = strchr(v, ':');
	*e = colon ? mamori_findings_printf(fs, "%.*s", (int)(colon - v), v) : "0";
	const char *s = colon ? colon + 1 : v;
	const char *dash = strrchr(s, '-');
	*ver = dash ? mamori_findings_printf(fs, "%.*s", (int)(dash - s), s) : s;
	*rel = dash ? dash + 1 : NULL;
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
static const char *advisory_url(mamori_findings *fs, const vuln_match *m)
{
	const char *fa = m->advisories;
	if (!strncmp(fa, "ALAS", 4) && m->refs) {
		cJSON *refs = cJSON_Parse(m->refs);
		const cJSON *first = cJSON_GetArrayItem(refs, 0);
		const char *u = cJSON_IsString(first) ? mamori_findings_strdup(fs, first->valuestring)
						      : NULL;
		cJSON_Delete(refs);
		if (u)
			return u;
	}
	return mamori_findings_printf(fs, "https://osv.dev/vulnerability/%.*s",
				      (int)strcspn(fa, " "), fa);
}

static char *asff_vulnerabilities(mamori_findings *fs, const vuln_match *m)
{
	const vuln_pkg *p = m->pkg;
	cJSON *root = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(root, "Vulnerabilities");
	cJSON *v = cJSON_CreateObject();
	cJSON_AddItemToArray(arr, v);
	cJSON_AddStringToObject(v, "Id", m->id);
	cJSON *pkgs = cJSON_AddArrayToObject(v, "VulnerablePackages");
	cJSON *vp = cJSON_CreateObject();
	cJSON_AddItemToArray(pkgs, vp);
	cJSON_AddStringToObject(vp, "Name", p->name);
	const char *pm = package_manager(m);
	if (!strcmp(pm, "DPKG") || !strcmp(pm, "RPM")) {
		const char *e, *ver, *rel;
		split_evr(fs, p->version, &e, &ver, &rel);
		cJSON_AddStringToObject(vp, "Version", ver);
		cJSON_AddStringToObject(vp, "Epoch", e);
		if (rel)
			cJSON_AddStringToObject(vp, "Release", rel);
	} else {
		cJSON_AddStringToObject(vp, "Version", p->version);
	}
	if (p->arch)
		cJSON_AddStringToObject(vp, "Architecture", p->arch);
	cJSON_AddStringToObject(vp, "PackageManager", pm);
	if (p->location)
		cJSON_AddStringToObject(vp, "FilePath", p->location);
	if (m->fixed)
		cJSON_AddStringToObject(vp, "FixedInVersion", m->fixed);
	if (m->upgrade)
		cJSON_AddStringToObject(vp, "Remediation", m->upgrade);
	if (p->layer)
		cJSON_AddStringToObject(vp, "SourceLayerHash", p->layer);
	cJSON *cv = cJSON_AddArrayToObject(v, "Cvss");
	cJSON *vectors = cJSON_Parse(m->cvss_vectors);
	const cJSON *x;
	cJSON_ArrayForEach(x, vectors)
	{
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "Version", mamori_json_str(x, "version"));
		cJSON_AddNumberToObject(c, "BaseScore", cJSON_GetNumberValue(mamori_json_get(x, "score")));
		cJSON_AddStringToObject(c, "BaseVector", mamori_json_str(x, "vector"));
		cJSON_AddStringToObject(c, "Source", mamori_json_str(x, "source"));
		cJSON_AddItemToArray(cv, c);
	}
	cJSON_Delete(vectors);
	cJSON *rel = cJSON_AddArrayToObject(v, "RelatedVulnerabilities");
	const char *lists[2] = {m->advisories, m->aliases};
	for (int l = 0; l < 2; l++)
		for (const char *s = lists[l]; s && *s;) {
			size_t k = strcspn(s, " ");
			char id[128];
			snprintf(id, sizeof id, "%.*s", (int)(k < 127 ? k : 127), s);
			if (k && strcmp(id, m->id) != 0)
				cJSON_AddItemToArray(rel, cJSON_CreateString(id));
			s += k;
			while (*s == ' ')
				s++;
		}
	cJSON *vendor = cJSON_AddObjectToObject(v, "Vendor");
	const char *first_adv = m->advisories;
	size_t fl = strcspn(first_adv, " ");
	cJSON_AddStringToObject(vendor, "Name", !strncmp(first_adv, "ALAS", 4) ? "Amazon Linux"
						 : !strncmp(m->pkg->ecosystem, "Debian", 6)
							 ? "Debian"
							 : "OSV");
	(void)fl;
	cJSON_AddStringToObject(vendor, "Url", advisory_url(fs, m));
	if (m->vendor_severity)
		cJSON_AddStringToObject(vendor, "VendorSeverity", m->vendor_severity);
	if (m->published)
		cJSON_AddStringToObject(vendor, "VendorCreatedAt", m->published);
	if (m->modified)
		cJSON_AddStringToObject(vendor, "VendorUpdatedAt", m->modified);
	cJSON *refs = m->refs ? cJSON_Parse(m->refs) : NULL;
	if (cJSON_IsArray(refs) && cJSON_GetArraySize(refs) > 0)
		cJSON_AddItemToObject(v, "ReferenceUrls", refs);
	else
		cJSON_Delete(refs);
	cJSON_AddStringToObject(v, "FixAvailable", !m->fixed ? "NO" : m->partial_fix ? "PARTIAL" : "YES");
	char *s = mamori_json_print(root, false);
	cJSON_Delete(root);
	return s;
}

static void make_finding(mamori_module_run *run, const mamori_rule_meta *rule, const vuln_match *m)
{
	mamori_findings *fs = run->findings;
	const vuln_pkg *p = m->pkg;
	const vuln_inventory *inv = m->inv;
	mamori_finding *f = mamori_module_finding(run, RULE_ID);
	mamori_rule_apply(fs, f, rule);
	f->severity = m->severity;
	f->severity_original = m->has_cvss ? mamori_findings_printf(fs, "CVSS %s %.1f",
								    mamori_vuln_cvss_version_name(
									    m->cvss.version),
								    m->cvss.score)
					   : m->vendor_severity
						     ? mamori_findings_strdup(fs, m->vendor_severity)
						     : NULL;
	f->title = mamori_findings_printf(fs, "[%s] %s in %s %s%s%s", mamori_vuln_priority_name(m->priority),
					  m->id, p->name, p->version, m->fixed ? " (fixed in " : " (no fix yet",
					  m->fixed ? mamori_findings_printf(fs, "%s)", m->fixed) : ")");
	const char *summary = m->summary ? m->summary : m->details ? m->details : "";
	f->description = mamori_findings_printf(
		fs, "%s%s%s %s %s is affected (%s, advisories: %s). Priority %s: %s.", summary,
		*summary ? " " : "", mamori_vuln_inv_kind_name(inv->kind), inv->name, p->name,
		m->ecosystem ? m->ecosystem : p->ecosystem, m->advisories,
		mamori_vuln_priority_name(m->priority), m->reasons);
	const char *kind = mamori_vuln_inv_kind_name(inv->kind);
	mamori_finding_add_resource(fs, f, "Other", mamori_findings_printf(fs, "%s:%s", kind, inv->name));
	f->fingerprint = mamori_findings_printf(fs, "%s|%s|%s", p->name, p->arch ? p->arch : "",
						m->id);
	if (p->location) {
		f->location.path = mamori_findings_strdup(fs, p->location);
		f->location.line = p->line;
	}
	if (m->upgrade)
		f->remediation_text = mamori_findings_printf(
			fs, "%s: %s", m->fixed ? "Upgrade" : "No fixed version yet; when there is one",
			m->upgrade);
	else if (!m->fixed)
		f->remediation_text = "No fixed version yet: mitigate (remove the package, restrict "
				      "exposure) and follow the advisory.";
	f->remediation_url = advisory_url(fs, m);
	char *asff = asff_vulnerabilities(fs, m);
	f->asff_extra_json = mamori_findings_strdup(fs, asff);
	free(asff);
	/* evidence */
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "package", p->name);
	cJSON_AddStringToObject(ev, "version", p->version);
	if (strcmp(m->compared, p->version) != 0)
		cJSON_AddStringToObject(ev, "comparedVersion", m->compared);
	mamori_json_add_str(ev, "sourcePackage", p->source_name);
	cJSON_AddStringToObject(ev, "ecosystem", p->ecosystem);
	mamori_json_add_str(ev, "purl", p->purl);
	cJSON_AddBoolToObject(ev, "installed", p->installed);
	if (p->dev)
		cJSON_AddBoolToObject(ev, "development", true);
	mamori_json_add_str(ev, "module", p->module);
	if (m->fixed)
		cJSON_AddStringToObject(ev, "fixedVersion", m->fixed);
	else
		cJSON_AddNullToObject(ev, "fixedVersion");
	cJSON_AddStringToObject(ev, "vulnerability", m->id);
	cJSON_AddStringToObject(ev, "advisories", m->advisories);
	cJSON_AddStringToObject(ev, "aliases", m->aliases);
	cJSON_AddStringToObject(ev, "priority", mamori_vuln_priority_name(m->priority));
	cJSON_AddStringToObject(ev, "reasons", m->reasons);
	mamori_json_add_str(ev, "upgrade", m->upgrade);
	cJSON_AddItemToObject(ev, "cvss", cJSON_Parse(m->cvss_vectors));
	mamori_json_add_str(ev, "vendorSeverity", m->vendor_severity);
	if (m->kev_date[0])
		cJSON_AddStringToObject(ev, "kevDateAdded", m->kev_date);
	if (m->epss >= 0)
		cJSON_AddNumberToObject(ev, "epss", m->epss);
	char *evs = mamori_json_print(ev, false);
	f->evidence_json = mamori_findings_strdup(fs, evs);
	free(evs);
	cJSON_Delete(ev);
	mamori_finding_add_product_field(fs, f, "mamori/vuln/priority",
					 mamori_vuln_priority_name(m->priority));
	mamori_finding_add_product_field(fs, f, "mamori/vuln/package",
					 mamori_findings_printf(fs, "%s@%s", p->name, p->version));
	mamori_finding_add_product_field(fs, f, "mamori/vuln/fixed", m->fixed ? m->fixed : "none");
	mamori_finding_add_product_field(fs, f, "mamori/vuln/installed", p->installed ? "yes" : "no");
	if (m->kev_date[0])
		mamori_finding_add_product_field(fs, f, "mamori/vuln/kev", m->kev_date);
	if (m->epss >= 0)
		mamori_finding_add_product_field(fs, f, "mamori/vuln/epss",
						 mamori_findings_printf(fs, "%.5f", m->epss));
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
	for (size_t i = 0; i < set.count && ndb; i++) {
		mamori_progress_update(run->ctx, i);
		vuln_matches ms;
		mamori_vuln_matches_init(&ms);
		rc = mamori_vuln_match(run->ctx, dbs, ndb, &set.items[i], &ms);
		if (rc) {
			mamori_module_problem(run, NULL);
			rc = MAMORI_OK;
		}
		for (size_t k = 0; k < ms.count; k++)
			make_finding(run, rule, &ms.items[k]);
		mamori_log(run->ctx, MAMORI_LOG_INFO, "vuln: %s %s: %zu packages, %zu vulnerabilities",
			   mamori_vuln_inv_kind_name(set.items[i].kind), set.items[i].name,
			   set.items[i].count, ms.count);
		mamori_vuln_matches_free(&ms);
	}
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
