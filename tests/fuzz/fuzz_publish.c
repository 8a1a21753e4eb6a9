/*
 * libFuzzer target for the path an object takes through rsyncswap sync:
 * the input is parsed as a snapshot and as a delta by rrdp_parser, fed in
 * input-dependent chunks, with the document hash checked at the end (the
 * SHA-256 of the input, so that a valid document is accepted), and every
 * publish and withdraw URI goes through uri_rsync_to_path with and without
 * the host, as sync.c does. Aborts when a mapped path could leave the
 * revision directory, or when an accepted document's error is not empty.
 * Built and run by scripts/fuzz (make fuzz).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/rrdp/rrdp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Small, so that fuzzed objects reach the size limit too. */
#define FUZZ_MAX_OBJECT	4096

/* Aborts unless path is relative, without empty, "." or ".." segments. */
static void
check_path(const char *path)
{
	const char *p = path, *seg;

	if (*p == '\0' || *p == '/')
		abort();
	while (*p != '\0') {
		seg = p;
		while (*p != '/' && *p != '\0')
			p++;
		if (p == seg || (p - seg == 1 && seg[0] == '.') ||
		    (p - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			abort();
		if (*p == '/' && *++p == '\0')
			abort();
	}
}

/* Maps uri as sync.c does, without and with the host. */
static void
map_uri(const char *uri)
{
	char path[MAX_URI_LENGTH + 1], host[MAX_FN_LENGTH + 1];
	const char *why = NULL;

	if (uri_rsync_to_path(uri, 0, path, sizeof(path), host, sizeof(host),
	    &why) == 0) {
		check_path(path);
		check_path(host);
	} else if (why == NULL)
		abort();
	if (uri_rsync_to_path(uri, 1, path, sizeof(path), NULL, 0, &why) == 0)
		check_path(path);
}

static int
fuzz_publish(void *arg, const char *uri, const unsigned char *hash,
    const unsigned char *data, size_t len, char *err, size_t errsz)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t *n = arg;

	(void)err;
	(void)errsz;
	if (len > FUZZ_MAX_OBJECT)
		abort();
	map_uri(uri);
	/* The object is hashed like a file a delta replaces. */
	SHA256(data, len, md);
	if (hash != NULL && memcmp(hash, md, sizeof(md)) == 0)
		(*n)++;
	(*n)++;
	return 0;
}

static int
fuzz_withdraw(void *arg, const char *uri, const unsigned char *hash,
    char *err, size_t errsz)
{
	size_t *n = arg;

	(void)err;
	(void)errsz;
	if (hash == NULL)
		abort();	/* a withdraw always has one */
	map_uri(uri);
	(*n)++;
	return 0;
}

/* Copies the value of attribute name="..." of buf into out, if any. */
static void
find_attr(const uint8_t *buf, size_t len, const char *name, char *out,
    size_t outsz)
{
	size_t nlen = strlen(name), i, j;

	for (i = 0; i + nlen + 2 <= len; i++) {
		if (memcmp(buf + i, name, nlen) != 0 || buf[i + nlen] != '=' ||
		    buf[i + nlen + 1] != '"')
			continue;
		i += nlen + 2;
		for (j = 0; i + j < len && buf[i + j] != '"' && j + 1 < outsz;
		    j++)
			out[j] = (char)buf[i + j];
		out[j] = '\0';
		return;
	}
}

static void
parse_as(enum rrdp_kind kind, const uint8_t *data, size_t size,
    const unsigned char *md, const char *session, long long serial)
{
	struct rrdp_handler h = { fuzz_publish, fuzz_withdraw, NULL };
	struct rrdp_parser *p;
	size_t objects = 0, off = 0, n;
	unsigned int seed = (unsigned int)size ^ (unsigned int)kind;
	int fed = 0;

	h.arg = &objects;
	if ((p = rrdp_parser_new(kind, session, serial, FUZZ_MAX_OBJECT,
	    &h)) == NULL)
		abort();
	while (off < size) {
		seed = seed * 1103515245 + 12345;
		n = (seed >> 8) % 4096 + 1;
		if (n > size - off)
			n = size - off;
		if ((fed = rrdp_parser_feed(p, data + off, n)) == -1)
			break;
		off += n;
	}
	if (fed == 0 && rrdp_parser_finish(p, md, NULL) == 0) {
		if (rrdp_parser_error(p)[0] != '\0')
			abort();
	} else if (rrdp_parser_error(p)[0] == '\0' ||
	    strchr(rrdp_parser_error(p), '\n') != NULL)
		abort();
	rrdp_parser_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char session[RRDP_SESSION_LEN + 1] =
	    "9df4b597-af9e-4dca-bdda-719cce2c4e28";
	char v[64] = "";
	unsigned char md[SHA256_DIGEST_LENGTH];
	long long serial = 1;

	find_attr(data, size, "session_id", v, sizeof(v));
	if (strlen(v) == RRDP_SESSION_LEN)
		memcpy(session, v, sizeof(session));
	v[0] = '\0';
	find_attr(data, size, "serial", v, sizeof(v));
	if (v[0] != '\0')
		serial = strtoll(v, NULL, 10);
	SHA256(data, size, md);
	parse_as(RRDP_SNAPSHOT, data, size, md, session, serial);
	parse_as(RRDP_DELTA, data, size, md, session, serial);
	return 0;
}
