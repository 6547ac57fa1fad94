/*
 * test_vuln_inventory.c — the inventory readers on real package databases
 * and lockfiles (shared/corpora/vuln/inventory, lockfiles): exact package
 * sets where the corpus has the real tool's listing (rpm -qa), exact
 * counts and spot checks elsewhere, and damaged inputs reported with the
 * file and record while the rest is read.
 */
#include "testutil.h"
#include "vuln/collect.h"
#include "vuln/vuln.h"

typedef int (*reader)(mamori_ctx *, const char *, const char *, size_t, vuln_inventory *);

static mamori_buf load_buf(const char *rel)
{
	mamori_buf b = MAMORI_BUF_INIT;
	char *p = test_path(test_corpora(), rel);
	mamori_ctx *ctx = mamori_ctx_new();
	assert_int_equal(mamori_buf_read_file(ctx, &b, p, 0), 0);
	mamori_ctx_free(ctx);
	free(p);
	return b;
}

/* read a corpus file with r into inv; returns the reader's status */
static int read_with(reader r, const char *rel, vuln_inventory *inv)
{
	mamori_buf b = load_buf(rel);
	mamori_ctx *ctx = mamori_ctx_new();
	int rc = r(ctx, rel, b.data ? b.data : "", b.len, inv);
	mamori_ctx_free(ctx);
	mamori_buf_free(&b);
	return rc;
}

static const vuln_pkg *find(const vuln_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->count; i++)
		if (!strcmp(inv->pkgs[i].name, name))
			return &inv->pkgs[i];
	return NULL;
}

static bool problem_mentions(const vuln_inventory *inv, const char *a, const char *b)
{
	for (size_t i = 0; i < inv->problem_count; i++)
		if (strstr(inv->problems[i], a) && (!b || strstr(inv->problems[i], b)))
			return true;
	return false;
}

#define NEED_CORPORA()             \
	do {                       \
		if (!test_corpora()) \
			skip();    \
	} while (0)

static void test_dpkg(void **state)
{
	(void)state;
	NEED_CORPORA();
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "host");
	assert_int_equal(read_with(mamori_vuln_read_dpkg, "vuln/inventory/dpkg/debian12-bookworm-host.status",
				   &inv),
			 0);
	assert_int_equal(inv.count, 840);
	assert_int_equal(inv.problem_count, 0);
	size_t with_source = 0;
	for (size_t i = 0; i < inv.count; i++)
		with_source += inv.pkgs[i].source_name != NULL;
	assert_int_equal(with_source, 695);
	const vuln_pkg *p = find(&inv, "libc6");
	assert_non_null(p);
	assert_string_equal(p->source_name, "glibc");
	assert_string_equal(p->version, "2.36-9+deb12u14");
	assert_null(p->source_version);
	p = find(&inv, "bsdutils");
	assert_string_equal(p->version, "1:2.38.1-5+deb12u3");
	assert_string_equal(p->source_name, "util-linux");
	assert_string_equal(p->source_version, "2.38.1-5+deb12u3");
	assert_true(p->installed);
	mamori_vuln_inventory_free(&inv);

	/* only "install ok installed" counts */
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "host");
	assert_int_equal(read_with(mamori_vuln_read_dpkg, "vuln/inventory/dpkg/trivy-valid.status", &inv), 0);
	assert_int_equal(inv.count, 90);
	mamori_vuln_inventory_free(&inv);
}

