/*
 * match.h — an inventory against the vulnerability database(s): which
 * advisories affect which package, merged by aliases so that one CVE is
 * one match per package, prioritised.
 */
#ifndef MAMORI_VULN_MATCH_H
#define MAMORI_VULN_MATCH_H

#include "cvss.h"
#include "vdb.h"

#include <string.h>

typedef enum vuln_priority {
	VULN_PRIO_DEFER = 0,
	VULN_PRIO_SCHEDULED,
	VULN_PRIO_OUT_OF_CYCLE,
	VULN_PRIO_IMMEDIATE,
} vuln_priority;

typedef struct vuln_match {
	const vuln_inventory *inv;
	const vuln_pkg *pkg;
	const char *id;		/* display id: the CVE when the group has one */
	const char *advisories; /* every advisory id of the group, space-separated */
	const char *aliases;	/* every other id known for it, space-separated */
	const char *summary;
	const char *details;
	const char *ecosystem;	/* the advisory's ecosystem ("Debian:12") */
	const char *compared;	/* the version compared (source version for Debian) */
	const char *fixed;	/* smallest version that fixes it, NULL when unfixed */
	bool partial_fix;	/* some advisories of the group have no fix */
	const char *cvss_vectors; /* JSON array [{"version","score","vector","source"}] */
	vuln_cvss cvss;		/* the one used for severity (best of the group) */
	bool has_cvss;
	const char *vendor_severity; /* GHSA/ALAS severity or Debian urgency */
	const char *published, *modified;
	const char *refs;	/* JSON array of URLs */
	bool unimportant;	/* Debian urgency "unimportant" */
	char kev_date[16];	/* "" when not in KEV */
	double epss, epss_percentile; /* < 0 unknown */
	mamori_severity severity;
	vuln_priority priority;
	const char *reasons;	/* "; "-separated, why this priority */
	const char *upgrade;	/* the command (or instruction) that fixes it */
	const char *notes;	/* e.g. GIT ranges not matched */
} vuln_match;

typedef struct vuln_matches {
	vuln_match *items;
	size_t count, cap;
	size_t withdrawn_skipped; /* advisories that would match but are withdrawn */
	size_t git_only;	  /* advisories with only GIT ranges for a package */
	size_t invalid_versions;  /* range events that are not valid versions */
	mamori_arena arena;
	/* optional: called after each package's matches were added; the items
	 * and the arena are then emptied (a caller that turns matches into
	 * findings as they come never holds all of them) */
	void (*on_package)(void *ud, const struct vuln_matches *ms);
	void *ud;
} vuln_matches;

void mamori_vuln_matches_init(vuln_matches *m);
void mamori_vuln_matches_free(vuln_matches *m);

/* Match every package of inv against the databases (searched in order; an
 * advisory id found in an earlier one is not taken again).  Matches may
 * point into the index blocks a database read for them: use them before
 * mamori_vuln_db_release() or closing it. */
int mamori_vuln_match(mamori_ctx *ctx, vuln_db *const *dbs, size_t ndb, const vuln_inventory *inv,
		      vuln_matches *out);

/* Decide severity, priority, reasons and the upgrade command of a match
 * (KEV/EPSS from the first database that has them). */
void mamori_vuln_prioritize(vuln_db *const *dbs, size_t ndb, vuln_matches *ms, vuln_match *m);

const char *mamori_vuln_priority_name(vuln_priority p);

/* src[0..n) into dst (cap bytes), cut to fit, NUL-terminated: snprintf's
 * "%.*s" without printf (matching calls it for every hit) */
static inline void mamori_vuln_copy_cut(char *dst, size_t cap, const char *src, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Does version v of scheme s fall in the encoded ranges/versions of a hit?
 * *fixed gets the fix (into buf) or NULL. */
bool mamori_vuln_affects(vuln_scheme s, const char *v, const char *ranges, const char *versions,
			 char *fixed, size_t fixed_cap, bool *has_fix, bool *git_only,
			 size_t *invalid);

#endif
