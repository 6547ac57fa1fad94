/*
 * match.c — deciding which advisories affect a package, with OSV's
 * semantics and each ecosystem's exact version order.
 *
 * For an affected[] entry: the version is affected when it is listed in
 * versions[], or when one of its ECOSYSTEM/SEMVER ranges says so: events
 * sorted by version, `introduced` opens (inclusive, "0" = everything),
 * `fixed` closes (exclusive), `last_affected` closes after (inclusive).
 * GIT ranges name commits, not versions: they are recorded, never
 * matched, and a package whose only evidence is a GIT range gets a note.
 * A range event that is not a valid version of the scheme is skipped and
 * counted, never guessed.
 *
 * Which advisories apply: the package's ecosystem must be the advisory's
 * (same distribution and release: Debian 12 packages only against
 * "Debian:12"), so distro packages are never compared with upstream
 * ranges.  Debian and Alpine advisories are keyed by source package, so
 * the source name and source version are used there; rpm advisories (ALAS)
 * name binary packages, so both names are tried.  Withdrawn advisories are
 * skipped (and counted).  Advisories of one package that share an id or
 * alias are one match: one CVE is one finding.
 */
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 64
/* packages between two releases of the index pages read (vdb.h) */
#define RELEASE_EVERY 64

void mamori_vuln_matches_init(vuln_matches *m)
{
	memset(m, 0, sizeof *m);
	mamori_arena_init(&m->arena, 0);
}

void mamori_vuln_matches_free(vuln_matches *m)
{
	free(m->items);
	mamori_arena_free(&m->arena);
	memset(m, 0, sizeof *m);
}

const char *mamori_vuln_priority_name(vuln_priority p)
{
	switch (p) {
	case VULN_PRIO_IMMEDIATE:
		return "immediate";
	case VULN_PRIO_OUT_OF_CYCLE:
		return "out-of-cycle";
	case VULN_PRIO_SCHEDULED:
		return "scheduled";
	default:
		return "defer";
	}
}

static int cmp_ver(vuln_scheme s, const char *a, const char *b, bool *ok)
{
	int r = 0;
	*ok = mamori_vuln_vercmp(s, a, b, &r, NULL) == 0;
	return r;
}

