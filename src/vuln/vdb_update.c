/*
 * vdb_update.c — `mamori vuln db update`: download OSV's per-ecosystem
 * all.zip archives (BASE/ECOSYSTEM/all.zip, the layout of OSV's public
 * bucket; BASE is configurable so that a mirror or a test server can stand
 * in), optionally the KEV catalogue and EPSS scores, build a new database
 * beside the old one and rename it over the old one.
 *
 * The swap is atomic: readers see the old database or the new one, never
 * a half-imported one; when any download or import fails the old database
 * is left exactly as it was.  What earlier imports brought from other
 * sources (ALAS files, a KEV catalogue, local OSV files) is carried over
 * into the new database.  Downloads go through libcurl (TLS, redirects,
 * proxies from the environment); gzip-compressed files (EPSS) are
 * inflated with libarchive.
 */
#include "vdb.h"
#include "vdb_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DOWNLOAD ((size_t)2 << 30)

typedef struct dl {
	mamori_buf *b;
	bool too_big;
} dl;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	dl *d = ud;
	if (d->b->len + size * n > MAX_DOWNLOAD) {
		d->too_big = true;
		return 0;
	}
	mamori_buf_append(d->b, p, size * n);
	return size * n;
}

int mamori_vuln_download(mamori_ctx *ctx, const char *url, mamori_buf *out)
{
	CURL *c = curl_easy_init();
	if (!c)
		return mamori_error_set(ctx, MAMORI_EINTERNAL, "cannot initialise libcurl");
	dl d = {out, false};
	char err[CURL_ERROR_SIZE] = "";
	mamori_buf_reset(out);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mamori/" MAMORI_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	CURLcode rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: download failed: %s", url,
					d.too_big ? "larger than 2 GB" : *err ? err : curl_easy_strerror(rc));
	return MAMORI_OK;
}

/* inflate gzip (EPSS publishes epss_scores-current.csv.gz) */
static int gunzip(mamori_ctx *ctx, const char *name, mamori_buf *b)
{
	if (b->len < 2 || (unsigned char)b->data[0] != 0x1f || (unsigned char)b->data[1] != 0x8b)
		return MAMORI_OK;
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	mamori_buf out = MAMORI_BUF_INIT;
	int rc = MAMORI_OK;
	if (archive_read_open_memory(a, b->data, b->len) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: bad gzip data: %s", name,
				      archive_error_string(a));
	} else {
		char chunk[65536];
		la_ssize_t n;
		while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0)
			mamori_buf_append(&out, chunk, (size_t)n);
		if (n < 0)
			rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: bad gzip data: %s", name,
					      archive_error_string(a));
	}
	archive_read_free(a);
	if (!rc) {
		mamori_buf_free(b);
		*b = out;
	} else {
		mamori_buf_free(&out);
	}
	return rc;
}

