/*
 * libFuzzer entry for the RRDP parser: the input is parsed as a
 * notification, a snapshot and a delta, each fed in chunks whose sizes
 * depend on the input. The expected session and serial of the snapshot and
 * delta are taken from the input when it has them, so that the fuzzer gets
 * past the root element.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. \
 *     $(pkg-config --cflags libxml-2.0) tests/fuzz/fuzz_rrdp.c \
 *     rsyncswap/rrdp/*.c rsyncswap/base/log.c \
 *     $(pkg-config --libs libxml-2.0 openssl)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/rrdp/rrdp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Small, so that the size limit is reached by fuzzed objects too. */
#define FUZZ_MAX_OBJECT	4096

static int
fuzz_publish(void *arg, const char *uri, const unsigned char *hash,
    const unsigned char *data, size_t len, char *err, size_t errsz)
{
	size_t *sum = arg;

	(void)uri;
	(void)hash;
	(void)err;
	(void)errsz;
	/* Touch every byte so that ASan sees a bad length. */
	for (size_t i = 0; i < len; i++)
		*sum += data[i];
	return 0;
}

static int
fuzz_withdraw(void *arg, const char *uri, const unsigned char *hash,
    char *err, size_t errsz)
{
	size_t *sum = arg;

	(void)err;
	(void)errsz;
	*sum += strlen(uri) + (hash != NULL ? hash[0] : 0);
	return 0;
}

/* Copies the value of attribute name="..." found in buf, if any. */
static int
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
		return 1;
	}
	return 0;
}

static void
fuzz_one(enum rrdp_kind kind, const uint8_t *data, size_t size,
    const char *session, long long serial)
{
	struct rrdp_handler h = { fuzz_publish, fuzz_withdraw, NULL };
	struct rrdp_notification nt;
	struct rrdp_parser *p;
	size_t sum = 0, off = 0, n;
	unsigned int seed = (unsigned int)size;

	h.arg = &sum;
	p = rrdp_parser_new(kind, session, serial, FUZZ_MAX_OBJECT, &h);
	if (p == NULL)
		abort();
	while (off < size) {
		seed = seed * 1103515245 + 12345;
		n = (seed >> 8) % 257 + 1;
		if (n > size - off)
			n = size - off;
		if (rrdp_parser_feed(p, data + off, n) == -1)
			break;
		off += n;
	}
	if (rrdp_parser_finish(p, NULL, &nt) == 0)
		rrdp_notification_free(&nt);
	if (strchr(rrdp_parser_error(p), '\n') != NULL)
		abort();
	rrdp_parser_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char session[RRDP_SESSION_LEN + 1] =
	    "9df4b597-af9e-4dca-bdda-719cce2c4e28";
	char v[64];
	long long serial = 1;

	if (find_attr(data, size, "session_id", v, sizeof(v)) &&
	    strlen(v) == RRDP_SESSION_LEN)
		memcpy(session, v, sizeof(session));
	if (find_attr(data, size, "serial", v, sizeof(v)))
		serial = strtoll(v, NULL, 10);
	fuzz_one(RRDP_NOTIFICATION, data, size, NULL, -1);
	fuzz_one(RRDP_SNAPSHOT, data, size, session, serial);
	fuzz_one(RRDP_DELTA, data, size, session, serial);
	return 0;
}
