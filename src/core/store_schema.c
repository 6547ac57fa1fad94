/*
 * store_schema.c — the store's schema as a list of migrations.
 *
 * A store records every migration it has applied in schema_migrations; on
 * open, the missing ones are applied in order inside one transaction.  Never
 * edit a released migration: add the next one.  The SQL is the common subset
 * of SQLite and PostgreSQL where possible; a backend may translate types, and
 * a migration gives PostgreSQL its own text where the dialects differ
 * (triggers, JSON functions).
 *
 * Migration 2 serves the hub's aggregate views (src/core/store_query.c): a
 * dashboard summary over a million findings must not scan a million rows.
 * Triggers keep two small tables of counts per combination of the columns
 * people filter on (finding_counts) and per control of a standard
 * (control_counts), so that the summary and the compliance scores read a few
 * hundred rows whatever the store's size.  finding_controls lists each
 * finding's controls ("CIS AWS Foundations Benchmark v3.0.0/2.1.4" is control
 * 2.1.4 of that standard); compliance_snapshots keeps each standard's score
 * after every scan, for the trend.  Composite indexes let a filtered,
 * severity-ordered page stop after its rows.
 */
#include "store_schema.h"

/* ---- migration 2: the hub's aggregates ---- */

#define M2_TABLES(INT)                                                                     \
	"CREATE TABLE finding_controls (\n"                                               \
	"  finding_id TEXT NOT NULL REFERENCES findings(id),\n"                           \
	"  standard TEXT NOT NULL,\n"                                                      \
	"  control TEXT NOT NULL,\n"                                                       \
	"  PRIMARY KEY (finding_id, standard, control)\n"                                  \
	");\n"                                                                             \
	"CREATE INDEX finding_controls_by_control ON finding_controls(standard, control);\n" \
	"CREATE TABLE finding_counts (\n"                                                  \
	"  pillar TEXT NOT NULL, module TEXT NOT NULL, account TEXT NOT NULL,\n"           \
	"  region TEXT NOT NULL, severity " INT " NOT NULL, workflow " INT " NOT NULL,\n"  \
	"  record_state " INT " NOT NULL, compliance " INT " NOT NULL, n " INT " NOT NULL,\n" \
	"  PRIMARY KEY (pillar, module, account, region, severity, workflow, record_state,\n" \
	"               compliance)\n"                                                     \
	");\n"                                                                             \
	"CREATE TABLE control_counts (\n"                                                  \
	"  standard TEXT NOT NULL, control TEXT NOT NULL, account TEXT NOT NULL,\n"        \
	"  severity " INT " NOT NULL, workflow " INT " NOT NULL,\n"                        \
	"  record_state " INT " NOT NULL, compliance " INT " NOT NULL, n " INT " NOT NULL,\n" \
	"  PRIMARY KEY (standard, control, account, severity, workflow, record_state,\n"   \
	"               compliance)\n"                                                     \
	");\n"                                                                             \
	"CREATE TABLE compliance_snapshots (\n"                                            \
	"  scan_id " INT " NOT NULL REFERENCES scans(id),\n"                               \
	"  at TEXT NOT NULL,\n"                                                            \
	"  standard TEXT NOT NULL,\n"                                                      \
	"  passed " INT " NOT NULL, failed " INT " NOT NULL, unknown " INT " NOT NULL,\n"  \
	"  PRIMARY KEY (scan_id, standard)\n"                                              \
	");\n"                                                                             \
	"CREATE INDEX findings_by_pillar ON findings(pillar, severity, last_observed_at);\n" \
	"CREATE INDEX findings_by_account ON findings(account, severity, last_observed_at);\n" \
	"CREATE INDEX findings_by_region ON findings(region, severity, last_observed_at);\n" \
	"CREATE INDEX findings_by_resource_type ON findings(resource_type, severity,\n"   \
	"  last_observed_at);\n"                                                           \
	"CREATE INDEX findings_by_rule ON findings(generator_id, severity, last_observed_at);\n" \
	"CREATE INDEX findings_by_resource ON findings(resource_id);\n"                    \
	"CREATE INDEX findings_by_first_seen ON findings(severity, first_observed_at);\n"  \
	"CREATE INDEX findings_by_last_seen ON findings(last_observed_at);\n"

