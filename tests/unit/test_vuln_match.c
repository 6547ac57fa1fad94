/*
 * test_vuln_match.c — OSV semantics and the exact matches expected for the
 * real records, lockfiles and package databases of the corpus.
 *
 *  - range events: introduced (inclusive, "0"), fixed (exclusive),
 *    last_affected (inclusive), several intervals, explicit versions[],
 *    GIT ranges recorded not matched, withdrawn skipped, invalid events;
 *  - ecosystems: release suffixes (Debian:12 vs Debian:11, Ubuntu's
 *    ":LTS"), distro packages never against upstream, Debian source names
 *    and versions, epochs;
 *  - aliases merged (one CVE is one match), unfixed, Debian "unimportant";
 *  - prioritisation with KEV/EPSS, installed vs declared;
 *  - corpus: osv/real against the lockfiles, trivy's fixture advisories
 *    against the real Ubuntu and Alpine databases.
 */
#include "testutil.h"
#include "../core/yaml.h"
#include "vuln/collect.h"
#include "vuln/match.h"
#include "vuln/vdb_internal.h"

static vuln_db *mem_db(mamori_ctx *ctx)
{
	vuln_db *db;
	assert_int_equal(mamori_vuln_db_open(ctx, ":memory:", VULN_DB_CREATE, &db), 0);
	return db;
}

static void import(mamori_ctx *ctx, vuln_db *db, const char *json, size_t expect_problems)
{
	vuln_import_stats st;
	assert_int_equal(mamori_vuln_db_import_buf(ctx, db, "test.json", json, strlen(json), "test",
						   &st, NULL, NULL),
			 0);
	assert_int_equal(st.problems, expect_problems);
}

static vuln_pkg *add(vuln_inventory *inv, const char *eco, const char *name, const char *ver)
{
	vuln_pkg *p = mamori_vuln_inventory_add(inv);
	p->ecosystem = eco;
	p->name = name;
	p->version = ver;
	return p;
}

static const vuln_match *find(const vuln_matches *ms, const char *pkg, const char *id)
{
	for (size_t i = 0; i < ms->count; i++)
		if (!strcmp(ms->items[i].pkg->name, pkg) && !strcmp(ms->items[i].id, id))
			return &ms->items[i];
	return NULL;
}

static size_t count_for(const vuln_matches *ms, const char *pkg)
{
	size_t n = 0;
	for (size_t i = 0; i < ms->count; i++)
		n += !strcmp(ms->items[i].pkg->name, pkg);
	return n;
}

static void run_match(mamori_ctx *ctx, vuln_db *db, vuln_inventory *inv, vuln_matches *ms)
{
	mamori_vuln_matches_init(ms);
	vuln_db *dbs[1] = {db};
	assert_int_equal(mamori_vuln_match(ctx, dbs, 1, inv, ms), 0);
}

#define REC(id, extra, affected)                                                               \
	"{\"id\":\"" id "\",\"modified\":\"2024-01-01T00:00:00Z\"" extra ",\"affected\":[" affected \
	"]}"
#define AFF(eco, name, ranges) "{\"package\":{\"ecosystem\":\"" eco "\",\"name\":\"" name "\"}," ranges "}"
#define RANGE(type, events) "\"ranges\":[{\"type\":\"" type "\",\"events\":[" events "]}]"

