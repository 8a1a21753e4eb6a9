#include <sys/stat.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/base/version.h"
#include "rsyncswap/fetch/fetch.h"

#define READ_CHUNK	(64 * 1024)

struct transfer {
	fetch_sink		 sink;
	void			*arg;
	long long		 max_size;
	long long		 received;
	int			 sink_failed;
	int			 too_large;
	long			 bad_status;	/* not 200: body not parsed */
	volatile sig_atomic_t	*stop;
	char			 location[512];	/* of a redirect, not followed */
	CURL			*curl;
	struct fetch_validators	*v;
};

/* Returns 0 when libcurl is ready, -1 otherwise. */
int
fetch_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/*
 * Maps a public URI to where it is really read from: writes a local path
 * or a back-end URI into out. Returns 0, or -1 with a reason in err.
 */
static int
fetch_map(const struct fetch_config *fc, const char *uri, char *out,
    size_t outsz, char *err, size_t errsz)
{
	const char *rest;
	int n;

	if (fc->source_base == NULL) {
		n = snprintf(out, outsz, "%s", uri);
	} else {
		if ((rest = uri_below_dir(uri, fc->public_uri)) == NULL) {
			snprintf(err, errsz, "%s: not below the notification's "
			    "directory, cannot map it to %s", uri,
			    opt_name(OPT_SOURCE));
			return -1;
		}
		n = snprintf(out, outsz, "%s%s%s", fc->source_base,
		    fc->source_base[strlen(fc->source_base) - 1] == '/' ?
		    "" : "/", rest);
	}
	if (n < 0 || (size_t)n >= outsz) {
		snprintf(err, errsz, "%s: URI too long", uri);
		return -1;
	}
	return 0;
}

/* Returns FETCH_OK or FETCH_ERROR after feeding a local file to the sink. */
static enum fetch_result
fetch_file(const char *path, const char *uri, long long max_size,
    fetch_sink sink, void *arg, char *err, size_t errsz)
{
	static unsigned char buf[READ_CHUNK];
	long long total = 0;
	struct stat sb;
	ssize_t r;
	int fd;

	/* The back-end's symlinks are followed; a FIFO never blocks us. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsz, "%s (%s): %s", uri, path, fd == -1 ||
		    S_ISREG(sb.st_mode) ? strerror(errno) :
		    "not a regular file");
		if (fd != -1)
			close(fd);
		return FETCH_ERROR;
	}
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errsz, "%s (%s): read: %s", uri, path,
			    strerror(errno));
			break;
		}
		if (r == 0 && total == 0) {
			snprintf(err, errsz, "%s (%s): empty file", uri, path);
			break;
		}
		if (r == 0) {
			close(fd);
			return FETCH_OK;
		}
		if ((total += r) > max_size) {
			snprintf(err, errsz, "%s (%s): larger than %lld bytes",
			    uri, path, max_size);
			break;
		}
		if (sink(arg, buf, (size_t)r) == -1) {
			err[0] = '\0';
			break;
		}
	}
	close(fd);
	return FETCH_ERROR;
}

static size_t
fetch_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * nmemb;
	long status = 0;

	/* The status decides before the parser sees an error page. */
	if (t->received == 0 && curl_easy_getinfo(t->curl,
	    CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status != 200) {
		t->bad_status = status;
		return 0;
	}
	if ((t->received += (long long)len) > t->max_size) {
		t->too_large = 1;
		return 0;
	}
	if (t->sink(t->arg, ptr, len) == -1) {
		t->sink_failed = 1;
		return 0;
	}
	return len;
}

/* Called by libcurl at least once a second: ends the transfer on a stop. */
static int
fetch_progress_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = userdata;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return t->stop != NULL && *t->stop;
}

/* Copies a response header value (trimmed) into dst if name matches. */
static void
fetch_header_value(const char *line, size_t len, const char *name, char *dst,
    size_t dstsz)
{
	size_t nlen = strlen(name);

	if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 ||
	    line[nlen] != ':')
		return;
	line += nlen + 1;
	len -= nlen + 1;
	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	    line[len - 1] == ' '))
		len--;
	if (len >= dstsz)
		return;		/* an absurd validator is not kept */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return;
	memcpy(dst, line, len);
	dst[len] = '\0';
}

static size_t
fetch_header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t len = size * nitems;

	fetch_header_value(buf, len, "Location", t->location,
	    sizeof(t->location));
	if (t->v != NULL) {
		fetch_header_value(buf, len, "ETag", t->v->etag,
		    sizeof(t->v->etag));
		fetch_header_value(buf, len, "Last-Modified",
		    t->v->last_modified, sizeof(t->v->last_modified));
	}
	return len;
}

