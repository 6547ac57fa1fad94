/*
 * vdb_index.c — the lookup index beside the database: "<db>.idx", one
 * block per (ecosystem, package name) holding everything a match needs of
 * that package's affected entries and their advisories, and a directory of
 * the blocks sorted by key.
 *
 * Why an index: bench/vuln measured a scan's lookups + range evaluation at
 * 48.6 ms through SQLite and 9.5 ms through a derived index for a
 * 2,000-package host against 50,000 advisories (100,000 affected rows).
 * SQLite stays the database of record (imports, updates, status, KEV/EPSS);
 * the index is derived data, rebuilt after every import and update, and
 * only trusted when its stamp equals the database's (meta "index_stamp"),
 * so a stale or foreign index is ignored, never misread: lookups then go
 * through SQLite.
 *
 * Why blocks read with pread rather than one mapped file (the first
 * design, "MAMVIDX2"): a scan touches the advisory texts of every package
 * it looks up, spread over the whole file, and the kernel maps file pages
 * around each fault (fault-around, large folios) — mapped, the index added
 * ~30 MB of a 35 MB file to the resident set of a 2,000-package scan.
 * Here the directory (a few bytes per package) is read into memory at open
 * and a lookup reads one block, which holds the package's entries and the
 * texts of their advisories side by side, into an arena that the scan
 * empties as it goes (mamori_vuln_db_release): the index costs a scan the
 * directory and the blocks in flight.
 *
 * Layout (host byte order, checked on open):
 *   header   "MAMVIDX3" | stamp[32] | u64 key count | u64 directory offset
 *   blocks   per key, in key order:
 *              u32 advisory count | u32 entry count |
 *              advisory x: i64 rowid | 9 strings (osv id, aliases, summary
 *                (or the start of the details), severity, db severity,
 *                published, modified, withdrawn, refs)
 *              entry x:    u32 advisory index | 6 strings (release, ranges,
 *                versions, urgency, severity, full ecosystem)
 *            string: u32 n (0 = NULL, else length + 1) | bytes | NUL
 *   directory  key count x {u64 block offset | u32 block length |
 *              u32 key offset | u32 key length | u32 0} | key strings
 *              ("ecosystem\0name\0")
 * An advisory of several packages is in each of their blocks.
 */
#include "vdb.h"
#include "vdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "MAMVIDX3"
#define ADV_FIELDS 9
#define ENT_FIELDS 6

typedef struct ix_header {
	char magic[8];
	char stamp[32];
	uint64_t keys;
	uint64_t dir_off;
} ix_header;

typedef struct ix_dir {
	uint64_t block_off;
	uint32_t block_len;
	uint32_t key_off; /* in the key strings after the directory entries */
	uint32_t key_len; /* "ecosystem\0name" */
	uint32_t zero;
} ix_dir;

static char *index_path(const vuln_db *db)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "%s.idx", db->path);
	return mamori_buf_detach(&b);
}

static void meta_stamp(vuln_db *db, char out[33])
{
	out[0] = '\0';
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = 'index_stamp'", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 33, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* ---- building ---- */

static void put_u32(mamori_buf *b, uint32_t v)
{
	mamori_buf_append(b, &v, sizeof v);
}

static void put_str(mamori_buf *b, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		put_u32(b, 0);
		return;
	}
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	put_u32(b, (uint32_t)n + 1);
	mamori_buf_append(b, s, n);
	mamori_buf_putc(b, '\0');
}

/* the block being built: its advisories, then its entries */
typedef struct builder {
	mamori_buf advs, ents;
	uint32_t nadv, nent;
	int64_t last_adv; /* rows come ordered by advisory within a key */
} builder;

static bool flush_block(builder *k, FILE *f, uint64_t *off, mamori_buf *dir)
{
	if (!k->nent)
		return true;
	ix_dir *d = (ix_dir *)(dir->data + dir->len - sizeof *d);
	uint32_t head[2] = {k->nadv, k->nent};
	size_t len = sizeof head + k->advs.len + k->ents.len;
	d->block_off = *off;
	d->block_len = (uint32_t)len;
	bool ok = fwrite(head, sizeof head, 1, f) == 1 &&
		  (!k->advs.len || fwrite(k->advs.data, k->advs.len, 1, f) == 1) &&
		  (!k->ents.len || fwrite(k->ents.data, k->ents.len, 1, f) == 1);
	*off += len;
	mamori_buf_reset(&k->advs);
	mamori_buf_reset(&k->ents);
	k->nadv = k->nent = 0;
	k->last_adv = 0;
	return ok;
}

