#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "rsyncswap/digest.h"

/*
 * SHA-256 fetched once and one context reused: for a small object,
 * allocating a context and fetching the algorithm cost more than the
 * hashing (a snapshot hashes every object and every entry).
 */
static EVP_MD		*sha256_md;
static EVP_MD_CTX	*sha256_ctx;

/* Returns the context, initialised for SHA-256, or NULL. */
static EVP_MD_CTX *
sha256_begin(void)
{
	if (sha256_md == NULL &&
	    (sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return NULL;
	if (sha256_ctx == NULL && (sha256_ctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	return EVP_DigestInit_ex(sha256_ctx, sha256_md, NULL) ? sha256_ctx :
	    NULL;
}

int
digest_sha256(const void *data, size_t len, unsigned char md[DIGEST_LEN])
{
	EVP_MD_CTX *ctx;
	unsigned int mdlen;

	return (ctx = sha256_begin()) != NULL &&
	    EVP_DigestUpdate(ctx, data, len) &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == DIGEST_LEN ? 0 : -1;
}

/* Writes the n octets of b as 2n lowercase hex digits into hex. */
static void
tohex(const unsigned char *b, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 0xf];
	}
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
	unsigned int elen;
	EVP_MD_CTX *ctx;
	int n;

	tohex(sha, DIGEST_LEN, hex);
	n = snprintf(num, sizeof(num), " %lld ", mtime);
	if ((ctx = sha256_begin()) == NULL ||
	    !EVP_DigestUpdate(ctx, hex, DIGEST_HEX_LEN) ||
	    !EVP_DigestUpdate(ctx, num, (size_t)n) ||
	    !EVP_DigestUpdate(ctx, path, strlen(path)) ||
	    !EVP_DigestUpdate(ctx, "\n", 1) ||
	    !EVP_DigestFinal_ex(ctx, e, &elen) || elen != DIGEST_LEN)
		return -1;
	add256(d->sum, e, sign);
	d->entries += sign > 0 ? 1 : -1;
	return 0;
}

char *
digest_hex(const struct digest *d, char hex[DIGEST_HEX_LEN + 1])
{
	tohex(d->sum, DIGEST_LEN, hex);
	hex[DIGEST_HEX_LEN] = '\0';
	return hex;
}

/* Returns the value of the lowercase hex digit c, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
digest_parse(struct digest *d, const char *hex)
{
	int i, hi, lo;

	if (strlen(hex) != DIGEST_HEX_LEN)
		return -1;
	for (i = 0; i < DIGEST_LEN; i++) {
		if ((hi = hexval(hex[2 * i])) == -1 ||
		    (lo = hexval(hex[2 * i + 1])) == -1)
			return -1;
		d->sum[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
digest_equal(const struct digest *a, const struct digest *b)
{
	return a->entries == b->entries &&
	    memcmp(a->sum, b->sum, DIGEST_LEN) == 0;
}
