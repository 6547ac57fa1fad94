/*
 * vdb_import.c — filling the vulnerability database: OSV records (files,
 * arrays, directories, OSV's per-ecosystem all.zip read through
 * libarchive), ALAS advisories in mamori's documented JSON form, the CISA
 * KEV catalogue (JSON or CSV) and EPSS scores (CSV).
 *
 * OSV semantics kept for matching: every affected[] entry is a row keyed
 * by (ecosystem without release suffix, package name), with its release
 * suffix ("12" of "Debian:12"), its ranges (ECOSYSTEM, SEMVER and GIT —
 * GIT ranges are recorded, never matched), its explicit versions[], the
 * Debian urgency and per-affected severity.  Withdrawn advisories are kept
 * and marked, so that a scan can say why it no longer reports them.  A
 * record with the same id and `modified` as the stored one is skipped,
 * so re-importing a dump only costs the parse.
 *
 * A bad record is a problem ("file: record ID: what"), and the rest of the
 * file is imported; a file that is not JSON at all is one problem.
 */
#include "vdb.h"
#include "vdb_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_FILE (1u << 30)
#define MAX_MEMBER (256u << 20)
#define MAX_DEPTH 32

typedef struct imp {
	mamori_ctx *ctx;
	vuln_db *db;
	const char *source;
	vuln_import_stats *st;
	vuln_problem_fn problem;
	void *ud;
	sqlite3_stmt *find, *del_aff, *del_adv, *ins_adv, *ins_aff, *ins_kev, *ins_epss;
	mamori_buf tmp;
} imp;

static void problem(imp *m, const char *fmt, ...) MAMORI_PRINTF(2, 3);
static void problem(imp *m, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	m->st->problems++;
	if (m->problem)
		m->problem(m->ud, msg);
}

static int prep(imp *m, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(m->db->db, sql, -1, st, NULL) != SQLITE_OK)
		return mamori_error_set(m->ctx, MAMORI_ESTORE, "%s: %s", m->db->path,
					sqlite3_errmsg(m->db->db));
	return MAMORI_OK;
}

static int imp_init(imp *m)
{
	int rc = prep(m, &m->find, "SELECT id, modified FROM advisory WHERE osv_id = ?");
	if (!rc)
		rc = prep(m, &m->del_aff, "DELETE FROM affected WHERE advisory = ?");
	if (!rc)
		rc = prep(m, &m->del_adv, "DELETE FROM advisory WHERE id = ?");
	if (!rc)
		rc = prep(m, &m->ins_adv,
			  "INSERT INTO advisory(osv_id, source, modified, published, withdrawn,"
			  " summary, details, aliases, severity, db_severity, refs)"
			  " VALUES(?,?,?,?,?,?,?,?,?,?,?)");
	if (!rc)
		rc = prep(m, &m->ins_aff,
			  "INSERT OR REPLACE INTO affected(advisory, ecosystem, release, name, ranges,"
			  " versions, urgency, severity, eco_full, seq) VALUES(?,?,?,?,?,?,?,?,?,?)");
	if (!rc)
		rc = prep(m, &m->ins_kev,
			  "INSERT OR REPLACE INTO kev(cve, date_added, due_date, ransomware)"
			  " VALUES(?,?,?,?)");
	if (!rc)
		rc = prep(m, &m->ins_epss,
			  "INSERT OR REPLACE INTO epss(cve, score, percentile) VALUES(?,?,?)");
	return rc;
}