bool mamori_vuln_affects(vuln_scheme s, const char *v, const char *ranges, const char *versions,
			 char *fixed, size_t fixed_cap, bool *has_fix, bool *git_only,
			 size_t *invalid)
{
	bool affected = false;
	*has_fix = false;
	*git_only = false;
	fixed[0] = '\0';
	/* explicit versions: equal as strings, or equal in the scheme's order
	 * (Go's "v1.2.3" is OSV's "1.2.3", PEP 440's "1.0" is "1.0.0") */
	for (const char *p = versions; p && *p && !affected;) {
		size_t n = strcspn(p, "\x1f");
		if (strlen(v) == n && !memcmp(p, v, n)) {
			affected = true;
		} else if (n < 128) {
			char one[128];
			memcpy(one, p, n);
			one[n] = '\0';
			bool ok;
			if (cmp_ver(s, v, one, &ok) == 0 && ok)
				affected = true;
		}
		p += n;
		if (*p)
			p++;
	}
	const char *p = ranges;
	char type;
	vuln_event ev[MAX_EVENTS];
	size_t nev;
	bool any_version_range = false, any_git = false;
	while (mamori_vuln_range_next(&p, &type, ev, MAX_EVENTS, &nev)) {
		if (type == 'G') {
			any_git = true;
			continue;
		}
		any_version_range = true;
		vuln_scheme rs = type == 'S' && s != VULN_SCHEME_GO ? VULN_SCHEME_SEMVER : s;
		/* drop invalid events; "0" introduced sorts first */
		vuln_event *e[MAX_EVENTS];
		size_t n = 0;
		for (size_t i = 0; i < nev; i++) {
			if (ev[i].kind == 'x')
				continue;
			if (ev[i].kind == 'i' && !strcmp(ev[i].version, "0")) {
				e[n++] = &ev[i];
				continue;
			}
			if (mamori_vuln_version_invalid(rs, ev[i].version)) {
				(*invalid)++;
				continue;
			}
			e[n++] = &ev[i];
		}
		/* insertion sort by version */
		for (size_t i = 1; i < n; i++) {
			vuln_event *x = e[i];
			size_t j = i;
			while (j > 0) {
				bool zx = x->kind == 'i' && !strcmp(x->version, "0");
				bool zp = e[j - 1]->kind == 'i' && !strcmp(e[j - 1]->version, "0");
				bool ok;
				bool less = zx && !zp ? true
					    : zp    ? false
						    : cmp_ver(rs, x->version, e[j - 1]->version, &ok) < 0;
				if (!less)
					break;
				e[j] = e[j - 1];
				j--;
			}
			e[j] = x;
		}
		bool vulnerable = false;
		const char *next_fix = NULL;
		for (size_t i = 0; i < n; i++) {
			bool ok = true;
			bool zero = e[i]->kind == 'i' && !strcmp(e[i]->version, "0");
			int c = zero ? 1 : cmp_ver(rs, v, e[i]->version, &ok);
			if (!ok)
				return false; /* the package's own version is invalid here */
			if (e[i]->kind == 'i' && c >= 0) {
				vulnerable = true;
				next_fix = NULL;
			} else if (e[i]->kind == 'f' && c >= 0) {
				vulnerable = false;
			} else if (e[i]->kind == 'l' && c > 0) {
				vulnerable = false;
			} else if (vulnerable && e[i]->kind == 'f' && !next_fix) {
				next_fix = e[i]->version;
			} else if (vulnerable && e[i]->kind == 'l' && !next_fix) {
				next_fix = ""; /* last_affected: no fixed version known */
			}
		}
		if (vulnerable) {
			if (next_fix && *next_fix) {
				/* of several matching ranges, the higher fix */
				bool ok;
				if (!*has_fix || cmp_ver(rs, next_fix, fixed, &ok) > 0)
					mamori_vuln_copy_cut(fixed, fixed_cap, next_fix, strlen(next_fix));
				*has_fix = true;
			}
			affected = true;
		}
	}
	if (!affected && any_git && !any_version_range && !(versions && *versions))
		*git_only = true;
	return affected;
}

/* ---- collecting hits ---- */

typedef struct hit {
	int64_t advisory;
	int db;
	bool owned; /* the strings are copies (else they live in the index blocks read) */
	char *id, *aliases, *summary, *details, *severity, *asev, *db_sev, *urgency, *published,
		*modified, *refs, *eco;
	char fixed[128];
	bool has_fix;
	int group;
} hit;

typedef struct collect {
	const vuln_pkg *pkg;
	vuln_scheme scheme;
	const char *version;
	const char *release; /* the package's ecosystem release, "" for none */
	int db;
	hit *hits;
	size_t n, cap;
	vuln_matches *out;
	char fixed[128]; /* what on_entry found for the entry on_hit receives */
	bool has_fix;
} collect;

static char *dup(const char *s)
{
	return s ? mamori_xstrdup(s) : NULL;
}

static char *keep(const char *s)
{
	return (char *)s;
}

/* the advisory's release fits the package's: "12" = "12"; "22.04:LTS" fits "22.04" */
static bool release_fits(const char *adv, const char *pkg)
{
	if (!*adv)
		return true;
	size_t n = strlen(pkg);
	return !strncmp(adv, pkg, n) && (adv[n] == '\0' || adv[n] == ':');
}

