/*
 * enums.c — ASFF's words for severities, compliance, workflow and record
 * states, and RFC 3339 timestamps.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const severity_names[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH",
					      "CRITICAL"};
static const char *const compliance_names[] = {"", "PASSED", "WARNING", "FAILED",
					       "NOT_AVAILABLE"};
static const char *const workflow_names[] = {"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"};
static const char *const record_names[] = {"ACTIVE", "ARCHIVED"};

static int lookup(const char *const *names, size_t n, const char *name, size_t first)
{
	if (!name)
		return -1;
	for (size_t i = first; i < n; i++)
		if (strcasecmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

#define NAME(table, v) ((unsigned)(v) < sizeof table / sizeof *table ? table[v] : "")

const char *mamori_severity_name(mamori_severity s)
{
	return NAME(severity_names, s);
}

int mamori_severity_parse(const char *name)
{
	int v = lookup(severity_names, 5, name, 0);
	if (v < 0 && name && strcasecmp(name, "info") == 0)
		v = MAMORI_SEV_INFORMATIONAL;
	if (v < 0 && name && strcasecmp(name, "med") == 0)
		v = MAMORI_SEV_MEDIUM;
	if (v < 0 && name && strcasecmp(name, "crit") == 0)
		v = MAMORI_SEV_CRITICAL;
	return v;
}

int mamori_severity_normalized(mamori_severity s)
{
	/* the values Security Hub itself writes for each label */
	static const int normalized[] = {0, 1, 40, 70, 90};
	return (unsigned)s <= MAMORI_SEV_CRITICAL ? normalized[s] : 40;
}

mamori_severity mamori_severity_from_normalized(int n)
{
	/* ASFF: 0 INFORMATIONAL, 1-39 LOW, 40-69 MEDIUM, 70-89 HIGH, 90-100 CRITICAL */
	if (n >= 90)
		return MAMORI_SEV_CRITICAL;
	if (n >= 70)
		return MAMORI_SEV_HIGH;
	if (n >= 40)
		return MAMORI_SEV_MEDIUM;
	if (n >= 1)
		return MAMORI_SEV_LOW;
	return MAMORI_SEV_INFORMATIONAL;
}

const char *mamori_compliance_name(mamori_compliance c)
{
	return NAME(compliance_names, c);
}

int mamori_compliance_parse(const char *name)
{
	return lookup(compliance_names, 5, name, 1);
}

const char *mamori_workflow_name(mamori_workflow w)
{
	return NAME(workflow_names, w);
}

int mamori_workflow_parse(const char *name)
{
	return lookup(workflow_names, 4, name, 0);
}

const char *mamori_record_state_name(mamori_record_state r)
{
	return NAME(record_names, r);
}

int mamori_record_state_parse(const char *name)
{
	return lookup(record_names, 2, name, 0);
}

void mamori_time_format(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

int mamori_time_parse(const char *s, time_t *out)
{
	if (!s)
		return -1;
	const char *p = s;
	struct tm tm = {0};
	int y = digits(&p, 4);
	if (y < 0 || *p++ != '-')
		return -1;
	int mo = digits(&p, 2);
	if (mo < 1 || mo > 12 || *p++ != '-')
		return -1;
	int d = digits(&p, 2);
	if (d < 1 || d > 31)
		return -1;
	int h = 0, mi = 0, se = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		h = digits(&p, 2);
		if (h < 0 || h > 23 || *p++ != ':')
			return -1;
		mi = digits(&p, 2);
		if (mi < 0 || mi > 59 || *p++ != ':')
			return -1;
		se = digits(&p, 2);
		if (se < 0 || se > 60)
			return -1;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	long offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh = digits(&p, 2);
		if (oh < 0 || *p++ != ':')
			return -1;
		int om = digits(&p, 2);
		if (om < 0)
			return -1;
		offset = sign * (oh * 3600L + om * 60L);
	} else if (*p != '\0') {
		return -1;
	}
	if (*p != '\0')
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm) - offset;
	return 0;
}
