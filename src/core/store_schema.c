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
 * Triggers keep two small tables: counts per dimension people break findings
 * down by (summary_counts) and each control's status per account
 * (control_status), so that the summary and the compliance scores read a
 * few thousand rows whatever the store's size.  finding_controls lists each
 * finding's controls ("CIS AWS Foundations Benchmark v3.0.0/2.1.4" is control
 * 2.1.4 of that standard); compliance_snapshots keeps each standard's score
 * after every scan, for the trend.  Composite indexes let a filtered,
 * severity-ordered page stop after its rows.
 */
#include "store_schema.h"

/* ---- migration 2: the hub's aggregates ---- */

/*
 * summary_counts: for each of six dimensions (pillar, module, account,
 * region, resource_type, rule), findings counted by (key, severity, class).
 * class = record_state * 8 + workflow * 2 + (compliance = PASSED): open,
 * by-status, passed and archived counts all derive from it.  A few thousand
 * rows whatever the store's size.
 *
 * control_status: per (standard, control, account), the ACTIVE,
 * unsuppressed checks that passed, failed (also by severity, for the most
 * severe failure) and neither.  Controls x accounts rows.
 */
#define M2_TABLES(INT)                                                                      \
	"CREATE TABLE finding_controls (\n"                                                \
	"  finding_id TEXT NOT NULL REFERENCES findings(id),\n"                            \
	"  standard TEXT NOT NULL,\n"                                                       \
	"  control TEXT NOT NULL,\n"                                                        \
	"  PRIMARY KEY (finding_id, standard, control)\n"                                   \
	");\n"                                                                              \
	"CREATE INDEX finding_controls_by_control ON finding_controls(standard, control);\n" \
	"CREATE TABLE summary_counts (\n"                                                   \
	"  dim TEXT NOT NULL, key TEXT NOT NULL, severity " INT " NOT NULL,\n"              \
	"  class " INT " NOT NULL, n " INT " NOT NULL,\n"                                   \
	"  PRIMARY KEY (dim, key, severity, class)\n"                                       \
	");\n"                                                                              \
	"CREATE TABLE control_status (\n"                                                   \
	"  standard TEXT NOT NULL, control TEXT NOT NULL, account TEXT NOT NULL,\n"         \
	"  passed " INT " NOT NULL, failed " INT " NOT NULL, other " INT " NOT NULL,\n"     \
	"  f0 " INT " NOT NULL, f1 " INT " NOT NULL, f2 " INT " NOT NULL,\n"                \
	"  f3 " INT " NOT NULL, f4 " INT " NOT NULL,\n"                                     \
	"  PRIMARY KEY (standard, control, account)\n"                                      \
	");\n"                                                                              \
	"CREATE TABLE compliance_snapshots (\n"                                             \
	"  scan_id " INT " NOT NULL REFERENCES scans(id),\n"                                \
	"  at TEXT NOT NULL,\n"                                                             \
	"  standard TEXT NOT NULL,\n"                                                       \
	"  passed " INT " NOT NULL, failed " INT " NOT NULL, unknown " INT " NOT NULL,\n"   \
	"  PRIMARY KEY (scan_id, standard)\n"                                               \
	");\n"                                                                              \
	/* each ends with id: a scan's findings share their last_observed_at, and  \
	 * pages ordered with id as the tie-break must walk the index, not sort */  \
	"CREATE INDEX findings_by_order ON findings(severity, last_observed_at, id);\n"     \
	"CREATE INDEX findings_by_pillar ON findings(pillar, severity, last_observed_at, id);\n" \
	"CREATE INDEX findings_by_account ON findings(account, severity, last_observed_at, id);\n" \
	"CREATE INDEX findings_by_region ON findings(region, severity, last_observed_at, id);\n" \
	"CREATE INDEX findings_by_resource_type ON findings(resource_type, severity,\n"    \
	"  last_observed_at, id);\n"                                                        \
	"CREATE INDEX findings_by_rule ON findings(generator_id, severity, last_observed_at,\n" \
	"  id);\n"                                                                          \
	"CREATE INDEX findings_by_workflow ON findings(workflow, severity, last_observed_at,\n" \
	"  id);\n"                                                                          \
	"CREATE INDEX findings_by_resource ON findings(resource_id, id);\n"                 \
	"CREATE INDEX findings_by_first_seen ON findings(severity, first_observed_at, id);\n" \
	"CREATE INDEX findings_by_last_seen ON findings(last_observed_at, id);\n"