/* write the blocks of every (ecosystem, name) to f, the directory to dir and keys */
static int write_blocks(mamori_ctx *ctx, vuln_db *db, FILE *f, mamori_buf *dir, mamori_buf *keys,
			uint64_t *count, uint64_t *off)
{
	sqlite3_stmt *st;
	/* the order of the SQLite lookup: (ecosystem, name, advisory, seq) */
	if (sqlite3_prepare_v2(db->db,
			       "SELECT f.ecosystem, f.name, f.advisory, f.release, f.ranges,"
			       " f.versions, f.urgency, f.severity, f.eco_full, a.osv_id, a.aliases,"
			       " coalesce(a.summary, substr(a.details, 1, 400)), a.severity,"
			       " a.db_severity, a.published, a.modified, a.withdrawn, a.refs"
			       " FROM affected f JOIN advisory a ON a.id = f.advisory"
			       " ORDER BY f.ecosystem, f.name, f.advisory, f.seq",
			       -1, &st, NULL) != SQLITE_OK)
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: %s", db->path,
					sqlite3_errmsg(db->db));
	builder k = {MAMORI_BUF_INIT, MAMORI_BUF_INIT, 0, 0, 0};
	mamori_buf key = MAMORI_BUF_INIT, last = MAMORI_BUF_INIT;
	bool ok = true;
	int rc = MAMORI_OK;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		mamori_buf_reset(&key);
		mamori_buf_append(&key, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		mamori_buf_putc(&key, '\0');
		mamori_buf_append(&key, sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1));
		if (!*count || key.len != last.len || memcmp(key.data, last.data, key.len) != 0) {
			ok = flush_block(&k, f, off, dir);
			ix_dir d = {0, 0, (uint32_t)keys->len, (uint32_t)key.len, 0};
			mamori_buf_append(dir, &d, sizeof d);
			mamori_buf_append(keys, key.data, key.len);
			mamori_buf_putc(keys, '\0');
			mamori_buf_reset(&last);
			mamori_buf_append(&last, key.data, key.len);
			(*count)++;
		}
		int64_t adv = sqlite3_column_int64(st, 2);
		if (!k.nadv || adv != k.last_adv) {
			mamori_buf_append(&k.advs, &adv, sizeof adv);
			for (int c = 0; c < ADV_FIELDS; c++)
				put_str(&k.advs, st, 9 + c);
			k.nadv++;
			k.last_adv = adv;
		}
		put_u32(&k.ents, k.nadv - 1);
		for (int c = 0; c < ENT_FIELDS; c++)
			put_str(&k.ents, st, 3 + c);
		k.nent++;
		if (k.advs.len + k.ents.len > UINT32_MAX / 2 || keys->len > UINT32_MAX / 2) {
			rc = mamori_error_set(ctx, MAMORI_ENOSPC,
					      "%s: a package's advisories exceed the index's limits",
					      db->path);
			ok = false;
		}
	}
	sqlite3_finalize(st);
	if (ok)
		ok = flush_block(&k, f, off, dir);
	mamori_buf_free(&k.advs);
	mamori_buf_free(&k.ents);
	mamori_buf_free(&key);
	mamori_buf_free(&last);
	if (!ok && !rc)
		rc = mamori_error_set(ctx, MAMORI_ENOSPC, "%s.idx: cannot write: %s", db->path,
				      strerror(errno));
	return rc;
}

