/*
 * cvss.h — CVSS vector parsing and base scores: v2.0, v3.0, v3.1, v4.0,
 * computed as the FIRST specifications define them.
 */
#ifndef MAMORI_VULN_CVSS_H
#define MAMORI_VULN_CVSS_H

#include <stdbool.h>

typedef struct vuln_cvss {
	int version;	  /* 2, 30, 31, 40 */
	double score;	  /* base score, 0.0-10.0 */
	const char *rating; /* "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL" */
	bool network;	  /* attack vector network */
	bool no_privileges; /* PR:N (Au:N for v2) */
	bool no_interaction; /* UI:N (v2: always) */
} vuln_cvss;

/* Parse a vector and compute its base score.  Returns NULL on success or
 * the reason the vector is invalid. */
const char *mamori_vuln_cvss_score(const char *vector, vuln_cvss *out);

/* "3.1" for 31, ... */
const char *mamori_vuln_cvss_version_name(int version);

#endif