static void test_dpkg_status_d(void **state)
{
	(void)state;
	NEED_CORPORA();
	vuln_inventory inv;
	/* distroless: no Status field, presence means installed */
	mamori_vuln_inventory_init(&inv, VULN_INV_IMAGE, "img");
	assert_int_equal(read_with(mamori_vuln_read_dpkg,
				   "vuln/inventory/dpkg/syft-status.d/distroless-libsqlite3-0", &inv),
			 0);
	assert_int_equal(inv.count, 1);
	assert_string_equal(inv.pkgs[0].source_name, "sqlite3");
	assert_string_equal(inv.pkgs[0].version, "3.34.1-3");
	mamori_vuln_inventory_free(&inv);

	/* a deinstalled kernel keeps config files: not installed */
	mamori_vuln_inventory_init(&inv, VULN_INV_IMAGE, "img");
	read_with(mamori_vuln_read_dpkg, "vuln/inventory/dpkg/syft-status.d/deinstall", &inv);
	assert_int_equal(inv.count, 1);
	assert_string_equal(inv.pkgs[0].name, "linux-image-6.14.0-1012-aws");
	mamori_vuln_inventory_free(&inv);

	/* damaged records are problems naming file and record; the rest is read */
	mamori_vuln_inventory_init(&inv, VULN_INV_IMAGE, "img");
	assert_int_equal(read_with(mamori_vuln_read_dpkg, "vuln/inventory/dpkg/syft-status.d/multiple",
				   &inv),
			 0);
	assert_non_null(find(&inv, "tzdata"));
	assert_non_null(find(&inv, "util-linux"));
	assert_null(find(&inv, "no-version"));
	assert_true(problem_mentions(&inv, "syft-status.d/multiple:1:", "record 1"));
	assert_true(problem_mentions(&inv, "multiple", "Package: no-version): no Version"));
	mamori_vuln_inventory_free(&inv);

	mamori_vuln_inventory_init(&inv, VULN_INV_IMAGE, "img");
	assert_int_not_equal(read_with(mamori_vuln_read_dpkg, "vuln/inventory/dpkg/syft-status.d/corrupt",
				       &inv),
			     0);
	assert_int_equal(inv.count, 0);
	assert_true(problem_mentions(&inv, "syft-status.d/corrupt:", "record 1"));
	mamori_vuln_inventory_free(&inv);
}

static void test_apk(void **state)
{
	(void)state;
	NEED_CORPORA();
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_IMAGE, "img");
	assert_int_equal(read_with(mamori_vuln_read_apk, "vuln/inventory/apk/trivy-apk.installed", &inv), 0);
	assert_int_equal(inv.count, 15);
	assert_true(problem_mentions(&inv, "trivy-apk.installed:", "invalidPackageWithoutAVersion"));
	const vuln_pkg *p = find(&inv, "musl");
	assert_non_null(p);
	assert_string_equal(p->version, "1.1.14-r10");
	assert_string_equal(p->source_name, "musl");
	mamori_vuln_inventory_free(&inv);

	mamori_vuln_inventory_init(&inv, VULN_INV_IMAGE, "img");
	read_with(mamori_vuln_read_apk, "vuln/inventory/apk/syft-corrupt.installed", &inv);
	assert_true(problem_mentions(&inv, "syft-corrupt.installed:1:", "record 1"));
	mamori_vuln_inventory_free(&inv);
}

/* expected rows: NAME EPOCH VERSION RELEASE ARCH SOURCERPM [MODULARITYLABEL] */
static void check_rpm_expected(const vuln_inventory *inv, const char *rel)
{
	char *path = test_path(test_corpora(), rel);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[2048];
	size_t rows = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *col[7] = {0};
		int n = 0;
		for (char *s = line; n < 7;) {
			col[n++] = s;
			char *t = strchr(s, '\t');
			if (!t)
				break;
			*t = '\0';
			s = t + 1;
		}
		if (n < 6 || !strcmp(col[0], "gpg-pubkey"))
			continue;
		rows++;
		char want[600];
		if (strcmp(col[1], "0") && *col[1])
			snprintf(want, sizeof want, "%s:%s-%s", col[1], col[2], col[3]);
		else
			snprintf(want, sizeof want, "%s-%s", col[2], col[3]);
		bool found = false;
		for (size_t i = 0; i < inv->count && !found; i++) {
			const vuln_pkg *p = &inv->pkgs[i];
			if (strcmp(p->name, col[0]) || strcmp(p->version, want) ||
			    strcmp(p->arch ? p->arch : "", col[4]))
				continue;
			/* SOURCERPM "name-V-R.src.rpm" -> name */
			char srpm[600];
			snprintf(srpm, sizeof srpm, "%s", col[5]);
			char *dot = strstr(srpm, ".src.rpm");
			if (dot) {
				*dot = '\0';
				*strrchr(srpm, '-') = '\0';
				*strrchr(srpm, '-') = '\0';
				assert_string_equal(p->source_name, srpm);
			}
			found = true;
		}
		if (!found)
			fail_msg("%s: %s %s %s not read", rel, col[0], want, col[4]);
	}
	fclose(f);
	free(path);
	assert_int_equal(inv->count, rows); /* and nothing more (gpg-pubkey skipped) */
}

