/*
 * store_schema.h — the ordered list of schema migrations (store_schema.c).
 */
#ifndef MAMORI_CORE_STORE_SCHEMA_H
#define MAMORI_CORE_STORE_SCHEMA_H

#include "internal.h"

typedef struct mamori_migration {
	int version;
	const char *description;
	const char *sql;    /* SQLite, and PostgreSQL after type translation */
	const char *pg_sql; /* PostgreSQL's own text when the dialects differ (triggers) */
} mamori_migration;

const mamori_migration *mamori_store_migrations(size_t *count);

#endif