static void test_range_events(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db = mem_db(ctx);
	import(ctx, db,
	       "[" REC("T-1", "", AFF("npm", "a", RANGE("SEMVER", "{\"introduced\":\"1.0.0\"},{\"fixed\":\"2.0.0\"}"))) ","
	       REC("T-2", "", AFF("npm", "b", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"last_affected\":\"1.2.3\"}"))) ","
	       REC("T-3", "", AFF("npm", "c", RANGE("ECOSYSTEM", "{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.2.0\"},{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.3.0\"}"))) ","
	       REC("T-4", "", "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"d\"},\"versions\":[\"3.0.0\",\"3.0.1\"]}") ","
	       REC("T-5", "", AFF("npm", "e", RANGE("GIT", "{\"introduced\":\"abc\"},{\"fixed\":\"def\"}"))) ","
	       REC("T-6", ",\"withdrawn\":\"2024-02-01T00:00:00Z\"", AFF("npm", "f", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"}"))) ","
	       REC("T-7", "", AFF("npm", "g", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"not a version\"},{\"fixed\":\"2.0.0\"}"))) ","
	       REC("T-8", "", AFF("PyPI", "Django_Rest.framework", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"3.15.2\"}"))) ","
	       REC("T-9", "", "{\"package\":{\"ecosystem\":\"Go\",\"name\":\"h\"},\"versions\":[\"1.2.3\"]}")
	       "]",
	       0);
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_LOCKFILE, "lock");
	static const struct {
		const char *name, *ver, *fixed; /* fixed "-" = not affected, NULL = unfixed */
	} cases[] = {
		{"a", "0.9.0", "-"}, {"a", "1.0.0", "2.0.0"}, {"a", "1.5.0", "2.0.0"}, {"a", "2.0.0", "-"},
		{"b", "1.2.3", NULL}, {"b", "1.2.4", "-"},    {"c", "1.1.0", "1.2.0"}, {"c", "1.5.0", "-"},
		{"c", "2.1.0", "2.3.0"}, {"c", "2.3.0", "-"}, {"d", "3.0.1", NULL},   {"d", "3.0.2", "-"},
		{"e", "1.0.0", "-"},  {"f", "1.0.0", "-"},    {"g", "1.0.0", "2.0.0"},
		{"django-rest-framework", "3.14.0", "3.15.2"},
		{"h", "v1.2.3", NULL}, /* Go: OSV lists "1.2.3", go.mod says "v1.2.3" */
	};
	size_t n = sizeof cases / sizeof *cases;
	for (size_t i = 0; i < n; i++) {
		vuln_inventory one;
		mamori_vuln_inventory_init(&one, VULN_INV_LOCKFILE, "lock");
		add(&one,
		    cases[i].name[0] == 'd' && cases[i].name[1] ? "PyPI"
		    : cases[i].name[0] == 'h'			  ? "Go"
								  : "npm",
		    cases[i].name, cases[i].ver);
		vuln_matches ms;
		run_match(ctx, db, &one, &ms);
		if (cases[i].fixed && !strcmp(cases[i].fixed, "-")) {
			if (ms.count)
				fail_msg("%s %s: unexpected match %s", cases[i].name, cases[i].ver,
					 ms.items[0].id);
		} else {
			if (ms.count != 1)
				fail_msg("%s %s: %zu matches", cases[i].name, cases[i].ver, ms.count);
			if (cases[i].fixed)
				assert_string_equal(ms.items[0].fixed, cases[i].fixed);
			else
				assert_null(ms.items[0].fixed);
		}
		if (!strcmp(cases[i].name, "e"))
			assert_int_equal(ms.git_only, 1);
		if (!strcmp(cases[i].name, "f"))
			assert_int_equal(ms.withdrawn_skipped, 1);
		if (!strcmp(cases[i].name, "g"))
			assert_int_equal(ms.invalid_versions, 1);
		mamori_vuln_matches_free(&ms);
		mamori_vuln_inventory_free(&one);
	}
	mamori_vuln_inventory_free(&inv);
	mamori_vuln_db_close(db);
	mamori_ctx_free(ctx);
}

