/*
 * stmt_ip_set.c — IPSetReferenceStatement: the client address in an IP
 * set (IPv4 and IPv6 CIDRs), found by ARN among the WebACL's IPSets.  The
 * set becomes a sorted table of disjoint [low, high] ranges searched by
 * bisection.  IPSetForwardedIPConfig takes the address from a header
 * (FIRST, LAST or ANY of its list), with a fallback when there is none.
 */
#include "waf_internal.h"

#include <stdlib.h>
#include <string.h>

size_t waf_forwarded_list(mamori_waf_eval *ev, const char *header, wstr *out, size_t max);

typedef struct range {
	unsigned char lo[16], hi[16];
} range;

typedef struct ip_set {
	range *r;
	size_t n;
	const char *header;
	int fallback; /* 0 MATCH, 1 NO_MATCH */
	int position; /* 0 FIRST, 1 LAST, 2 ANY */
} ip_set;

static int cmp_range(const void *a, const void *b)
{
	return memcmp(((const range *)a)->lo, ((const range *)b)->lo, 16);
}

static bool parse_cidr(const char *s, range *r)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	bool v4;
	if (!waf_ip_parse(s, n, r->lo, &v4))
		return false;
	int bits = v4 ? 32 : 128;
	if (slash) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || p < 0 || p > bits)
			return false;
		bits = (int)p;
	}
	int prefix = v4 ? 96 + bits : bits;
	memcpy(r->hi, r->lo, 16);
	for (int i = prefix; i < 128; i++) {
		r->lo[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
		r->hi[i / 8] |= (unsigned char)(0x80 >> (i % 8));
	}
	return true;
}

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	static const char *const pos[] = {"FIRST", "LAST", "ANY", NULL};
	const char *arn = waf_req_str(c, j, "ARN");
	if (!arn)
		return MAMORI_EINPUT;
	const cJSON *set = NULL, *it;
	cJSON_ArrayForEach(it, (cJSON_IsArray(c->ip_sets) ? c->ip_sets : NULL))
	{
		const char *a = mamori_json_str(it, "ARN"), *n = mamori_json_str(it, "Name");
		if ((a && !strcmp(a, arn)) || (n && !strcmp(n, arn)))
			set = it;
	}
	if (!set)
		return waf_err(c, "ARN", "no IP set \"%s\" in IPSets", arn);
	const cJSON *addrs = mamori_json_get(set, "Addresses");
	if (!cJSON_IsArray(addrs))
		return waf_err(c, "ARN", "IP set \"%s\" has no Addresses array", arn);
	ip_set *ips = mamori_arena_alloc(&c->acl->arena, sizeof *ips);
	size_t n = (size_t)cJSON_GetArraySize(addrs);
	ips->r = mamori_arena_alloc(&c->acl->arena, (n + 1) * sizeof *ips->r);
	cJSON_ArrayForEach(it, addrs)
	{
		if (!cJSON_IsString(it) || !parse_cidr(it->valuestring, &ips->r[ips->n]))
			return waf_err(c, "ARN", "IP set \"%s\": \"%s\" is not an address in CIDR notation",
				       arn, cJSON_IsString(it) ? it->valuestring : "?");
		ips->n++;
	}
	qsort(ips->r, ips->n, sizeof *ips->r, cmp_range);
	/* merge overlaps so that bisection finds the one candidate */
	size_t m = 0;
	for (size_t i = 0; i < ips->n; i++) {
		if (m && memcmp(ips->r[i].lo, ips->r[m - 1].hi, 16) <= 0) {
			if (memcmp(ips->r[i].hi, ips->r[m - 1].hi, 16) > 0)
				memcpy(ips->r[m - 1].hi, ips->r[i].hi, 16);
		} else {
			ips->r[m++] = ips->r[i];
		}
	}
	ips->n = m;
	const cJSON *fwd = mamori_json_get(j, "IPSetForwardedIPConfig");
	ips->position = 0;
	if (fwd) {
		size_t saved = waf_path_push(c, ".IPSetForwardedIPConfig");
		int st = waf_forwarded_ip_compile(c, fwd, &ips->header, &ips->fallback);
		if (!st) {
			ips->position = waf_enum(c, fwd, "Position", pos, true, 0);
			if (ips->position < 0)
				st = MAMORI_EINPUT;
		}
		waf_path_pop(c, saved);
		if (st)
			return st;
	}
	s->u = ips;
	return MAMORI_OK;
}

static bool contains(const ip_set *s, const unsigned char a[16])
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(s->r[mid].lo, a, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && memcmp(a, s->r[lo - 1].hi, 16) <= 0;
}

static bool hit(mamori_waf_eval *ev, const char *ip, size_t n)
{
	ev->hit = (waf_hit){.condition = "IP_SET", .location = "IP", .data = ip, .data_len = n};
	return true;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const ip_set *ips = s->u;
	unsigned char a[16];
	if (!ips->header) {
		const char *ip = ev->rq->client_ip;
		return ip && waf_ip_parse(ip, strlen(ip), a, NULL) && contains(ips, a) &&
		       hit(ev, ip, strlen(ip));
	}
	wstr list[64];
	size_t n = waf_forwarded_list(ev, ips->header, list, 64);
	bool any_valid = false;
	for (size_t i = 0; i < n; i++) {
		size_t k = ips->position == 1 ? n - 1 - i : i;
		bool ok = waf_ip_parse(list[k].p, list[k].n, a, NULL);
		any_valid |= ok;
		if (ok && contains(ips, a))
			return hit(ev, list[k].p, list[k].n);
		if (ips->position != 2)
			break;
	}
	if (!any_valid && ips->fallback == 0)
		return hit(ev, NULL, 0);
	return false;
}

const waf_stmt_type waf_stmt_ip_set = {"IPSetReferenceStatement", compile, eval, true};