static void imp_fini(imp *m)
{
	sqlite3_stmt *all[] = {m->find,	   m->del_aff, m->del_adv, m->ins_adv,
			       m->ins_aff, m->ins_kev, m->ins_epss};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		sqlite3_finalize(all[i]);
	mamori_buf_free(&m->tmp);
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int step_done(imp *m, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return mamori_error_set(m->ctx, MAMORI_ESTORE, "%s: %s", m->db->path,
					sqlite3_errmsg(m->db->db));
	return MAMORI_OK;
}

/* JSON of a member, or NULL */
static char *json_of(const cJSON *v)
{
	return v ? cJSON_PrintUnformatted(v) : NULL;
}

/* Encode ranges; false (with *why) when malformed. */
static bool encode_ranges(imp *m, const cJSON *ranges, mamori_buf *out, const char **why)
{
	mamori_buf_reset(out);
	if (!ranges)
		return true;
	if (!cJSON_IsArray(ranges)) {
		*why = "\"ranges\" is not an array";
		return false;
	}
	const cJSON *r;
	cJSON_ArrayForEach(r, ranges)
	{
		const char *type = mamori_json_str(r, "type");
		const cJSON *events = mamori_json_get(r, "events");
		if (!type || !cJSON_IsArray(events)) {
			*why = "a range without \"type\" or \"events\"";
			return false;
		}
		char t = !strcmp(type, "ECOSYSTEM") ? 'E' : !strcmp(type, "SEMVER") ? 'S'
			 : !strcmp(type, "GIT")	       ? 'G'
						       : 0;
		if (!t) {
			*why = "a range of unknown type";
			return false;
		}
		if (t == 'G')
			m->st->git_ranges++;
		if (out->len)
			mamori_buf_putc(out, '\x1e');
		mamori_buf_putc(out, t);
		const cJSON *e;
		cJSON_ArrayForEach(e, events)
		{
			static const struct {
				const char *key;
				char kind;
			} kinds[] = {{"introduced", 'i'},
				     {"fixed", 'f'},
				     {"last_affected", 'l'},
				     {"limit", 'x'}};
			bool any = false;
			for (size_t k = 0; k < 4; k++) {
				const char *v = mamori_json_str(e, kinds[k].key);
				if (!v)
					continue;
				if (strpbrk(v, "\x1e\x1f")) {
					*why = "an event version with control characters";
					return false;
				}
				mamori_buf_printf(out, "\x1f%c%s", kinds[k].kind, v);
				any = true;
			}
			if (!any) {
				*why = "an event without introduced, fixed, last_affected or limit";
				return false;
			}
		}
	}
	return true;
}

static int store_advisory(imp *m, const char *where, const cJSON *rec, const char *eco_override)
{
	(void)eco_override;
	const char *id = mamori_json_str(rec, "id");
	if (!id || !*id) {
		problem(m, "%s: an OSV record without \"id\"; skipped", where);
		return MAMORI_OK;
	}
	const char *modified = mamori_json_str(rec, "modified");
	const cJSON *affected = mamori_json_get(rec, "affected");
	if (affected && !cJSON_IsArray(affected)) {
		problem(m, "%s: record %s: \"affected\" is not an array; skipped", where, id);
		return MAMORI_OK;
	}
	/* validate every affected entry before touching the database */
	const cJSON *a;
	mamori_buf enc = MAMORI_BUF_INIT;
	cJSON_ArrayForEach(a, affected)
	{
		const cJSON *pkg = mamori_json_get(a, "package");
		const char *why = NULL;
		if (!mamori_json_str(pkg, "ecosystem") || !mamori_json_str(pkg, "name"))
			why = "an affected entry without package ecosystem and name";
		else if (!encode_ranges(m, mamori_json_get(a, "ranges"), &enc, &why))
			;
		else if (mamori_json_get(a, "versions") &&
			 !cJSON_IsArray(mamori_json_get(a, "versions")))
			why = "\"versions\" is not an array";
		if (why) {
			problem(m, "%s: record %s: %s; skipped", where, id, why);
			mamori_buf_free(&enc);
			return MAMORI_OK;
		}
	}
	sqlite3_bind_text(m->find, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(m->find) == SQLITE_ROW) {
		sqlite3_int64 old = sqlite3_column_int64(m->find, 0);
		const char *om = (const char *)sqlite3_column_text(m->find, 1);
		bool same = om && modified && !strcmp(om, modified);
		sqlite3_reset(m->find);
		if (same) {
			m->st->unchanged++;
			mamori_buf_free(&enc);
			return MAMORI_OK;
		}
		sqlite3_bind_int64(m->del_aff, 1, old);
		sqlite3_bind_int64(m->del_adv, 1, old);
		int rc = step_done(m, m->del_aff);
		if (!rc)
			rc = step_done(m, m->del_adv);
		if (rc) {
			mamori_buf_free(&enc);
			return rc;
		}
	} else {
		sqlite3_reset(m->find);
	}
	/* aliases and upstream ids, space-separated */
	mamori_buf aliases = MAMORI_BUF_INIT;
	static const char *const alias_keys[] = {"aliases", "upstream"};
	for (int k = 0; k < 2; k++) {
		const cJSON *al;
		cJSON_ArrayForEach(al, mamori_json_get(rec, alias_keys[k]))
		{
			if (!cJSON_IsString(al) || strchr(al->valuestring, ' '))
				continue;
			if (aliases.len)
				mamori_buf_putc(&aliases, ' ');
			mamori_buf_puts(&aliases, al->valuestring);
		}
	}
	/* reference URLs only */
	cJSON *refs = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, mamori_json_get(rec, "references"))
	{
		const char *url = mamori_json_str(r, "url");
		if (url && cJSON_GetArraySize(refs) < 16)
			cJSON_AddItemToArray(refs, cJSON_CreateString(url));
	}
	char *refs_s = cJSON_PrintUnformatted(refs);
	cJSON_Delete(refs);
	char *sev = json_of(mamori_json_get(rec, "severity"));
	const cJSON *dbs = mamori_json_get(rec, "database_specific");
	const char *db_sev = mamori_json_str(dbs, "severity");
	sqlite3_stmt *st = m->ins_adv;
	bind_str(st, 1, id);
	bind_str(st, 2, m->source);
	bind_str(st, 3, modified);
	bind_str(st, 4, mamori_json_str(rec, "published"));
	bind_str(st, 5, mamori_json_str(rec, "withdrawn"));
	bind_str(st, 6, mamori_json_str(rec, "summary"));
	bind_str(st, 7, mamori_json_str(rec, "details"));
	bind_str(st, 8, aliases.data ? aliases.data : "");
	bind_str(st, 9, sev);
	bind_str(st, 10, db_sev);
	bind_str(st, 11, refs_s);
	int rc = step_done(m, st);
	free(sev);
	free(refs_s);
	mamori_buf_free(&aliases);
	if (rc) {
		mamori_buf_free(&enc);
		return rc;
	}
	sqlite3_int64 adv = sqlite3_last_insert_rowid(m->db->db);
	m->st->advisories++;
	if (mamori_json_str(rec, "withdrawn"))
		m->st->withdrawn++;
	size_t seq = 0;
	cJSON_ArrayForEach(a, affected)
	{
		const cJSON *pkg = mamori_json_get(a, "package");
		const char *eco = mamori_json_str(pkg, "ecosystem");
		const char *name = mamori_json_str(pkg, "name");
		const char *why = NULL;
		encode_ranges(m, mamori_json_get(a, "ranges"), &enc, &why);
		mamori_buf vers = MAMORI_BUF_INIT;
		const cJSON *v;
		cJSON_ArrayForEach(v, mamori_json_get(a, "versions"))
		{
			if (!cJSON_IsString(v) || strpbrk(v->valuestring, "\x1e\x1f"))
				continue;
			if (vers.len)
				mamori_buf_putc(&vers, '\x1f');
			mamori_buf_puts(&vers, v->valuestring);
		}
		const cJSON *es = mamori_json_get(a, "ecosystem_specific");
		const char *urgency = mamori_json_str(es, "urgency");
		if (!urgency)
			urgency = mamori_json_str(mamori_json_get(a, "database_specific"), "urgency");
		char *asev = json_of(mamori_json_get(a, "severity"));
		size_t bn = strcspn(eco, ":");
		char base[128];
		snprintf(base, sizeof base, "%.*s", (int)(bn < 127 ? bn : 127), eco);
		char norm[512];
		if (!strcmp(base, "PyPI")) {
			mamori_vuln_pypi_normalize(name, norm, sizeof norm);
			name = norm;
		}
		st = m->ins_aff;
		sqlite3_bind_int64(st, 1, adv);
		bind_str(st, 2, base);
		bind_str(st, 3, eco[bn] ? eco + bn + 1 : "");
		bind_str(st, 4, name);
		bind_str(st, 5, enc.data ? enc.data : "");
		bind_str(st, 6, vers.data ? vers.data : "");
		bind_str(st, 7, urgency);
		bind_str(st, 8, asev);
		bind_str(st, 9, eco);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)seq++);
		rc = step_done(m, st);
		free(asev);
		mamori_buf_free(&vers);
		if (rc)
			break;
		m->st->affected++;
	}
	mamori_buf_free(&enc);
	return rc;
}

