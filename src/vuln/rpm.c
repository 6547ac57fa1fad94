/*
 * rpm.c — installed rpm packages: the header blobs of the rpm database in
 * its three forms, read here without librpm.
 *
 *   rpmdb.sqlite   rpm >= 4.16 (Amazon Linux 2023, Fedora, RHEL 9): table
 *                  Packages(hnum, blob), opened read-only and immutable
 *   Packages       Berkeley DB hash file (rpm < 4.16: Amazon Linux 2,
 *                  RHEL 7/8): header blobs are the values, kept on overflow
 *                  page chains
 *   Packages.db    rpm's NDB (SUSE): slot pages pointing to blob blocks
 *
 * librpm is not used: Debian's rpm cannot open NDB, opening BDB needs the
 * matching libdb, and librpm wants a whole root (rpmdb path, macros) where
 * a scanner has a file.  A header is tags + a data store; only the tags
 * mamori needs are read: NAME, EPOCH, VERSION, RELEASE, ARCH, SOURCERPM,
 * MODULARITYLABEL.  gpg-pubkey pseudo-packages are skipped.  Every offset
 * is checked: a damaged header is a problem naming the file and record.
 */
#include "vuln.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define TAG_NAME 1000
#define TAG_VERSION 1001
#define TAG_RELEASE 1002
#define TAG_EPOCH 1003
#define TAG_ARCH 1022
#define TAG_SOURCERPM 1044
#define TAG_MODULARITYLABEL 5096
#define TYPE_INT32 4
#define TYPE_STRING 6
#define TYPE_STRING_ARRAY 8
#define TYPE_I18NSTRING 9

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const unsigned char *p, bool big)
{
	return big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const unsigned char *p, bool big)
{
	return big ? be32(p) : le32(p);
}

/* the string of a STRING/I18N/STRING_ARRAY entry, bounded by the store */
static const char *tag_string(const unsigned char *store, uint32_t dl, uint32_t off,
			      size_t *n)
{
	if (off >= dl)
		return NULL;
	const unsigned char *nul = memchr(store + off, '\0', dl - off);
	if (!nul)
		return NULL;
	*n = (size_t)(nul - (store + off));
	return (const char *)store + off;
}

int mamori_vuln_read_rpm_header(mamori_ctx *ctx, const char *path, const unsigned char *blob,
				size_t len, unsigned record, vuln_inventory *inv)
{
	if (len < 8)
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: record %u: rpm header of %zu bytes is truncated", path,
					record, len);
	uint32_t il = be32(blob), dl = be32(blob + 4);
	if (il == 0 || il > 0xffff || dl > 256u << 20 || 8 + (uint64_t)il * 16 + dl > len)
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: record %u: rpm header is damaged (%u tags, %u data "
					"bytes in a %zu-byte blob)",
					path, record, il, dl, len);
	const unsigned char *index = blob + 8, *store = blob + 8 + (size_t)il * 16;
	const char *f[7] = {0};
	size_t fn[7] = {0};
	long epoch = -1;
	for (uint32_t i = 0; i < il; i++) {
		const unsigned char *e = index + (size_t)i * 16;
		uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
		int slot = -1;
		switch (tag) {
		case TAG_NAME:
			slot = 0;
			break;
		case TAG_VERSION:
			slot = 1;
			break;
		case TAG_RELEASE:
			slot = 2;
			break;
		case TAG_ARCH:
			slot = 3;
			break;
		case TAG_SOURCERPM:
			slot = 4;
			break;
		case TAG_MODULARITYLABEL:
			slot = 5;
			break;
		case TAG_EPOCH:
			if (type == TYPE_INT32 && count >= 1 && off <= dl && dl - off >= 4)
				epoch = (long)be32(store + off);
			continue;
		default:
			continue;
		}
		if (type != TYPE_STRING && type != TYPE_I18NSTRING && type != TYPE_STRING_ARRAY)
			continue;
		f[slot] = tag_string(store, dl, off, &fn[slot]);
		if (!f[slot])
			return mamori_error_set(ctx, MAMORI_EINPUT,
						"%s: record %u: rpm header tag %u points outside the "
						"header",
						path, record, tag);
	}
	if (!f[0] || !f[1] || !f[2])
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: record %u: rpm header without NAME, VERSION or RELEASE",
					path, record);
	if (fn[0] == 10 && memcmp(f[0], "gpg-pubkey", 10) == 0)
		return MAMORI_OK;
	vuln_pkg *p = mamori_vuln_inventory_add(inv);
	p->name = mamori_vuln_strndup(inv, f[0], fn[0]);
	if (epoch > 0)
		p->version = mamori_arena_printf(&inv->arena, "%ld:%.*s-%.*s", epoch, (int)fn[1],
						 f[1], (int)fn[2], f[2]);
	else
		p->version = mamori_arena_printf(&inv->arena, "%.*s-%.*s", (int)fn[1], f[1],
						 (int)fn[2], f[2]);
	p->arch = f[3] ? mamori_vuln_strndup(inv, f[3], fn[3]) : NULL;
	p->module = f[5] && fn[5] ? mamori_vuln_strndup(inv, f[5], fn[5]) : NULL;
	(void)record; /* a record number, not a line: no SARIF line for rpm */
	if (f[4] && fn[4] > 8 && memcmp(f[4] + fn[4] - 8, ".src.rpm", 8) == 0) {
		/* NAME-VERSION-RELEASE.src.rpm */
		size_t n = fn[4] - 8;
		const char *s = f[4];
		const char *d2 = NULL, *d1 = NULL;
		for (size_t k = n; k-- > 0;)
			if (s[k] == '-') {
				if (!d2)
					d2 = s + k;
				else {
					d1 = s + k;
					break;
				}
			}
		if (d1 && d2) {
			p->source_name = mamori_vuln_strndup(inv, s, (size_t)(d1 - s));
			const char *sv = mamori_vuln_strndup(inv, d1 + 1, (size_t)(s + n - d1 - 1));
			if (epoch > 0)
				sv = mamori_arena_printf(&inv->arena, "%ld:%s", epoch, sv);
			if (strcmp(sv, p->version) != 0)
				p->source_version = sv;
		}
	}
	return MAMORI_OK;
}

