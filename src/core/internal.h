/*
 * internal.h — what the core shares with the rest of libmamori but not with
 * library users: the ctx layout and small helpers.  Pillars may include it;
 * the CLI and embedders may not.
 */
#ifndef MAMORI_CORE_INTERNAL_H
#define MAMORI_CORE_INTERNAL_H

#include "mamori/mamori.h"

struct mamori_ctx {
	mamori_log_level log_level;
	mamori_log_fn log_fn;
	void *log_userdata;

	const mamori_progress_ops *progress;
	void *progress_userdata;
	int progress_depth; /* begin/end nesting: the display closes with the outermost */

	time_t now; /* 0 = real time */
	char *actor;

	int err_code;
	mamori_buf err_message;
	mamori_buf err_excerpt;
	mamori_error err_view; /* what mamori_error_last() hands out */

	/* SHA-256 fetched once (hash.c): finalising 10,000 findings spent half
	 * of their hashing in OpenSSL's per-call algorithm fetch */
	void *sha256_md, *sha256_mdctx;
};

/* Nonzero-length check that reads better at call sites. */
static inline bool mamori_str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/*
 * Copy src to dst (a buffer of dst_size >= 4) masking secret-looking runs:
 * long tokens of key/password alphabets keep their first 4 characters, the
 * rest becomes '*'.  Used on every excerpt that leaves the library.
 */
void mamori_redact_line(const char *src, size_t len, mamori_buf *dst);

/* Replace invalid UTF-8 sequences with U+FFFD; result in the arena. */
char *mamori_utf8_sanitize(mamori_arena *a, const char *s, size_t len);
/* Offset of the first byte that is not valid UTF-8 in s[0..len), or len. */
size_t mamori_utf8_invalid_at(const char *s, size_t len);
/* Length in bytes of the longest prefix of s holding at most max_chars code points. */
size_t mamori_utf8_prefix(const char *s, size_t max_chars);

/* Lower-case hex SHA-256 of data. */
void mamori_sha256_hex(const void *data, size_t len, char out[65]);
/* The same, with the algorithm and a digest context kept in ctx. */
void mamori_ctx_sha256_hex(mamori_ctx *ctx, const void *data, size_t len, char out[65]);
void mamori_ctx_hash_free(mamori_ctx *ctx);

#endif