static void test_ecosystems_and_aliases(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db = mem_db(ctx);
	import(ctx, db,
	       "[" REC("DEB-12", ",\"upstream\":[\"CVE-2024-0001\"]",
		       AFF("Debian:12", "openssl", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"3.0.13-1~deb12u1\"}"))) ","
	       REC("DEB-11", ",\"upstream\":[\"CVE-2024-0002\"]",
		       AFF("Debian:11", "openssl", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"1.1.1w-0+deb11u1\"}"))) ","
	       REC("EPOCH-1", ",\"upstream\":[\"CVE-2024-0003\"]",
		       AFF("Debian:12", "openssh", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"1:9.2p1-2+deb12u3\"}"))) ","
	       REC("UBU-1", "", AFF("Ubuntu:22.04:LTS", "bash", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"5.1-6ubuntu1.1\"}"))) ","
	       REC("UP-1", ",\"aliases\":[\"CVE-2024-0001\"]",
		       AFF("npm", "openssl", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"}"))) ","
	       REC("GHSA-aaaa", ",\"aliases\":[\"CVE-2024-0100\"],\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]",
		       AFF("crates.io", "x", RANGE("SEMVER", "{\"introduced\":\"0\"},{\"fixed\":\"1.0.1\"}"))) ","
	       REC("RUSTSEC-2024-1", ",\"aliases\":[\"GHSA-aaaa\",\"CVE-2024-0100\"]",
		       AFF("crates.io", "x", RANGE("SEMVER", "{\"introduced\":\"0\"},{\"fixed\":\"1.0.2\"}"))) ","
	       REC("DEB-U", ",\"upstream\":[\"CVE-2005-2541\"]",
		       "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"tar\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}],\"ecosystem_specific\":{\"urgency\":\"unimportant\"}}")
	       "]",
	       0);
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "h");
	vuln_pkg *p = add(&inv, "Debian:12", "libssl3", "3.0.11-1~deb12u2+b1");
	p->source_name = "openssl";
	p->source_version = "3.0.11-1~deb12u2"; /* binNMU: advisories use the source version */
	p->installed = true;
	p = add(&inv, "Debian:12", "openssh-server", "1:9.2p1-2+deb12u2");
	p->source_name = "openssh";
	p->installed = true;
	/* no epoch = epoch 0: older than any 1: version, so affected */
	p = add(&inv, "Debian:12", "openssh-client", "9.9p1-1");
	p->source_name = "openssh";
	p->installed = true;
	p = add(&inv, "Debian:12", "tar", "1.34+dfsg-1.2+deb12u1");
	p->installed = true;
	vuln_matches ms;
	run_match(ctx, db, &inv, &ms);
	const vuln_match *m = find(&ms, "libssl3", "CVE-2024-0001");
	assert_non_null(m);
	assert_string_equal(m->fixed, "3.0.13-1~deb12u1");
	assert_string_equal(m->compared, "3.0.11-1~deb12u2");
	assert_string_equal(m->advisories, "DEB-12"); /* never the npm upstream record */
	assert_int_equal(count_for(&ms, "libssl3"), 1);   /* not the Debian 11 one */
	assert_non_null(find(&ms, "openssh-server", "CVE-2024-0003"));
	assert_non_null(find(&ms, "openssh-client", "CVE-2024-0003"));
	m = find(&ms, "tar", "CVE-2005-2541");
	assert_non_null(m);
	assert_null(m->fixed);
	assert_true(m->unimportant);
	assert_int_equal(m->severity, MAMORI_SEV_LOW);
	assert_int_equal(m->priority, VULN_PRIO_DEFER);
	assert_non_null(strstr(m->reasons, "unimportant"));
	assert_string_equal(find(&ms, "openssh-server", "CVE-2024-0003")->upgrade,
			    "apt-get install --only-upgrade openssh-server");
	mamori_vuln_matches_free(&ms);
	mamori_vuln_inventory_free(&inv);

	/* Ubuntu: "22.04:LTS" advisories apply to 22.04 */
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "h");
	add(&inv, "Ubuntu:22.04", "bash", "5.1-6ubuntu1")->installed = true;
	add(&inv, "Ubuntu:20.04", "bash", "5.0-6ubuntu1")->installed = true;
	run_match(ctx, db, &inv, &ms);
	assert_int_equal(ms.count, 1);
	assert_string_equal(ms.items[0].pkg->version, "5.1-6ubuntu1");
	mamori_vuln_matches_free(&ms);
	mamori_vuln_inventory_free(&inv);

	/* aliases: GHSA + RUSTSEC of one CVE are one match, the higher fix */
	mamori_vuln_inventory_init(&inv, VULN_INV_LOCKFILE, "Cargo.lock");
	add(&inv, "crates.io", "x", "1.0.0");
	run_match(ctx, db, &inv, &ms);
	assert_int_equal(ms.count, 1);
	assert_string_equal(ms.items[0].id, "CVE-2024-0100");
	assert_string_equal(ms.items[0].advisories, "GHSA-aaaa RUSTSEC-2024-1");
	assert_string_equal(ms.items[0].fixed, "1.0.2");
	assert_true(ms.items[0].has_cvss);
	assert_int_equal(ms.items[0].severity, MAMORI_SEV_CRITICAL);
	/* critical but only declared: one step lower than out-of-cycle */
	assert_int_equal(ms.items[0].priority, VULN_PRIO_SCHEDULED);
	assert_string_equal(ms.items[0].upgrade, "cargo update -p x --precise 1.0.2");
	mamori_vuln_matches_free(&ms);
	mamori_vuln_inventory_free(&inv);
	mamori_vuln_db_close(db);
	mamori_ctx_free(ctx);
}

