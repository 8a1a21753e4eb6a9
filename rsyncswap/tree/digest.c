#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "rsyncswap/base/hex.h"
#include "rsyncswap/tree/digest.h"

/*
 * SHA-256 fetched once and one context reused: for a small object,
 * allocating a context and fetching the algorithm cost more than the
 * hashing (a snapshot hashes every object and every entry). The lock makes
 * them safe to share between threads (the writer thread of a sync).
 */
static pthread_mutex_t	 sha256_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_MD		*sha256_md;
static EVP_MD_CTX	*sha256_ctx;

/*
 * Computes the SHA-256 of the n parts (part[i], len[i]) one after another
 * into md. Returns 0, or -1 when OpenSSL fails.
 */
static int
sha256_parts(const void *const part[], const size_t len[], int n,
    unsigned char md[DIGEST_LEN])
{
	unsigned int mdlen = 0;
	int i, ok;

	pthread_mutex_lock(&sha256_lock);
	if (sha256_md == NULL)
		sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (sha256_ctx == NULL)
		sha256_ctx = EVP_MD_CTX_new();
	ok = sha256_md != NULL && sha256_ctx != NULL &&
	    EVP_DigestInit_ex(sha256_ctx, sha256_md, NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(sha256_ctx, part[i], len[i]);
	ok = ok && EVP_DigestFinal_ex(sha256_ctx, md, &mdlen) &&
	    mdlen == DIGEST_LEN;
	pthread_mutex_unlock(&sha256_lock);
	return ok ? 0 : -1;
}

int
digest_sha256(const void *data, size_t len, unsigned char md[DIGEST_LEN])
{
	const void *part[1] = { data };

	return sha256_parts(part, &len, 1, md);
}

void
digest_init(struct digest *d)
{
	memset(d, 0, sizeof(*d));
}

/* Adds (sign 1) or subtracts e from sum, both big-endian, modulo 2^256. */
static void
add256(unsigned char sum[DIGEST_LEN], const unsigned char e[DIGEST_LEN],
    int sign)
{
	int i, carry = 0, v;

	for (i = DIGEST_LEN - 1; i >= 0; i--) {
		v = sign > 0 ? sum[i] + e[i] + carry : sum[i] - e[i] - carry;
		carry = sign > 0 ? v > 0xff : v < 0;
		sum[i] = (unsigned char)(v & 0xff);
	}
}

int
digest_entry(struct digest *d, int sign, const char *path,
    const unsigned char sha[DIGEST_LEN], long long mtime)
{
	char hex[DIGEST_HEX_LEN], num[32];
	unsigned char e[DIGEST_LEN];
	const void *part[4] = { hex, num, path, "\n" };
	size_t len[4];

	hex_encode(sha, DIGEST_LEN, hex);
	len[0] = DIGEST_HEX_LEN;
	len[1] = (size_t)snprintf(num, sizeof(num), " %lld ", mtime);
	len[2] = strlen(path);
	len[3] = 1;
	if (sha256_parts(part, len, 4, e) == -1)
		return -1;
	add256(d->sum, e, sign);
	d->entries += sign > 0 ? 1 : -1;
	return 0;
}

char *
digest_hex(const struct digest *d, char hex[DIGEST_HEX_LEN + 1])
{
	hex_encode(d->sum, DIGEST_LEN, hex);
	hex[DIGEST_HEX_LEN] = '\0';
	return hex;
}

int
digest_parse(struct digest *d, const char *hex)
{
	/* Lowercase only, as written: one digest has one spelling. */
	if (strlen(hex) != DIGEST_HEX_LEN ||
	    strspn(hex, "0123456789abcdef") != DIGEST_HEX_LEN)
		return -1;
	return hex_decode(hex, DIGEST_LEN, d->sum);
}

int
digest_equal(const struct digest *a, const struct digest *b)
{
	return a->entries == b->entries &&
	    memcmp(a->sum, b->sum, DIGEST_LEN) == 0;
}