/* on the affected entry alone: release and ranges */
static bool on_entry(void *ud, const vuln_db_hit *h)
{
	collect *c = ud;
	if (!release_fits(h->release, c->release))
		return false;
	bool git_only;
	bool aff = mamori_vuln_affects(c->scheme, c->version, h->ranges, h->versions, c->fixed,
				       sizeof c->fixed, &c->has_fix, &git_only,
				       &c->out->invalid_versions);
	if (git_only)
		c->out->git_only++;
	return aff;
}

static void on_hit(void *ud, const vuln_db_hit *h)
{
	collect *c = ud;
	char fixed[128];
	bool has_fix = c->has_fix;
	memcpy(fixed, c->fixed, sizeof fixed);
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->hits[i].id, h->id) && c->hits[i].db != c->db)
			return; /* an earlier database had it */
	if (h->withdrawn) {
		c->out->withdrawn_skipped++;
		return;
	}
	/* the same advisory twice (several affected[] entries): merge fixes */
	for (size_t i = 0; i < c->n; i++)
		if (c->hits[i].advisory == h->advisory && c->hits[i].db == c->db) {
			if (has_fix && !c->hits[i].has_fix) {
				mamori_vuln_copy_cut(c->hits[i].fixed, sizeof c->hits[i].fixed, fixed,
						     strlen(fixed));
				c->hits[i].has_fix = true;
			}
			return;
		}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->hits = mamori_xrealloc(c->hits, c->cap * sizeof *c->hits);
	}
	hit *x = &c->hits[c->n++];
	memset(x, 0, sizeof *x);
	x->advisory = h->advisory;
	x->db = c->db;
	/* strings from the index blocks outlive the match: no copies */
	char *(*cp)(const char *) = h->stable ? keep : dup;
	x->owned = !h->stable;
	x->id = cp(h->id);
	x->aliases = cp(h->aliases);
	x->summary = cp(h->summary);
	x->details = cp(h->details);
	x->severity = cp(h->severity);
	x->asev = cp(h->affected_severity);
	x->db_sev = cp(h->db_severity);
	x->urgency = cp(h->urgency);
	x->published = cp(h->published);
	x->modified = cp(h->modified);
	x->refs = cp(h->refs);
	x->eco = cp(h->ecosystem);
	mamori_vuln_copy_cut(x->fixed, sizeof x->fixed, fixed, strlen(fixed));
	x->has_fix = has_fix;
	x->group = -1;
}

static void hit_free(hit *h)
{
	if (!h->owned)
		return;
	char *all[] = {h->id,	    h->aliases,	 h->summary, h->details, h->severity, h->asev,
		       h->db_sev,   h->urgency,	 h->published, h->modified, h->refs, h->eco};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		free(all[i]);
}

/* does token t (length n) appear in the space-separated list s, or equal id? */
static bool has_token(const char *s, const char *t, size_t n)
{
	for (const char *p = s; p && *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && !memcmp(p, t, n))
			return true;
		p += k;
		while (*p == ' ')
			p++;
	}
	return false;
}

static bool related(const hit *a, const hit *b)
{
	if (has_token(b->aliases, a->id, strlen(a->id)) || has_token(a->aliases, b->id, strlen(b->id)))
		return true;
	for (const char *p = a->aliases; p && *p;) {
		size_t k = strcspn(p, " ");
		if (k && has_token(b->aliases, p, k))
			return true;
		p += k;
		while (*p == ' ')
			p++;
	}
	return false;
}

static void add_token(mamori_buf *b, const char *t, size_t n)
{
	if (!n || has_token(b->data, t, n))
		return;
	if (b->len)
		mamori_buf_putc(b, ' ');
	mamori_buf_append(b, t, n);
}

/* prefer a CVE id, then GHSA, then the first */
static int id_rank(const char *id)
{
	if (!strncmp(id, "CVE-", 4))
		return 0;
	if (!strncmp(id, "GHSA-", 5))
		return 1;
	return 2;
}