static void test_kev_epss_priority(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db = mem_db(ctx);
	import(ctx, db,
	       "[" REC("K-1", ",\"aliases\":[\"CVE-2023-4911\"],\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H\"}]",
		       AFF("Amazon Linux:2023", "glibc", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"2.34-52.amzn2023.0.8\"}"))) ","
	       REC("E-1", ",\"aliases\":[\"CVE-2024-6387\"],\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]",
		       AFF("Amazon Linux:2023", "openssh", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"8.7p1-8.amzn2023.0.11\"}")))
	       "]",
	       0);
	const char *kev = "{\"catalogVersion\":\"1\",\"vulnerabilities\":[{\"cveID\":\"CVE-2023-4911\","
			  "\"dateAdded\":\"2023-11-21\"}]}";
	import(ctx, db, kev, 0);
	/* the KEV catalogue as CSV too (quoted fields with commas) */
	const char *kev_csv = "cveID,vendorProject,product,vulnerabilityName,dateAdded,"
			      "shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,"
			      "notes\nCVE-2021-44228,Apache,Log4j2,\"Apache Log4j2 RCE, JNDI\","
			      "2021-12-10,\"desc, with comma\",Apply updates.,2021-12-24,Known,\n";
	vuln_import_stats kst;
	assert_int_equal(mamori_vuln_db_import_buf(ctx, db, "kev.csv", kev_csv, strlen(kev_csv), "kev",
						   &kst, NULL, NULL),
			 0);
	assert_int_equal(kst.kev, 1);
	char kd[16];
	double e0, p0;
	assert_int_equal(mamori_vuln_db_threat(db, "CVE-2021-44228", kd, &e0, &p0), 0);
	assert_string_equal(kd, "2021-12-10");
	const char *epss = "#model_version:v2023.03.01\ncve,epss,percentile\nCVE-2024-6387,0.60,0.98\n";
	vuln_import_stats st;
	assert_int_equal(mamori_vuln_db_import_buf(ctx, db, "epss.csv", epss, strlen(epss), "epss", &st,
						   NULL, NULL),
			 0);
	assert_int_equal(st.epss, 1);
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "h");
	add(&inv, "Amazon Linux:2023", "glibc", "2.34-52.amzn2023.0.7")->installed = true;
	add(&inv, "Amazon Linux:2023", "openssh", "8.7p1-8.amzn2023.0.4")->installed = true;
	vuln_matches ms;
	run_match(ctx, db, &inv, &ms);
	const vuln_match *g = find(&ms, "glibc", "CVE-2023-4911");
	assert_non_null(g);
	assert_string_equal(g->kev_date, "2023-11-21");
	assert_int_equal(g->priority, VULN_PRIO_IMMEDIATE);
	assert_non_null(strstr(g->reasons, "KEV"));
	const vuln_match *o = find(&ms, "openssh", "CVE-2024-6387");
	assert_true(o->epss > 0.59 && o->epss < 0.61);
	assert_int_equal(o->priority, VULN_PRIO_IMMEDIATE); /* EPSS >= 0.5, HIGH, network */
	assert_string_equal(o->upgrade, "dnf update openssh");
	mamori_vuln_matches_free(&ms);
	mamori_vuln_inventory_free(&inv);
	mamori_vuln_db_close(db);
	mamori_ctx_free(ctx);
}

/* import problems name the file and record; the good records stay */
static void test_bad_records(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db = mem_db(ctx);
	import(ctx, db,
	       "[" REC("OK-1", "", AFF("npm", "ok", RANGE("ECOSYSTEM", "{\"introduced\":\"0\"}"))) ","
	       "{\"modified\":\"x\"},"
	       REC("BAD-1", "", "{\"package\":{\"ecosystem\":\"npm\"}}") ","
	       REC("BAD-2", "", AFF("npm", "b", RANGE("NOPE", "{\"introduced\":\"0\"}"))) ","
	       "42]",
	       4);
	vuln_db_status s;
	mamori_vuln_db_status(ctx, db, &s);
	assert_int_equal(s.advisories, 1);
	mamori_vuln_db_status_free(&s);
	vuln_import_stats st;
	const char *trunc = "{\"id\":\"X\",\"affected\":[{\"package\":";
	assert_int_equal(mamori_vuln_db_import_buf(ctx, db, "cut.json", trunc, strlen(trunc), "t", &st,
						   NULL, NULL),
			 0);
	assert_int_equal(st.problems, 1);
	mamori_vuln_db_close(db);
	mamori_ctx_free(ctx);
}