/* a finding's class, and its six (dimension, key) pairs as a VALUES list */
#define CLASS(R)                                                                            \
	"(" R ".record_state * 8 + " R ".workflow * 2 + CASE WHEN " R ".compliance = 1 THEN 1 " \
	"ELSE 0 END)"
#define DIMS(R)                                                                             \
	"(VALUES ('pillar', coalesce(" R ".pillar, '')), ('module', " R ".module), "         \
	"('account', " R ".account), ('region', coalesce(" R ".region, '')), "              \
	"('resource_type', coalesce(" R ".resource_type, '')), ('rule', " R ".generator_id)) AS d"
#define SC_ADD(R)                                                                           \
	"INSERT INTO summary_counts (dim, key, severity, class, n) SELECT d.column1, "       \
	"d.column2, " R ".severity, " CLASS(R) ", 1 FROM " DIMS(R) " WHERE 1 = 1 ON CONFLICT " \
	"(dim, key, severity, class) DO UPDATE SET n = summary_counts.n + 1"
#define SC_STEP(OP, R)                                                                      \
	"UPDATE summary_counts SET n = n " OP " 1 WHERE severity = " R ".severity AND class = " \
	CLASS(R) " AND (dim, key) IN (SELECT d.column1, d.column2 FROM " DIMS(R) ")"
#define SC_SUB(R) SC_STEP("-", R)
/* what a finding in state R adds to its controls' status */
#define ACTIVE_CHECK(R) R ".record_state = 0 AND " R ".workflow <> 3 AND " R ".compliance <> 0"
#define IS(cond) "CASE WHEN " cond " THEN 1 ELSE 0 END"
#define CS_VALUES(R)                                                                        \
	IS(R ".compliance = 1") ", " IS(R ".compliance = 3") ", "                            \
	IS(R ".compliance IN (2, 4)") ", " IS(R ".compliance = 3 AND " R ".severity = 0") ", " \
	IS(R ".compliance = 3 AND " R ".severity = 1") ", "                                  \
	IS(R ".compliance = 3 AND " R ".severity = 2") ", "                                  \
	IS(R ".compliance = 3 AND " R ".severity = 3") ", "                                  \
	IS(R ".compliance = 3 AND " R ".severity = 4")
#define CS_UPSERT                                                                           \
	" ON CONFLICT (standard, control, account) DO UPDATE SET "                          \
	"passed = control_status.passed + excluded.passed, "                                \
	"failed = control_status.failed + excluded.failed, "                                \
	"other = control_status.other + excluded.other, f0 = control_status.f0 + excluded.f0, " \
	"f1 = control_status.f1 + excluded.f1, f2 = control_status.f2 + excluded.f2, "       \
	"f3 = control_status.f3 + excluded.f3, f4 = control_status.f4 + excluded.f4"
#define CS_DELTA(OP, R)                                                                     \
	"UPDATE control_status SET passed = passed " OP " " IS(R ".compliance = 1") ", "     \
	"failed = failed " OP " " IS(R ".compliance = 3") ", "                               \
	"other = other " OP " " IS(R ".compliance IN (2, 4)") ", "                           \
	"f0 = f0 " OP " " IS(R ".compliance = 3 AND " R ".severity = 0") ", "                \
	"f1 = f1 " OP " " IS(R ".compliance = 3 AND " R ".severity = 1") ", "                \
	"f2 = f2 " OP " " IS(R ".compliance = 3 AND " R ".severity = 2") ", "                \
	"f3 = f3 " OP " " IS(R ".compliance = 3 AND " R ".severity = 3") ", "                \
	"f4 = f4 " OP " " IS(R ".compliance = 3 AND " R ".severity = 4")
