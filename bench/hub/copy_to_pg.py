#!/usr/bin/env python3
"""copy_to_pg.py SQLITE-FILE — write the rows of a mamori SQLite store as a
psql script of COPY ... FROM STDIN blocks, so that a PostgreSQL store (already
migrated by mamori) receives exactly the same scans, findings, controls,
history, snapshots and count tables.  The count tables come as they are
(SQLite's triggers kept them): PostgreSQL's own triggers are switched off
for the load (session_replication_role), since a million queued row
triggers take longer than the load itself.  Used by bench/hub/run."""
import sqlite3, sys

TABLES = ["scans", "findings", "finding_controls", "finding_history", "compliance_snapshots",
          "summary_counts", "control_status"]

def esc(v):
    if v is None:
        return "\\N"
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

db = sqlite3.connect(sys.argv[1])
out = sys.stdout
out.write("\\set ON_ERROR_STOP on\nBEGIN;\nSET LOCAL session_replication_role = replica;\n")
for t in TABLES:
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({t})")]
    out.write(f"COPY {t} ({', '.join(cols)}) FROM STDIN;\n")
    for row in db.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY rowid"):
        out.write("\t".join(esc(v) for v in row) + "\n")
    out.write("\\.\n")
out.write("SELECT setval(pg_get_serial_sequence('scans', 'id'), (SELECT max(id) FROM scans));\n")
out.write("SELECT setval(pg_get_serial_sequence('finding_history', 'id'), (SELECT max(id) FROM finding_history));\n")
out.write("COMMIT;\nANALYZE;\n")
