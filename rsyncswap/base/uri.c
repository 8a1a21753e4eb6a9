/*
 * URI checks. uri_rsync_to_path decides which relative path an object of a
 * repository may be written to; everything that could escape the revision
 * directory, collide, or confuse a tool reading the tree is refused here.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/uri.h"

/* Longest port number: "65535". */
#define URI_PORT_MAXLEN	5

/* The authority of a URI: host (with brackets for IPv6) and port. */
struct uri_authority {
	const char	*host;
	size_t		 hostlen;
	unsigned int	 port;		/* 0 = absent */
	const char	*end;		/* first byte after the authority */
};

/* Returns 1 if c may appear in a DNS name or IPv4 address, 0 if not. */
static int
host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Returns 1 if c may appear between the brackets of an IPv6 literal. */
static int
host6_char(unsigned char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	    (c >= '0' && c <= '9') || c == ':' || c == '.';
}

/*
 * Parses "host[:port]" at s, up to the first '/', '?', '#' or the end.
 * A DNS host must not start or end with '.' or '-' nor contain "..", so it
 * is never "." or ".." when used as a directory name. Returns 0 and fills
 * a, or -1 with a fixed reason.
 */
static int
authority_parse(const char *s, struct uri_authority *a, const char **reason)
{
	const char	*p = s;
	size_t		 i, n;

	memset(a, 0, sizeof(*a));
	a->host = s;
	if (*p == '[') {
		for (p++; host6_char(*p); p++)
			continue;
		if (*p != ']' || p - s < 3 || memchr(s, ':', p - s) == NULL) {
			*reason = "bad IPv6 host";
			return -1;
		}
		p++;
	} else {
		while (host_char(*p))
			p++;
		n = p - s;
		if (n == 0) {
			*reason = "missing host";
			return -1;
		}
		if (s[0] == '.' || s[0] == '-' || s[n - 1] == '.' ||
		    s[n - 1] == '-') {
			*reason = "bad host name";
			return -1;
		}
		for (i = 1; i < n; i++)
			if (s[i] == '.' && s[i - 1] == '.') {
				*reason = "bad host name";
				return -1;
			}
	}
	a->hostlen = p - s;
	if (a->hostlen > MAX_FN_LENGTH) {
		*reason = "host name too long";
		return -1;
	}
	if (*p == ':') {
		p++;
		for (n = 0; p[n] >= '0' && p[n] <= '9'; n++) {
			if (n == URI_PORT_MAXLEN) {
				*reason = "bad port";
				return -1;
			}
			a->port = a->port * 10 + (p[n] - '0');
		}
		if (n == 0 || a->port == 0 || a->port > 65535) {
			*reason = "bad port";
			return -1;
		}
		p += n;
	}
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#') {
		*reason = "bad character in host";
		return -1;
	}
	a->end = p;
	return 0;
}

/*
 * Checks one path segment of len bytes. Returns 0 if it may be a file or
 * directory name, or -1 with a fixed reason.
 */
static int
segment_check(const char *s, size_t len, const char **reason)
{
	size_t	i;

	if (len == 0) {
		*reason = "empty path segment";
		return -1;
	}
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' &&
	    s[1] == '.')) {
		*reason = "\".\" or \"..\" path segment";
		return -1;
	}
	if (len > MAX_FN_LENGTH) {
		*reason = "path segment too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c <= 0x20 || c >= 0x7f) {
			*reason = "control, space or non-ASCII character";
			return -1;
		}
		if (c == '\\') {
			*reason = "backslash";
			return -1;
		}
	}
	return 0;
}

/*
 * Returns a pointer past "scheme://" when uri starts with it (scheme
 * compared case-insensitively), NULL otherwise.
 */
static const char *
scheme_skip(const char *uri, const char *scheme)
{
	size_t	n = strlen(scheme);

	if (strncasecmp(uri, scheme, n) != 0 || strncmp(uri + n, "://", 3) != 0)
		return NULL;
	return uri + n + 3;
}

const char *
uri_layout_name(enum uri_layout layout)
{
	switch (layout) {
	case LAYOUT_HOST: return "host";
	case LAYOUT_FLAT: return "flat";
	default: return "module";
	}
}

