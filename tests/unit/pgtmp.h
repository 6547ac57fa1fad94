/*
 * pgtmp.h — a real, throw-away PostgreSQL server for the store tests
 * (tests/pg/pgtmp starts it from Debian's packages in a temporary directory,
 * listening only on a Unix socket) and fresh databases in it.
 */
#ifndef MAMORI_PGTMP_H
#define MAMORI_PGTMP_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pgtmp {
	char dir[256];
	char url[512]; /* of the "postgres" database */
} pgtmp;

/* Start a server; false (with a message) when PostgreSQL is not installed. */
static inline bool pgtmp_start(pgtmp *pg)
{
	const char *src = getenv("MAMORI_SOURCE_DIR");
	snprintf(pg->dir, sizeof pg->dir, "/tmp/mamori-pg-XXXXXX");
	if (!mkdtemp(pg->dir))
		return false;
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "sh '%s/tests/pg/pgtmp' start '%s'", src ? src : ".", pg->dir);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	bool ok = fgets(pg->url, sizeof pg->url, p) != NULL;
	ok = pclose(p) == 0 && ok;
	pg->url[strcspn(pg->url, "\n")] = '\0';
	return ok && strncmp(pg->url, "postgresql://", 13) == 0;
}

static inline void pgtmp_stop(pgtmp *pg)
{
	const char *src = getenv("MAMORI_SOURCE_DIR");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "sh '%s/tests/pg/pgtmp' stop '%s'", src ? src : ".", pg->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pgtmp: could not stop the server in %s\n", pg->dir);
}

static inline void pgtmp_quiet(void *arg, const char *message)
{
	(void)arg, (void)message;
}

/* Run SQL on the server's "postgres" database; true when it succeeded. */
static inline bool pgtmp_sql(const pgtmp *pg, const char *db, const char *sql)
{
	char url[600];
	snprintf(url, sizeof url, "postgresql:///%s?host=%s&user=mamori", db ? db : "postgres",
		 pg->dir);
	PGconn *c = PQconnectdb(url);
	bool ok = PQstatus(c) == CONNECTION_OK;
	PQsetNoticeProcessor(c, pgtmp_quiet, NULL);
	if (ok) {
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		if (!ok)
			fprintf(stderr, "pgtmp: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
	}
	PQfinish(c);
	return ok;
}

/* A fresh database named name; its URL in url. */
static inline bool pgtmp_createdb(const pgtmp *pg, const char *name, char *url, size_t size)
{
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	pgtmp_sql(pg, NULL, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	if (!pgtmp_sql(pg, NULL, sql))
		return false;
	snprintf(url, size, "postgresql:///%s?host=%s&user=mamori", name, pg->dir);
	return true;
}

#endif