/* the real OSV records against the corpus lockfiles: exactly these */
static void test_corpus_lockfiles(void **state)
{
	(void)state;
	const char *corpora = test_corpora();
	if (!corpora)
		skip();
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db = mem_db(ctx);
	char *osv = test_path(corpora, "vuln/osv/real");
	vuln_import_stats st;
	assert_int_equal(mamori_vuln_db_import(ctx, db, osv, "real", &st, NULL, NULL), 0);
	assert_int_equal(st.advisories, 32);
	assert_int_equal(st.problems, 0);
	assert_int_equal(st.git_ranges, 2);
	free(osv);
	char *lock = test_path(corpora, "vuln/lockfiles");
	mamori_target *t;
	assert_int_equal(mamori_target_open(ctx, lock, &t), 0);
	vuln_invset set = {0};
	mamori_vuln_collect_target(ctx, t, &set);
	static const struct {
		const char *file, *pkg, *ver, *id, *fixed;
	} want[] = {
		{"trivy/trivy-ci-test/Cargo.lock", "smallvec", "0.6.9", "CVE-2021-25900", "0.6.14"},
		{"trivy/trivy-ci-test/Cargo.lock", "remove_dir_all", "0.5.1", "GHSA-mc8h-8q98-g5hr", "0.8.0"},
		{"trivy/pnpm/pnpm-lock.yaml", "lodash", "4.17.4", "CVE-2019-10744", "4.17.12"},
		{"trivy/pnpm/pnpm-lock.yaml", "jquery", "3.3.9", "CVE-2019-11358", "3.4.0"},
		{"trivy/npm/package-lock.json", "jquery", "3.3.9", "CVE-2019-11358", "3.4.0"},
		{"trivy/yarn/yarn.lock", "jquery", "3.2.1", "CVE-2019-11358", "3.4.0"},
		{"trivy/gomod/go.mod", "golang.org/x/net", "v0.0.0-20211111083644-e5c967477495",
		 "CVE-2022-41717", "0.4.0"},
		{"trivy/gomod/go.mod", "golang.org/x/net", "v0.0.0-20211111083644-e5c967477495",
		 "CVE-2022-41723", "0.7.0"},
	};
	size_t n = sizeof want / sizeof *want, total = 0;
	bool seen[16] = {0};
	vuln_db *dbs[1] = {db};
	for (size_t i = 0; i < set.count; i++) {
		vuln_matches ms;
		mamori_vuln_matches_init(&ms);
		assert_int_equal(mamori_vuln_match(ctx, dbs, 1, &set.items[i], &ms), 0);
		for (size_t k = 0; k < ms.count; k++) {
			const vuln_match *m = &ms.items[k];
			size_t w;
			for (w = 0; w < n; w++)
				if (!strcmp(set.items[i].name, want[w].file) &&
				    !strcmp(m->pkg->name, want[w].pkg) && !strcmp(m->pkg->version, want[w].ver) &&
				    !strcmp(m->id, want[w].id) && m->fixed && !strcmp(m->fixed, want[w].fixed))
					break;
			if (w == n)
				fail_msg("unexpected: %s %s %s %s", set.items[i].name, m->pkg->name, m->id,
					 m->fixed ? m->fixed : "unfixed");
			seen[w] = true;
			total++;
		}
		mamori_vuln_matches_free(&ms);
	}
	for (size_t w = 0; w < n; w++)
		if (!seen[w])
			fail_msg("missing: %s %s %s", want[w].file, want[w].pkg, want[w].id);
	assert_int_equal(total, n);
	mamori_vuln_invset_free(&set);
	mamori_target_free(t);
	free(lock);
	mamori_vuln_db_close(db);
	mamori_ctx_free(ctx);
}

/* trivy's fixture advisories ("ubuntu 18.04" bucket -> package -> CVE ->
 * FixedVersion) as OSV records, against real package databases */
static void import_trivy_yaml(mamori_ctx *ctx, vuln_db *db, const char *file, const char *prefix,
			      const char *eco_prefix)
{
	char *path = test_path(test_corpora(), file);
	mamori_buf b = MAMORI_BUF_INIT;
	assert_int_equal(mamori_buf_read_file(ctx, &b, path, 0), 0);
	cJSON *doc = mamori_yaml_parse(ctx, path, b.data, b.len);
	assert_non_null(doc);
	cJSON *out = cJSON_CreateArray();
	const cJSON *bucket;
	cJSON_ArrayForEach(bucket, doc)
	{
		const char *name = mamori_json_str(bucket, "bucket");
		if (!name || strncmp(name, prefix, strlen(prefix)))
			continue;
		char eco[64];
		snprintf(eco, sizeof eco, "%s%s", eco_prefix, name + strlen(prefix));
		const cJSON *pkg;
		cJSON_ArrayForEach(pkg, mamori_json_get(bucket, "pairs"))
		{
			const cJSON *pair;
			cJSON_ArrayForEach(pair, mamori_json_get(pkg, "pairs"))
			{
				const char *cve = mamori_json_str(pair, "key");
				const char *fixed = mamori_json_str(mamori_json_get(pair, "value"),
								    "FixedVersion");
				char id[128];
				snprintf(id, sizeof id, "%s/%s/%s", eco, mamori_json_str(pkg, "bucket"), cve);
				cJSON *r = cJSON_CreateObject();
				cJSON_AddStringToObject(r, "id", id);
				cJSON *al = cJSON_AddArrayToObject(r, "aliases");
				cJSON_AddItemToArray(al, cJSON_CreateString(cve));
				cJSON *a = cJSON_CreateObject();
				cJSON *p = cJSON_AddObjectToObject(a, "package");
				cJSON_AddStringToObject(p, "ecosystem", eco);
				cJSON_AddStringToObject(p, "name", mamori_json_str(pkg, "bucket"));
				cJSON *range = cJSON_CreateObject();
				cJSON_AddStringToObject(range, "type", "ECOSYSTEM");
				cJSON *ev = cJSON_AddArrayToObject(range, "events");
				cJSON *i0 = cJSON_CreateObject();
				cJSON_AddStringToObject(i0, "introduced", "0");
				cJSON_AddItemToArray(ev, i0);
				if (fixed) {
					cJSON *fx = cJSON_CreateObject();
					cJSON_AddStringToObject(fx, "fixed", fixed);
					cJSON_AddItemToArray(ev, fx);
				}
				cJSON_AddItemToArray(cJSON_AddArrayToObject(a, "ranges"), range);
				cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "affected"), a);
				cJSON_AddItemToArray(out, r);
			}
		}
	}
	char *json = cJSON_PrintUnformatted(out);
	import(ctx, db, json, 0);
	free(json);
	cJSON_Delete(out);
	cJSON_Delete(doc);
	mamori_buf_free(&b);
	free(path);
}