static void header_or_problem(mamori_ctx *ctx, const char *path, const unsigned char *blob,
			      size_t len, unsigned record, vuln_inventory *inv)
{
	if (mamori_vuln_read_rpm_header(ctx, path, blob, len, record, inv))
		mamori_vuln_inventory_problem_ctx(inv, ctx);
}

static int read_packages_table(mamori_ctx *ctx, sqlite3 *db, int rc, const char *display,
			       vuln_inventory *inv)
{
	sqlite3_stmt *st = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages ORDER BY hnum", -1, &st,
					NULL);
	if (rc != SQLITE_OK) {
		rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: not a readable rpm database: %s",
				      display, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_finalize(st);
		sqlite3_close(db);
		return rc;
	}
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned record = (unsigned)sqlite3_column_int64(st, 0);
		const unsigned char *blob = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);
		header_or_problem(ctx, display, blob, blob ? (size_t)n : 0, record, inv);
	}
	if (step != SQLITE_DONE) {
		mamori_error_set(ctx, MAMORI_EINPUT, "%s: rpm database damaged: %s", display,
				 sqlite3_errmsg(db));
		mamori_vuln_inventory_problem_ctx(inv, ctx);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return MAMORI_OK;
}

int mamori_vuln_read_rpmdb_sqlite(mamori_ctx *ctx, const char *file, const char *display,
				  vuln_inventory *inv)
{
	sqlite3 *db = NULL;
	char *uri = sqlite3_mprintf("file:%s?immutable=1", file);
	/* URI special characters in the path: fall back to a plain read-only open */
	int rc = strpbrk(file, "?#%") ? sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL)
				      : sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
							NULL);
	sqlite3_free(uri);
	return read_packages_table(ctx, db, rc, display, inv);
}

int mamori_vuln_read_rpmdb_sqlite_buf(mamori_ctx *ctx, const char *display,
				      const unsigned char *buf, size_t len, vuln_inventory *inv)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK && len < 16)
		rc = SQLITE_NOTADB;
	if (rc == SQLITE_OK) {
		/* SQLite frees the copy with the connection */
		unsigned char *copy = sqlite3_malloc64(len);
		if (!copy)
			mamori_oom(len);
		memcpy(copy, buf, len);
		/* a WAL-mode file (rpm writes them) cannot be opened in memory: the
		 * header's read/write versions 2 (WAL) become 1 (rollback journal) */
		if (len >= 100 && !memcmp(copy, "SQLite format 3", 15) && copy[18] == 2)
			copy[18] = copy[19] = 1;
		rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
					 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
	}
	return read_packages_table(ctx, db, rc, display, inv);
}

/* ---- Berkeley DB hash ---- */

#define BDB_HASH_MAGIC 0x061561
#define P_HASH_UNSORTED 2
#define P_OVERFLOW 7
#define P_HASH 13
#define H_OFFPAGE 3
#define PAGE_HDR 26

