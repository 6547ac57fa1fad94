/*
 * priority.c — which vulnerabilities to fix first, in the spirit of
 * FutureVuls and SSVC: a decision from a few facts, with the facts shown.
 *
 *   exploitation  listed in CISA KEV (exploited in the wild) > EPSS >= 0.1
 *                 (likely to be exploited within 30 days) > nothing known
 *   exposure      CVSS attack vector network, no privileges, no user
 *                 interaction ("automatable")
 *   impact        the CVSS base score (or the vendor's severity)
 *   presence      installed on a host or image, or only declared in a
 *                 lockfile (one step lower: it may not even be deployed)
 *   fix           whether a fixed version exists (the reasons say so; with
 *                 no fix the decision stands and the work is mitigation)
 *
 *   immediate     in KEV; or EPSS >= 0.5 and HIGH+ and network-exploitable
 *   out-of-cycle  CRITICAL, or HIGH and automatable; or EPSS >= 0.1
 *   scheduled     MEDIUM and above
 *   defer         LOW, Debian "unimportant", informational
 *
 * The severity of the finding is the CVSS rating (v3.x preferred, then
 * v4.0, then v2), else the vendor's word (GHSA, ALAS, Debian urgency —
 * "unimportant" is LOW, never dropped), else MEDIUM with a reason saying
 * the severity is unknown.
 */
#include "match.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static mamori_severity from_rating(const char *r)
{
	if (!r)
		return MAMORI_SEV_MEDIUM;
	if (!strcasecmp(r, "CRITICAL"))
		return MAMORI_SEV_CRITICAL;
	if (!strcasecmp(r, "HIGH") || !strcasecmp(r, "important"))
		return MAMORI_SEV_HIGH;
	if (!strcasecmp(r, "MEDIUM") || !strcasecmp(r, "MODERATE"))
		return MAMORI_SEV_MEDIUM;
	if (!strcasecmp(r, "LOW") || !strcasecmp(r, "unimportant") || !strcasecmp(r, "negligible"))
		return MAMORI_SEV_LOW;
	if (!strcasecmp(r, "NONE"))
		return MAMORI_SEV_INFORMATIONAL;
	return MAMORI_SEV_MEDIUM;
}