static void test_rpm_sqlite(void **state)
{
	(void)state;
	NEED_CORPORA();
	static const char *const dbs[] = {"amazonlinux2023-plain", "cbl-mariner-2.0"};
	for (int i = 0; i < 2; i++) {
		char rel[256];
		snprintf(rel, sizeof rel, "vuln/inventory/rpm/%s/rpmdb.sqlite", dbs[i]);
		char *path = test_path(test_corpora(), rel);
		vuln_inventory inv;
		mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "host");
		mamori_ctx *ctx = mamori_ctx_new();
		assert_int_equal(mamori_vuln_read_rpmdb_sqlite(ctx, path, rel, &inv), 0);
		assert_int_equal(inv.problem_count, 0);
		/* the in-memory path (images) reads the same */
		mamori_buf b = load_buf(rel);
		vuln_inventory inv2;
		mamori_vuln_inventory_init(&inv2, VULN_INV_IMAGE, "img");
		assert_int_equal(mamori_vuln_read_rpmdb_sqlite_buf(ctx, rel, (const unsigned char *)b.data,
								   b.len, &inv2),
				 0);
		assert_int_equal(inv2.count, inv.count);
		mamori_buf_free(&b);
		mamori_vuln_inventory_free(&inv2);
		mamori_ctx_free(ctx);
		snprintf(rel, sizeof rel, "vuln/inventory/rpm/%s/expected-rpm-qa.tsv", dbs[i]);
		check_rpm_expected(&inv, rel);
		mamori_vuln_inventory_free(&inv);
		free(path);
	}
}