int
uri_module_dir(const char *uri, enum uri_layout layout, char *dir,
    size_t dirsz, char *host, size_t hostsz, const char **reason)
{
	char probe[MAX_URI_LENGTH + 3], path[MAX_URI_LENGTH + 1];
	size_t len = strnlen(uri, MAX_URI_LENGTH + 1), n;
	const char *p;

	if (len > MAX_URI_LENGTH) {
		*reason = "URI too long";
		return -1;
	}
	/* rsync://HOST/ and rsync://HOST name no module. */
	if (strncasecmp(uri, "rsync://", 8) == 0 && ((p = strchr(uri + 8,
	    '/')) == NULL || p[1] == '\0')) {
		*reason = "names no module (rsync://HOST/MODULE/)";
		return -1;
	}
	/* The module with one file below it is an object URI: check that. */
	snprintf(probe, sizeof(probe), "%s%sx", uri,
	    len > 0 && uri[len - 1] == '/' ? "" : "/");
	if (uri_rsync_to_path(probe, LAYOUT_HOST, path, sizeof(path), NULL, 0,
	    reason) == -1)
		return -1;
	/* The host is the first segment of the host layout's path. */
	if ((p = strchr(path, '/')) != NULL && host != NULL)
		snprintf(host, hostsz, "%.*s", (int)(p - path), path);
	if (uri_rsync_to_path(probe, layout == LAYOUT_FLAT ? LAYOUT_MODULE :
	    layout, path, sizeof(path), NULL, 0, reason) == -1)
		return -1;
	n = strlen(path);
	if (n < 2 || strcmp(path + n - 2, "/x") != 0) {
		*reason = "not a module URI";
		return -1;
	}
	path[n - 2] = '\0';
	/* Module layout: one segment; host layout: host and module. */
	if ((layout != LAYOUT_HOST && strchr(path, '/') != NULL) ||
	    (layout == LAYOUT_HOST && (strchr(path, '/') == NULL ||
	    strchr(strchr(path, '/') + 1, '/') != NULL))) {
		*reason = "names more than a module (rsync://HOST/MODULE/)";
		return -1;
	}
	if (snprintf(dir, dirsz, "%s", layout == LAYOUT_FLAT ? "" : path) >=
	    (int)dirsz) {
		*reason = "URI too long";
		return -1;
	}
	return 0;
}

int
uri_rsync_to_path(const char *uri, enum uri_layout layout, char *path,
    size_t pathsz, char *host, size_t hostsz, const char **reason)
{
	struct uri_authority	 a;
	const char		*p, *seg, *why = NULL, *below = NULL;
	size_t			 len, i, nseg = 0, off = 0;

	if (reason == NULL)
		reason = &why;
	*reason = NULL;
	if (pathsz > 0)
		path[0] = '\0';
	if (host != NULL && hostsz > 0)
		host[0] = '\0';

	if (uri == NULL || (len = strnlen(uri, MAX_URI_LENGTH + 1)) == 0) {
		*reason = "empty URI";
		return -1;
	}
	if (len > MAX_URI_LENGTH) {
		*reason = "URI too long";
		return -1;
	}
	if ((p = scheme_skip(uri, "rsync")) == NULL) {
		*reason = "not an rsync:// URI";
		return -1;
	}
	if (authority_parse(p, &a, reason) == -1)
		return -1;
	if (*a.end != '/') {
		/* '?' and '#' have no meaning in rsync URIs. */
		*reason = *a.end == '\0' ? "missing module" :
		    "bad character in host";
		return -1;
	}
	if (host != NULL) {
		if (a.hostlen >= hostsz) {
			*reason = "host name too long";
			return -1;
		}
		for (i = 0; i < a.hostlen; i++)
			host[i] = (a.host[i] >= 'A' && a.host[i] <= 'Z') ?
			    a.host[i] - 'A' + 'a' : a.host[i];
		host[i] = '\0';
	}
	if (layout == LAYOUT_HOST) {
		if (a.hostlen + 1 >= pathsz) {
			*reason = "path too long";
			return -1;
		}
		for (i = 0; i < a.hostlen; i++)
			path[off++] = (a.host[i] >= 'A' && a.host[i] <= 'Z') ?
			    a.host[i] - 'A' + 'a' : a.host[i];
		path[off++] = '/';
	}

	for (p = a.end + 1; ; p++) {
		seg = p;
		while (*p != '/' && *p != '\0')
			p++;
		if (segment_check(seg, p - seg, reason) == -1) {
			if (*p == '\0' && p == seg)
				*reason = nseg == 0 ? "missing module" :
				    "trailing \"/\"";
			goto fail;
		}
		/* The module is segment 0; MAX_PATH_DEPTH counts below it. */
		if (++nseg > MAX_PATH_DEPTH + 1) {
			*reason = "path too deep";
			goto fail;
		}
		if (nseg == 1)
			below = p + 1;	/* the path below the module */
		if (*p == '\0')
			break;
	}
	if (nseg < 2) {
		*reason = "missing file name";
		goto fail;
	}
	if (layout == LAYOUT_FLAT && host != NULL) {
		/* The key is host/module: one module per flat tree. */
		len = strlen(host);
		if (len + 1 + (size_t)(below - 1 - (a.end + 1)) >= hostsz) {
			*reason = "host and module too long";
			goto fail;
		}
		host[len] = '/';
		memcpy(host + len + 1, a.end + 1, below - 1 - (a.end + 1));
		host[len + 1 + (below - 1 - (a.end + 1))] = '\0';
	}

	p = layout == LAYOUT_FLAT ? below : a.end + 1;
	len = strlen(p);
	if (off + len >= pathsz) {
		*reason = "path too long";
		goto fail;
	}
	memcpy(path + off, p, len + 1);
	return 0;

 fail:
	if (pathsz > 0)
		path[0] = '\0';
	return -1;
}