static void reason(mamori_buf *b, const char *fmt, ...) MAMORI_PRINTF(2, 3);
static void reason(mamori_buf *b, const char *fmt, ...)
{
	if (b->len)
		mamori_buf_puts(b, "; ");
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* a reason made of strings only (NULL-terminated list): no printf, as
 * every one of ~10,000 matches of a host has several */
static void reason_str(mamori_buf *b, ...)
{
	if (b->len)
		mamori_buf_append(b, "; ", 2);
	va_list ap;
	va_start(ap, b);
	for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
		mamori_buf_append(b, s, strlen(s));
	va_end(ap);
}

/* the shell-quoted form of a version or name when it needs quotes */
static const char *q(mamori_arena *a, const char *s)
{
	for (const char *p = s; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    !strchr("._-+:@/~^=", *p))
			return mamori_arena_printf(a, "'%s'", s);
	return s;
}

static const char *upgrade_command(mamori_arena *a, const vuln_match *m)
{
	const vuln_pkg *p = m->pkg;
	const char *eco = p->ecosystem ? p->ecosystem : "";
	const char *name = q(a, p->name);
	const char *fix = m->fixed ? q(a, m->fixed) : NULL;
	if (!strncmp(eco, "Debian", 6) || !strncmp(eco, "Ubuntu", 6))
		return mamori_arena_printf(a, "apt-get install --only-upgrade %s", name);
	if (!strncmp(eco, "Amazon Linux:2023", 17) || !strncmp(eco, "Rocky", 5) ||
	    !strncmp(eco, "AlmaLinux", 9) || !strncmp(eco, "Red Hat", 7))
		return !strncmp(m->id, "ALAS", 4) || strstr(m->advisories, "ALAS")
			       ? mamori_arena_printf(a, "dnf update --advisory=%s",
						     strstr(m->advisories, "ALAS"))
			       : mamori_arena_printf(a, "dnf update %s", name);
	if (!strncmp(eco, "Amazon Linux", 12))
		return strstr(m->advisories, "ALAS")
			       ? mamori_arena_printf(a, "yum update --advisory=%s",
						     strstr(m->advisories, "ALAS"))
			       : mamori_arena_printf(a, "yum update %s", name);
	if (!strncmp(eco, "Alpine", 6) || !strncmp(eco, "Wolfi", 5))
		return mamori_arena_printf(a, "apk add -u %s", name);
	if (!fix)
		return NULL;
	if (!strcmp(eco, "npm"))
		return mamori_arena_printf(a, "npm install %s@%s", name, fix);
	if (!strcmp(eco, "PyPI"))
		return mamori_arena_printf(a, "pip install '%s>=%s'", p->name, m->fixed);
	if (!strcmp(eco, "Go"))
		return !strcmp(p->name, "stdlib")
			       ? mamori_arena_printf(a, "rebuild with Go %s or later", fix)
			       : mamori_arena_printf(a, "go get %s@v%s", name,
						     fix[0] == 'v' ? fix + 1 : fix);
	if (!strcmp(eco, "crates.io"))
		return mamori_arena_printf(a, "cargo update -p %s --precise %s", name, fix);
	if (!strcmp(eco, "Maven"))
		return mamori_arena_printf(a, "set the version of %s to %s in pom.xml", p->name,
					   m->fixed);
	if (!strcmp(eco, "RubyGems"))
		return mamori_arena_printf(a, "bundle update %s (to %s or later)", name, fix);
	if (!strcmp(eco, "Packagist"))
		return mamori_arena_printf(a, "composer require %s:^%s", name, fix);
	return NULL;
}

void mamori_vuln_prioritize(vuln_db *const *dbs, size_t ndb, vuln_matches *ms, vuln_match *m)
{
	mamori_arena *a = &ms->arena;
	/* the advisory list names ALAS ids; keep just the first for --advisory */
	mamori_buf r = MAMORI_BUF_INIT;
	/* threat: KEV and EPSS of any CVE of the group */
	m->kev_date[0] = '\0';
	m->epss = m->epss_percentile = -1;
	const char *lists[2] = {m->advisories, m->aliases};
	for (int l = 0; l < 2; l++)
		for (const char *p = lists[l]; p && *p;) {
			size_t k = strcspn(p, " ");
			char cve[64];
			mamori_vuln_copy_cut(cve, sizeof cve, p, k);
			if (!strncmp(cve, "CVE-", 4))
				for (size_t d = 0; d < ndb; d++) {
					char kd[16];
					double e, pc;
					if (mamori_vuln_db_threat(dbs[d], cve, kd, &e, &pc))
						continue;
					if (*kd && !m->kev_date[0])
						memcpy(m->kev_date, kd, sizeof kd);
					if (e > m->epss) {
						m->epss = e;
						m->epss_percentile = pc;
					}
				}
			p += k;
			while (*p == ' ')
				p++;
		}
	/* severity */
	if (m->has_cvss)
		m->severity = from_rating(m->cvss.rating);
	else if (m->vendor_severity)
		m->severity = from_rating(m->vendor_severity);
	else
		m->severity = MAMORI_SEV_MEDIUM;
	if (m->unimportant)
		m->severity = MAMORI_SEV_LOW;
	bool network = m->has_cvss && m->cvss.network;
	bool automatable = network && m->cvss.no_privileges && m->cvss.no_interaction;
	vuln_priority pr;
	if (m->kev_date[0]) {
		pr = VULN_PRIO_IMMEDIATE;
		reason_str(&r, "listed in CISA KEV (added ", m->kev_date, "): exploited in the wild",
			   NULL);
	} else if (m->epss >= 0.5 && m->severity >= MAMORI_SEV_HIGH && network) {
		pr = VULN_PRIO_IMMEDIATE;
	} else if (m->severity == MAMORI_SEV_CRITICAL ||
		   (m->severity == MAMORI_SEV_HIGH && automatable) || m->epss >= 0.1) {
		pr = VULN_PRIO_OUT_OF_CYCLE;
	} else if (m->severity >= MAMORI_SEV_MEDIUM) {
		pr = VULN_PRIO_SCHEDULED;
	} else {
		pr = VULN_PRIO_DEFER;
	}
	if (m->epss >= 0)
		reason(&r, "EPSS %.3f (percentile %.0f%%)", m->epss, m->epss_percentile * 100);
	if (m->has_cvss)
		reason(&r, "CVSS %s %.1f %s%s%s", mamori_vuln_cvss_version_name(m->cvss.version),
		       m->cvss.score, m->cvss.rating,
		       network ? ", network attack vector" : ", not network-reachable",
		       automatable ? ", no privileges or user interaction needed" : "");
	else if (m->vendor_severity)
		reason_str(&r, "vendor severity ", m->vendor_severity, " (no CVSS vector)", NULL);
	else
		reason_str(&r, "severity unknown (no CVSS vector, no vendor severity): MEDIUM assumed",
			   NULL);
	if (m->unimportant) {
		pr = VULN_PRIO_DEFER;
		reason_str(&r, "Debian rates it unimportant (no security impact on Debian)", NULL);
	}
	if (m->pkg->installed) {
		reason_str(&r, "installed (", mamori_vuln_inv_kind_name(m->inv->kind), ")", NULL);
	} else {
		if (pr > VULN_PRIO_DEFER && !m->kev_date[0])
			pr--;
		reason_str(&r, "declared in a lockfile, not seen installed",
			   m->kev_date[0] ? "" : ": one step lower", NULL);
	}
	if (m->pkg->dev && pr > VULN_PRIO_DEFER) {
		pr--;
		reason_str(&r, "development dependency: one step lower", NULL);
	}
	if (m->fixed)
		reason_str(&r, "fixed in ", m->fixed,
			   m->partial_fix ? " (some advisories of it have no fix yet)" : "", NULL);
	else
		reason_str(&r, "no fixed version yet: mitigate or accept", NULL);
	m->priority = pr;
	m->reasons = mamori_arena_strdup(a, r.data);
	mamori_buf_free(&r);
	m->upgrade = upgrade_command(a, m);
	/* --advisory takes one ALAS id (without the ":CVE" of a split record) */
	if (m->upgrade) {
		char *adv = strstr((char *)m->upgrade, "--advisory=");
		if (adv)
			adv[strcspn(adv, " :")] = '\0';
	}
}