int mamori_vuln_db_build_index(mamori_ctx *ctx, vuln_db *db)
{
	if (!strcmp(db->path, ":memory:"))
		return MAMORI_OK;
	/* a fresh stamp, in the database first: a crash before the index is
	 * renamed into place leaves a mismatch, never a wrong index */
	char stamp[65];
	char seed[128];
	snprintf(seed, sizeof seed, "%s|%ld|%ld", db->path, (long)getpid(), (long)time(NULL));
	mamori_sha256_hex(seed, strlen(seed), stamp);
	stamp[32] = '\0';
	char *sql = sqlite3_mprintf("INSERT OR REPLACE INTO meta VALUES('index_stamp', %Q)", stamp);
	int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? MAMORI_OK : MAMORI_ESTORE;
	sqlite3_free(sql);
	if (rc)
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: %s", db->path,
					sqlite3_errmsg(db->db));
	char *path = index_path(db);
	mamori_buf tmp = MAMORI_BUF_INIT;
	mamori_buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp.data, "wb");
	if (!f) {
		rc = mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot write: %s", tmp.data,
				      strerror(errno));
	} else {
		ix_header h;
		memset(&h, 0, sizeof h);
		memcpy(h.magic, MAGIC, 8);
		memcpy(h.stamp, stamp, 32);
		mamori_buf dir = MAMORI_BUF_INIT, keys = MAMORI_BUF_INIT;
		uint64_t off = sizeof h;
		bool ok = fwrite(&h, sizeof h, 1, f) == 1;
		rc = ok ? write_blocks(ctx, db, f, &dir, &keys, &h.keys, &off) : MAMORI_ENOSPC;
		h.dir_off = off;
		ok = !rc && (!dir.len || fwrite(dir.data, dir.len, 1, f) == 1) &&
		     (!keys.len || fwrite(keys.data, keys.len, 1, f) == 1) &&
		     fseek(f, 0, SEEK_SET) == 0 && fwrite(&h, sizeof h, 1, f) == 1;
		mamori_buf_free(&dir);
		mamori_buf_free(&keys);
		if (fclose(f) != 0 || (!rc && !ok))
			rc = rc ? rc
				: mamori_error_set(ctx, MAMORI_ENOSPC, "%s: cannot write: %s",
						   tmp.data, strerror(errno));
		else if (!rc && rename(tmp.data, path) != 0)
			rc = mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot rename: %s", path,
					      strerror(errno));
		if (rc)
			unlink(tmp.data);
	}
	mamori_buf_free(&tmp);
	free(path);
	/* use the new index from now on */
	mamori_vuln_db_index_close(db);
	if (!rc)
		mamori_vuln_db_index_open(db);
	return rc;
}

/* ---- reading ---- */

static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return true;
}

void mamori_vuln_db_index_open(vuln_db *db)
{
	if (!strcmp(db->path, ":memory:") || getenv("MAMORI_VULN_NO_INDEX"))
		return;
	char *path = index_path(db);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return;
	struct stat st;
	ix_header h;
	char stamp[33];
	meta_stamp(db, stamp);
	uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	bool ok = size >= sizeof h && read_at(fd, &h, sizeof h, 0) &&
		  !memcmp(h.magic, MAGIC, 8) && *stamp && !memcmp(h.stamp, stamp, 32) &&
		  h.dir_off >= sizeof h && h.dir_off <= size &&
		  h.keys <= (size - h.dir_off) / sizeof(ix_dir);
	char *dir = NULL;
	size_t dir_len = ok ? (size_t)(size - h.dir_off) : 0;
	if (ok) {
		dir = mamori_xmalloc(dir_len + 1);
		ok = read_at(fd, dir, dir_len, h.dir_off);
		dir[dir_len] = '\0';
	}
	/* every block inside the block area, every key inside the key strings */
	size_t keys_len = ok ? dir_len - (size_t)h.keys * sizeof(ix_dir) : 0;
	for (uint64_t i = 0; ok && i < h.keys; i++) {
		ix_dir d;
		memcpy(&d, dir + i * sizeof d, sizeof d);
		ok = d.block_off >= sizeof h && d.block_off + d.block_len <= h.dir_off &&
		     (uint64_t)d.key_off + d.key_len < keys_len;
	}
	if (!ok) {
		free(dir);
		close(fd);
		return;
	}
	db->ix_fd = fd;
	db->ix_dir = dir;
	db->ix_keys = (size_t)h.keys;
	mamori_arena_init(&db->ix_blocks, 0);
}

void mamori_vuln_db_index_close(vuln_db *db)
{
	if (!db->ix_dir)
		return;
	close(db->ix_fd);
	free(db->ix_dir);
	mamori_arena_free(&db->ix_blocks);
	db->ix_dir = NULL;
	db->ix_keys = 0;
}

void mamori_vuln_db_release(vuln_db *db)
{
	if (db->ix_dir)
		mamori_arena_free(&db->ix_blocks);
}

/* a string of a block: *p advances; false when it does not fit */
static bool get_str(const char **p, const char *end, const char **out)
{
	uint32_t n;
	if ((size_t)(end - *p) < sizeof n)
		return false;
	memcpy(&n, *p, sizeof n);
	*p += sizeof n;
	if (!n) {
		*out = NULL;
		return true;
	}
	if ((size_t)(end - *p) < n || (*p)[n - 1] != '\0')
		return false;
	*out = *p;
	*p += n;
	return true;
}

