/*
 * dt_intel.c — threat lists (see dt_intel.h).
 *
 * The radix tree is a plain binary trie over the 128 address bits with
 * nodes in one array (indexes, not pointers); a node may carry an entry
 * (the prefix ends there).  Lookup walks the address bits and remembers
 * the last entry passed: longest prefix match.  A trusted entry at the
 * longest prefix wins over a malicious shorter one, which is how GuardDuty
 * trusted IP lists behave.
 */
#include "dt_intel.h"
#include "../core/json.h"
#include "dt_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct rnode {
	int32_t kid[2];
	int32_t entry; /* index into entries, -1 */
} rnode;

typedef struct ientry {
	int kind;
	const char *list;
	const char *text;
} ientry;

struct dt_intel {
	rnode *nodes;
	size_t nnodes, cap;
	ientry *entries;
	size_t nentries, ecap;
	dt_map domains; /* lower-case domain -> entry index + 1 */
	mamori_arena arena;
	char **problems;
	size_t nproblems;
};

const char *dt_intel_kind_name(int kind)
{
	switch (kind) {
	case DT_INTEL_TOR:
		return "tor";
	case DT_INTEL_CRYPTO:
		return "crypto";
	case DT_INTEL_C2:
		return "c2";
	case DT_INTEL_TRUSTED:
		return "trusted";
	default:
		return "malicious";
	}
}

dt_intel *dt_intel_new(void)
{
	dt_intel *in = mamori_xcalloc(1, sizeof *in);
	in->cap = 64;
	in->nodes = mamori_xmalloc(in->cap * sizeof *in->nodes);
	in->nodes[0] = (rnode){{-1, -1}, -1};
	in->nnodes = 1;
	dt_map_init(&in->domains, 0);
	mamori_arena_init(&in->arena, 0);
	return in;
}

void dt_intel_free(dt_intel *in)
{
	if (!in)
		return;
	free(in->nodes);
	free(in->entries);
	dt_map_free(&in->domains);
	mamori_arena_free(&in->arena);
	dt_intel_clear_problems(in);
	free(in);
}

size_t dt_intel_problem_count(const dt_intel *in)
{
	return in->nproblems;
}
const char *dt_intel_problem(const dt_intel *in, size_t i)
{
	return in->problems[i];
}
void dt_intel_clear_problems(dt_intel *in)
{
	for (size_t i = 0; i < in->nproblems; i++)
		free(in->problems[i]);
	free(in->problems);
	in->problems = NULL;
	in->nproblems = 0;
}

static void problem(dt_intel *in, const char *name, size_t line, const char *msg, const char *what,
		    size_t wn)
{
	if (in->nproblems >= 100)
		return;
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "%s:%zu: %s: \"%.*s\"", name, line, msg, (int)(wn > 80 ? 80 : wn), what);
	in->problems = mamori_xrealloc(in->problems, (in->nproblems + 1) * sizeof *in->problems);
	in->problems[in->nproblems++] = mamori_buf_detach(&b);
}

size_t dt_intel_size(const dt_intel *in)
{
	return in->nentries;
}

bool dt_intel_empty(const dt_intel *in)
{
	return in->nentries == 0;
}

static int32_t new_entry(dt_intel *in, int kind, const char *list, const char *text, size_t n)
{
	if (in->nentries == in->ecap) {
		in->ecap = in->ecap ? in->ecap * 2 : 64;
		in->entries = mamori_xrealloc(in->entries, in->ecap * sizeof *in->entries);
	}
	in->entries[in->nentries] = (ientry){kind, list, mamori_arena_strndup(&in->arena, text, n)};
	return (int32_t)in->nentries++;
}

static void radix_add(dt_intel *in, const uint8_t addr[16], int bits, int32_t entry)
{
	int32_t n = 0;
	for (int i = 0; i < bits; i++) {
		int b = (addr[i / 8] >> (7 - i % 8)) & 1;
		if (in->nodes[n].kid[b] < 0) {
			if (in->nnodes == in->cap) {
				in->cap *= 2;
				in->nodes = mamori_xrealloc(in->nodes, in->cap * sizeof *in->nodes);
			}
			in->nodes[in->nnodes] = (rnode){{-1, -1}, -1};
			in->nodes[n].kid[b] = (int32_t)in->nnodes++;
		}
		n = in->nodes[n].kid[b];
	}
	in->nodes[n].entry = entry;
}

bool dt_intel_ip(const dt_intel *in, const uint8_t addr[16], dt_intel_hit *hit)
{
	int32_t n = 0, best = in->nodes[0].entry;
	for (int i = 0; i < 128 && n >= 0; i++) {
		int b = (addr[i / 8] >> (7 - i % 8)) & 1;
		n = in->nodes[n].kid[b];
		if (n >= 0 && in->nodes[n].entry >= 0)
			best = in->nodes[n].entry;
	}
	if (best < 0)
		return false;
	const ientry *e = &in->entries[best];
	if (hit)
		*hit = (dt_intel_hit){e->kind, e->list, e->text};
	return true;
}

bool dt_intel_domain(const dt_intel *in, const char *name, size_t n, dt_intel_hit *hit)
{
	if (in->domains.count == 0)
		return false;
	char buf[256];
	while (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof buf)
		return false;
	dt_lower_copy(buf, name, n);
	/* the name, then every parent domain */
	for (size_t i = 0; i < n;) {
		const dt_map_entry *e = dt_map_get(&in->domains, buf + i, n - i);
		if (e) {
			const ientry *en = &in->entries[e->value - 1];
			if (hit)
				*hit = (dt_intel_hit){en->kind, en->list, en->text};
			return true;
		}
		const char *dot = memchr(buf + i, '.', n - i);
		if (!dot)
			break;
		i = (size_t)(dot - buf) + 1;
	}
	return false;
}