/* ---- ALAS (Amazon Linux has no OSV ecosystem) ---- */

static int store_alas_one(imp *m, const char *where, const cJSON *a, const char *id,
			  const char *release, const cJSON *pkgs, const char *cve, bool split);

static int store_alas(imp *m, const char *where, const cJSON *a)
{
	const char *id = mamori_json_str(a, "id");
	const char *release = mamori_json_str(a, "release");
	const cJSON *pkgs = mamori_json_get(a, "packages");
	if (!id || !release || !cJSON_IsArray(pkgs)) {
		problem(m, "%s: an ALAS entry %s without id, release or packages; skipped", where,
			id ? id : "(no id)");
		return MAMORI_OK;
	}
	/* one OSV record per CVE ("ALAS2023-2023-381:CVE-2023-38545"), so that one
	 * CVE is one finding; an ALAS without CVEs is one record */
	const cJSON *cves = mamori_json_get(a, "cves");
	int ncve = cJSON_GetArraySize(cves);
	for (int k = 0; k < (ncve > 0 ? ncve : 1); k++) {
		const cJSON *cve = ncve > 0 ? cJSON_GetArrayItem(cves, k) : NULL;
		if (ncve > 0 && !cJSON_IsString(cve))
			continue;
		int rc = store_alas_one(m, where, a, id, release, pkgs, cve ? cve->valuestring : NULL,
					ncve > 1);
		if (rc)
			return rc;
	}
	return MAMORI_OK;
}

