/*
 * The digest of a revision: an order-independent hash of its set of
 * (path, SHA-256 of the content, mtime) entries, so that it can be
 * accumulated while a snapshot is written in any order and updated by a
 * delta in O(changes). For every regular file, with P its path relative
 * to the revision directory, H the lowercase hex SHA-256 of its content
 * and M its mtime in whole seconds (decimal), the entry is
 *
 *	E = SHA-256("H M P\n")
 *
 * and the digest is the sum of every E, each read as a 256-bit big-endian
 * unsigned integer, modulo 2^256, printed as 64 lowercase hex digits (an
 * empty revision: 64 zeros). Paths are unique, so no entry is added
 * twice. It tells nodes that diverged by accident apart; it is not a
 * signature.
 */
#ifndef RSYNCSWAP_DIGEST_H
#define RSYNCSWAP_DIGEST_H

#include <stddef.h>

#define DIGEST_LEN	32
#define DIGEST_HEX_LEN	(2 * DIGEST_LEN)

struct digest {
	unsigned char	sum[DIGEST_LEN];	/* big-endian */
	long long	entries;		/* files counted */
};

/* Computes the SHA-256 of data into md. Returns 0, or -1 when OpenSSL fails. */
int	digest_sha256(const void *data, size_t len,
	    unsigned char md[DIGEST_LEN]);

/* Sets d to the digest of an empty revision. */
void	digest_init(struct digest *d);

/*
 * Adds (sign 1) or takes away (sign -1) the entry of the file path with
 * content hash sha and mtime. Returns 0, or -1 when OpenSSL fails.
 */
int	digest_entry(struct digest *d, int sign, const char *path,
	    const unsigned char sha[DIGEST_LEN], long long mtime);

/* Writes the 64 hex digits of d and a NUL into hex. Returns hex. */
char	*digest_hex(const struct digest *d, char hex[DIGEST_HEX_LEN + 1]);

/* Parses 64 hex digits into d->sum. Returns 0, or -1 when malformed. */
int	digest_parse(struct digest *d, const char *hex);

/* Returns 1 when a and b are the same digest of the same count, else 0. */
int	digest_equal(const struct digest *a, const struct digest *b);

#endif
