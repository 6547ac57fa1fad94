/*
 * hash.c — SHA-256 through OpenSSL's libcrypto, for stable finding Ids and
 * token digests.  No hand-written cryptography.
 */
#include "internal.h"

#include <openssl/evp.h>

void mamori_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}
