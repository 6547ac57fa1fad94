/*
 * vdb_internal.h — the database handle, shared by vdb.c, vdb_import.c and
 * vdb_update.c only.
 */
#ifndef MAMORI_VULN_VDB_INTERNAL_H
#define MAMORI_VULN_VDB_INTERNAL_H

#include <sqlite3.h>

struct vuln_db {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *lookup, *kev, *epss;
};

#endif