static int store_alas_one(imp *m, const char *where, const cJSON *a, const char *id,
			  const char *release, const cJSON *pkgs, const char *cve, bool split)
{
	cJSON *osv = cJSON_CreateObject();
	char idbuf[256];
	snprintf(idbuf, sizeof idbuf, "%s%s%s", id, split ? ":" : "", split ? cve : "");
	cJSON_AddStringToObject(osv, "id", idbuf);
	static const char *const copy[] = {"modified", "published", "summary", "details"};
	for (int i = 0; i < 4; i++) {
		const char *v = mamori_json_str(a, copy[i]);
		if (v)
			cJSON_AddStringToObject(osv, copy[i], v);
	}
	cJSON *aliases = cJSON_AddArrayToObject(osv, "aliases");
	const cJSON *c;
	if (cve)
		cJSON_AddItemToArray(aliases, cJSON_CreateString(cve));
	const char *sev = mamori_json_str(a, "severity");
	if (sev)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(osv, "database_specific"), "severity",
					sev);
	cJSON *refs = cJSON_AddArrayToObject(osv, "references");
	cJSON_ArrayForEach(c, mamori_json_get(a, "references"))
	{
		if (!cJSON_IsString(c))
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "ADVISORY");
		cJSON_AddStringToObject(o, "url", c->valuestring);
		cJSON_AddItemToArray(refs, o);
	}
	cJSON *aff = cJSON_AddArrayToObject(osv, "affected");
	char eco[64];
	snprintf(eco, sizeof eco, "Amazon Linux:%s", release);
	const cJSON *p;
	cJSON_ArrayForEach(p, pkgs)
	{
		const char *name = mamori_json_str(p, "name");
		const char *fixed = mamori_json_str(p, "fixed");
		if (!name || !fixed) {
			problem(m, "%s: %s: a package without name or fixed version; skipped", where,
				id);
			continue;
		}
		cJSON *e = cJSON_CreateObject();
		cJSON *pk = cJSON_AddObjectToObject(e, "package");
		cJSON_AddStringToObject(pk, "ecosystem", eco);
		cJSON_AddStringToObject(pk, "name", name);
		cJSON *range = cJSON_CreateObject();
		cJSON_AddStringToObject(range, "type", "ECOSYSTEM");
		cJSON *evs = cJSON_AddArrayToObject(range, "events");
		cJSON *intro = cJSON_CreateObject();
		cJSON_AddStringToObject(intro, "introduced", "0");
		cJSON_AddItemToArray(evs, intro);
		cJSON *fx = cJSON_CreateObject();
		cJSON_AddStringToObject(fx, "fixed", fixed);
		cJSON_AddItemToArray(evs, fx);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "ranges"), range);
		cJSON_AddItemToArray(aff, e);
	}
	int rc = store_advisory(m, where, osv, NULL);
	cJSON_Delete(osv);
	return rc;
}