#define CS_SUBTRACT(R) CS_DELTA("-", R)
/* a finding's controls gain (NEW) or lose (OLD) its contribution */
#define CS_FINDING_ADD(R, C)                                                                \
	"INSERT INTO control_status SELECT " C ".standard, " C ".control, " R ".account, "   \
	CS_VALUES(R) " FROM finding_controls " C " WHERE " C ".finding_id = " R ".id AND "    \
	ACTIVE_CHECK(R) CS_UPSERT
#define CS_FINDING_SUB(R, C)                                                                \
	CS_SUBTRACT(R) " WHERE account = " R ".account AND " ACTIVE_CHECK(R) " AND "          \
	"(standard, control) IN (SELECT " C ".standard, " C ".control FROM finding_controls " \
	C " WHERE " C ".finding_id = " R ".id)"
#define STATE_CHANGED                                                                       \
	"OLD.severity IS DISTINCT FROM NEW.severity OR OLD.workflow IS DISTINCT FROM "       \
	"NEW.workflow OR OLD.record_state IS DISTINCT FROM NEW.record_state OR "             \
	"OLD.compliance IS DISTINCT FROM NEW.compliance OR OLD.pillar IS DISTINCT FROM "     \
	"NEW.pillar OR OLD.module IS DISTINCT FROM NEW.module OR OLD.account IS DISTINCT "  \
	"FROM NEW.account OR OLD.region IS DISTINCT FROM NEW.region OR "                     \
	"OLD.resource_type IS DISTINCT FROM NEW.resource_type OR OLD.generator_id IS "      \
	"DISTINCT FROM NEW.generator_id"
#define BACKFILL_DIM(name, expr)                                                            \
	"SELECT '" name "', " expr ", severity, " CLASS("findings") ", count(*) FROM findings "  \
	"GROUP BY " expr ", severity, " CLASS("findings")
#define BACKFILL_COUNTS                                                                     \
	"INSERT INTO summary_counts (dim, key, severity, class, n) "                          \
	BACKFILL_DIM("pillar", "coalesce(pillar, '')") " UNION ALL "                          \
	BACKFILL_DIM("module", "module") " UNION ALL " BACKFILL_DIM("account", "account")      \
	" UNION ALL " BACKFILL_DIM("region", "coalesce(region, '')") " UNION ALL "            \
	BACKFILL_DIM("resource_type", "coalesce(resource_type, '')") " UNION ALL "            \
	BACKFILL_DIM("rule", "generator_id") ";\n"                                            \
	"INSERT INTO control_status SELECT c.standard, c.control, f.account, "               \
	"sum(" IS("f.compliance = 1") "), sum(" IS("f.compliance = 3") "), "                  \
	"sum(" IS("f.compliance IN (2, 4)") "), sum(" IS("f.compliance = 3 AND f.severity = 0") \
	"), sum(" IS("f.compliance = 3 AND f.severity = 1") "), sum("                        \
	IS("f.compliance = 3 AND f.severity = 2") "), sum("                                  \
	IS("f.compliance = 3 AND f.severity = 3") "), sum("                                  \
	IS("f.compliance = 3 AND f.severity = 4") ") FROM finding_controls c JOIN findings f " \
	"ON f.id = c.finding_id WHERE " ACTIVE_CHECK("f") " GROUP BY c.standard, c.control, "  \
	"f.account;\n"

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
	"  " SC_ADD("NEW") ";\n"
	"END;\n"
	"CREATE TRIGGER findings_counts_update AFTER UPDATE ON findings WHEN " STATE_CHANGED " BEGIN\n"
	"  " SC_SUB("OLD") ";\n"
	"  " SC_ADD("NEW") ";\n"
	"  " CS_FINDING_SUB("OLD", "c") ";\n"
	"  " CS_FINDING_ADD("NEW", "c") ";\n"
	"END;\n"
	"CREATE TRIGGER finding_controls_insert AFTER INSERT ON finding_controls BEGIN\n"
	"  INSERT INTO control_status SELECT NEW.standard, NEW.control, f.account, "
	CS_VALUES("f") " FROM findings f WHERE f.id = NEW.finding_id AND " ACTIVE_CHECK("f")
	CS_UPSERT ";\n"
	"END;\n"
	"CREATE TRIGGER finding_controls_delete AFTER DELETE ON finding_controls BEGIN\n"
	"  " CS_SUBTRACT("f") " FROM findings f WHERE f.id = OLD.finding_id AND "
	ACTIVE_CHECK("f") " AND control_status.standard = OLD.standard AND "
	"control_status.control = OLD.control AND control_status.account = f.account;\n"
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
	"    " SC_SUB("OLD") ";\n"
	"    " CS_FINDING_SUB("OLD", "c") ";\n"
	"    " CS_FINDING_ADD("NEW", "c") ";\n"
	"  END IF;\n"
	"  " SC_ADD("NEW") ";\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER findings_counts AFTER INSERT OR UPDATE ON findings\n"
	"  FOR EACH ROW EXECUTE FUNCTION mamori_findings_counts();\n"
	"CREATE FUNCTION mamori_controls_counts() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP = 'INSERT' THEN\n"
	"    INSERT INTO control_status SELECT NEW.standard, NEW.control, f.account, "
	CS_VALUES("f") " FROM findings f WHERE f.id = NEW.finding_id AND " ACTIVE_CHECK("f")
	CS_UPSERT ";\n"
	"  ELSE\n"
	"    " CS_SUBTRACT("f") " FROM findings f WHERE f.id = OLD.finding_id AND "
	ACTIVE_CHECK("f") " AND control_status.standard = OLD.standard AND "
	"control_status.control = OLD.control AND control_status.account = f.account;\n"
	"  END IF;\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER finding_controls_counts AFTER INSERT OR DELETE ON finding_controls\n"
	"  FOR EACH ROW EXECUTE FUNCTION mamori_controls_counts();\n";