int
uri_valid_http(const char *uri, int allow_http)
{
	struct uri_authority	 a;
	const char		*p, *why;
	size_t			 len, i;

	if (uri == NULL)
		return 0;
	len = strnlen(uri, MAX_URI_LENGTH + 1);
	if (len == 0 || len > MAX_URI_LENGTH)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)uri[i] <= 0x20 ||
		    (unsigned char)uri[i] >= 0x7f)
			return 0;
	if ((p = scheme_skip(uri, "https")) == NULL &&
	    (!allow_http || (p = scheme_skip(uri, "http")) == NULL))
		return 0;
	/* Userinfo ("user@host") is refused: the host must be obvious. */
	if (authority_parse(p, &a, &why) == -1)
		return 0;
	return 1;
}

/*
 * Splits uri into scheme and authority. Returns the default port of the
 * scheme (0 if unknown) via *defport, or -1 when uri has no parsable
 * "scheme://authority".
 */
static int
origin_parse(const char *uri, size_t *schemelen, struct uri_authority *a,
    unsigned int *defport)
{
	const char	*sep, *why;

	if (uri == NULL || strnlen(uri, MAX_URI_LENGTH + 1) > MAX_URI_LENGTH)
		return -1;
	if ((sep = strstr(uri, "://")) == NULL || sep == uri)
		return -1;
	*schemelen = sep - uri;
	if (authority_parse(sep + 3, a, &why) == -1)
		return -1;
	*defport = 0;
	if (*schemelen == 5 && strncasecmp(uri, "https", 5) == 0)
		*defport = 443;
	else if (*schemelen == 4 && strncasecmp(uri, "http", 4) == 0)
		*defport = 80;
	else if (*schemelen == 5 && strncasecmp(uri, "rsync", 5) == 0)
		*defport = 873;
	return 0;
}

int
uri_same_origin(const char *a, const char *b)
{
	struct uri_authority	 aa, ab;
	size_t			 sa, sb;
	unsigned int		 da, db, pa, pb;

	if (origin_parse(a, &sa, &aa, &da) == -1 ||
	    origin_parse(b, &sb, &ab, &db) == -1)
		return 0;
	if (sa != sb || strncasecmp(a, b, sa) != 0)
		return 0;
	if (aa.hostlen != ab.hostlen ||
	    strncasecmp(aa.host, ab.host, aa.hostlen) != 0)
		return 0;
	pa = aa.port != 0 ? aa.port : da;
	pb = ab.port != 0 ? ab.port : db;
	return pa == pb;
}

/*
 * Returns 1 if s holds a percent-encoded '.', '/' or '\'. A web server
 * behind --source-uri-base may decode them and then resolve "..", so they
 * are refused in the part of a URI that is mapped there. 0 otherwise.
 */
static int
has_encoded_separator(const char *s)
{
	for (; (s = strchr(s, '%')) != NULL; s++)
		if ((s[1] == '2' && (s[2] == 'e' || s[2] == 'E' ||
		    s[2] == 'f' || s[2] == 'F')) ||
		    (s[1] == '5' && (s[2] == 'c' || s[2] == 'C')))
			return 1;
	return 0;
}

const char *
uri_below_dir(const char *uri, const char *base)
{
	const char	*dirend, *auth, *rest, *p, *seg, *why, *bpath, *upath;
	size_t		 baselen, nseg = 0;

	if (uri == NULL || base == NULL ||
	    strnlen(uri, MAX_URI_LENGTH + 1) > MAX_URI_LENGTH)
		return NULL;
	/* The directory ends before any query or fragment of base. */
	baselen = strcspn(base, "?#");
	auth = strstr(base, "://");
	if (auth != NULL && (size_t)(auth - base) < baselen) {
		/* "https://host" has no directory: the host is not one. */
		auth += 3;
		if ((p = memchr(auth, '/', baselen - (auth - base))) == NULL)
			return NULL;
	}
	for (dirend = NULL, p = base; p < base + baselen; p++)
		if (*p == '/')
			dirend = p;
	if (dirend == NULL)
		return NULL;
	if (auth != NULL && (size_t)(auth - base) < baselen) {
		/*
		 * Scheme and host compare as RFC 3986 normalises them (case,
		 * the default port); the path exactly.
		 */
		bpath = strchr(auth, '/');
		if (!uri_same_origin(uri, base) ||
		    (upath = strstr(uri, "://")) == NULL ||
		    (upath = strchr(upath + 3, '/')) == NULL ||
		    strncmp(upath, bpath, dirend - bpath + 1) != 0)
			return NULL;
		rest = upath + (dirend - bpath + 1);
	} else {
		if (strncmp(uri, base, dirend - base + 1) != 0)
			return NULL;
		rest = uri + (dirend - base + 1);
	}
	if (has_encoded_separator(rest))
		return NULL;

	for (p = rest; ; p++) {
		seg = p;
		while (*p != '/' && *p != '\0')
			p++;
		if (segment_check(seg, p - seg, &why) == -1 ||
		    ++nseg > MAX_PATH_DEPTH)
			return NULL;
		if (*p == '\0')
			break;
	}
	return rest;
}
