/*
 * libFuzzer target for the rsyncd log line parser (rsyncswap/rsyncd/rsyncdlog.c)
 * and the session table fed by it (rsyncswap/rsyncd/rsyncdsess.c). The input is
 * split at "\n" into lines; each is parsed with its exact length (no NUL),
 * and accepted lines go to a small session table. Besides crashes, it
 * aborts when an accepted line has a field over its limit or unterminated.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. -o fuzz_rsyncdlog \
 *       tests/fuzz/fuzz_rsyncdlog.c rsyncswap/rsyncd/rsyncdlog.c rsyncswap/rsyncd/rsyncdsess.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/rsyncd/rsyncdlog.h"
#include "rsyncswap/rsyncd/rsyncdsess.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
on_session(const struct rsyncd_session *s, void *arg)
{
	(void)arg;
	if (strnlen(s->first_vanished, sizeof(s->first_vanished)) ==
	    sizeof(s->first_vanished) || s->pid < 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsyncd_sessions	*t;
	struct rsyncd_line	 l;
	const char		*p = (const char *)data, *nl;
	size_t			 n;

	if ((t = rsyncd_sessions_new(8, on_session, NULL)) == NULL)
		abort();
	while (size > 0) {
		nl = memchr(p, '\n', size);
		n = nl != NULL ? (size_t)(nl - p) + 1 : size;
		/* An exact-size copy, so ASan sees any read past the end. */
		char *line = malloc(n > 0 ? n : 1);
		if (line == NULL)
			abort();
		memcpy(line, p, n);
		if (rsyncd_parse_line(line, n, &l) == 0) {
			if (strnlen(l.module, sizeof(l.module)) == sizeof(l.module) ||
			    strnlen(l.host, sizeof(l.host)) == sizeof(l.host) ||
			    strnlen(l.ip, sizeof(l.ip)) == sizeof(l.ip) ||
			    strnlen(l.path, sizeof(l.path)) == sizeof(l.path) ||
			    l.pid < 1 || l.pid > RSYNCD_PID_MAX ||
			    l.kind > RSYNCD_OTHER)
				abort();
			rsyncd_sessions_add(t, &l);
		}
		free(line);
		p += n;
		size -= n;
	}
	rsyncd_sessions_flush(t, 0);
	rsyncd_sessions_free(t);
	return 0;
}