static bool parse_addr(const char *s, size_t n, uint8_t out[16], int *bits)
{
	char buf[80];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *slash = strchr(buf, '/');
	int b = -1;
	if (slash) {
		*slash = '\0';
		char *end;
		long l = strtol(slash + 1, &end, 10);
		if (*end || l < 0 || l > 128)
			return false;
		b = (int)l;
	}
	bool v4;
	if (!dt_ip_parse(buf, strlen(buf), out, &v4))
		return false;
	if (b < 0)
		b = 128; /* one address: all 128 bits (IPv4 is mapped into ::ffff:0:0/96) */
	else if (v4) {
		if (b > 32)
			return false;
		b += 96;
	}
	*bits = b;
	return true;
}

static bool plausible_domain(const char *s, size_t n)
{
	if (n < 3 || n > 253 || !memchr(s, '.', n))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

/* Add one indicator (IP, CIDR or domain); false if it is neither. */
static bool add_indicator(dt_intel *in, int kind, const char *list, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '"'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '"'))
		n--;
	uint8_t a[16];
	int bits;
	if (parse_addr(s, n, a, &bits)) {
		radix_add(in, a, bits, new_entry(in, kind, list, s, n));
		return true;
	}
	if (plausible_domain(s, n)) {
		while (n && s[n - 1] == '.')
			n--;
		if (n > 2 && s[0] == '*' && s[1] == '.')
			s += 2, n -= 2;
		char buf[256];
		dt_lower_copy(buf, s, n);
		bool created;
		dt_map_entry *e = dt_map_put(&in->domains, buf, n, &created);
		if (e && created)
			e->value = (uint64_t)new_entry(in, kind, list, s, n) + 1;
		return true;
	}
	return false;
}

static void load_stix(dt_intel *in, int kind, const char *name, const char *buf, size_t len)
{
	mamori_ctx *ctx = mamori_ctx_new();
	cJSON *root = mamori_json_parse(ctx, name, buf, len);
	if (!root) {
		problem(in, name, 1, "not a valid STIX bundle", buf, len > 40 ? 40 : len);
		mamori_ctx_free(ctx);
		return;
	}
	const cJSON *objs = mamori_json_get(root, "objects");
	const cJSON *o;
	size_t idx = 0;
	cJSON_ArrayForEach(o, objs)
	{
		idx++;
		const char *type = mamori_json_str(o, "type");
		const char *pattern = mamori_json_str(o, "pattern");
		if (!type || strcmp(type, "indicator") || !pattern)
			continue;
		/* [ipv4-addr:value = '1.2.3.4' OR domain-name:value = 'x'] */
		const char *p = pattern;
		bool any = false;
		while ((p = strstr(p, ":value")) != NULL) {
			const char *q = strchr(p, '\'');
			if (!q)
				break;
			const char *e = strchr(q + 1, '\'');
			if (!e)
				break;
			any |= add_indicator(in, kind, name, q + 1, (size_t)(e - q - 1));
			p = e + 1;
		}
		if (!any)
			problem(in, name, idx, "STIX indicator without an IP or domain value", pattern,
				strlen(pattern));
	}
	cJSON_Delete(root);
	mamori_ctx_free(ctx);
}

void dt_intel_load_buf(dt_intel *in, int kind, const char *name, const char *buf, size_t len)
{
	const char *list = mamori_arena_strdup(&in->arena, name);
	const char *p = buf, *end = buf + len;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	if (p < end && *p == '{') {
		load_stix(in, kind, list, buf, len);
		return;
	}
	size_t line = 0;
	p = buf;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		const char *s = p;
		p = nl ? nl + 1 : end;
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		if (s >= le || *s == '#' || *s == ';' || (le - s == 1 && *s == '\r'))
			continue;
		/* CSV (OTX: indicator,type,...): the first column */
		const char *comma = memchr(s, ',', (size_t)(le - s));
		size_t n = (size_t)((comma ? comma : le) - s);
		if (line == 1 && comma && (memmem(s, n, "ndicator", 8) || memmem(s, n, "type", 4)))
			continue; /* a CSV header */
		if (!add_indicator(in, kind, list, s, n))
			problem(in, list, line, "not an IP address, network or domain", s, n);
	}
}

int dt_intel_load(mamori_ctx *ctx, dt_intel *in, const char *spec)
{
	static const struct {
		const char *name;
		int kind;
	} kinds[] = {{"malicious", DT_INTEL_MALICIOUS}, {"tor", DT_INTEL_TOR},
		     {"crypto", DT_INTEL_CRYPTO},	{"c2", DT_INTEL_C2},
		     {"trusted", DT_INTEL_TRUSTED}};
	int kind = DT_INTEL_MALICIOUS;
	const char *path = spec;
	const char *colon = strchr(spec, ':');
	if (colon) {
		for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
			if (strlen(kinds[i].name) == (size_t)(colon - spec) &&
			    strncasecmp(spec, kinds[i].name, (size_t)(colon - spec)) == 0) {
				kind = kinds[i].kind;
				path = colon + 1;
			}
	}
	mamori_buf b = MAMORI_BUF_INIT;
	int rc = mamori_buf_read_file(ctx, &b, path, 512u << 20);
	if (rc) {
		mamori_buf_free(&b);
		return rc;
	}
	dt_intel_load_buf(in, kind, path, b.data ? b.data : "", b.len);
	mamori_buf_free(&b);
	return MAMORI_OK;
}
