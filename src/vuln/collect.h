/*
 * collect.h — from what the user points at to inventories: host roots
 * (found by their package databases), container images (docker save and
 * OCI layout tarballs, layers applied with whiteouts), language lockfiles,
 * Go binaries and CycloneDX SBOMs.
 */
#ifndef MAMORI_VULN_COLLECT_H
#define MAMORI_VULN_COLLECT_H

#include "vuln.h"

typedef struct vuln_invset {
	vuln_inventory *items;
	size_t count, cap;
} vuln_invset;

void mamori_vuln_invset_free(vuln_invset *s);
vuln_inventory *mamori_vuln_invset_add(vuln_invset *s, vuln_inv_kind kind, const char *name);

/* A file of a root filesystem: on disk (disk != NULL) or in memory. */
typedef struct vuln_rootfile {
	const char *path; /* inside the root, without a leading '/' */
	const char *disk;
	const unsigned char *data;
	size_t len;
	const char *layer; /* image layer digest, or NULL */
} vuln_rootfile;

/* Read a root (host or image): the OS packages into one inventory, each
 * lockfile into its own.  display names the root in messages. */
void mamori_vuln_read_root(mamori_ctx *ctx, vuln_inv_kind kind, const char *display,
			   const vuln_rootfile *files, size_t n, vuln_invset *out);

/* Everything in a scan target. */
void mamori_vuln_collect_target(mamori_ctx *ctx, const mamori_target *t, vuln_invset *out);

/* Does the target hold anything the vuln module reads? */
bool mamori_vuln_target_wants(const mamori_target *t);

/* A docker save / OCI layout tarball. */
int mamori_vuln_read_image(mamori_ctx *ctx, const char *path, const char *display,
			   vuln_invset *out);
bool mamori_vuln_image_sniff(const char *path);

/* `--root DIR`: a target holding only DIR's package databases, os-release
 * and advisories/ — a mounted root filesystem is not walked. */
int mamori_vuln_root_target(mamori_ctx *ctx, const char *dir, mamori_target **out);

/* Set ecosystem and purl of OS packages from the detected OS. */
void mamori_vuln_finish_os(vuln_inventory *inv);

#endif
