/*
 * libFuzzer target for the HTTP response handling of rsyncswap/fetch/fetch.c:
 * each input is sent, as raw bytes, by a server on 127.0.0.1 as the
 * answer to fetch_document() (libcurl, our header callback, the status
 * rules, the size limit), whose body feeds the RRDP notification parser as
 * in a sync. Input byte 0, bit 0: the request carries validators (ETag and
 * Last-Modified), so 304 may count; the rest is the response.
 * Aborts when a rule breaks: a 304 accepted without validators, success
 * without a body, a failure without a message, a message that is not one
 * line.
 *
 *   built by scripts/fuzz, linked with the library objects
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/fetch/fetch.h"
#include "rsyncswap/rrdp/rrdp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The largest body accepted, small so the limit is reached too. */
#define FUZZ_MAX_BODY	16384

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t		*answer;
static size_t		 answer_len;
static int		 lfd = -1;
static char		 base[64];

/* Reads the request up to its blank line (bounded) so curl sees a reply. */
static void
read_request(int c)
{
	char	buf[8192];
	size_t	n = 0;
	ssize_t	r;

	while (n < sizeof(buf) - 1) {
		struct pollfd p = { .fd = c, .events = POLLIN };
		if (poll(&p, 1, 2000) <= 0 ||
		    (r = read(c, buf + n, sizeof(buf) - 1 - n)) <= 0)
			return;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return;
	}
}

/* Answers every connection with the current input, then closes it. */
static void *
server(void *unused)
{
	uint8_t	*copy;
	size_t	 len, off;
	ssize_t	 w;
	int	 c;

	(void)unused;
	for (;;) {
		if ((c = accept(lfd, NULL, NULL)) == -1)
			continue;
		read_request(c);
		pthread_mutex_lock(&mu);
		len = answer_len;
		copy = malloc(len + 1);
		if (copy != NULL && len > 0)
			memcpy(copy, answer, len);
		pthread_mutex_unlock(&mu);
		for (off = 0; copy != NULL && off < len; off += (size_t)w)
			if ((w = write(c, copy + off, len - off)) <= 0)
				break;
		free(copy);
		shutdown(c, SHUT_WR);
		close(c);
	}
	return NULL;
}

/* Starts the server once. Aborts when it cannot. */
static void
setup(void)
{
	struct sockaddr_in	sa;
	socklen_t		sl = sizeof(sa);
	pthread_t		th;

	if (lfd != -1)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) == -1 ||
	    pthread_create(&th, NULL, server, NULL) != 0 ||
	    fetch_init() == -1)
		abort();
	snprintf(base, sizeof(base), "http://127.0.0.1:%u/rrdp/",
	    (unsigned)ntohs(sa.sin_port));
}

struct body {
	struct rrdp_parser	*p;
	size_t			 bytes;
	int			 failed;
};

static int
sink(void *arg, const void *buf, size_t len)
{
	struct body *b = arg;

	b->bytes += len;
	if (rrdp_parser_feed(b->p, buf, len) == -1) {
		b->failed = 1;
		return -1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fetch_config	 fc;
	struct fetch_validators	 v;
	struct rrdp_notification nt;
	struct body		 b;
	enum fetch_result	 r;
	char			 err[1024];
	int			 conditional;
	size_t			 i;

	if (size < 1)
		return 0;
	setup();
	conditional = data[0] & 1;
	pthread_mutex_lock(&mu);
	free(answer);
	answer_len = size - 1;
	if ((answer = malloc(answer_len + 1)) == NULL)
		abort();
	memcpy(answer, data + 1, answer_len);
	pthread_mutex_unlock(&mu);

	memset(&fc, 0, sizeof(fc));
	fc.public_uri = "https://rrdp.example.net/rrdp/notification.xml";
	fc.source_base = base;
	fc.insecure = 1;
	fc.timeout = 5;
	fc.stall_timeout = 2;
	memset(&v, 0, sizeof(v));
	if (conditional) {
		snprintf(v.etag, sizeof(v.etag), "\"abc\"");
		snprintf(v.last_modified, sizeof(v.last_modified),
		    "Tue, 01 Dec 2026 10:00:00 GMT");
	}
	memset(&b, 0, sizeof(b));
	if ((b.p = rrdp_parser_new(RRDP_NOTIFICATION, NULL, 0, 4096,
	    NULL)) == NULL)
		abort();
	r = fetch_document(&fc, fc.public_uri, &v, FUZZ_MAX_BODY, sink, &b,
	    err, sizeof(err));
	if (r == FETCH_NOT_MODIFIED && !conditional)
		abort();		/* a 304 without validators counted */
	if (r == FETCH_OK && b.bytes == 0)
		abort();		/* success without a body */
	if (r == FETCH_ERROR && !b.failed && err[0] == '\0')
		abort();		/* a failure that says nothing */
	for (i = 0; err[i] != '\0'; i++)
		if (err[i] == '\n' || err[i] == '\r')
			abort();	/* not one line */
	if (r == FETCH_OK && rrdp_parser_finish(b.p, NULL, &nt) == 0)
		rrdp_notification_free(&nt);
	rrdp_parser_free(b.p);
	return 0;
}