int mamori_vuln_index_parse_block(const char *buf, size_t len, vuln_ix_block *b, mamori_arena *a)
{
	const char *p = buf, *end = buf + len;
	uint32_t head[2];
	if (len < sizeof head)
		return -1;
	memcpy(head, p, sizeof head);
	p += sizeof head;
	/* each advisory takes at least 44 bytes, each entry 28: bound the counts */
	if (head[0] > len / 44 || head[1] > len / 28)
		return -1;
	b->nadv = head[0];
	b->nent = head[1];
	b->advs = mamori_arena_alloc(a, (b->nadv ? b->nadv : 1) * sizeof *b->advs);
	b->ents = mamori_arena_alloc(a, (b->nent ? b->nent : 1) * sizeof *b->ents);
	for (uint32_t i = 0; i < b->nadv; i++) {
		if ((size_t)(end - p) < sizeof(int64_t))
			return -1;
		memcpy(&b->advs[i].rowid, p, sizeof(int64_t));
		p += sizeof(int64_t);
		for (int c = 0; c < ADV_FIELDS; c++)
			if (!get_str(&p, end, &b->advs[i].f[c]))
				return -1;
		if (!b->advs[i].f[0])
			return -1; /* an advisory has an id */
	}
	for (uint32_t i = 0; i < b->nent; i++) {
		if ((size_t)(end - p) < sizeof(uint32_t))
			return -1;
		memcpy(&b->ents[i].adv, p, sizeof(uint32_t));
		p += sizeof(uint32_t);
		if (b->ents[i].adv >= b->nadv)
			return -1;
		for (int c = 0; c < ENT_FIELDS; c++)
			if (!get_str(&p, end, &b->ents[i].f[c]))
				return -1;
	}
	return p == end ? 0 : -1;
}

/* the key k[0..kl) ("ecosystem\0name") against base "\0" name, as memcmp
 * orders the concatenations (the order of the directory: SQLite's) */
static int key_cmp(const char *k, size_t kl, const char *base, size_t bl, const char *name,
		   size_t nl)
{
	int r = memcmp(k, base, kl < bl ? kl : bl);
	if (r || kl <= bl)
		return r ? r : -1; /* the key ends within or right after base */
	if (k[bl] != '\0')
		return 1; /* base is a proper prefix of the key's ecosystem */
	size_t rest = kl - bl - 1;
	r = memcmp(k + bl + 1, name, rest < nl ? rest : nl);
	return r ? r : (rest > nl) - (rest < nl);
}

bool mamori_vuln_db_index_lookup(vuln_db *db, const char *base, const char *name,
				 vuln_accept_fn accept, vuln_hit_fn fn, void *ud, int *rc)
{
	if (!db->ix_dir)
		return false;
	size_t bl = strlen(base), nl = strlen(name);
	const char *keys = db->ix_dir + db->ix_keys * sizeof(ix_dir);
	size_t lo = 0, hi = db->ix_keys;
	ix_dir d;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		memcpy(&d, db->ix_dir + mid * sizeof d, sizeof d);
		if (key_cmp(keys + d.key_off, d.key_len, base, bl, name, nl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*rc = MAMORI_OK;
	if (lo == db->ix_keys)
		return true;
	memcpy(&d, db->ix_dir + lo * sizeof d, sizeof d);
	if (key_cmp(keys + d.key_off, d.key_len, base, bl, name, nl) != 0)
		return true; /* no advisory names this package */
	/* the block stays until the scan releases it: hits point into it */
	char *buf = mamori_arena_alloc(&db->ix_blocks, d.block_len ? d.block_len : 1);
	vuln_ix_block b;
	if (!read_at(db->ix_fd, buf, d.block_len, d.block_off) ||
	    mamori_vuln_index_parse_block(buf, d.block_len, &b, &db->ix_blocks) != 0)
		return false; /* unreadable: SQLite answers for this package */
	const char *key_name = keys + d.key_off + bl + 1;
	for (uint32_t i = 0; i < b.nent; i++) {
		const char *const *e = b.ents[i].f;
		vuln_db_hit hit = {
			.advisory = b.advs[b.ents[i].adv].rowid,
			.ecosystem = e[5],
			.release = e[0] ? e[0] : "",
			.name = key_name,
			.ranges = e[1] ? e[1] : "",
			.versions = e[2] ? e[2] : "",
			.urgency = e[3],
			.affected_severity = e[4],
		};
		if (accept && !accept(ud, &hit))
			continue;
		const char *const *f = b.advs[b.ents[i].adv].f;
		hit.id = f[0];
		hit.aliases = f[1] ? f[1] : "";
		hit.summary = f[2];
		hit.details = NULL;
		hit.severity = f[3];
		hit.db_severity = f[4];
		hit.published = f[5];
		hit.modified = f[6];
		hit.withdrawn = f[7];
		hit.refs = f[8];
		hit.stable = true;
		fn(ud, &hit);
	}
	return true;
}