/* ---- KEV / EPSS ---- */

/* split one CSV line (RFC 4180 quotes) into up to max fields in place */
static int csv_fields(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		char *out = p;
		f[n++] = out;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p)
					break;
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
			while (*p && *p != ',')
				p++;
		} else {
			while (*p && *p != ',')
				*out++ = *p++;
		}
		bool more = *p == ',';
		if (*p)
			p++;
		*out = '\0';
		if (!more)
			break;
	}
	return n;
}

static void add_kev(imp *m, const char *cve, const char *added, const char *due,
		    const char *ransom)
{
	bind_str(m->ins_kev, 1, cve);
	bind_str(m->ins_kev, 2, added);
	bind_str(m->ins_kev, 3, due);
	bind_str(m->ins_kev, 4, ransom);
	if (!step_done(m, m->ins_kev))
		m->st->kev++;
}

static int import_csv(imp *m, const char *name, const char *buf, size_t len)
{
	bool kev = !strncmp(buf, "cveID,", 6);
	int c_cve = 0, c_a = -1, c_b = -1, c_c = -1;
	size_t i = 0;
	unsigned lineno = 0;
	bool header = true;
	char *line = NULL;
	while (i < len) {
		size_t e = i;
		/* quoted newlines inside a KEV description */
		bool q = false;
		while (e < len && (buf[e] != '\n' || q)) {
			if (buf[e] == '"')
				q = !q;
			e++;
		}
		lineno++;
		size_t n = e - i;
		line = mamori_xrealloc(line, n + 1);
		memcpy(line, buf + i, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		i = e + 1;
		if (!line[0] || line[0] == '#')
			continue;
		char *f[16];
		int nf = csv_fields(line, f, 16);
		if (header) {
			header = false;
			for (int k = 0; k < nf; k++) {
				if (!strcmp(f[k], kev ? "cveID" : "cve"))
					c_cve = k;
				else if (!strcmp(f[k], kev ? "dateAdded" : "epss"))
					c_a = k;
				else if (!strcmp(f[k], kev ? "dueDate" : "percentile"))
					c_b = k;
				else if (kev && !strcmp(f[k], "knownRansomwareCampaignUse"))
					c_c = k;
			}
			if (c_a < 0) {
				free(line);
				problem(m, "%s: not a KEV or EPSS CSV (no %s column)", name,
					kev ? "dateAdded" : "epss");
				return MAMORI_OK;
			}
			continue;
		}
		if (c_cve >= nf || c_a >= nf || strncmp(f[c_cve], "CVE-", 4) != 0) {
			problem(m, "%s:%u: not a CVE row; skipped", name, lineno);
			continue;
		}
		if (kev) {
			add_kev(m, f[c_cve], f[c_a], c_b >= 0 && c_b < nf ? f[c_b] : NULL,
				c_c >= 0 && c_c < nf ? f[c_c] : NULL);
		} else {
			char *end;
			double s = strtod(f[c_a], &end);
			double p = c_b >= 0 && c_b < nf ? strtod(f[c_b], NULL) : -1;
			if (end == f[c_a] || s < 0 || s > 1) {
				problem(m, "%s:%u: EPSS score \"%s\" is not a probability; skipped",
					name, lineno, f[c_a]);
				continue;
			}
			sqlite3_bind_text(m->ins_epss, 1, f[c_cve], -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(m->ins_epss, 2, s);
			sqlite3_bind_double(m->ins_epss, 3, p);
			if (!step_done(m, m->ins_epss))
				m->st->epss++;
		}
	}
	free(line);
	return MAMORI_OK;
}

/* ---- JSON documents ---- */

static int import_json(imp *m, const char *name, const char *buf, size_t len)
{
	cJSON *doc = mamori_json_parse(m->ctx, name, buf, len);
	if (!doc) {
		problem(m, "%s", mamori_error_last(m->ctx)->message);
		mamori_error_clear(m->ctx);
		return MAMORI_OK;
	}
	int rc = MAMORI_OK;
	char where[1100];
	if (cJSON_IsObject(doc) && mamori_json_get(doc, "catalogVersion") &&
	    cJSON_IsArray(mamori_json_get(doc, "vulnerabilities"))) {
		const cJSON *v;
		cJSON_ArrayForEach(v, mamori_json_get(doc, "vulnerabilities"))
		{
			const char *cve = mamori_json_str(v, "cveID");
			if (cve)
				add_kev(m, cve, mamori_json_str(v, "dateAdded"),
					mamori_json_str(v, "dueDate"),
					mamori_json_str(v, "knownRansomwareCampaignUse"));
		}
	} else if (cJSON_IsObject(doc) && cJSON_IsArray(mamori_json_get(doc, "alas"))) {
		const cJSON *a;
		int i = 0;
		cJSON_ArrayForEach(a, mamori_json_get(doc, "alas"))
		{
			snprintf(where, sizeof where, "%s: alas[%d]", name, i++);
			if ((rc = store_alas(m, where, a)))
				break;
		}
	} else if (cJSON_IsObject(doc) && mamori_json_str(doc, "id") &&
		   !strncmp(mamori_json_str(doc, "id"), "ALAS", 4) &&
		   mamori_json_get(doc, "packages")) {
		rc = store_alas(m, name, doc);
	} else if (cJSON_IsObject(doc)) {
		rc = store_advisory(m, name, doc, NULL);
	} else if (cJSON_IsArray(doc)) {
		const cJSON *r;
		int i = 0;
		cJSON_ArrayForEach(r, doc)
		{
			snprintf(where, sizeof where, "%s: [%d]", name, i++);
			if (!cJSON_IsObject(r)) {
				problem(m, "%s: not an OSV record object; skipped", where);
				continue;
			}
			if ((rc = store_advisory(m, where, r, NULL)))
				break;
		}
	} else {
		problem(m, "%s: neither an OSV record nor an array of them", name);
	}
	cJSON_Delete(doc);
	return rc;
}

static int import_zip(imp *m, const char *name, const char *buf, size_t len)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		problem(m, "%s: not a readable zip archive: %s", name, archive_error_string(a));
		archive_read_free(a);
		return MAMORI_OK;
	}
	struct archive_entry *e;
	int rc = MAMORI_OK, r;
	size_t members = 0;
	mamori_buf member = MAMORI_BUF_INIT;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		members++;
		const char *path = archive_entry_pathname(e);
		if (!path || archive_entry_filetype(e) != AE_IFREG)
			continue;
		size_t pl = strlen(path);
		if (pl < 5 || strcasecmp(path + pl - 5, ".json") != 0)
			continue;
		char where[1100];
		snprintf(where, sizeof where, "%s!%s", name, path);
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)MAX_MEMBER) {
			problem(m, "%s: member larger than %u MB; skipped", where, MAX_MEMBER >> 20);
			continue;
		}
		mamori_buf_reset(&member);
		char chunk[65536];
		la_ssize_t got;
		bool bad = false;
		while ((got = archive_read_data(a, chunk, sizeof chunk)) > 0) {
			if (member.len + (size_t)got > MAX_MEMBER) {
				bad = true;
				break;
			}
			mamori_buf_append(&member, chunk, (size_t)got);
		}
		if (got < 0 || bad) {
			problem(m, "%s: %s; skipped", where,
				bad ? "member too large" : archive_error_string(a));
			if (got < 0 && archive_errno(a) != 0 && r == ARCHIVE_FATAL)
				break;
			continue;
		}
		m->st->files++;
		if ((rc = import_json(m, where, member.data ? member.data : "", member.len)))
			break;
	}
	if (r != ARCHIVE_EOF && r != ARCHIVE_OK && !rc) {
		const char *err = archive_error_string(a);
		if (members == 0)
			problem(m, "%s: not a readable zip archive: %s", name, err ? err : "damaged");
		else
			problem(m, "%s: archive damaged after %zu members: %s", name, members,
				err ? err : "damaged");
	}
	mamori_buf_free(&member);
	archive_read_free(a);
	return rc;
}