static void emit(collect *c, const vuln_inventory *inv, int group)
{
	vuln_matches *out = c->out;
	mamori_arena *a = &out->arena;
	mamori_buf ids = MAMORI_BUF_INIT, aliases = MAMORI_BUF_INIT;
	const hit *first = NULL;
	const char *display = NULL;
	int best = 3;
	for (size_t i = 0; i < c->n; i++) {
		const hit *h = &c->hits[i];
		if (h->group != group)
			continue;
		if (!first)
			first = h;
		add_token(&ids, h->id, strlen(h->id));
		if (id_rank(h->id) < best) {
			best = id_rank(h->id);
			display = h->id;
		}
		for (const char *p = h->aliases; p && *p;) {
			size_t k = strcspn(p, " ");
			char tmp[128];
			mamori_vuln_copy_cut(tmp, sizeof tmp, p, k);
			if (id_rank(tmp) < best) {
				best = id_rank(tmp);
				display = NULL;
			}
			add_token(&aliases, p, k);
			p += k;
			while (*p == ' ')
				p++;
		}
	}
	if (!first)
		return;
	char *disp = NULL;
	if (display) {
		disp = mamori_arena_strdup(a, display);
	} else {
		/* the best id is an alias: find it */
		for (const char *p = aliases.data; p && *p;) {
			size_t k = strcspn(p, " ");
			char tmp[128];
			mamori_vuln_copy_cut(tmp, sizeof tmp, p, k);
			if (id_rank(tmp) == best) {
				disp = mamori_arena_strdup(a, tmp);
				break;
			}
			p += k;
			while (*p == ' ')
				p++;
		}
	}
	if (out->count == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->items = mamori_xrealloc(out->items, out->cap * sizeof *out->items);
	}
	vuln_match *m = &out->items[out->count++];
	memset(m, 0, sizeof *m);
	m->inv = inv;
	m->pkg = c->pkg;
	m->id = disp ? disp : mamori_arena_strdup(a, first->id);
	m->advisories = mamori_arena_strdup(a, ids.data);
	/* aliases without the advisory ids themselves */
	mamori_buf other = MAMORI_BUF_INIT;
	for (const char *p = aliases.data; p && *p;) {
		size_t k = strcspn(p, " ");
		if (!has_token(ids.data, p, k))
			add_token(&other, p, k);
		p += k;
		while (*p == ' ')
			p++;
	}
	m->aliases = mamori_arena_strdup(a, other.data ? other.data : "");
	mamori_buf_free(&other);
	m->compared = c->version;
	m->epss = m->epss_percentile = -1;
	/* fix: the highest fix of the group's advisories */
	bool any_fix = false, any_unfixed = false;
	const char *fix = NULL;
	cJSON *vectors = cJSON_CreateArray();
	vuln_cvss best_cvss = {0};
	bool have_cvss = false;
	for (size_t i = 0; i < c->n; i++) {
		const hit *h = &c->hits[i];
		if (h->group != group)
			continue;
		if (h->has_fix) {
			bool ok;
			if (!fix || cmp_ver(c->scheme, h->fixed, fix, &ok) > 0)
				fix = h->fixed;
			any_fix = true;
		} else {
			any_unfixed = true;
		}
		/* copies only of what is not in the index blocks */
#define KEEP(s) (h->owned ? mamori_arena_strdup(a, (s)) : (s))
		if (!m->summary && h->summary)
			m->summary = KEEP(h->summary);
		if (!m->details && h->details)
			m->details = KEEP(h->details);
		/* urgency is the Debian security tracker's word; elsewhere it means nothing */
		const char *urgency = h->eco && (!strncmp(h->eco, "Debian", 6) ||
						 !strncmp(h->eco, "Ubuntu", 6))
					      ? h->urgency
					      : NULL;
		if (!m->vendor_severity && (urgency || h->db_sev))
			m->vendor_severity = KEEP(urgency ? urgency : h->db_sev);
		if (urgency && !strcmp(urgency, "unimportant"))
			m->unimportant = true;
		if (!m->published || (h->published && strcmp(h->published, m->published) < 0))
			m->published = h->published ? KEEP(h->published) : m->published;
		if (!m->modified || (h->modified && strcmp(h->modified, m->modified) > 0))
			m->modified = h->modified ? KEEP(h->modified) : m->modified;
		if (!m->refs && h->refs)
			m->refs = KEEP(h->refs);
		if (!m->ecosystem)
			m->ecosystem = KEEP(h->eco);
#undef KEEP
		/* CVSS vectors from the advisory and the affected entry */
		const char *sources[2] = {h->severity, h->asev};
		for (int s = 0; s < 2; s++) {
			cJSON *arr = sources[s] ? cJSON_Parse(sources[s]) : NULL;
			const cJSON *sv;
			cJSON_ArrayForEach(sv, arr)
			{
				const char *score = mamori_json_str(sv, "score");
				vuln_cvss cv;
				if (!score || mamori_vuln_cvss_score(score, &cv))
					continue;
				bool dup_vec = false;
				const cJSON *ex;
				cJSON_ArrayForEach(ex, vectors)
					if (!strcmp(mamori_json_str(ex, "vector"), score))
						dup_vec = true;
				if (dup_vec)
					continue;
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "version",
							mamori_vuln_cvss_version_name(cv.version));
				cJSON_AddNumberToObject(o, "score", cv.score);
				cJSON_AddStringToObject(o, "vector", score);
				cJSON_AddStringToObject(o, "source", h->id);
				cJSON_AddItemToArray(vectors, o);
				/* prefer v3.x, then v4.0, then v2; the highest score within */
				int rank = cv.version == 31 || cv.version == 30 ? 3 : cv.version == 40 ? 2 : 1;
				int brank = !have_cvss ? 0
					    : best_cvss.version == 31 || best_cvss.version == 30 ? 3
					    : best_cvss.version == 40 ? 2
								      : 1;
				if (rank > brank || (rank == brank && cv.score > best_cvss.score)) {
					best_cvss = cv;
					have_cvss = true;
				}
			}
			cJSON_Delete(arr);
		}
	}
	if (vectors->child) {
		char *vs = cJSON_PrintUnformatted(vectors);
		m->cvss_vectors = mamori_arena_strdup(a, vs);
		free(vs);
	} else {
		m->cvss_vectors = "[]"; /* most advisories (Debian's) carry none */
	}
	cJSON_Delete(vectors);
	m->cvss = best_cvss;
	m->has_cvss = have_cvss;
	m->fixed = any_fix ? mamori_arena_strdup(a, fix) : NULL;
	m->partial_fix = any_fix && any_unfixed;
	mamori_buf_free(&ids);
	mamori_buf_free(&aliases);
}