static void test_corpus_trivy_fixtures(void **state)
{
	(void)state;
	if (!test_corpora())
		skip();
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db = mem_db(ctx);
	import_trivy_yaml(ctx, db, "vuln/trivy-fixture-db/ubuntu.yaml", "ubuntu ", "Ubuntu:");
	import_trivy_yaml(ctx, db, "vuln/trivy-fixture-db/alpine.yaml", "alpine ", "Alpine:v");
	/* trivy-valid.status is an Ubuntu 18.04 database */
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "ubuntu");
	char *p = test_path(test_corpora(), "vuln/inventory/dpkg/trivy-valid.status");
	mamori_buf b = MAMORI_BUF_INIT;
	assert_int_equal(mamori_buf_read_file(ctx, &b, p, 0), 0);
	assert_int_equal(mamori_vuln_read_dpkg(ctx, p, b.data, b.len, &inv), 0);
	inv.os.id = "ubuntu";
	inv.os.version_id = "18.04";
	inv.os.ecosystem = "Ubuntu:18.04";
	mamori_vuln_finish_os(&inv);
	vuln_matches ms;
	run_match(ctx, db, &inv, &ms);
	/* bash 4.4.18-2ubuntu1: CVE-2019-18276 unfixed; CVE-2016-9401 fixed in 4.4-5ubuntu1 (older);
	 * the e2fsprogs source package's four binaries: CVE-2019-5094; nothing from 22.04 */
	assert_int_equal(ms.count, 5);
	assert_null(find(&ms, "bash", "CVE-2019-18276")->fixed);
	assert_null(find(&ms, "bash", "CVE-2016-9401"));
	static const char *const e2fs[] = {"e2fsprogs", "libcom-err2", "libss2", "libext2fs2"};
	for (int i = 0; i < 4; i++)
		assert_string_equal(find(&ms, e2fs[i], "CVE-2019-5094")->fixed, "1.44.1-1ubuntu1.2");
	mamori_vuln_matches_free(&ms);
	mamori_vuln_inventory_free(&inv);
	mamori_buf_free(&b);
	free(p);

	/* trivy's apk database against the "alpine 3.10" advisories */
	mamori_vuln_inventory_init(&inv, VULN_INV_IMAGE, "alpine");
	p = test_path(test_corpora(), "vuln/inventory/apk/trivy-apk.installed");
	assert_int_equal(mamori_buf_read_file(ctx, &b, p, 0), 0);
	mamori_vuln_read_apk(ctx, p, b.data, b.len, &inv);
	inv.os.id = "alpine";
	inv.os.version_id = "3.10.2";
	inv.os.ecosystem = "Alpine:v3.10";
	mamori_vuln_finish_os(&inv);
	run_match(ctx, db, &inv, &ms);
	/* musl and musl-utils (origin musl) < 1.1.20-r5; libcrypto1.0 and libssl1.0
	 * (origin openssl) < 1.1.1d-r0 and < 1.1.1d-r2 */
	assert_int_equal(ms.count, 6);
	assert_string_equal(find(&ms, "musl", "CVE-2019-14697")->fixed, "1.1.20-r5");
	assert_string_equal(find(&ms, "musl-utils", "CVE-2019-14697")->fixed, "1.1.20-r5");
	assert_string_equal(find(&ms, "libssl1.0", "CVE-2019-1551")->fixed, "1.1.1d-r2");
	assert_string_equal(find(&ms, "libcrypto1.0", "CVE-2019-1549")->fixed, "1.1.1d-r0");
	assert_string_equal(find(&ms, "musl", "CVE-2019-14697")->upgrade, "apk add -u musl");
	mamori_vuln_matches_free(&ms);
	mamori_vuln_inventory_free(&inv);
	mamori_buf_free(&b);
	free(p);
	mamori_vuln_db_close(db);
	mamori_ctx_free(ctx);
}

