/*
 * hash.c — SHA-256 through OpenSSL's libcrypto, for stable finding Ids and
 * token digests.  No hand-written cryptography.
 */
#include "internal.h"

#include <openssl/evp.h>

static void to_hex(const unsigned char *md, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void mamori_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	to_hex(md, out);
}

void mamori_ctx_sha256_hex(mamori_ctx *ctx, const void *data, size_t len, char out[65])
{
	if (!ctx->sha256_md) {
		ctx->sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
		ctx->sha256_mdctx = EVP_MD_CTX_new();
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (ctx->sha256_md && ctx->sha256_mdctx &&
	    EVP_DigestInit_ex(ctx->sha256_mdctx, ctx->sha256_md, NULL) &&
	    EVP_DigestUpdate(ctx->sha256_mdctx, data, len) &&
	    EVP_DigestFinal_ex(ctx->sha256_mdctx, md, &mdlen) && mdlen == 32)
		to_hex(md, out);
	else
		mamori_sha256_hex(data, len, out);
}

void mamori_ctx_hash_free(mamori_ctx *ctx)
{
	EVP_MD_CTX_free(ctx->sha256_mdctx);
	EVP_MD_free(ctx->sha256_md);
	ctx->sha256_mdctx = ctx->sha256_md = NULL;
}
