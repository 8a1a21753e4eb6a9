/*
 * Streaming RRDP (RFC 8182) parser: notification, snapshot and delta
 * documents. Bytes are fed as they arrive; each chunk is hashed (SHA-256)
 * and parsed in the same pass, and objects are handed to callbacks one at a
 * time, so memory does not grow with the repository. Any DOCTYPE or entity,
 * wrong namespace, version other than 1, malformed session_id or serial,
 * session/serial other than expected, unknown element or attribute, missing
 * or repeated attribute, or bad base64 fails the document. So do a
 * processing instruction (the XML declaration is fine), text where none is
 * allowed, and an empty <publish>; comments are allowed. URIs are only
 * bounded (MAX_URI_LENGTH) and free of control characters here: what they
 * may map to is decided by the uri module.
 */
#ifndef RSYNCSWAP_RRDP_H
#define RSYNCSWAP_RRDP_H

#include <stddef.h>

#include "rsyncswap/base/uuid.h"

#define RRDP_SESSION_LEN	UUID_LEN	/* a UUID */
#define RRDP_HASH_LEN		32		/* SHA-256 */

enum rrdp_kind { RRDP_NOTIFICATION, RRDP_SNAPSHOT, RRDP_DELTA };

struct rrdp_delta_ref {
	long long	 serial;
	char		*uri;
	unsigned char	 hash[RRDP_HASH_LEN];
};

struct rrdp_notification {
	char			 session_id[RRDP_SESSION_LEN + 1]; /* lowercase */
	long long		 serial;
	char			*snapshot_uri;
	unsigned char		 snapshot_hash[RRDP_HASH_LEN];
	struct rrdp_delta_ref	*deltas;	/* ascending serial, unique */
	size_t			 ndeltas;
};

/*
 * Callbacks for the objects of a snapshot or delta. hash is the decoded
 * hash attribute, or NULL when there is none. A callback returns 0 to go
 * on, or -1 to fail the document after writing the reason into err.
 * publish and withdraw are called at the end tag of their element, in
 * document order; a NULL callback ignores that kind of element.
 */
struct rrdp_handler {
	int	(*publish)(void *arg, const char *uri, const unsigned char *hash,
		    const unsigned char *data, size_t len, char *err, size_t errsz);
	int	(*withdraw)(void *arg, const char *uri, const unsigned char *hash,
		    char *err, size_t errsz);
	void	*arg;
};

struct rrdp_parser;

/*
 * Returns a parser for one document of the given kind, or NULL when out of
 * memory. For a snapshot or delta, expect_session and expect_serial are the
 * values the notification announced (the document must match them; the
 * session_id is compared case-insensitively); for a notification pass NULL
 * and -1. Objects larger than max_object_size bytes
 * (decoded) fail the document. h may be NULL for a notification.
 */
struct rrdp_parser	*rrdp_parser_new(enum rrdp_kind kind,
			    const char *expect_session, long long expect_serial,
			    size_t max_object_size, const struct rrdp_handler *h);

/* Feeds len bytes. Returns 0, or -1 on error (see rrdp_parser_error). */
int			 rrdp_parser_feed(struct rrdp_parser *, const void *buf,
			    size_t len);

/*
 * Ends the document. When want_hash is not NULL the SHA-256 of all bytes fed
 * must equal it. For a notification, the result is moved into *out (which
 * the caller frees with rrdp_notification_free); on failure *out is zeroed
 * (freeing it is harmless). Returns 0 when the whole document was
 * well-formed, valid and matched the hash; -1 otherwise.
 */
int			 rrdp_parser_finish(struct rrdp_parser *,
			    const unsigned char *want_hash,
			    struct rrdp_notification *out);

/*
 * Returns the line of the document the parser is at (in a callback: the
 * end tag of its element), or 0 when unknown.
 */
int			 rrdp_parser_line(const struct rrdp_parser *);

/* Returns the reason of the first error (one line), or "" if none. */
const char		*rrdp_parser_error(const struct rrdp_parser *);

void			 rrdp_parser_free(struct rrdp_parser *);
void			 rrdp_notification_free(struct rrdp_notification *);

#endif