/* ---- migration 4: text search, and two sort orders ----
 *
 * A search of the findings' text (title, first resource id, rule) for a
 * rare string must not read a million rows.  SQLite: an FTS5 table with
 * the trigram tokenizer over those three columns, external content (the
 * findings table itself: the index holds no second copy of the text),
 * kept by triggers.  detail=none keeps only which rows hold a trigram, not
 * where: a third of the size of a full index, and all the search needs —
 * it asks for the rows holding every trigram of the text and checks the
 * few candidates with LIKE (store_query.c).  The content rowid is the
 * findings' own rowid: a VACUUM keeps it, since the table has indexes.
 * Trigram detail=none: 10.5 MB of index for 100,000 findings (title,
 * resource and rule, 130 characters each), against 47 MB with detail=full.
 *
 * PostgreSQL: pg_trgm's GIN index over the same three columns joined by a
 * unit separator (MAMORI_PG_TEXT_EXPR), which the same candidate-then-check
 * search uses through ILIKE.  pg_trgm ships with PostgreSQL (contrib) and is
 * a trusted extension since 13; where it cannot be created the migration
 * still succeeds and searches read the table, as before.
 */
/* Sorting a million findings by title or by first observation read and
 * sorted them all (2-4 s at 1,000,000, bench/hub); an index each makes it
 * a walk of 50 rows.  Measured on the scan merge (bench/hub/seed.c, 30,000
 * findings, 3 rounds): +2 % CPU for the title index, +5 % for the first-seen
 * one, +9 % for both — worth a sort by every column people expect to click. */
#define M4_SORT_INDEXES                                                                     \
	"CREATE INDEX findings_by_title ON findings(title, id);\n"                          \
	"CREATE INDEX findings_by_first_observed ON findings(first_observed_at, id);\n"

