/*
 * tsnorm: the canonical mtime of an RPKI object, so that every node of a
 * fleet gives the same object the same mtime (sidrops publication-server
 * BCP, RFC 9589). No global state; thread-safe.
 */
#ifndef TSNORM_H
#define TSNORM_H

#include <stddef.h>
#include <stdint.h>

enum tsnorm_rule {
	TSNORM_CRL_THISUPDATE,		/* .crl: thisUpdate */
	TSNORM_CERT_NOTBEFORE,		/* .cer: notBefore */
	TSNORM_CMS_SIGNINGTIME,		/* CMS signed object: signing-time */
	TSNORM_CMS_EE_NOTBEFORE,	/* CMS without signing-time: EE notBefore */
	TSNORM_HASH_UNPARSEABLE,	/* could not be parsed: from SHA-256 */
	TSNORM_HASH_UNKNOWN,		/* unknown extension, not CMS: SHA-256 */
	TSNORM_HASH_OUT_OF_RANGE,	/* time before 1970 or absurd: SHA-256 */
};

/* The mtime of every directory of a revision (2000-01-01T00:00:00Z). */
#define TSNORM_DIR_TIME	((int64_t)946684800)

struct tsnorm_result {
	int64_t			time;	/* seconds since the epoch, UTC */
	enum tsnorm_rule	rule;
};

/*
 * Computes the canonical time of the object in data[0..len), named name
 * (only its extension is used; may be NULL). Always succeeds: returns 0 and
 * fills res, whatever the input.
 */
int		 tsnorm_time(const unsigned char *data, size_t len,
		    const char *name, struct tsnorm_result *res);

/* Returns a short fixed name of the rule, e.g. "crl-thisupdate". */
const char	*tsnorm_rule_name(enum tsnorm_rule);

#endif
