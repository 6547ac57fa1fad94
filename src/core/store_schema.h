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

/* The text PostgreSQL's trigram index covers (migration 4) and searches
 * match against (store_query.c): title, first resource id and rule, joined
 * by a unit separator that a search cannot contain. */
/* SQLite: move the text changes the triggers queued (migration 4) into the
 * FTS5 index, in order ('delete' of old text before the new), and empty the
 * queue.  Run before every COMMIT of a write transaction. */
#define MAMORI_FTS_FLUSH                                                                    \
	"INSERT INTO findings_fts(findings_fts, rowid, title, resource_id, generator_id) "   \
	"SELECT CASE WHEN del THEN 'delete' END, id, title, resource_id, generator_id FROM " \
	"findings_fts_queue ORDER BY seq; DELETE FROM findings_fts_queue;"

#define MAMORI_PG_TEXT_EXPR                                                                 \
	"(title || E'\\x1f' || coalesce(resource_id, '') || E'\\x1f' || generator_id)"

#endif