/* The triggers do not write into the FTS5 table itself: FTS5 flushes its
 * pending terms at every statement savepoint, so one index write per
 * finding merged costs 70 us where one write of a whole scan's findings
 * costs 16 us each (30,000 findings, bench notes in docs/hub.md).  They
 * queue what changed (old text to delete, new text to add) in
 * findings_fts_queue, and the SQLite backend moves the queue into the index
 * in one statement just before each write transaction commits
 * (MAMORI_FTS_FLUSH, store_sqlite.c): readers only ever see committed
 * stores, whose queue is empty. */
#define FTS_COLUMNS "title, resource_id, generator_id"
#define FTS_QUEUE(del, R)                                                                   \
	"  INSERT INTO findings_fts_queue (del, id, " FTS_COLUMNS ") VALUES (" del ", " R    \
	".rowid, " R ".title, " R ".resource_id, " R ".generator_id);\n"
static const char m4_sqlite[] =
	M4_SORT_INDEXES
	"CREATE VIRTUAL TABLE findings_fts USING fts5(" FTS_COLUMNS ", content='findings', "
	"content_rowid='rowid', tokenize='trigram', detail='none', columnsize=0);\n"
	"INSERT INTO findings_fts(findings_fts) VALUES ('rebuild');\n"
	"CREATE TABLE findings_fts_queue (\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  del INTEGER NOT NULL,\n"
	"  id INTEGER NOT NULL,\n"
	"  title TEXT, resource_id TEXT, generator_id TEXT\n"
	");\n"
	"CREATE TRIGGER findings_fts_insert AFTER INSERT ON findings BEGIN\n"
	FTS_QUEUE("0", "NEW")
	"END;\n"
	"CREATE TRIGGER findings_fts_update AFTER UPDATE OF " FTS_COLUMNS " ON findings\n"
	"  WHEN OLD.title IS NOT NEW.title OR OLD.resource_id IS NOT NEW.resource_id OR\n"
	"       OLD.generator_id IS NOT NEW.generator_id BEGIN\n"
	FTS_QUEUE("1", "OLD")
	FTS_QUEUE("0", "NEW")
	"END;\n"
	"CREATE TRIGGER findings_fts_delete AFTER DELETE ON findings BEGIN\n"
	FTS_QUEUE("1", "OLD")
	"END;\n";

/* pg_trgm into the store's schema (when it can be), then the index with the
 * operator class of wherever the extension lives */
static const char m4_pg[] =
	M4_SORT_INDEXES
	"DO $$ BEGIN\n"
	"  CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
	"EXCEPTION WHEN OTHERS THEN\n"
	"  RAISE WARNING 'mamori: pg_trgm is not available (%); text searches will read the "
	"findings', SQLERRM;\n"
	"END $$;\n"
	"DO $$ DECLARE nsp text; BEGIN\n"
	"  SELECT n.nspname INTO nsp FROM pg_extension e JOIN pg_namespace n ON n.oid = "
	"e.extnamespace WHERE e.extname = 'pg_trgm';\n"
	"  IF nsp IS NOT NULL THEN\n"
	"    EXECUTE 'CREATE INDEX findings_text_trgm ON findings USING gin (' || "
	"$q$" MAMORI_PG_TEXT_EXPR "$q$ || ' ' || quote_ident(nsp) || '.gin_trgm_ops)';\n"
	"  END IF;\n"
	"END $$;\n";

/* ---- migration 5: writes without a statement journal (SQLite) ----
 *
 * An UPSERT's DO UPDATE may abort half-way, so a statement that fires one
 * from a trigger makes SQLite keep a statement journal: the original of
 * every page the statement touches (some 56 pages of 16 KiB per finding
 * merged: 13.6 GB of temporary-file writes for a first scan of 30,635
 * findings, whose CPU time went from 6.7 s to 3.2 s without it).  The same
 * counts are kept without an UPSERT: make sure the row exists (DO NOTHING
 * never aborts), then add to it.  The writers of store_sqlite.c say OR FAIL
 * and turn foreign keys off inside their transaction, so that no statement
 * of a scan's merge needs the journal ("writes" there says why it is safe).  findings_by_severity (migration 1) is findings_by_order read
 * backwards: one index less to write per finding.
 */
