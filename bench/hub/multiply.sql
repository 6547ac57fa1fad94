-- multiply.sql — grow a store filled by mamori-hub-seed tenfold: nine copies
-- of every finding (with its controls and history) under new ids and
-- resource ids, so that a million findings cost minutes instead of the
-- hours of a million round trips through the scan merge.  The store's
-- triggers keep its count tables right as the copies arrive.
.bail on
PRAGMA cache_size = -262144;
BEGIN;
CREATE TEMP TABLE copies(i INTEGER PRIMARY KEY);
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 9)
INSERT INTO copies SELECT i FROM k;
-- copy i of a finding: the first byte of its hash plus 17 * i (mod 256),
-- which differs from the original's and from every other copy's
CREATE TEMP TABLE map AS
SELECT f.id AS old, c.i AS i,
  printf('%02x', ((instr('0123456789abcdef', substr(f.hash, 1, 1)) - 1) * 16
                  + instr('0123456789abcdef', substr(f.hash, 2, 1)) - 1 + 17 * c.i) % 256)
    || substr(f.hash, 3) AS hash,
  f.module AS module, f.resource_id AS resource
FROM copies c, findings f;
ALTER TABLE map ADD COLUMN id TEXT;
UPDATE map SET id = 'mamori/' || module || '/' || hash;
CREATE INDEX map_old ON map(old);
INSERT INTO findings (id, hash, module, pillar, generator_id, account, region, scope,
  resource_type, resource_id, severity, compliance, workflow, record_state, title, created_at,
  updated_at, first_observed_at, last_observed_at, last_scan_id, doc_hash, doc)
SELECT m.id, m.hash, f.module, f.pillar, f.generator_id, f.account, f.region, f.scope,
  f.resource_type, f.resource_id || '-c' || m.i, f.severity, f.compliance, f.workflow,
  f.record_state, f.title, f.created_at, f.updated_at, f.first_observed_at, f.last_observed_at,
  f.last_scan_id, f.doc_hash,
  replace(replace(f.doc, f.id, m.id), f.resource_id || '"', f.resource_id || '-c' || m.i || '"')
FROM map m JOIN findings f ON f.id = m.old ORDER BY m.i, m.old;
INSERT INTO finding_controls
SELECT m.id, fc.standard, fc.control FROM map m JOIN finding_controls fc ON fc.finding_id = m.old;
INSERT INTO finding_history (finding_id, at, actor, event, from_value, to_value, reason, scan_id)
SELECT m.id, h.at, h.actor, h.event, h.from_value, h.to_value, h.reason, h.scan_id
FROM map m JOIN finding_history h ON h.finding_id = m.old ORDER BY h.id, m.i;
-- the text the triggers queued goes into the FTS5 index, as mamori does
-- before it commits (MAMORI_FTS_FLUSH in src/core/store_schema.h)
INSERT INTO findings_fts(findings_fts, rowid, title, resource_id, generator_id)
SELECT CASE WHEN del THEN 'delete' END, id, title, resource_id, generator_id
FROM findings_fts_queue ORDER BY seq;
DELETE FROM findings_fts_queue;
COMMIT;
ANALYZE;
