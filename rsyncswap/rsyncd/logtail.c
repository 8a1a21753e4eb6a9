/*
 * The log tailer: one "current" file (the one under the name) and up to
 * LOGTAIL_DRAIN_MAX rotated-away files still being read. Each file keeps
 * its own read offset (pread) and partial line.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/clock.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/rsyncd/logtail.h"

#define READ_CHUNK	65536
#define FILE_MASK	(IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB)
#define DIR_MASK	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)

/* skip: what to do until the next "\n". */
enum skip { SKIP_NONE, SKIP_CUT, SKIP_QUIET };

struct lt_file {
	int		 fd;		/* -1: none */
	int		 wd;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 off;
	char		*part;		/* RSYNCD_LINE_MAX bytes */
	size_t		 partlen;
	enum skip	 skip;
	time_t		 grown;		/* monotonic time of its last growth */
};

struct logtail {
	char			*path;
	int			 ifd;
	struct lt_file		 cur;
	struct lt_file		 drain[LOGTAIL_DRAIN_MAX];
	size_t			 ndrain;
	unsigned long long	 opened;	/* files opened under the name */
	char			*buf;
	struct logtail_stats	 st;
};

/*
 * Opens the file under lt->path into f, at its end when at_end is set.
 * Returns 0, 1 when there is no such file, -2 when it is not a regular
 * file (a FIFO or /dev/zero would block or never end: never read), -1 on
 * other errors (in err).
 */