static const char *release_of(const char *eco)
{
	const char *c = eco ? strchr(eco, ':') : NULL;
	return c ? c + 1 : "";
}

static int match_all(mamori_ctx *ctx, vuln_db *const *dbs, size_t ndb, const vuln_inventory *inv,
		     vuln_matches *out);

int mamori_vuln_match(mamori_ctx *ctx, vuln_db *const *dbs, size_t ndb, const vuln_inventory *inv,
		      vuln_matches *out)
{
	for (size_t d = 0; d < ndb; d++)
		mamori_vuln_db_read_begin(dbs[d]);
	int rc = match_all(ctx, dbs, ndb, inv, out);
	for (size_t d = 0; d < ndb; d++)
		mamori_vuln_db_read_end(dbs[d]);
	return rc;
}

/* FNV-1a over name, version and arch: the identity of a package in one
 * inventory (npm installs the same name@version at several paths) */
static uint64_t pkg_hash(const vuln_pkg *p)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[3] = {p->name, p->version, p->arch ? p->arch : ""};
	for (int i = 0; i < 3; i++) {
		for (const char *s = parts[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	return h;
}

static bool same_pkg(const vuln_pkg *a, const vuln_pkg *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->version, b->version) &&
	       !strcmp(a->arch ? a->arch : "", b->arch ? b->arch : "");
}

static int match_all(mamori_ctx *ctx, vuln_db *const *dbs, size_t ndb, const vuln_inventory *inv,
		     vuln_matches *out)
{
	/* a set of the packages already matched, to skip exact duplicates */
	size_t cap = 16;
	while (cap < inv->count * 2)
		cap *= 2;
	size_t *seen = mamori_xcalloc(cap, sizeof *seen); /* index + 1, 0 = empty */
	for (size_t i = 0; i < inv->count; i++) {
		const vuln_pkg *p = &inv->pkgs[i];
		if (!p->ecosystem)
			continue;
		bool dup_pkg = false;
		size_t slot = (size_t)pkg_hash(p) & (cap - 1);
		for (; seen[slot]; slot = (slot + 1) & (cap - 1))
			if (same_pkg(&inv->pkgs[seen[slot] - 1], p)) {
				dup_pkg = true;
				break;
			}
		if (dup_pkg)
			continue;
		seen[slot] = i + 1;
		collect c = {.pkg = p, .out = out};
		c.scheme = mamori_vuln_scheme_parse(p->ecosystem);
		c.release = release_of(p->ecosystem);
		char base[64];
		size_t bn = strcspn(p->ecosystem, ":");
		mamori_vuln_copy_cut(base, sizeof base, p->ecosystem, bn);
		/* which names and version the advisories use */
		const char *names[2] = {p->name, NULL};
		c.version = p->version;
		if (c.scheme == VULN_SCHEME_DPKG || c.scheme == VULN_SCHEME_APK) {
			if (p->source_name)
				names[0] = p->source_name;
			if (p->source_version)
				c.version = p->source_version;
		} else if (c.scheme == VULN_SCHEME_RPM && p->source_name &&
			   strcmp(p->source_name, p->name) != 0) {
			names[1] = p->source_name;
		}
		if (mamori_vuln_version_invalid(c.scheme, c.version))
			continue;
		for (size_t d = 0; d < ndb; d++) {
			c.db = (int)d;
			for (int k = 0; k < 2 && names[k]; k++) {
				int rc = mamori_vuln_db_lookup(ctx, dbs[d], base, names[k], on_entry,
							       on_hit, &c);
				if (rc) {
					for (size_t h = 0; h < c.n; h++)
						hit_free(&c.hits[h]);
					free(c.hits);
					free(seen);
					return rc;
				}
			}
		}
		/* group by aliases (union by repeated merging; groups are tiny) */
		int groups = 0;
		for (size_t a = 0; a < c.n; a++) {
			if (c.hits[a].group >= 0)
				continue;
			c.hits[a].group = groups;
			bool grew = true;
			while (grew) {
				grew = false;
				for (size_t b = 0; b < c.n; b++) {
					if (c.hits[b].group >= 0)
						continue;
					for (size_t x = 0; x < c.n; x++)
						if (c.hits[x].group == groups &&
						    related(&c.hits[x], &c.hits[b])) {
							c.hits[b].group = groups;
							grew = true;
							break;
						}
				}
			}
			groups++;
		}
		for (int g = 0; g < groups; g++) {
			emit(&c, inv, g);
			mamori_vuln_prioritize(dbs, ndb, out, &out->items[out->count - 1]);
		}
		if (out->on_package) {
			if (out->count)
				out->on_package(out->ud, out);
			out->count = 0;
			mamori_arena_free(&out->arena);
			/* nothing points into this package's index blocks any more */
			for (size_t d = 0; d < ndb; d++)
				mamori_vuln_db_release(dbs[d]);
		}
		for (size_t h = 0; h < c.n; h++)
			hit_free(&c.hits[h]);
		free(c.hits);
	}
	free(seen);
	return MAMORI_OK;
}