/* the key columns of the two count tables, and a finding's values for them */
#define FC_KEY "pillar, module, account, region, severity, workflow, record_state, compliance"
#define CC_KEY "standard, control, account, severity, workflow, record_state, compliance"
#define FC_VALUES(R)                                                                  \
	"coalesce(" R ".pillar,''), " R ".module, " R ".account, coalesce(" R ".region,''), " \
	R ".severity, " R ".workflow, " R ".record_state, " R ".compliance"
#define FC_MATCH(R)                                                                   \
	"pillar = coalesce(" R ".pillar,'') AND module = " R ".module AND account = " R     \
	".account AND region = coalesce(" R ".region,'') AND severity = " R ".severity AND " \
	"workflow = " R ".workflow AND record_state = " R ".record_state AND compliance = " R \
	".compliance"
#define CC_STATE_MATCH(R)                                                              \
	"account = " R ".account AND severity = " R ".severity AND workflow = " R ".workflow " \
	"AND record_state = " R ".record_state AND compliance = " R ".compliance"
#define CC_INC "ON CONFLICT (" CC_KEY ") DO UPDATE SET n = control_counts.n + 1"
#define FC_INC "ON CONFLICT (" FC_KEY ") DO UPDATE SET n = finding_counts.n + 1"
#define STATE_CHANGED                                                                  \
	"OLD.severity IS DISTINCT FROM NEW.severity OR OLD.workflow IS DISTINCT FROM "      \
	"NEW.workflow OR OLD.record_state IS DISTINCT FROM NEW.record_state OR "            \
	"OLD.compliance IS DISTINCT FROM NEW.compliance OR OLD.pillar IS DISTINCT FROM "    \
	"NEW.pillar OR OLD.module IS DISTINCT FROM NEW.module OR OLD.account IS DISTINCT " \
	"FROM NEW.account OR OLD.region IS DISTINCT FROM NEW.region"
#define BACKFILL_COUNTS                                                                \
	"INSERT INTO finding_counts SELECT " FC_VALUES("f") ", count(*) FROM findings f "    \
	"GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;\n"                                               \
	"INSERT INTO control_counts SELECT c.standard, c.control, f.account, f.severity, "  \
	"f.workflow, f.record_state, f.compliance, count(*) FROM finding_controls c JOIN "  \
	"findings f ON f.id = c.finding_id GROUP BY 1, 2, 3, 4, 5, 6, 7;\n"

/* "Standard/Control" split at the last '/' (a requirement without one: the rule
 * is the control), the rule store_query.c's mamori_requirement_split() applies */
#define SQLITE_PREFIX "rtrim(j.value, replace(j.value, '/', ''))"
static const char m2_sqlite[] =
	M2_TABLES("INTEGER")
	"INSERT OR IGNORE INTO finding_controls SELECT f.id,\n"
	"  CASE WHEN length(" SQLITE_PREFIX ") > 1 AND length(" SQLITE_PREFIX ") < length(j.value)\n"
	"    THEN substr(" SQLITE_PREFIX ", 1, length(" SQLITE_PREFIX ") - 1) ELSE j.value END,\n"
	"  CASE WHEN length(" SQLITE_PREFIX ") > 1 AND length(" SQLITE_PREFIX ") < length(j.value)\n"
	"    THEN substr(j.value, length(" SQLITE_PREFIX ") + 1) ELSE f.generator_id END\n"
	"  FROM findings f, json_each(f.doc, '$.Compliance.RelatedRequirements') j\n"
	"  WHERE json_valid(f.doc);\n"
	BACKFILL_COUNTS
	"CREATE TRIGGER findings_counts_insert AFTER INSERT ON findings BEGIN\n"
	"  INSERT INTO finding_counts VALUES (" FC_VALUES("NEW") ", 1) " FC_INC ";\n"
	"END;\n"
	"CREATE TRIGGER findings_counts_update AFTER UPDATE ON findings WHEN " STATE_CHANGED " BEGIN\n"
	"  UPDATE finding_counts SET n = n - 1 WHERE " FC_MATCH("OLD") ";\n"
	"  INSERT INTO finding_counts VALUES (" FC_VALUES("NEW") ", 1) " FC_INC ";\n"
	"  UPDATE control_counts SET n = n - 1 WHERE (standard, control) IN (SELECT standard,\n"
	"    control FROM finding_controls WHERE finding_id = OLD.id) AND " CC_STATE_MATCH("OLD") ";\n"
	"  INSERT INTO control_counts SELECT standard, control, NEW.account, NEW.severity,\n"
	"    NEW.workflow, NEW.record_state, NEW.compliance, 1 FROM finding_controls\n"
	"    WHERE finding_id = NEW.id " CC_INC ";\n"
	"END;\n"
	"CREATE TRIGGER finding_controls_insert AFTER INSERT ON finding_controls BEGIN\n"
	"  INSERT INTO control_counts SELECT NEW.standard, NEW.control, f.account, f.severity,\n"
	"    f.workflow, f.record_state, f.compliance, 1 FROM findings f WHERE f.id = NEW.finding_id\n"
	"    " CC_INC ";\n"
	"END;\n"
	"CREATE TRIGGER finding_controls_delete AFTER DELETE ON finding_controls BEGIN\n"
	"  UPDATE control_counts SET n = n - 1 WHERE standard = OLD.standard AND\n"
	"    control = OLD.control AND (account, severity, workflow, record_state, compliance) =\n"
	"    (SELECT account, severity, workflow, record_state, compliance FROM findings\n"
	"     WHERE id = OLD.finding_id);\n"
	"END;\n";