static void test_rpm_bdb_ndb(void **state)
{
	(void)state;
	NEED_CORPORA();
	static const char *const dbs[] = {"libuuid-bdb", "syft-pkg-coverage-bdb"};
	for (int i = 0; i < 2; i++) {
		char rel[256];
		snprintf(rel, sizeof rel, "vuln/inventory/rpm/%s/Packages", dbs[i]);
		mamori_buf b = load_buf(rel);
		vuln_inventory inv;
		mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "host");
		mamori_ctx *ctx = mamori_ctx_new();
		assert_int_equal(mamori_vuln_read_rpmdb_bdb(ctx, rel, (const unsigned char *)b.data, b.len,
							    &inv),
				 0);
		assert_int_equal(inv.problem_count, 0);
		snprintf(rel, sizeof rel, "vuln/inventory/rpm/%s/expected-rpm-qa.tsv", dbs[i]);
		check_rpm_expected(&inv, rel);
		/* truncated: a problem, no crash, nothing invented */
		vuln_inventory t;
		mamori_vuln_inventory_init(&t, VULN_INV_HOST, "host");
		mamori_vuln_read_rpmdb_bdb(ctx, "cut", (const unsigned char *)b.data, b.len / 2, &t);
		assert_true(t.count <= inv.count);
		assert_true(t.problem_count > 0 || t.count == inv.count);
		mamori_vuln_inventory_free(&t);
		mamori_ctx_free(ctx);
		mamori_buf_free(&b);
		mamori_vuln_inventory_free(&inv);
	}
	/* NDB (SUSE): the rpm -qa listing, "¶"-separated EPOCH NAME VERSION RELEASE ARCH SRPM */
	mamori_buf b = load_buf("vuln/inventory/rpm/sle15-bci/Packages.db");
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "host");
	mamori_ctx *ctx = mamori_ctx_new();
	assert_int_equal(mamori_vuln_read_rpmdb_ndb(ctx, "Packages.db", (const unsigned char *)b.data,
						    b.len, &inv),
			 0);
	mamori_buf csv = load_buf("vuln/inventory/rpm/sle15-bci/packages.csv");
	size_t rows = 0;
	for (char *line = strtok(csv.data, "\n"); line; line = strtok(NULL, "\n")) {
		char *col[6];
		char *s = line;
		for (int k = 0; k < 6; k++) {
			col[k] = s;
			char *sep = strstr(s, "\xc2\xb6");
			if (sep) {
				*sep = '\0';
				s = sep + 2;
			}
		}
		if (!strcmp(col[1], "gpg-pubkey"))
			continue;
		rows++;
		const vuln_pkg *p = find(&inv, col[1]);
		if (!p)
			fail_msg("NDB: %s not read", col[1]);
		char want[400];
		snprintf(want, sizeof want, "%s%s%s-%s", *col[0] ? col[0] : "", *col[0] ? ":" : "",
			 col[2], col[3]);
		assert_string_equal(p->version, want);
	}
	assert_int_equal(inv.count, rows);
	assert_int_equal(rows, 36);
	mamori_buf_free(&csv);
	mamori_buf_free(&b);
	mamori_ctx_free(ctx);
	mamori_vuln_inventory_free(&inv);
}

static void test_os_release(void **state)
{
	(void)state;
	NEED_CORPORA();
	static const struct {
		const char *file, *eco;
	} cases[] = {
		{"debian_from-os-release", "Debian:8"},	  {"debian_with-point-release", "Debian:13"},
		{"ubuntu", "Ubuntu:20.04"},		  {"alpine", "Alpine:v3.11"},
		{"amazon", "Amazon Linux:2"},		  {"rockylinux_from-os-release", "Rocky Linux:8"},
		{"almalinux_from-os-release", "AlmaLinux:8"}, {"redhat_from-os-release", "Red Hat:7"},
		{"oraclelinux", "Oracle Linux:8"},	  {"wolfi", "Wolfi"},
		{"fedora", NULL},			  {"photon", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char rel[256];
		snprintf(rel, sizeof rel, "vuln/inventory/os-release/%s.os-release", cases[i].file);
		mamori_buf b = load_buf(rel);
		vuln_inventory inv;
		mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "h");
		vuln_os os;
		mamori_ctx *ctx = mamori_ctx_new();
		assert_int_equal(mamori_vuln_read_os_release(ctx, rel, b.data, b.len, &os, &inv), 0);
		if (cases[i].eco)
			assert_string_equal(os.ecosystem, cases[i].eco);
		else
			assert_null(os.ecosystem);
		mamori_ctx_free(ctx);
		mamori_buf_free(&b);
		mamori_vuln_inventory_free(&inv);
	}
}

typedef struct lockcase {
	const char *file;
	size_t count;
	const char *name, *version; /* one package that must be there */
	const char *absent;	    /* one that must not */
} lockcase;