int mamori_vuln_db_update(mamori_ctx *ctx, const char *path, const char *base,
			  const char *const *ecosystems, size_t neco, const char *kev_url,
			  const char *epss_url, vuln_import_stats *total, vuln_problem_fn problem,
			  void *ud)
{
	memset(total, 0, sizeof *total);
	mamori_buf tmp_path = MAMORI_BUF_INIT;
	mamori_buf_printf(&tmp_path, "%s.new-%ld", path, (long)getpid());
	unlink(tmp_path.data);
	vuln_db *db;
	int rc = mamori_vuln_db_open(ctx, tmp_path.data, VULN_DB_CREATE, &db);
	if (rc) {
		mamori_buf_free(&tmp_path);
		return rc;
	}
	db->index_on_import = false; /* built once, at the end */
	mamori_buf data = MAMORI_BUF_INIT;
	for (size_t i = 0; i < neco + 2 && !rc; i++) {
		mamori_buf url = MAMORI_BUF_INIT;
		const char *source;
		if (i < neco) {
			size_t bl = strlen(base);
			mamori_buf_printf(&url, "%s%s", base, bl && base[bl - 1] == '/' ? "" : "/");
			/* ecosystem names are path segments: escape spaces */
			for (const char *p = ecosystems[i]; *p; p++)
				if (*p == ' ')
					mamori_buf_puts(&url, "%20");
				else
					mamori_buf_putc(&url, *p);
			mamori_buf_puts(&url, "/all.zip");
			source = ecosystems[i];
		} else if (i == neco && kev_url) {
			mamori_buf_puts(&url, kev_url);
			source = "kev";
		} else if (i == neco + 1 && epss_url) {
			mamori_buf_puts(&url, epss_url);
			source = "epss";
		} else {
			continue;
		}
		mamori_log(ctx, MAMORI_LOG_INFO, "downloading %s", url.data);
		rc = mamori_vuln_download(ctx, url.data, &data);
		if (!rc)
			rc = gunzip(ctx, url.data, &data);
		vuln_import_stats st;
		if (!rc)
			rc = mamori_vuln_db_import_buf(ctx, db, url.data, data.data ? data.data : "",
						       data.len, source, &st, problem, ud);
		if (!rc) {
			/* the source records where it came from */
			rc = mamori_vuln_db_set_source(ctx, db, source, url.data, st.advisories);
			total->files += st.files;
			total->advisories += st.advisories;
			total->withdrawn += st.withdrawn;
			total->affected += st.affected;
			total->git_ranges += st.git_ranges;
			total->kev += st.kev;
			total->epss += st.epss;
			total->problems += st.problems;
		}
		mamori_buf_free(&url);
	}
	mamori_buf_free(&data);
	/* carry over what other sources brought */
	if (!rc && access(path, F_OK) == 0) {
		char *sql = sqlite3_mprintf(
			"ATTACH DATABASE %Q AS old;"
			"BEGIN;"
			"INSERT OR IGNORE INTO advisory(osv_id, source, modified, published, withdrawn,"
			" summary, details, aliases, severity, db_severity, refs)"
			" SELECT osv_id, source, modified, published, withdrawn, summary, details,"
			" aliases, severity, db_severity, refs FROM old.advisory"
			" WHERE source NOT IN (SELECT name FROM main.source);"
			"INSERT OR REPLACE INTO affected(advisory, ecosystem, release, name, ranges,"
			" versions, urgency, severity, eco_full, seq)"
			" SELECT n.id, f.ecosystem, f.release, f.name, f.ranges, f.versions, f.urgency,"
			" f.severity, f.eco_full, f.seq FROM old.affected f JOIN old.advisory o ON o.id ="
			" f.advisory JOIN main.advisory n ON n.osv_id = o.osv_id"
			" WHERE o.source NOT IN (SELECT name FROM main.source);"
			"INSERT OR IGNORE INTO kev SELECT * FROM old.kev;"
			"INSERT OR IGNORE INTO epss SELECT * FROM old.epss;"
			"INSERT OR IGNORE INTO source SELECT * FROM old.source;"
			"COMMIT;"
			"DETACH DATABASE old;",
			path);
		char *err = NULL;
		if (sqlite3_exec(db->db, sql, NULL, NULL, &err) != SQLITE_OK) {
			rc = mamori_error_set(ctx, MAMORI_ESTORE,
					      "%s: cannot carry over the old database's other sources: "
					      "%s",
					      path, err ? err : "?");
			sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		}
		sqlite3_free(err);
		sqlite3_free(sql);
	}
	if (!rc)
		rc = mamori_vuln_db_build_index(ctx, db);
	mamori_vuln_db_close(db);
	/* the index first: between the two renames the old database sees an
	 * index whose stamp is not its own and ignores it */
	mamori_buf tmp_idx = MAMORI_BUF_INIT, idx = MAMORI_BUF_INIT;
	mamori_buf_printf(&tmp_idx, "%s.idx", tmp_path.data);
	mamori_buf_printf(&idx, "%s.idx", path);
	if (!rc && rename(tmp_idx.data, idx.data) != 0)
		rc = mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot replace the index: %s", idx.data,
				      strerror(errno));
	if (!rc && rename(tmp_path.data, path) != 0)
		rc = mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot replace the database: %s", path,
				      strerror(errno));
	if (rc) {
		unlink(tmp_path.data);
		unlink(tmp_idx.data);
	}
	mamori_buf_free(&tmp_idx);
	mamori_buf_free(&idx);
	mamori_buf_free(&tmp_path);
	return rc;
}
