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
	const char *ix;	       /* the mapped lookup index (vdb_index.c), or NULL */
	size_t ix_size;
};

/* vdb_index.c */
void mamori_vuln_db_index_open(vuln_db *db);
void mamori_vuln_db_index_close(vuln_db *db);
/* false when there is no usable index (then SQLite answers) */
bool mamori_vuln_db_index_lookup(vuln_db *db, const char *base, const char *name,
				 vuln_accept_fn accept, vuln_hit_fn fn, void *ud, int *rc);
/* vdb.c: fill the advisory's fields of a hit from its row; false if absent */
bool mamori_vuln_db_advisory(vuln_db *db, vuln_db_hit *h);

#endif