static const char m2_pg[] =
	M2_TABLES("BIGINT")
	"CREATE INDEX findings_by_hash_prefix ON findings(hash text_pattern_ops);\n"
	"INSERT INTO finding_controls SELECT DISTINCT f.id,\n"
	"  CASE WHEN j.v ~ '^.+/[^/]+$' THEN substring(j.v from '^(.+)/[^/]+$') ELSE j.v END,\n"
	"  CASE WHEN j.v ~ '^.+/[^/]+$' THEN substring(j.v from '/([^/]+)$') ELSE f.generator_id END\n"
	"  FROM findings f, jsonb_array_elements_text(CASE WHEN jsonb_typeof(f.doc::jsonb ->\n"
	"    'Compliance' -> 'RelatedRequirements') = 'array' THEN f.doc::jsonb -> 'Compliance' ->\n"
	"    'RelatedRequirements' ELSE '[]'::jsonb END) AS j(v);\n"
	BACKFILL_COUNTS
	"CREATE FUNCTION mamori_findings_counts() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP = 'UPDATE' THEN\n"
	"    IF NOT (" STATE_CHANGED ") THEN RETURN NULL; END IF;\n"
	"    UPDATE finding_counts SET n = n - 1 WHERE " FC_MATCH("OLD") ";\n"
	"    UPDATE control_counts SET n = n - 1 WHERE (standard, control) IN (SELECT c.standard,\n"
	"      c.control FROM finding_controls c WHERE c.finding_id = OLD.id) AND "
	CC_STATE_MATCH("OLD") ";\n"
	"  END IF;\n"
	"  INSERT INTO finding_counts VALUES (" FC_VALUES("NEW") ", 1) " FC_INC ";\n"
	"  INSERT INTO control_counts SELECT c.standard, c.control, NEW.account, NEW.severity,\n"
	"    NEW.workflow, NEW.record_state, NEW.compliance, 1 FROM finding_controls c\n"
	"    WHERE c.finding_id = NEW.id " CC_INC ";\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER findings_counts AFTER INSERT OR UPDATE ON findings\n"
	"  FOR EACH ROW EXECUTE FUNCTION mamori_findings_counts();\n"
	"CREATE FUNCTION mamori_controls_counts() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP = 'INSERT' THEN\n"
	"    INSERT INTO control_counts SELECT NEW.standard, NEW.control, f.account, f.severity,\n"
	"      f.workflow, f.record_state, f.compliance, 1 FROM findings f\n"
	"      WHERE f.id = NEW.finding_id " CC_INC ";\n"
	"  ELSE\n"
	"    UPDATE control_counts SET n = n - 1 WHERE standard = OLD.standard AND\n"
	"      control = OLD.control AND (account, severity, workflow, record_state, compliance) =\n"
	"      (SELECT f.account, f.severity, f.workflow, f.record_state, f.compliance FROM\n"
	"       findings f WHERE f.id = OLD.finding_id);\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER finding_controls_counts AFTER INSERT OR DELETE ON finding_controls\n"
	"  FOR EACH ROW EXECUTE FUNCTION mamori_controls_counts();\n";

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
	 "CREATE INDEX finding_history_by_finding ON finding_history(finding_id, id);\n",
	 NULL},
	{2, "hub aggregates: counts, controls, compliance snapshots, filter indexes", m2_sqlite,
	 m2_pg},
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
