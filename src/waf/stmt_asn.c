/*
 * stmt_asn.c — AsnMatchStatement: the autonomous system of the client
 * address, from a MaxMind-format ASN database (autonomous_system_number).
 */
#include "waf_internal.h"

#include <stdio.h>
#include <string.h>

bool waf_mmdb_lookup(void *db, const char *ip, const char *const *path, char *out, size_t outn,
		     uint32_t *num);

typedef struct asn_rule {
	uint32_t *asn;
	size_t n;
	const char *header;
	int fallback;
} asn_rule;

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	const cJSON *list = waf_req(c, j, "AsnList", cJSON_Array);
	if (!list)
		return MAMORI_EINPUT;
	asn_rule *r = mamori_arena_alloc(&c->acl->arena, sizeof *r);
	r->asn = mamori_arena_alloc(&c->acl->arena,
				    (size_t)(cJSON_GetArraySize(list) + 1) * sizeof *r->asn);
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 4294967295.0)
			return waf_err(c, "AsnList", "must hold AS numbers (0 to 4294967295)");
		r->asn[r->n++] = (uint32_t)it->valuedouble;
	}
	if (r->n == 0)
		return waf_err(c, "AsnList", "must not be empty");
	const cJSON *fwd = mamori_json_get(j, "ForwardedIPConfig");
	if (fwd) {
		size_t saved = waf_path_push(c, ".ForwardedIPConfig");
		int st = waf_forwarded_ip_compile(c, fwd, &r->header, &r->fallback);
		waf_path_pop(c, saved);
		if (st)
			return st;
	}
	s->u = r;
	return MAMORI_OK;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const asn_rule *r = s->u;
	bool no_ip;
	const char *ip = waf_client_ip(ev, r->header, r->fallback, 0, &no_ip);
	if (no_ip && r->header) {
		if (r->fallback != 0)
			return false;
		ev->hit = (waf_hit){.condition = "ASN", .location = "IP"};
		return true;
	}
	static const char *const path[] = {"autonomous_system_number", NULL};
	uint32_t asn;
	if (!waf_mmdb_lookup(ev->acl->asn_db, ip, path, NULL, 0, &asn))
		return false;
	for (size_t i = 0; i < r->n; i++) {
		if (r->asn[i] == asn) {
			char *d = waf_alloc(ev, 16);
			snprintf(d, 16, "%u", asn);
			ev->hit = (waf_hit){.condition = "ASN", .location = "IP", .data = d,
					    .data_len = strlen(d)};
			return true;
		}
	}
	return false;
}

const waf_stmt_type waf_stmt_asn = {"AsnMatchStatement", compile, eval, true};
