/*
 * store_schema.c — the store's schema as a list of migrations.
 *
 * A store records every migration it has applied in schema_migrations; on
 * open, the missing ones are applied in order inside one transaction.  Never
 * edit a released migration: add the next one.  The SQL is the common subset
 * of SQLite and PostgreSQL where possible; a backend may translate types.
 */
#include "store_schema.h"

static const mamori_migration migrations[] = {
	{1, "findings, scans and finding history",
	 "CREATE TABLE scans (\n"
	 "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	 "  target TEXT NOT NULL,\n"
	 "  started_at TEXT NOT NULL,\n"
	 "  finished_at TEXT NOT NULL,\n"
	 "  modules TEXT NOT NULL,\n"
	 "  failed_modules TEXT NOT NULL DEFAULT '',\n"
	 "  host TEXT,\n"
	 "  actor TEXT,\n"
	 "  findings INTEGER NOT NULL DEFAULT 0,\n"
	 "  new_findings INTEGER NOT NULL DEFAULT 0,\n"
	 "  archived INTEGER NOT NULL DEFAULT 0\n"
	 ");\n"
	 "CREATE TABLE findings (\n"
	 "  id TEXT PRIMARY KEY,\n"
	 "  hash TEXT NOT NULL,\n"
	 "  module TEXT NOT NULL,\n"
	 "  pillar TEXT,\n"
	 "  generator_id TEXT NOT NULL,\n"
	 "  account TEXT NOT NULL,\n"
	 "  region TEXT,\n"
	 "  scope TEXT NOT NULL,\n"
	 "  resource_type TEXT,\n"
	 "  resource_id TEXT,\n"
	 "  severity INTEGER NOT NULL,\n"
	 "  compliance INTEGER NOT NULL,\n"
	 "  workflow INTEGER NOT NULL,\n"
	 "  record_state INTEGER NOT NULL,\n"
	 "  title TEXT NOT NULL,\n"
	 "  created_at TEXT NOT NULL,\n"
	 "  updated_at TEXT NOT NULL,\n"
	 "  first_observed_at TEXT NOT NULL,\n"
	 "  last_observed_at TEXT NOT NULL,\n"
	 "  last_scan_id INTEGER NOT NULL REFERENCES scans(id),\n"
	 "  doc_hash TEXT NOT NULL,\n"
	 "  doc TEXT NOT NULL\n"
	 ");\n"
	 "CREATE INDEX findings_by_scope ON findings(scope, module, record_state);\n"
	 "CREATE INDEX findings_by_severity ON findings(severity DESC, last_observed_at DESC);\n"
	 "CREATE INDEX findings_by_hash ON findings(hash);\n"
	 "CREATE TABLE finding_history (\n"
	 "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	 "  finding_id TEXT NOT NULL REFERENCES findings(id),\n"
	 "  at TEXT NOT NULL,\n"
	 "  actor TEXT NOT NULL,\n"
	 "  event TEXT NOT NULL,\n"
	 "  from_value TEXT,\n"
	 "  to_value TEXT,\n"
	 "  reason TEXT,\n"
	 "  scan_id INTEGER\n"
	 ");\n"
	 "CREATE INDEX finding_history_by_finding ON finding_history(finding_id, id);\n"},
	{2, "detection baselines: what each identity and instance did before",
	 "CREATE TABLE detect_baselines (\n"
	 "  ns TEXT NOT NULL,\n"
	 "  subject TEXT NOT NULL,\n"
	 "  items TEXT NOT NULL,\n"
	 "  updated_at TEXT NOT NULL,\n"
	 "  PRIMARY KEY (ns, subject)\n"
	 ");\n"},
};

const mamori_migration *mamori_store_migrations(size_t *count)
{
	*count = sizeof migrations / sizeof *migrations;
	return migrations;
}

int mamori_store_schema_version(void)
{
	return migrations[sizeof migrations / sizeof *migrations - 1].version;
}
