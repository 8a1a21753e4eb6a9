#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/sync/shrink.h"
#include "rsyncswap/sync/sync.h"

#define ACCEPT_NAME	"accept-shrink"

/*
 * Reads the revision name the acceptance in state_dir is for into buf.
 * Returns 0, or -1 when there is none (or it cannot be read).
 */
static int
accept_read(const char *state_dir, char *buf, size_t bufsz)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/" ACCEPT_NAME, state_dir);
	if ((fd = fs_open_regular(path)) < 0)
		return -1;
	r = read(fd, buf, bufsz - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int
shrink_check(const char *state_dir, const char *served,
    long long served_objects, long long objects, long long max_pct,
    char *err, size_t errsz)
{
	char accepted[STATE_NAME_MAX + 2];
	long long pct;

	if (served == NULL || served_objects <= 0 || objects >= served_objects)
		return 0;
	/* Whole percent, rounded down: 100 turns the guard off. */
	pct = (served_objects - objects) * 100 / served_objects;
	if ((served_objects - objects) * 100 <= max_pct * served_objects)
		return 0;
	if (accept_read(state_dir, accepted, sizeof(accepted)) == 0 &&
	    strcmp(accepted, served) == 0) {
		log_warn("%lld objects, %lld%% fewer than the %lld of %s: "
		    "accepted once (rsyncswap accept-shrink)", objects, pct,
		    served_objects, served);
		return 0;
	}
	snprintf(err, errsz, SHRINK_REFUSED ": %lld objects, %lld%% fewer "
	    "than the %lld of %s (%s %lld; `rsyncswap accept-shrink` "
	    "serves it once)", objects, pct, served_objects, served,
	    opt_name(OPT_MAX_SHRINK), max_pct);
	return -1;
}

void
shrink_accept_clear(const char *state_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/" ACCEPT_NAME, state_dir);
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("%s: %s", path, strerror(errno));
}

int
shrink_accept_run(const char *state_dir, int quiet)
{
	char err[ERR_MAX], path[PATH_MAX];
	struct atomic_file af;
	struct state *st;
	int rc = -1;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_error("out of memory");
		return -1;
	}
	switch (state_read(state_dir, st, err, sizeof(err))) {
	case 0:
		break;
	case 1:
		log_error("%s: no state: nothing is served yet, nothing to "
		    "accept", state_dir);
		goto out;
	default:
		log_error("%s", err);
		goto out;
	}
	if (st->revision[0] == '\0') {
		log_error("%s: the state names no served revision", state_dir);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/" ACCEPT_NAME, state_dir);
	if (atomic_file_open(&af, path, 0644, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	fprintf(af.f, "%s\n", st->revision);
	if (atomic_file_commit(&af, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	if (!quiet)
		printf("the next revision that replaces %s (%lld objects) is "
		    "served however much smaller it is, once\n", st->revision,
		    st->objects);
	rc = 0;
out:
	state_free(st);
	free(st);
	return rc;
}
