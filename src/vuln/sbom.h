/*
 * sbom.h — software bills of materials: CycloneDX 1.5 JSON and SPDX 2.3
 * JSON out (from inventories), CycloneDX JSON in (vuln.h).
 */
#ifndef MAMORI_VULN_SBOM_H
#define MAMORI_VULN_SBOM_H

#include "collect.h"

typedef enum vuln_sbom_format {
	VULN_SBOM_CYCLONEDX = 0,
	VULN_SBOM_SPDX,
} vuln_sbom_format;

/* The document as JSON text (malloc'd).  now: RFC 3339 creation time. */
char *mamori_vuln_sbom_write(const vuln_invset *set, vuln_sbom_format format, const char *name,
			     const char *now);

/* purl -> ecosystem/name/version; false if the purl is not one we match */
bool mamori_vuln_purl_parse(vuln_inventory *inv, const char *purl, vuln_pkg *p);

#endif
