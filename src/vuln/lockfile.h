/*
 * lockfile.h — what the lockfile readers (lock_<ecosystem>.c) share.
 */
#ifndef MAMORI_VULN_LOCKFILE_H
#define MAMORI_VULN_LOCKFILE_H

#include "vuln.h"

/* Append a declared package of ecosystem eco (a static string); line from offset. */
vuln_pkg *mamori_vuln_lock_add(vuln_inventory *inv, const char *eco, const char *name,
			       size_t name_n, const char *version, size_t version_n, const char *buf,
			       size_t len, size_t offset);
/* Keep p if its version is valid for its ecosystem; otherwise report a
 * problem at offset and drop it (p must be the last package added). */
bool mamori_vuln_lock_check_version(mamori_ctx *ctx, vuln_inventory *inv, const char *path,
				    const char *buf, size_t len, size_t offset, vuln_pkg *p);
size_t mamori_vuln_lock_find(vuln_inventory *inv, const char *buf, size_t len, const char *needle);
/* TOML lockfiles made of [[package]] tables with name/version (poetry,
 * uv, pdm, Cargo); need_source: only packages with a `source` (Cargo's
 * registry crates, not the workspace's own). */
int mamori_vuln_read_toml_packages(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				   vuln_inventory *inv, const char *eco, bool need_source);

#endif