static void test_lockfiles(void **state)
{
	(void)state;
	NEED_CORPORA();
	static const lockcase cases[] = {
		{"trivy/npm/package-lock.json", 0, "jquery", "3.3.9", NULL},
		{"syft/pkg-lock/package-lock.json", 0, NULL, NULL, NULL},
		{"syft/pkg-lock/package-lock-2.json", 0, NULL, NULL, NULL},
		{"syft/pkg-lock/package-lock-3.json", 0, NULL, NULL, NULL},
		{"syft/pkg-lock/alias-package-lock-2.json", 0, NULL, NULL, NULL},
		{"trivy/yarn/yarn.lock", 0, "jquery", "3.2.1", NULL},
		{"trivy/pnpm/pnpm-lock.yaml", 2, "lodash", "4.17.4", NULL},
		{"syft/pnpm-v6/pnpm-lock.yaml", 0, "@babel/core", "7.21.4", NULL},
		{"trivy/pip/requirements.txt", 0, "click", "8.0.0", "markupsafe"},
		{"trivy/poetry/poetry.lock", 0, NULL, NULL, NULL},
		{"trivy/pipenv/Pipfile.lock", 0, NULL, NULL, NULL},
		{"trivy/gomod/go.mod", 0, "golang.org/x/net", "v0.0.0-20211111083644-e5c967477495",
		 NULL},
		{"trivy/cargo/Cargo.lock", 0, NULL, NULL, NULL},
		{"trivy/composer/composer.lock", 0, NULL, NULL, NULL},
		{"osv-scanner/locks-many/Gemfile.lock", 1, "ast", "2.4.2", NULL},
		{"trivy/pom/pom.xml", 0, NULL, NULL, NULL},
		{"syft/pom/commons-text-1.10.0/pom.xml", 0, NULL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char rel[300];
		snprintf(rel, sizeof rel, "vuln/lockfiles/%s", cases[i].file);
		const char *base = strrchr(rel, '/') + 1;
		vuln_lock_reader r = mamori_vuln_lockfile_reader(base);
		if (!r && !strcmp(base, "alias-package-lock-2.json"))
			r = mamori_vuln_read_npm_lock;
		if (!r && !strncmp(base, "package-lock", 12))
			r = mamori_vuln_read_npm_lock;
		assert_non_null(r);
		vuln_inventory inv;
		mamori_vuln_inventory_init(&inv, VULN_INV_LOCKFILE, rel);
		int rc = read_with(r, rel, &inv);
		if (rc || inv.problem_count)
			fail_msg("%s: rc %d, %zu problems (%s)", rel, rc, inv.problem_count,
				 inv.problem_count ? inv.problems[0] : "");
		if (cases[i].count)
			assert_int_equal(inv.count, cases[i].count);
		else
			assert_true(inv.count > 0);
		if (cases[i].name) {
			const vuln_pkg *p = find(&inv, cases[i].name);
			if (!p)
				fail_msg("%s: %s not read", rel, cases[i].name);
			assert_string_equal(p->version, cases[i].version);
			assert_false(p->installed);
			assert_true(p->line > 0);
		}
		if (cases[i].absent)
			assert_null(find(&inv, cases[i].absent));
		for (size_t k = 0; k < inv.count; k++) {
			assert_non_null(inv.pkgs[k].ecosystem);
			assert_null(mamori_vuln_version_invalid(
				mamori_vuln_scheme_parse(inv.pkgs[k].ecosystem), inv.pkgs[k].version));
		}
		mamori_vuln_inventory_free(&inv);
	}
}

static void test_bad_lockfiles(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_LOCKFILE, "x");
	const char *trunc = "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"ver";
	assert_int_equal(mamori_vuln_read_npm_lock(ctx, "app/package-lock.json", trunc, strlen(trunc),
						   &inv),
			 MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "app/package-lock.json:1:"));
	/* an invalid version is a problem naming the package; the others stay */
	const char *badver = "{\"packages\": {\"node_modules/a\": {\"version\": \"1.0.0\"},"
			     " \"node_modules/b\": {\"version\": \"not-a-version\"}}}";
	assert_int_equal(mamori_vuln_read_npm_lock(ctx, "p.json", badver, strlen(badver), &inv), 0);
	assert_int_equal(inv.count, 1);
	assert_true(problem_mentions(&inv, "p.json:1:", "package b"));
	/* a damaged pom whose <dependencies> comes before </parent> (found by
	 * fuzz_vuln_lockfile: the project version was searched backwards) */
	const char *pom = "<project><dependencies><dependency><groupId>g</groupId>"
			  "<artifactId>a</artifactId><version>1.2</version></dependency>"
			  "</dependencies><parent><version>9</version></parent></project>";
	size_t before = inv.count;
	assert_int_equal(mamori_vuln_read_pom(ctx, "pom.xml", pom, strlen(pom), &inv), 0);
	assert_int_equal(inv.count, before + 1);
	assert_string_equal(inv.pkgs[before].version, "1.2");
	mamori_vuln_inventory_free(&inv);
	mamori_ctx_free(ctx);
}

