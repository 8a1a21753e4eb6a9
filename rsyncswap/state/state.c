/*
 * Persistent state and the run lock: reading and atomically replacing
 * <state-dir>/state (its text format is in state_format.c), the history of
 * current revisions, and the flock on <state-dir>/lock.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/errbuf.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/state/state_format.h"

/* The temporary state file of state_write; ".state." is an older name. */
#define STATE_TMP	TMP_PREFIX "state-"

int
state_read(const char *dir, struct state *st, char *err, size_t errsz)
{
	char		 path[PATH_MAX], reason[256] = "";
	char		*buf = NULL;
	const char	*damaged = "";
	struct stat	 sb;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd, rc = -1;

	memset(st, 0, sizeof(*st));
	if ((size_t)snprintf(path, sizeof(path), "%s/state", dir) >=
	    sizeof(path)) {
		errbuf_set(err, errsz, "%s/state: path too long", dir);
		return -1;
	}
	/* A FIFO planted as the state must not block every run. */
	if ((fd = fs_open_regular(path)) < 0) {
		if (fd == -1 && errno == ENOENT)
			return 1;
		errbuf_set(err, errsz, "%s: %s", path, fd == -2 ?
		    "not a regular file" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		snprintf(reason, sizeof(reason), "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(reason, sizeof(reason), "not a regular file");
		goto out;
	}
	if (sb.st_size > MAX_STATE_FILE_SIZE) {
		snprintf(reason, sizeof(reason), "damaged: larger than "
		    "%d bytes", MAX_STATE_FILE_SIZE);
		goto out;
	}
	/* One byte more than fstat said, to notice a file that grew. */
	if ((buf = malloc(sb.st_size + 2)) == NULL) {
		snprintf(reason, sizeof(reason), "%s", strerror(errno));
		goto out;
	}
	while (len <= (size_t)sb.st_size) {
		r = read(fd, buf + len, sb.st_size + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(reason, sizeof(reason), "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += r;
	}
	if (len != (size_t)sb.st_size) {
		snprintf(reason, sizeof(reason), "changed while being read");
		goto out;
	}
	buf[len] = '\0';
	if ((rc = state_parse(buf, len, st, reason, sizeof(reason))) == -1)
		damaged = "damaged: ";
 out:
	if (rc == -1) {
		errbuf_set(err, errsz, "%s: %s%s", path, damaged, reason);
		state_free(st);
		memset(st, 0, sizeof(*st));
	}
	free(buf);
	close(fd);
	return rc;
}

void
state_clean_temps(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, STATE_TMP, strlen(STATE_TMP)) == 0 ||
		    strncmp(de->d_name, ".state.", 7) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

int
state_write(const char *dir, const struct state *st, char *err, size_t errsz)
{
	struct atomic_file af;
	char path[PATH_MAX];

	if (state_check(st, err, errsz) == -1)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/state", dir) >=
	    sizeof(path)) {
		errbuf_set(err, errsz, "%s/state: path too long", dir);
		return -1;
	}
	/* Readable by "rsyncswap status" run by an operator; no secrets. */
	if (atomic_file_open(&af, path, 0644, err, errsz) == -1)
		return -1;
	if (state_print(af.f, st) == -1) {
		errbuf_set(err, errsz, "%s: %s", af.tmp, strerror(errno));
		atomic_file_abort(&af);
		return -1;
	}
	return atomic_file_commit(&af, err, errsz);
}

void
state_history_make_room(struct state *st)
{
	if (st->nhistory == MAX_HISTORY) {
		memmove(&st->history[0], &st->history[1],
		    (MAX_HISTORY - 1) * sizeof(st->history[0]));
		st->nhistory--;
	}
}

void
state_history_push(struct state *st, const char *name, long long now)
{
	size_t	i;

	if (st->nhistory > 0 &&
	    strcmp(st->history[st->nhistory - 1].name, name) == 0 &&
	    st->history[st->nhistory - 1].until == 0)
		return;		/* already current */
	if (st->nhistory > 0 && st->history[st->nhistory - 1].until == 0)
		st->history[st->nhistory - 1].until = now;
	/* A name appears once, so that state_history_find is exact. */
	for (i = 0; i < st->nhistory; ) {
		if (strcmp(st->history[i].name, name) == 0) {
			memmove(&st->history[i], &st->history[i + 1],
			    (st->nhistory - i - 1) * sizeof(st->history[0]));
			st->nhistory--;
		} else
			i++;
	}
	state_history_make_room(st);
	snprintf(st->history[st->nhistory].name,
	    sizeof(st->history[0].name), "%s", name);
	st->history[st->nhistory].since = now;
	st->history[st->nhistory].until = 0;
	st->nhistory++;
}

struct state_revision *
state_history_adopt(struct state *st, const char *name, long long until)
{
	struct state_revision *r;

	if ((r = state_history_find(st, name)) != NULL)
		return r;
	state_history_make_room(st);
	/* Keep the open (current) entry last. */
	r = &st->history[st->nhistory];
	if (st->nhistory > 0 && st->history[st->nhistory - 1].until == 0) {
		*r = st->history[st->nhistory - 1];
		r = &st->history[st->nhistory - 1];
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->since = until;
	r->until = until;
	st->nhistory++;
	return r;
}

const struct state_revision *
state_history_at(const struct state *st, long long t)
{
	for (size_t i = st->nhistory; i-- > 0; ) {
		const struct state_revision *r = &st->history[i];

		if (r->since <= t && (r->until == 0 || t < r->until))
			return r;
	}
	return NULL;
}

struct state_revision *
state_history_find(struct state *st, const char *name)
{
	size_t	i;

	for (i = st->nhistory; i > 0; i--)
		if (strcmp(st->history[i - 1].name, name) == 0)
			return &st->history[i - 1];
	return NULL;
}

int
state_set_deltas(struct state *st, const struct rrdp_notification *n)
{
	struct state_delta	*d = NULL;
	size_t			 i;

	if (n->ndeltas > MAX_NOTIFICATION_DELTAS) {
		errno = E2BIG;
		return -1;
	}
	if (n->ndeltas > 0 &&
	    (d = calloc(n->ndeltas, sizeof(*d))) == NULL)
		return -1;
	for (i = 0; i < n->ndeltas; i++) {
		d[i].serial = n->deltas[i].serial;
		memcpy(d[i].hash, n->deltas[i].hash, RRDP_HASH_LEN);
	}
	free(st->deltas);
	st->deltas = d;
	st->ndeltas = n->ndeltas;
	return 0;
}

void
state_free(struct state *st)
{
	free(st->deltas);
	st->deltas = NULL;
	st->ndeltas = 0;
}

int
state_lock(const char *dir, char *err, size_t errsz)
{
	char	path[PATH_MAX], buf[32];
	ssize_t	n;
	int	fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/lock", dir) >=
	    sizeof(path)) {
		errbuf_set(err, errsz, "%s/lock: path too long", dir);
		return -1;
	}
	/* A lock file made by root may be read-only to us: flock works. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1 && (errno != EACCES || (fd = open(path, O_RDONLY |
	    O_CLOEXEC | O_NOFOLLOW)) == -1)) {
		errbuf_set(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			n = pread(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (buf[0] >= '1' && buf[0] <= '9' &&
			    strspn(buf, "0123456789") == strlen(buf))
				errbuf_set(err, errsz, "%s: held by rsyncswap "
				    "pid %s", path, buf);
			else
				errbuf_set(err, errsz, "%s: held by another "
				    "rsyncswap", path);
			close(fd);
			return -2;
		}
		errbuf_set(err, errsz, "flock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Who holds it, for the message of the next one (best effort). */
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, n, 0) != n &&
	    ftruncate(fd, 0) == -1)
		n = 0;	/* a torn pid only makes a worse message */
	return fd;
}