static int
file_open(struct logtail *lt, struct lt_file *f, int at_end, char *err,
    size_t errsz)
{
	struct stat	st;
	char		c;

	if ((f->fd = open(lt->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errsz, "%s: %s", lt->path, strerror(errno));
		return -1;
	}
	if (fstat(f->fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", lt->path);
		close(f->fd);
		f->fd = -1;
		return -2;
	}
	if (fstat(f->fd, &st) == -1 ||
	    (f->part == NULL && (f->part = malloc(RSYNCD_LINE_MAX)) == NULL)) {
		snprintf(err, errsz, "%s: %s", lt->path, strerror(errno));
		close(f->fd);
		f->fd = -1;
		return -1;
	}
	/* The watch follows the inode, also after a rename. */
	f->wd = inotify_add_watch(lt->ifd, lt->path, FILE_MASK);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->off = 0;
	f->partlen = 0;
	f->skip = SKIP_NONE;
	f->grown = (time_t)(clock_ms() / 1000);
	if (at_end && st.st_size > 0) {
		f->off = st.st_size;
		/* Started in the middle of a line: drop its rest silently. */
		if (pread(f->fd, &c, 1, st.st_size - 1) == 1 && c != '\n')
			f->skip = SKIP_QUIET;
	}
	return 0;
}

/* Delivers one line. */
static void
deliver(struct logtail *lt, const char *p, size_t n, logtail_line_cb cb,
    void *arg)
{
	lt->st.lines++;
	cb(p, n, arg);
}

/* Splits the n bytes at p into lines of f. Returns the lines delivered. */
static long
split(struct logtail *lt, struct lt_file *f, const char *p, size_t n,
    logtail_line_cb cb, void *arg)
{
	const char	*nl;
	size_t		 seg;
	long		 lines = 0;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		seg = nl != NULL ? (size_t)(nl - p) : n;
		if (f->skip == SKIP_NONE && f->partlen + seg > RSYNCD_LINE_MAX) {
			f->skip = SKIP_CUT;
			f->partlen = 0;
			lt->st.cut++;
		}
		if (f->skip != SKIP_NONE) {
			if (nl != NULL)
				f->skip = SKIP_NONE;
		} else if (nl == NULL) {
			memcpy(f->part + f->partlen, p, seg);
			f->partlen += seg;
		} else if (f->partlen > 0) {
			memcpy(f->part + f->partlen, p, seg);
			deliver(lt, f->part, f->partlen + seg, cb, arg);
			f->partlen = 0;
			lines++;
		} else {
			deliver(lt, p, seg, cb, arg);
			lines++;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
		n -= seg + 1;
	}
	return lines;
}

/*
 * Reads f from its offset to its end (restarting at 0 when it got shorter).
 * Returns the lines delivered, or -1 on a read error (in err).
 */
static long
file_read(struct logtail *lt, struct lt_file *f, logtail_line_cb cb,
    void *arg, char *err, size_t errsz)
{
	struct stat	st;
	ssize_t		n;
	long		lines = 0;

	if (fstat(f->fd, &st) == 0 && st.st_size < f->off) {
		lt->st.truncations++;
		if (f->partlen > 0 || f->skip == SKIP_CUT)
			lt->st.cut++;
		f->off = 0;
		f->partlen = 0;
		f->skip = SKIP_NONE;
	}
	for (;;) {
		n = pread(f->fd, lt->buf, READ_CHUNK, f->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errsz, "%s: read: %s", lt->path,
			    strerror(errno));
			return -1;
		}
		if (n == 0)
			return lines;
		f->off += n;
		f->grown = (time_t)(clock_ms() / 1000);
		lines += split(lt, f, lt->buf, (size_t)n, cb, arg);
	}
}

/* Closes f, delivering an unterminated last line. Returns the lines delivered. */
static long
file_close(struct logtail *lt, struct lt_file *f, logtail_line_cb cb,
    void *arg)
{
	long	lines = 0;

	if (f->partlen > 0 && f->skip == SKIP_NONE && cb != NULL) {
		lt->st.unterminated++;
		deliver(lt, f->part, f->partlen, cb, arg);
		lines++;
	}
	if (f->wd != -1)
		inotify_rm_watch(lt->ifd, f->wd);
	close(f->fd);
	free(f->part);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->wd = -1;
	return lines;
}

/*
 * Moves the current file to the draining ones, closing the oldest of those
 * (read to its end first) when there are too many. Returns the lines
 * delivered, or -1 (in err).
 */
static long
retire_current(struct logtail *lt, logtail_line_cb cb, void *arg, char *err,
    size_t errsz)
{
	long	lines = 0;

	if (lt->ndrain == LOGTAIL_DRAIN_MAX) {
		if ((lines = file_read(lt, &lt->drain[0], cb, arg, err,
		    errsz)) == -1)
			return -1;
		lines += file_close(lt, &lt->drain[0], cb, arg);
		memmove(&lt->drain[0], &lt->drain[1],
		    (LOGTAIL_DRAIN_MAX - 1) * sizeof(lt->drain[0]));
		lt->ndrain--;
	}
	lt->drain[lt->ndrain++] = lt->cur;
	memset(&lt->cur, 0, sizeof(lt->cur));
	lt->cur.fd = -1;
	lt->cur.wd = -1;
	return lines;
}

struct logtail *
logtail_open(const char *path, int from_start, char *err, size_t errsz)
{
	struct logtail	*lt;
	char		*copy = NULL;

	if ((lt = calloc(1, sizeof(*lt))) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	lt->ifd = lt->cur.fd = lt->cur.wd = -1;
	if ((lt->path = strdup(path)) == NULL ||
	    (copy = strdup(path)) == NULL ||
	    (lt->buf = malloc(READ_CHUNK)) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		goto fail;
	}
	if ((lt->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		snprintf(err, errsz, "inotify: %s", strerror(errno));
		goto fail;
	}
	if (inotify_add_watch(lt->ifd, dirname(copy), DIR_MASK) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(copy);
	switch (file_open(lt, &lt->cur, !from_start, err, errsz)) {
	case -1:
	case -2:
		logtail_close(lt);
		return NULL;
	case 0:
		lt->opened = 1;
		break;
	}
	return lt;
fail:
	free(copy);
	logtail_close(lt);
	return NULL;
}

int
logtail_fd(const struct logtail *lt)
{
	return lt->ifd;
}

int
logtail_poll_timeout(const struct logtail *lt)
{
	(void)lt;
	return LOGTAIL_RECHECK_MS;
}

/* Reads and discards every pending inotify event: they only wake us. */
static void
drain_events(struct logtail *lt)
{
	char	ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(lt->ifd, ev, sizeof(ev)) > 0)
		;
}

/*
 * Re-checks the name: when another file (or none) is there, retires the
 * current one and opens the new one from its start. Returns lines delivered
 * while retiring, or -1 (in err).
 */
static long
check_path(struct logtail *lt, logtail_line_cb cb, void *arg, char *err,
    size_t errsz)
{
	struct stat	st;
	long		lines = 0;
	int		had = lt->cur.fd != -1, rc;

	/* The current file has been read to its end by the caller. */

	if (stat(lt->path, &st) == -1) {
		if (errno != ENOENT) {
			snprintf(err, errsz, "%s: %s", lt->path,
			    strerror(errno));
			return -1;
		}
		if (had)
			lines = retire_current(lt, cb, arg, err, errsz);
		return lines;
	}
	if (had && st.st_dev == lt->cur.dev && st.st_ino == lt->cur.ino)
		return 0;
	if (had && (lines = retire_current(lt, cb, arg, err, errsz)) == -1)
		return -1;
	/* Something else than a log under the name: as if none (yet). */
	if ((rc = file_open(lt, &lt->cur, 0, err, errsz)) == -1)
		return -1;
	if (rc == -2)
		return lines;
	if (rc == 0 && lt->opened++ > 0)
		lt->st.rotations++;
	return lines;
}

long
logtail_read(struct logtail *lt, logtail_line_cb cb, void *arg, char *err,
    size_t errsz)
{
	long	 lines = 0, n;
	size_t	 i;
	time_t	 now;

	drain_events(lt);
	/* The old file first, to its end, then whatever is under the name. */
	if (lt->cur.fd != -1) {
		if ((n = file_read(lt, &lt->cur, cb, arg, err, errsz)) == -1)
			return -1;
		lines += n;
	}
	if ((n = check_path(lt, cb, arg, err, errsz)) == -1)
		return -1;
	lines += n;
	if (lt->cur.fd != -1) {
		if ((n = file_read(lt, &lt->cur, cb, arg, err, errsz)) == -1)
			return -1;
		lines += n;
	}
	now = (time_t)(clock_ms() / 1000);
	for (i = 0; i < lt->ndrain; ) {
		if ((n = file_read(lt, &lt->drain[i], cb, arg, err, errsz)) == -1)
			return -1;
		lines += n;
		if (now - lt->drain[i].grown < LOGTAIL_DRAIN_IDLE) {
			i++;
			continue;
		}
		lines += file_close(lt, &lt->drain[i], cb, arg);
		memmove(&lt->drain[i], &lt->drain[i + 1],
		    (lt->ndrain - i - 1) * sizeof(lt->drain[0]));
		lt->ndrain--;
	}
	return lines;
}

void
logtail_stats(const struct logtail *lt, struct logtail_stats *st)
{
	*st = lt->st;
}

void
logtail_close(struct logtail *lt)
{
	size_t	i;

	if (lt == NULL)
		return;
	if (lt->cur.fd != -1)
		file_close(lt, &lt->cur, NULL, NULL);
	for (i = 0; i < lt->ndrain; i++)
		file_close(lt, &lt->drain[i], NULL, NULL);
	if (lt->ifd != -1)
		close(lt->ifd);
	free(lt->path);
	free(lt->buf);
	free(lt);
}