int mamori_vuln_read_rpmdb_bdb(mamori_ctx *ctx, const char *path, const unsigned char *buf,
			       size_t len, vuln_inventory *inv)
{
	if (len < 512)
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: too short for a Berkeley DB file (%zu bytes)", path, len);
	bool big;
	if (le32(buf + 12) == BDB_HASH_MAGIC)
		big = false;
	else if (be32(buf + 12) == BDB_HASH_MAGIC)
		big = true;
	else
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: not a Berkeley DB hash file (bad magic)", path);
	uint32_t pagesize = rd32(buf + 20, big), last = rd32(buf + 32, big);
	if (pagesize < 512 || pagesize > 65536 || (pagesize & (pagesize - 1)))
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: unexpected page size %u", path,
					pagesize);
	uint64_t pages = len / pagesize;
	if (last >= pages) {
		mamori_error_set(ctx, MAMORI_EINPUT,
				 "%s: truncated: the header names %u pages, the file holds %llu",
				 path, last + 1, (unsigned long long)pages);
		mamori_vuln_inventory_problem_ctx(inv, ctx);
		last = pages ? (uint32_t)(pages - 1) : 0;
	}
	mamori_buf value = MAMORI_BUF_INIT;
	unsigned record = 0;
	for (uint32_t pg = 1; pg <= last; pg++) {
		const unsigned char *page = buf + (size_t)pg * pagesize;
		uint8_t type = page[25];
		if (type != P_HASH && type != P_HASH_UNSORTED)
			continue;
		uint16_t entries = rd16(page + 20, big);
		if ((size_t)PAGE_HDR + (size_t)entries * 2 > pagesize) {
			mamori_error_set(ctx, MAMORI_EINPUT, "%s: page %u: %u entries do not fit",
					 path, pg, entries);
			mamori_vuln_inventory_problem_ctx(inv, ctx);
			continue;
		}
		/* key/value pairs: values at odd indexes */
		for (uint16_t i = 1; i < entries; i += 2) {
			uint16_t off = rd16(page + PAGE_HDR + (size_t)i * 2, big);
			if (off + 12u > pagesize || page[off] != H_OFFPAGE)
				continue;
			record++;
			uint32_t next = rd32(page + off + 4, big), tlen = rd32(page + off + 8, big);
			mamori_buf_reset(&value);
			uint32_t hops = 0;
			bool bad = false;
			while (next && !bad) {
				if (next > last || ++hops > pages) {
					bad = true;
					break;
				}
				const unsigned char *op = buf + (size_t)next * pagesize;
				if (op[25] != P_OVERFLOW) {
					bad = true;
					break;
				}
				uint32_t nn = rd32(op + 16, big);
				size_t take = nn ? pagesize - PAGE_HDR : rd16(op + 22, big);
				if (take > pagesize - PAGE_HDR) {
					bad = true;
					break;
				}
				mamori_buf_append(&value, op + PAGE_HDR, take);
				next = nn;
			}
			if (bad || (tlen && value.len < tlen)) {
				mamori_error_set(ctx, MAMORI_EINPUT,
						 "%s: record %u: overflow page chain broken or "
						 "truncated; record skipped",
						 path, record);
				mamori_vuln_inventory_problem_ctx(inv, ctx);
				continue;
			}
			header_or_problem(ctx, path, (const unsigned char *)value.data,
					  tlen && tlen < value.len ? tlen : value.len, record, inv);
		}
	}
	mamori_buf_free(&value);
	return MAMORI_OK;
}

/* ---- NDB ---- */

#define NDB_HEADER_MAGIC ('R' | 'p' << 8 | 'm' << 16 | (uint32_t)'P' << 24)
#define NDB_SLOT_MAGIC ('S' | 'l' << 8 | 'o' << 16 | (uint32_t)'t' << 24)
#define NDB_BLOB_MAGIC ('B' | 'l' << 8 | 'b' << 16 | (uint32_t)'S' << 24)

int mamori_vuln_read_rpmdb_ndb(mamori_ctx *ctx, const char *path, const unsigned char *buf,
			       size_t len, vuln_inventory *inv)
{
	if (len < 32 || le32(buf) != NDB_HEADER_MAGIC || le32(buf + 4) != 0)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: not an rpm NDB database", path);
	uint32_t npages = le32(buf + 12);
	if (npages == 0 || npages > 2048)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: implausible slot page count %u",
					path, npages);
	size_t nslots = (size_t)npages * 256 - 2;
	if (32 + nslots * 16 > len)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: truncated slot pages", path);
	for (size_t i = 0; i < nslots; i++) {
		const unsigned char *s = buf + 32 + i * 16;
		if (le32(s) != NDB_SLOT_MAGIC) {
			mamori_error_set(ctx, MAMORI_EINPUT, "%s: slot %zu: bad magic; stopped", path,
					 i);
			mamori_vuln_inventory_problem_ctx(inv, ctx);
			break;
		}
		uint32_t pkg = le32(s + 4), blk = le32(s + 8);
		if (!pkg)
			continue;
		uint64_t off = (uint64_t)blk * 16;
		if (off + 16 > len || le32(buf + off) != NDB_BLOB_MAGIC || le32(buf + off + 4) != pkg) {
			mamori_error_set(ctx, MAMORI_EINPUT, "%s: package %u: blob missing or damaged",
					 path, pkg);
			mamori_vuln_inventory_problem_ctx(inv, ctx);
			continue;
		}
		uint32_t bl = le32(buf + off + 12);
		if (off + 16 + bl > len) {
			mamori_error_set(ctx, MAMORI_EINPUT, "%s: package %u: blob truncated", path,
					 pkg);
			mamori_vuln_inventory_problem_ctx(inv, ctx);
			continue;
		}
		header_or_problem(ctx, path, buf + off + 16, bl, pkg, inv);
	}
	return MAMORI_OK;
}