/* the real Debian records are for Debian 10/11: nothing on a Debian 12 host */
static void test_corpus_debian_release(void **state)
{
	(void)state;
	const char *corpora = test_corpora();
	if (!corpora)
		skip();
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db = mem_db(ctx);
	char *osv = test_path(corpora, "vuln/osv/real");
	assert_int_equal(mamori_vuln_db_import(ctx, db, osv, "real", NULL, NULL, NULL), 0);
	free(osv);
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "bookworm");
	char *p = test_path(corpora, "vuln/inventory/dpkg/debian12-bookworm-host.status");
	mamori_buf b = MAMORI_BUF_INIT;
	assert_int_equal(mamori_buf_read_file(ctx, &b, p, 0), 0);
	mamori_vuln_read_dpkg(ctx, p, b.data, b.len, &inv);
	inv.os.id = "debian";
	inv.os.version_id = "12";
	inv.os.ecosystem = "Debian:12";
	mamori_vuln_finish_os(&inv);
	vuln_matches ms;
	run_match(ctx, db, &inv, &ms);
	assert_int_equal(ms.count, 0);
	mamori_vuln_matches_free(&ms);
	/* the same unixodbc on Debian 10: the unfixed, unimportant CVE-2024-1013 */
	vuln_inventory d10;
	mamori_vuln_inventory_init(&d10, VULN_INV_HOST, "buster");
	vuln_pkg *u = add(&d10, "Debian:10", "libodbc1", "2.3.6-0.1");
	u->source_name = "unixodbc";
	u->installed = true;
	run_match(ctx, db, &d10, &ms);
	assert_int_equal(ms.count, 1);
	assert_string_equal(ms.items[0].id, "CVE-2024-1013");
	assert_null(ms.items[0].fixed);
	assert_int_equal(ms.items[0].severity, MAMORI_SEV_LOW);
	assert_int_equal(ms.items[0].priority, VULN_PRIO_DEFER);
	mamori_vuln_matches_free(&ms);
	mamori_vuln_inventory_free(&d10);
	mamori_vuln_inventory_free(&inv);
	mamori_buf_free(&b);
	free(p);
	mamori_vuln_db_close(db);
	mamori_ctx_free(ctx);
}

/* what a match says, as one line (the text is cut to the index's summary:
 * the index keeps the first 400 characters of the details) */
static void signature(mamori_buf *out, const vuln_match *m)
{
	const char *text = m->summary ? m->summary : m->details ? m->details : "";
	mamori_buf_printf(out, "%s %s %s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d|%d|%s|%s|%.40s\n",
			  m->inv->name, m->pkg->name, m->pkg->version, m->id, m->advisories,
			  m->aliases, m->fixed ? m->fixed : "-", m->ecosystem ? m->ecosystem : "-",
			  m->vendor_severity ? m->vendor_severity : "-",
			  m->published ? m->published : "-", m->modified ? m->modified : "-",
			  m->refs ? m->refs : "-", m->cvss_vectors, (int)m->severity,
			  (int)m->priority, m->reasons, m->upgrade ? m->upgrade : "-", text);
}

static void on_package_sig(void *ud, const vuln_matches *ms)
{
	for (size_t i = 0; i < ms->count; i++)
		signature(ud, &ms->items[i]);
}

/* every match of the targets through db, as signatures; streamed: through
 * on_package with the index blocks released between packages */
static size_t match_targets(mamori_ctx *ctx, const char *path, const char *const *targets,
			    size_t nt, bool streamed, mamori_buf *out)
{
	vuln_db *db;
	assert_int_equal(mamori_vuln_db_open(ctx, path, VULN_DB_READONLY, &db), 0);
	size_t n = 0;
	for (size_t t = 0; t < nt; t++) {
		mamori_target *tg;
		assert_int_equal(mamori_target_open(ctx, targets[t], &tg), 0);
		vuln_invset set = {0};
		mamori_vuln_collect_target(ctx, tg, &set);
		for (size_t i = 0; i < set.count; i++) {
			vuln_matches ms;
			mamori_vuln_matches_init(&ms);
			if (streamed) {
				ms.on_package = on_package_sig;
				ms.ud = out;
			}
			size_t before = out->len;
			vuln_db *dbs[1] = {db};
			assert_int_equal(mamori_vuln_match(ctx, dbs, 1, &set.items[i], &ms), 0);
			for (size_t k = 0; k < ms.count; k++)
				signature(out, &ms.items[k]);
			for (size_t k = before; k < out->len; k++)
				n += out->data[k] == '\n';
			mamori_vuln_matches_free(&ms);
		}
		mamori_vuln_invset_free(&set);
		mamori_target_free(tg);
	}
	mamori_vuln_db_close(db);
	return n;
}

static void count_hit(void *ud, const vuln_db_hit *h)
{
	assert_non_null(h->id);
	(*(size_t *)ud)++;
}

/* the index and SQLite answer the same, streamed or not; an index that is
 * stale, foreign or damaged is ignored (SQLite answers), never misread */
