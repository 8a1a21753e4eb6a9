/*
 * tsnorm: the canonical mtime of an RPKI object, so that every node of a
 * fleet gives the same object the same mtime (sidrops publication-server
 * BCP, RFC 9589). No global state; thread-safe.
 */
#ifndef TSNORM_H
#define TSNORM_H

#include <stddef.h>
#include <stdint.h>

/* The release; the same as rsyncswap/base/version.h and debian/changelog. */
#define TSNORM_VERSION	"0.1.0"

enum tsnorm_rule {
	TSNORM_CRL_THISUPDATE,		/* .crl: thisUpdate */
	TSNORM_CERT_NOTBEFORE,		/* .cer: notBefore */
	TSNORM_CMS_SIGNINGTIME,		/* CMS signed object: signing-time */
	TSNORM_CMS_EE_NOTBEFORE,	/* CMS without signing-time: EE notBefore */
	TSNORM_HASH_UNPARSEABLE,	/* could not be parsed: from SHA-256 */
	TSNORM_HASH_UNKNOWN,		/* unknown extension, not CMS: SHA-256 */
	TSNORM_HASH_OUT_OF_RANGE,	/* time before 1970 or absurd: SHA-256 */
	TSNORM_DIR,			/* a directory: TSNORM_DIR_TIME */
};

/* The mtime of every directory of a revision (2000-01-01T00:00:00Z). */
#define TSNORM_DIR_TIME	((int64_t)946684800)

/*
 * The hash rules map an object into [TSNORM_HASH_BASE, TSNORM_HASH_BASE +
 * TSNORM_HASH_SPAN), 2000-01-01T00:00:00Z .. 2010-01-01T00:00:00Z: in the
 * past (never "newer" than a real object of today) and recognisable. The
 * offset is the first TSNORM_HASH_OCTETS octets of the SHA-256 of the
 * content, big-endian, modulo the span; 7 octets keep the value below
 * 2^63, so that a shell's $(( )) can reproduce it
 * (tests/data/tsnorm-golden.sh).
 */
#define TSNORM_HASH_BASE	((int64_t)946684800)
#define TSNORM_HASH_SPAN	((int64_t)(1262304000 - 946684800))
#define TSNORM_HASH_OCTETS	7

/*
 * Times at or after this bound (2200-01-01T00:00:00Z), or before the epoch,
 * are absurd for an RPKI object; such objects get TSNORM_HASH_OUT_OF_RANGE.
 */
#define TSNORM_TIME_MAX		((int64_t)7258118400)

/*
 * Objects larger than this are not parsed but get a hash rule, so that a
 * caller streaming a large file (tsnorm_hash_result) and one holding it in
 * memory (tsnorm_time) agree. RPKI objects are far smaller.
 */
#define TSNORM_MAX_PARSE_SIZE	((size_t)64 * 1024 * 1024)

struct tsnorm_result {
	int64_t			time;	/* seconds since the epoch, UTC */
	enum tsnorm_rule	rule;
};

/* What an object is for the expiry watch, by its file name extension. */
enum tsnorm_expiry_kind {
	TSNORM_EXPIRY_NONE,	/* neither .mft nor .crl: nothing is read */
	TSNORM_EXPIRY_MFT,	/* manifest (RFC 9286) */
	TSNORM_EXPIRY_CRL,	/* CRL (RFC 5280, RFC 6487) */
};

enum tsnorm_expiry_status {
	TSNORM_EXPIRY_OK,		/* every time below was read */
	TSNORM_EXPIRY_UNREADABLE,	/* a .mft/.crl that cannot be read */
	TSNORM_EXPIRY_NO_NEXTUPDATE,	/* a CRL without nextUpdate (RFC 6487
					   requires it; RPs reject the CRL) */
};

/* A time that is absent; larger than any real one, so min() ignores it. */
#define TSNORM_NO_TIME		INT64_MAX

/*
 * The times that decide when a publication point goes stale. A manifest's
 * are its eContent thisUpdate and nextUpdate (GeneralizedTime, RFC 9286)
 * and its EE certificate's notAfter; a CRL's are tbsCertList thisUpdate
 * and nextUpdate. Every time not read is TSNORM_NO_TIME.
 */
struct tsnorm_expiry {
	enum tsnorm_expiry_kind		kind;
	enum tsnorm_expiry_status	status;
	int64_t				this_update;
	int64_t				next_update;
	int64_t				not_after;	/* manifest EE only */
	int64_t				expiry;	/* min(next_update, not_after)
						   if OK, else TSNORM_NO_TIME */
};

/*
 * Computes the canonical time of the object in data[0..len), named name
 * (only its extension is used; may be NULL). Always succeeds: returns 0 and
 * fills res, whatever the input.
 */
int		 tsnorm_time(const unsigned char *data, size_t len,
		    const char *name, struct tsnorm_result *res);

/*
 * Like tsnorm_time(), and in the same parse fills exp (if not NULL) with
 * the expiry times of a manifest or CRL (by the extension of name). Always
 * succeeds: returns 0; res is exactly what tsnorm_time() gives.
 */
int		 tsnorm_inspect(const unsigned char *data, size_t len,
		    const char *name, struct tsnorm_result *res,
		    struct tsnorm_expiry *exp);

/* Returns a short fixed name of the status, e.g. "unreadable". */
const char	*tsnorm_expiry_status_name(enum tsnorm_expiry_status);

/*
 * Fills res with the hash rule of an object named name (may be NULL) whose
 * content has the SHA-256 digest md (32 octets), as tsnorm_time() does for
 * an object it does not parse (e.g. one larger than TSNORM_MAX_PARSE_SIZE).
 */
void		 tsnorm_hash_result(const unsigned char *md, const char *name,
		    struct tsnorm_result *res);

/* Returns a short fixed name of the rule, e.g. "crl-thisupdate". */
const char	*tsnorm_rule_name(enum tsnorm_rule);

#endif
