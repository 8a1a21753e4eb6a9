/*
 * libFuzzer target for the state reader of rsyncswap/state/state.c: each input
 * becomes <tmpdir>/state and is read. A file that is accepted must survive
 * state_write and read back identically.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. -o fuzz_state \
 *       tests/fuzz/fuzz_state.c rsyncswap/state/state.c \
 *       rsyncswap/state/state_format.c
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/state/state.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	dir[PATH_MAX / 2], file[PATH_MAX];

static void
cleanup(void)
{
	char	lock[PATH_MAX];

	unlink(file);
	snprintf(lock, sizeof(lock), "%s/lock", dir);
	unlink(lock);
	rmdir(dir);
}

/* Aborts unless a and b hold the same state. */
static void
check_same(const struct state *a, const struct state *b)
{
	size_t	i;

	if (strcmp(a->session_id, b->session_id) != 0 ||
	    a->serial != b->serial || strcmp(a->revision, b->revision) != 0 ||
	    strcmp(a->etag, b->etag) != 0 ||
	    strcmp(a->last_modified, b->last_modified) != 0 ||
	    a->ndeltas != b->ndeltas || a->nhistory != b->nhistory ||
	    a->last_success != b->last_success ||
	    a->last_failure != b->last_failure ||
	    strcmp(a->last_error, b->last_error) != 0)
		abort();
	if (a->ndeltas > 0 && memcmp(a->deltas, b->deltas,
	    a->ndeltas * sizeof(a->deltas[0])) != 0)
		abort();
	for (i = 0; i < a->nhistory; i++)
		if (strcmp(a->history[i].name, b->history[i].name) != 0 ||
		    a->history[i].since != b->history[i].since ||
		    a->history[i].until != b->history[i].until)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state	 a, b;
	char		 err[ERR_MAX];
	int		 fd;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/fuzz_state.XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(file, sizeof(file), "%s/state", dir);
		atexit(cleanup);
	}
	if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, data, size) != (ssize_t)size || close(fd) == -1)
		abort();

	switch (state_read(dir, &a, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		if (a.deltas != NULL || a.ndeltas != 0 || a.nhistory != 0 ||
		    err[0] == '\0')
			abort();
		return 0;
	default:
		abort();
	}
	memset(&b, 0, sizeof(b));
	if (state_write(dir, &a, err, sizeof(err)) != 0 ||
	    state_read(dir, &b, err, sizeof(err)) != 0)
		abort();
	check_same(&a, &b);
	state_free(&a);
	state_free(&b);
	return 0;
}