static void test_index_agrees(void **state)
{
	(void)state;
	const char *corpora = test_corpora();
	if (!corpora)
		skip();
	mamori_ctx *ctx = mamori_ctx_new();
	char *dir = test_tmpdir("vuln-index");
	char *path = test_path(dir, "vuln.db");
	vuln_db *db;
	assert_int_equal(mamori_vuln_db_open(ctx, path, VULN_DB_CREATE, &db), 0);
	char *osv = test_path(corpora, "vuln/osv/real");
	assert_int_equal(mamori_vuln_db_import(ctx, db, osv, "real", NULL, NULL, NULL), 0);
	free(osv);
	char *demo = test_path(getenv("MAMORI_SOURCE_DIR"), "examples/demo/advisories");
	assert_int_equal(mamori_vuln_db_import(ctx, db, demo, "demo", NULL, NULL, NULL), 0);
	free(demo);
	mamori_vuln_db_close(db);
	char *idx = test_path(dir, "vuln.db.idx");
	struct stat st;
	assert_int_equal(stat(idx, &st), 0); /* built by the import */

	/* the index answers (not SQLite): a lookup through it finds lodash */
	assert_int_equal(mamori_vuln_db_open(ctx, path, VULN_DB_READONLY, &db), 0);
	int irc = -1;
	size_t hits = 0;
	assert_true(mamori_vuln_db_index_lookup(db, "npm", "lodash", NULL, count_hit, &hits, &irc));
	assert_int_equal(irc, 0);
	assert_true(hits > 0);
	hits = 0;
	assert_true(mamori_vuln_db_index_lookup(db, "npm", "no-such-package", NULL, count_hit, &hits,
						&irc));
	assert_int_equal(hits, 0);
	mamori_vuln_db_close(db);

	char *lock = test_path(corpora, "vuln/lockfiles");
	char *hosts = test_path(getenv("MAMORI_SOURCE_DIR"), "examples/demo/hosts");
	const char *targets[] = {lock, hosts};
	mamori_buf via_index = MAMORI_BUF_INIT, streamed = MAMORI_BUF_INIT,
		   via_sqlite = MAMORI_BUF_INIT;
	size_t n_index = match_targets(ctx, path, targets, 2, false, &via_index);
	size_t n_streamed = match_targets(ctx, path, targets, 2, true, &streamed);
	setenv("MAMORI_VULN_NO_INDEX", "1", 1);
	size_t n_sqlite = match_targets(ctx, path, targets, 2, false, &via_sqlite);
	unsetenv("MAMORI_VULN_NO_INDEX");
	assert_true(n_index >= 8 + 36); /* the corpus set and the demo advisories on it */
	assert_int_equal(n_index, n_sqlite);
	assert_int_equal(n_index, n_streamed);
	assert_string_equal(mamori_buf_cstr(&via_index), mamori_buf_cstr(&via_sqlite));
	assert_string_equal(mamori_buf_cstr(&via_index), mamori_buf_cstr(&streamed));

	/* damaged blocks (valid header, stamp and directory): SQLite answers */
	mamori_buf file = MAMORI_BUF_INIT;
	assert_int_equal(mamori_buf_read_file(ctx, &file, idx, 0), 0);
	uint64_t dir_off;
	memcpy(&dir_off, file.data + 48, sizeof dir_off); /* magic, stamp, key count */
	assert_true(dir_off > 56 && dir_off <= file.len);
	memset(file.data + 56, 0xff, (size_t)(dir_off - 56));
	FILE *f = fopen(idx, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(file.data, 1, file.len, f), file.len);
	fclose(f);
	mamori_buf_free(&file);
	mamori_buf damaged = MAMORI_BUF_INIT;
	assert_int_equal(match_targets(ctx, path, targets, 2, true, &damaged), n_index);
	assert_string_equal(mamori_buf_cstr(&via_index), mamori_buf_cstr(&damaged));
	mamori_buf_free(&damaged);

	/* an index that does not belong to the database is ignored, not misread */
	test_write(idx, "MAMVIDX3 not the right stamp and truncated");
	mamori_buf foreign = MAMORI_BUF_INIT;
	assert_int_equal(match_targets(ctx, path, targets, 2, false, &foreign), n_index);
	mamori_buf_free(&foreign);

	mamori_buf_free(&via_index);
	mamori_buf_free(&streamed);
	mamori_buf_free(&via_sqlite);
	free(lock);
	free(hosts);
	free(idx);
	free(path);
	free(dir);
	mamori_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_events),
		cmocka_unit_test(test_ecosystems_and_aliases),
		cmocka_unit_test(test_kev_epss_priority),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_corpus_lockfiles),
		cmocka_unit_test(test_corpus_trivy_fixtures),
		cmocka_unit_test(test_corpus_debian_release),
		cmocka_unit_test(test_index_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