/* Go build information, as Go >= 1.18 lays it out in a binary */
static void test_go_binary(void **state)
{
	(void)state;
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_append(&b, "\x7f" "ELF", 4);
	for (int i = 0; i < 60; i++)
		mamori_buf_putc(&b, 0);
	mamori_buf_append(&b, "\xff Go buildinf:", 14);
	mamori_buf_putc(&b, 8); /* pointer size */
	mamori_buf_putc(&b, 2); /* flags: inline strings */
	for (int i = 16; i < 32; i++)
		mamori_buf_putc(&b, 0);
	const char *ver = "go1.21.3";
	mamori_buf_putc(&b, (char)strlen(ver));
	mamori_buf_puts(&b, ver);
	mamori_buf mod = MAMORI_BUF_INIT;
	mamori_buf_append(&mod, "0123456789abcdef", 16); /* sentinel */
	mamori_buf_puts(&mod, "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
			      "dep\tgolang.org/x/net\tv0.7.0\th1:abc=\n"
			      "=>\tgolang.org/x/net\tv0.8.0\th1:def=\n"
			      "dep\tgithub.com/a/b\tv1.2.3+incompatible\th1:x=\n");
	mamori_buf_append(&mod, "fedcba9876543210", 16);
	/* uvarint length */
	size_t n = mod.len;
	while (n >= 0x80) {
		mamori_buf_putc(&b, (char)(n | 0x80));
		n >>= 7;
	}
	mamori_buf_putc(&b, (char)n);
	mamori_buf_append(&b, mod.data, mod.len);
	mamori_buf_free(&mod);
	assert_true(mamori_vuln_gobin_sniff((const unsigned char *)b.data, b.len));
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "bin/app");
	mamori_ctx *ctx = mamori_ctx_new();
	assert_int_equal(mamori_vuln_read_gobin(ctx, "bin/app", (const unsigned char *)b.data, b.len,
						&inv),
			 0);
	assert_int_equal(inv.count, 3);
	assert_string_equal(find(&inv, "stdlib")->version, "1.21.3");
	assert_string_equal(find(&inv, "golang.org/x/net")->version, "v0.8.0"); /* replaced */
	assert_string_equal(find(&inv, "github.com/a/b")->version, "v1.2.3+incompatible");
	assert_true(find(&inv, "stdlib")->installed);
	mamori_vuln_inventory_free(&inv);
	/* truncated: an error, nothing invented */
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "bin/app");
	assert_int_not_equal(mamori_vuln_read_gobin(ctx, "bin/app", (const unsigned char *)b.data,
						    100, &inv),
			     0);
	assert_int_equal(inv.count, 0);
	mamori_vuln_inventory_free(&inv);
	mamori_ctx_free(ctx);
	mamori_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg),	    cmocka_unit_test(test_dpkg_status_d),
		cmocka_unit_test(test_apk),	    cmocka_unit_test(test_rpm_sqlite),
		cmocka_unit_test(test_rpm_bdb_ndb), cmocka_unit_test(test_os_release),
		cmocka_unit_test(test_lockfiles),   cmocka_unit_test(test_bad_lockfiles),
		cmocka_unit_test(test_go_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