/* Returns a FETCH_* result after an HTTP(S) transfer of url. */
static enum fetch_result
fetch_http(const struct fetch_config *fc, const char *url, const char *uri,
    struct fetch_validators *v, long long max_size, fetch_sink sink,
    void *arg, char *err, size_t errsz)
{
	char cerr[CURL_ERROR_SIZE] = "", name[2 * MAX_URI_LENGTH + 8];
	struct curl_slist *hdrs = NULL;
	struct fetch_validators fresh;
	struct transfer t;
	char h[512];
	CURLcode rc;
	long status = 0;
	long total = fc->timeout > 0 ? fc->timeout : (long)FETCH_TIMEOUT;
	long stall = fc->stall_timeout > 0 ? fc->stall_timeout :
	    (long)FETCH_LOW_SPEED_TIME;
	int conditional;
	CURL *c;

	/* Errors name what was fetched: the back-end URL too, if another. */
	if (strcmp(url, uri) == 0)
		snprintf(name, sizeof(name), "%s", uri);
	else
		snprintf(name, sizeof(name), "%s (%s)", uri, url);

	memset(&fresh, 0, sizeof(fresh));
	memset(&t, 0, sizeof(t));
	t.sink = sink;
	t.arg = arg;
	t.max_size = max_size;
	t.v = v != NULL ? &fresh : NULL;

	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "%s: cannot set up libcurl", name);
		return FETCH_ERROR;
	}
	t.curl = c;
	if (v != NULL && v->etag[0] != '\0') {
		snprintf(h, sizeof(h), "If-None-Match: %s", v->etag);
		hdrs = curl_slist_append(hdrs, h);
	}
	if (v != NULL && v->last_modified[0] != '\0') {
		snprintf(h, sizeof(h), "If-Modified-Since: %s",
		    v->last_modified);
		hdrs = curl_slist_append(hdrs, h);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    fc->insecure ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rsyncswap/" RSYNCSWAP_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)FETCH_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, total);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
	t.stop = fc->stop;
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
	if (hdrs != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (fc->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (fc->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, fc->ca_file);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	conditional = hdrs != NULL;
	curl_slist_free_all(hdrs);

	if (t.sink_failed) {
		err[0] = '\0';
		return FETCH_ERROR;
	}
	if (t.too_large) {
		snprintf(err, errsz, "%s: larger than %lld bytes", name,
		    max_size);
		return FETCH_ERROR;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(err, errsz, "%s: interrupted", name);
		return FETCH_ERROR;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errsz, "%s: %s (%s %ld s, %s %ld s)", name,
		    cerr[0] != '\0' ? cerr : curl_easy_strerror(rc),
		    opt_name(OPT_FETCH_TIMEOUT), total,
		    opt_name(OPT_STALL_TIMEOUT), stall);
		return FETCH_ERROR;
	}
	if (rc != CURLE_OK && t.bad_status == 0) {
		snprintf(err, errsz, "%s: %s", name,
		    cerr[0] != '\0' ? cerr : curl_easy_strerror(rc));
		return FETCH_ERROR;
	}
	/* 304 answers only a request that carried our validators. */
	if (status == 304 && v != NULL && conditional)
		return FETCH_NOT_MODIFIED;
	if (status == 304) {
		snprintf(err, errsz, "%s: HTTP status 304 to a request without "
		    "validators", name);
		return FETCH_ERROR;
	}
	if (status >= 300 && status < 400 && t.location[0] != '\0') {
		snprintf(err, errsz, "%s: HTTP status %ld, a redirect to %s "
		    "(not followed: give the final URI)", name, status,
		    t.location);
		return FETCH_ERROR;
	}
	if (status != 200) {
		snprintf(err, errsz, "%s: HTTP status %ld", name, status);
		return FETCH_ERROR;
	}
	if (t.received == 0) {
		snprintf(err, errsz, "%s: empty response (HTTP status 200 "
		    "without a body)", name);
		return FETCH_ERROR;
	}
	if (v != NULL)
		*v = fresh;
	return FETCH_OK;
}

const char *
fetch_label(const struct fetch_config *fc, const char *uri, char *buf,
    size_t bufsz)
{
	char where[MAX_URI_LENGTH + 4096], err[ERR_MAX];

	if (fc->source_base == NULL || fetch_map(fc, uri, where,
	    sizeof(where), err, sizeof(err)) == -1)
		snprintf(buf, bufsz, "%s", uri);
	else
		snprintf(buf, bufsz, "%s (%s)", uri, where);
	return buf;
}

enum fetch_result
fetch_document(const struct fetch_config *fc, const char *uri,
    struct fetch_validators *v, long long max_size, fetch_sink sink,
    void *arg, char *err, size_t errsz)
{
	char where[MAX_URI_LENGTH + 4096];

	err[0] = '\0';
	if (fetch_map(fc, uri, where, sizeof(where), err, errsz) == -1)
		return FETCH_ERROR;
	if (fc->source_base != NULL && fc->source_is_dir)
		return fetch_file(where, uri, max_size, sink, arg, err, errsz);
	return fetch_http(fc, where, uri, v, max_size, sink, arg, err, errsz);
}
