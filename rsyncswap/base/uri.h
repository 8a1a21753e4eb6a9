/*
 * URI checks. uri_rsync_to_path is the ONLY place that decides which
 * relative path an object may be written to.
 */
#ifndef RSYNCSWAP_URI_H
#define RSYNCSWAP_URI_H

#include <stddef.h>

/* Where an object lands in a revision. */
enum uri_layout {
	LAYOUT_MODULE,		/* module/path (the default) */
	LAYOUT_HOST,		/* host/module/path (--include-host) */
	LAYOUT_FLAT,		/* path (--flat: krill-sync's, one module) */
};

/*
 * Maps "rsync://host[:port]/module/path..." to the relative path
 * "module/path..." (LAYOUT_HOST: "host/module/path...", the host
 * lowercased, the port dropped; LAYOUT_FLAT: "path...") in path[pathsz],
 * and in key[keysz] what every object of one tree must share: the
 * lowercased host (without port), for LAYOUT_FLAT "host/module". Rejects other schemes, empty, "." and
 * ".." segments, a missing module or file name, a trailing "/", control
 * characters, bytes >= 0x7f, backslashes, segments over MAX_FN_LENGTH bytes,
 * more than MAX_PATH_DEPTH segments and URIs over MAX_URI_LENGTH bytes.
 * Also rejected: spaces, userinfo ("user@"), a query or fragment after the
 * host, a host that starts or ends with '.' or '-' or holds "..", a host
 * over MAX_FN_LENGTH bytes, port 0 or above 65535. MAX_PATH_DEPTH counts the
 * segments below the module. key may be NULL, and reason may be NULL.
 * Returns 0, or -1 with a fixed reason in *reason.
 */
int	uri_rsync_to_path(const char *uri, enum uri_layout layout, char *path,
	    size_t pathsz, char *key, size_t keysz, const char **reason);

/*
 * Writes into dir[dirsz] the directory that the module named by uri
 * ("rsync://host/module" or "rsync://host/module/", nothing below it) has
 * in a revision of layout: "module", "host/module", or "" for LAYOUT_FLAT
 * (the revision itself), and into host[hostsz] its lowercased host without
 * port. Returns 0, or -1 with a fixed reason in *reason.
 */
int	uri_module_dir(const char *uri, enum uri_layout layout, char *dir,
	    size_t dirsz, char *host, size_t hostsz, const char **reason);

/* Returns the name of a layout ("module", "host", "flat"). */
const char *uri_layout_name(enum uri_layout layout);

/*
 * Checks an RRDP document URI: "https://" (or "http://" when allow_http)
 * followed by a host, no control characters or spaces, at most
 * MAX_URI_LENGTH bytes. Returns 1 if valid, 0 if not.
 */
int	uri_valid_http(const char *uri, int allow_http);

/*
 * Returns 1 when a and b have the same scheme, host (case-insensitive) and
 * port (an absent port equals the scheme's default), 0 otherwise.
 */
int	uri_same_origin(const char *a, const char *b);

/*
 * If uri starts with the directory of base (everything up to and including
 * its last '/'; scheme and host compared case-insensitively and a default
 * port as absent, as RFC 3986 normalises them, the path exactly), returns
 * a pointer to the rest of uri; the rest must be a
 * relative path of at most MAX_PATH_DEPTH segments, none empty, "." or "..",
 * and uri at most MAX_URI_LENGTH octets. Returns NULL otherwise.
 * The rest is also refused when it holds a control character, space,
 * backslash, byte >= 0x7f, or a percent-encoded '.', '/' or '\' (a web
 * server could decode those into ".." or a separator).
 */
const char *uri_below_dir(const char *uri, const char *base);

#endif
