/*
 * target.c — a live collection as a scan target.
 *
 * `mamori scan --aws` must evaluate exactly what `mamori collect --aws -o
 * FILE` writes, so that a snapshot re-evaluated offline gives the same
 * findings.  The simplest way to guarantee it is to make them the same
 * bytes: the collection's snapshot is written to a private temporary
 * directory, opened as a path target (the core walks it), and then marked
 * MAMORI_TARGET_AWS with the scope "aws:ACCOUNT[,ACCOUNT...]", so findings
 * are archived per set of accounts, not per temporary path.  Modules that
 * read AWS Config snapshots accept both kinds; modules that read files of
 * other kinds (logs, code) do not run on a live account.
 */
#include "aws_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mamori_aws_target_open(mamori_ctx *ctx, mamori_aws_collection *c, mamori_target **out)
{
	*out = NULL;
	if (!c->snapshot)
		return mamori_error_set(ctx, MAMORI_EUSAGE, "no AWS collection to scan");
	if (!c->temp_dir) {
		const char *tmp = getenv("TMPDIR");
		mamori_buf dir = MAMORI_BUF_INIT;
		mamori_buf_printf(&dir, "%s/mamori-aws-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir.data)) {
			int rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: %s", dir.data,
						  strerror(errno));
			mamori_buf_free(&dir);
			return rc;
		}
		c->temp_dir = mamori_buf_detach(&dir);
	}
	mamori_buf path = MAMORI_BUF_INIT;
	mamori_buf_printf(&path, "%s/aws-config-snapshot.json", c->temp_dir);
	FILE *f = fopen(path.data, "wx");
	bool ok = f && fwrite(c->snapshot, 1, c->snapshot_len, f) == c->snapshot_len;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok) {
		int rc = mamori_error_set(ctx, MAMORI_ENOSPC, "%s: cannot write the snapshot: %s",
					  path.data, strerror(errno));
		mamori_buf_free(&path);
		return rc;
	}
	mamori_buf_free(&path);
	mamori_target *t = NULL;
	int rc = mamori_target_open(ctx, c->temp_dir, &t);
	if (rc)
		return rc;
	t->kind = MAMORI_TARGET_AWS;
	mamori_buf scope = MAMORI_BUF_INIT;
	mamori_buf_puts(&scope, "aws:");
	for (size_t i = 0; i < c->account_count; i++)
		mamori_buf_printf(&scope, "%s%s", i ? "," : "", c->accounts[i]);
	t->scope = mamori_arena_strdup(&t->arena, scope.data);
	t->spec = mamori_arena_strdup(&t->arena, scope.data);
	mamori_buf_free(&scope);
	*out = t;
	return MAMORI_OK;
}