#define SC_ENSURE(R)                                                                        \
	"INSERT INTO summary_counts (dim, key, severity, class, n) SELECT d.column1, "       \
	"d.column2, " R ".severity, " CLASS(R) ", 0 FROM " DIMS(R) " WHERE 1 = 1 ON CONFLICT " \
	"DO NOTHING"
#define SC_INC(R) SC_STEP("+", R)
#define CS_ZERO "0, 0, 0, 0, 0, 0, 0, 0"
#define CS_ADD(R) CS_DELTA("+", R)
#define CS_FINDING_ENSURE(R, C)                                                             \
	"INSERT INTO control_status SELECT " C ".standard, " C ".control, " R ".account, "   \
	CS_ZERO " FROM finding_controls " C " WHERE " C ".finding_id = " R ".id AND "         \
	ACTIVE_CHECK(R) " ON CONFLICT DO NOTHING"
#define CS_FINDING_INC(R, C)                                                                \
	CS_ADD(R) " WHERE account = " R ".account AND " ACTIVE_CHECK(R) " AND "               \
	"(standard, control) IN (SELECT " C ".standard, " C ".control FROM finding_controls " \
	C " WHERE " C ".finding_id = " R ".id)"
static const char m5_sqlite[] =
	"DROP INDEX IF EXISTS findings_by_severity;\n"
	"DROP TRIGGER IF EXISTS findings_counts_insert;\n"
	"DROP TRIGGER IF EXISTS findings_counts_update;\n"
	"DROP TRIGGER IF EXISTS finding_controls_insert;\n"
	"CREATE TRIGGER findings_counts_insert AFTER INSERT ON findings BEGIN\n"
	"  " SC_ENSURE("NEW") ";\n"
	"  " SC_INC("NEW") ";\n"
	"END;\n"
	"CREATE TRIGGER findings_counts_update AFTER UPDATE ON findings WHEN " STATE_CHANGED " BEGIN\n"
	"  " SC_SUB("OLD") ";\n"
	"  " SC_ENSURE("NEW") ";\n"
	"  " SC_INC("NEW") ";\n"
	"  " CS_FINDING_SUB("OLD", "c") ";\n"
	"  " CS_FINDING_ENSURE("NEW", "c") ";\n"
	"  " CS_FINDING_INC("NEW", "c") ";\n"
	"END;\n"
	"CREATE TRIGGER finding_controls_insert AFTER INSERT ON finding_controls BEGIN\n"
	"  INSERT INTO control_status SELECT NEW.standard, NEW.control, f.account, " CS_ZERO
	" FROM findings f WHERE f.id = NEW.finding_id AND " ACTIVE_CHECK("f")
	" ON CONFLICT DO NOTHING;\n"
	"  " CS_ADD("f") " FROM findings f WHERE f.id = NEW.finding_id AND " ACTIVE_CHECK("f")
	" AND control_status.standard = NEW.standard AND control_status.control = NEW.control "
	"AND control_status.account = f.account;\n"
	"END;\n";

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
	 "CREATE INDEX finding_history_by_finding ON finding_history(finding_id, id);\n",
	 NULL},
	{2, "hub aggregates: counts, controls, compliance snapshots, filter indexes", m2_sqlite,
	 m2_pg},
	{3, "detection baselines: what each identity and instance did before",
	 "CREATE TABLE detect_baselines (\n"
	 "  ns TEXT NOT NULL,\n"
	 "  subject TEXT NOT NULL,\n"
	 "  items TEXT NOT NULL,\n"
	 "  updated_at TEXT NOT NULL,\n"
	 "  PRIMARY KEY (ns, subject)\n"
	 ");\n",
	 NULL},
	{4, "text search (FTS5 trigrams / pg_trgm), title and first-seen sort indexes", m4_sqlite,
	 m4_pg},
	{5, "count triggers without UPSERT (no statement journal); one redundant index less",
	 m5_sqlite, "DROP INDEX IF EXISTS findings_by_severity;\n"},
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
