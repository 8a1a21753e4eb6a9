/*
 * Fetching RRDP documents: https (libcurl, TLS verified) from the public
 * URI or a hidden back-end, or local files when the back-end is a
 * directory. Bytes go to a sink as they arrive; nothing is buffered whole.
 */
#ifndef RSYNCSWAP_FETCH_H
#define RSYNCSWAP_FETCH_H

#include <signal.h>
#include <stddef.h>

/* Receives the next len bytes; returns 0 to go on, -1 to abort. */
typedef int (*fetch_sink)(void *arg, const void *buf, size_t len);

struct fetch_config {
	const char	*public_uri;	/* the notification URI */
	const char	*source_base;	/* NULL, a directory, or an http(s) URI */
	int		 source_is_dir;
	int		 insecure;	/* allow http and unverified TLS */
	const char	*ca_file;	/* NULL = system CAs */
	long		 timeout;	/* seconds one document may take */
	long		 stall_timeout;	/* seconds without data */
	/* When set (by a signal handler), a transfer ends within a second. */
	volatile sig_atomic_t *stop;
};

/* Conditional GET validators of the notification, in and out. */
struct fetch_validators {
	char	etag[256];
	char	last_modified[128];
};

enum fetch_result {
	FETCH_ERROR = -1,
	FETCH_OK = 0,
	FETCH_NOT_MODIFIED = 1,
};

/*
 * Writes into buf how messages name uri: uri itself, or "uri (where)" when
 * it is read from a back-end URL or a local path. Returns buf.
 */
const char	*fetch_label(const struct fetch_config *fc, const char *uri,
		    char *buf, size_t bufsz);

/* Sets up libcurl once per process. Returns 0, or -1. */
int		fetch_init(void);

/*
 * Fetches uri (a public URI; mapped to the back-end when one is set) and
 * feeds its bytes to sink, at most max_size of them. With v not NULL the
 * request is conditional on v and v is updated from the response. Returns
 * FETCH_OK, FETCH_NOT_MODIFIED, or FETCH_ERROR with a one-line reason in
 * err (which names the source, not the sink's reason: when the sink aborts,
 * err is left empty for the caller to fill).
 */
enum fetch_result fetch_document(const struct fetch_config *fc,
		    const char *uri, struct fetch_validators *v,
		    long long max_size, fetch_sink sink, void *arg,
		    char *err, size_t errsz);

#endif