static int import_any(imp *m, const char *name, const char *buf, size_t len)
{
	m->st->files++;
	if (len >= 4 && !memcmp(buf, "PK\x03\x04", 4))
		return import_zip(m, name, buf, len);
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		return import_json(m, name, buf, len);
	if (!strncmp(buf + i, "cveID,", 6) || !strncmp(buf + i, "#model_version", 14) ||
	    !strncmp(buf + i, "cve,epss", 8))
		return import_csv(m, name, buf + i, len - i);
	problem(m, "%s: not OSV JSON, a zip archive, an ALAS file or a KEV/EPSS CSV", name);
	return MAMORI_OK;
}

static int import_path(imp *m, const char *path, int depth)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		problem(m, "%s: cannot read: %s", path, strerror(errno));
		return MAMORI_OK;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > MAX_DEPTH) {
			problem(m, "%s: directories nested deeper than %d; skipped", path, MAX_DEPTH);
			return MAMORI_OK;
		}
		DIR *d = opendir(path);
		if (!d) {
			problem(m, "%s: cannot read directory: %s", path, strerror(errno));
			return MAMORI_OK;
		}
		char **names = NULL;
		size_t n = 0, cap = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = mamori_xrealloc(names, cap * sizeof *names);
			}
			names[n++] = mamori_xstrdup(e->d_name);
		}
		closedir(d);
		int rc = MAMORI_OK;
		for (size_t i = 0; i < n; i++) {
			mamori_buf p = MAMORI_BUF_INIT;
			mamori_buf_printf(&p, "%s/%s", path, names[i]);
			struct stat cs;
			size_t nl = strlen(names[i]);
			bool want = stat(p.data, &cs) == 0 &&
				    (S_ISDIR(cs.st_mode) ||
				     (nl > 5 && !strcasecmp(names[i] + nl - 5, ".json")) ||
				     (nl > 4 && !strcasecmp(names[i] + nl - 4, ".zip")) ||
				     (nl > 4 && !strcasecmp(names[i] + nl - 4, ".csv")));
			if (want && !rc)
				rc = import_path(m, p.data, depth + 1);
			mamori_buf_free(&p);
			free(names[i]);
		}
		free(names);
		return rc;
	}
	mamori_buf_reset(&m->tmp);
	if (mamori_buf_read_file(m->ctx, &m->tmp, path, MAX_FILE)) {
		problem(m, "%s", mamori_error_last(m->ctx)->message);
		mamori_error_clear(m->ctx);
		return MAMORI_OK;
	}
	return import_any(m, path, m->tmp.data ? m->tmp.data : "", m->tmp.len);
}

