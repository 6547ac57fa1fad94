/*
 * stmt_geo.c — GeoMatchStatement: the client's country, looked up in a
 * MaxMind-format database (libmaxminddb; country.iso_code) or taken from
 * the request when it is already known (replayed AWS WAF logs carry it).
 * Like AWS, evaluating it labels the request
 * awswaf:clientip:geo:country:XX.
 */
#include "waf_internal.h"

#include <maxminddb.h>
#include <stdio.h>
#include <string.h>

typedef struct geo_rule {
	char (*codes)[3];
	size_t n;
	const char *header;
	int fallback;
} geo_rule;

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	const cJSON *cc = waf_req(c, j, "CountryCodes", cJSON_Array);
	if (!cc)
		return MAMORI_EINPUT;
	geo_rule *g = mamori_arena_alloc(&c->acl->arena, sizeof *g);
	g->codes = mamori_arena_alloc(&c->acl->arena, (size_t)(cJSON_GetArraySize(cc) + 1) * 3);
	const cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, cc)
	{
		if (!cJSON_IsString(it) || strlen(it->valuestring) != 2) {
			size_t saved = waf_path_push(c, ".CountryCodes[%d]", i);
			int st = waf_err(c, NULL, "must be a two-letter ISO 3166 country code");
			waf_path_pop(c, saved);
			return st;
		}
		memcpy(g->codes[g->n++], it->valuestring, 3);
		i++;
	}
	if (g->n == 0)
		return waf_err(c, "CountryCodes", "must not be empty");
	const cJSON *fwd = mamori_json_get(j, "ForwardedIPConfig");
	if (fwd) {
		size_t saved = waf_path_push(c, ".ForwardedIPConfig");
		int st = waf_forwarded_ip_compile(c, fwd, &g->header, &g->fallback);
		waf_path_pop(c, saved);
		if (st)
			return st;
	}
	s->u = g;
	return MAMORI_OK;
}

/* Look ip up in an MMDB; path is e.g. {"country", "iso_code", NULL}. */
bool waf_mmdb_lookup(void *db, const char *ip, const char *const *path, char *out, size_t outn,
		     uint32_t *num);
bool waf_mmdb_lookup(void *db, const char *ip, const char *const *path, char *out, size_t outn,
		     uint32_t *num)
{
	if (!db || !ip)
		return false;
	int gai = 0, err = 0;
	MMDB_lookup_result_s r = MMDB_lookup_string(db, ip, &gai, &err);
	if (gai || err != MMDB_SUCCESS || !r.found_entry)
		return false;
	MMDB_entry_data_s d;
	if (MMDB_aget_value(&r.entry, &d, path) != MMDB_SUCCESS || !d.has_data)
		return false;
	if (out && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
		size_t n = d.data_size < outn - 1 ? d.data_size : outn - 1;
		memcpy(out, d.utf8_string, n);
		out[n] = 0;
		return true;
	}
	if (num && d.type == MMDB_DATA_TYPE_UINT32) {
		*num = d.uint32;
		return true;
	}
	if (num && d.type == MMDB_DATA_TYPE_UINT16) {
		*num = d.uint16;
		return true;
	}
	return false;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const geo_rule *g = s->u;
	bool no_ip;
	const char *ip = waf_client_ip(ev, g->header, g->fallback, 0, &no_ip);
	if (no_ip && g->header) {
		if (g->fallback != 0)
			return false;
		ev->hit = (waf_hit){.condition = "GEO", .location = "IP"};
		return true;
	}
	char country[8] = "";
	static const char *const path[] = {"country", "iso_code", NULL};
	if (!g->header && ev->rq->country && *ev->rq->country) {
		size_t n = strlen(ev->rq->country);
		memcpy(country, ev->rq->country, n < 3 ? n : 3);
	} else if (!waf_mmdb_lookup(ev->acl->geo_db, ip, path, country, sizeof country, NULL)) {
		return false;
	}
	if (!g->header && !ev->country_done) {
		ev->country_done = true;
		memcpy(ev->country, country, sizeof ev->country - 1);
		char *label = waf_alloc(ev, 40);
		snprintf(label, 40, "awswaf:clientip:geo:country:%s", ev->country);
		waf_add_label(ev, label);
	}
	for (size_t i = 0; i < g->n; i++) {
		if (strcmp(g->codes[i], country) == 0) {
			ev->hit = (waf_hit){.condition = "GEO", .location = "IP",
					    .data = ev->country, .data_len = strlen(ev->country)};
			return true;
		}
	}
	return false;
}

const waf_stmt_type waf_stmt_geo = {"GeoMatchStatement", compile, eval, true};
