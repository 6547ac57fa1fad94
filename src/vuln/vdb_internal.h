/*
 * vdb_internal.h — the database handle, shared by vdb.c, vdb_import.c and
 * vdb_update.c only.
 */
#ifndef MAMORI_VULN_VDB_INTERNAL_H
#define MAMORI_VULN_VDB_INTERNAL_H

#include "vdb.h"

#include <sqlite3.h>

struct vuln_db {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *lookup, *advisory, *kev, *epss;
	int has_kev, has_epss; /* -1 unknown */
	bool index_on_import;  /* rebuild the index after each import (update: once) */
	/* the lookup index (vdb_index.c), when there is a valid one */
	char *ix_dir;		/* its directory and keys, read at open; NULL: none */
	size_t ix_keys;
	int ix_fd;
	mamori_arena ix_blocks; /* blocks read, until mamori_vuln_db_release */
};

/* a block of the index, parsed in place */
typedef struct vuln_ix_adv {
	int64_t rowid;
	const char *f[9]; /* id aliases summary severity db_severity published modified
			     withdrawn refs */
} vuln_ix_adv;

typedef struct vuln_ix_ent {
	uint32_t adv;	  /* index into the block's advisories */
	const char *f[6]; /* release ranges versions urgency severity eco_full */
} vuln_ix_ent;

typedef struct vuln_ix_block {
	uint32_t nadv, nent;
	vuln_ix_adv *advs;
	vuln_ix_ent *ents;
} vuln_ix_block;

/* Parse a block read from the index (untrusted: checked throughout); the
 * arrays come from a, the strings point into buf.  0, or -1 if corrupt. */
int mamori_vuln_index_parse_block(const char *buf, size_t len, vuln_ix_block *b, mamori_arena *a);

/* vdb_index.c */
void mamori_vuln_db_index_open(vuln_db *db);
void mamori_vuln_db_index_close(vuln_db *db);
/* false when there is no usable index (then SQLite answers) */
bool mamori_vuln_db_index_lookup(vuln_db *db, const char *base, const char *name,
				 vuln_accept_fn accept, vuln_hit_fn fn, void *ud, int *rc);
/* vdb.c: fill the advisory's fields of a hit from its row; false if absent */
bool mamori_vuln_db_advisory(vuln_db *db, vuln_db_hit *h);

#endif