static int run(mamori_ctx *ctx, vuln_db *db, const char *source, vuln_import_stats *st,
	       vuln_problem_fn pf, void *ud, const char *path, const char *name, const char *buf,
	       size_t len)
{
	vuln_import_stats local;
	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	imp m = {ctx, db, source, st, pf, ud, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		 MAMORI_BUF_INIT};
	if (sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot start a transaction: %s",
					db->path, sqlite3_errmsg(db->db));
	int rc = imp_init(&m);
	if (!rc)
		rc = path ? import_path(&m, path, 0) : import_any(&m, name, buf, len);
	imp_fini(&m);
	if (rc) {
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot commit: %s", db->path,
				      sqlite3_errmsg(db->db));
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (source && st->advisories + st->unchanged + st->kev + st->epss > 0)
		rc = mamori_vuln_db_set_source(ctx, db, source, path ? path : name, st->advisories);
	if (!rc && st->advisories && db->index_on_import)
		rc = mamori_vuln_db_build_index(ctx, db);
	return rc;
}

int mamori_vuln_db_import(mamori_ctx *ctx, vuln_db *db, const char *path, const char *source,
			  vuln_import_stats *st, vuln_problem_fn problem_fn, void *userdata)
{
	return run(ctx, db, source, st, problem_fn, userdata, path, NULL, NULL, 0);
}

int mamori_vuln_db_import_buf(mamori_ctx *ctx, vuln_db *db, const char *name, const char *buf,
			      size_t len, const char *source, vuln_import_stats *st,
			      vuln_problem_fn problem_fn, void *userdata)
{
	return run(ctx, db, source, st, problem_fn, userdata, NULL, name, buf, len);
}
