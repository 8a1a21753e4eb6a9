/*
 * The verify walk: a depth-bounded descent with openat(O_NOFOLLOW) over a
 * revision, one file in memory at a time, summing the digest and noting
 * what differs from how rsyncswap writes a revision.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/tree/swap.h"
#include "rsyncswap/tree/verify.h"
#include "tsnorm/tsnorm.h"

/* Deepest directory below the revision walked: host, module, the path. */
#define VERIFY_MAX_DEPTH	(MAX_REV_DIR_DEPTH + 1)

struct vwalk {
	struct digest	 dg;
	char		 path[PATH_MAX];	/* below the revision */
	unsigned char	*buf;			/* one file */
	size_t		 bufsz;
	int		 check;		/* verify: list differences */
	const char	*rev;		/* its name, for messages */
	long long	 differences;
	char		 err[ERR_MAX];	/* !check: the first one */
};

/*
 * Notes a difference at path (relative to the revision): verify lists it
 * (up to VERIFY_MAX_LISTED) and counts it; a digest-only walk keeps the
 * first as its error.
 */
static void __attribute__((format(printf, 3, 4)))
vdiff(struct vwalk *w, const char *path, const char *fmt, ...)
{
	char line[ERR_MAX], p[PATH_MAX];
	va_list ap;

	if (w->differences++ >= VERIFY_MAX_LISTED && w->check)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!w->check) {
		if (w->err[0] == '\0')
			snprintf(w->err, sizeof(w->err), "%s: %s", path, line);
		return;
	}
	/* A copy: w->path goes on naming what is walked. */
	snprintf(p, sizeof(p), "%s", path);
	fprintf(stderr, "rsyncswap verify: %s%s%s: %s\n", w->rev,
	    p[0] != '\0' ? "/" : "", log_scrub(p), log_scrub(line));
}

/* Formats t as ISO 8601 UTC into buf. Returns buf. */
static const char *
iso(long long t, char *buf, size_t sz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, sz, "%lld", t);
	else
		strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/*
 * Reads the regular file open as fd, of size size, into w->buf. Returns
 * its length, or -1 with errno set.
 */
static ssize_t
vread(struct vwalk *w, int fd, size_t size)
{
	size_t off = 0;
	ssize_t n = 0;

	if (size + 1 > w->bufsz) {
		free(w->buf);
		w->bufsz = size + 1;
		if ((w->buf = malloc(w->bufsz)) == NULL) {
			w->bufsz = 0;
			errno = ENOMEM;
			return -1;
		}
	}
	/* One octet more than the size, to notice a file that grew. */
	while (off < size + 1) {
		n = read(fd, w->buf + off, size + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (n == -1)
		return -1;
	if (off > size) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)off;
}

/* Adds the file name below dfd (path w->path) to the digest and checks it. */
static void
vfile(struct vwalk *w, int dfd, const char *name)
{
	struct tsnorm_result tr;
	unsigned char md[DIGEST_LEN];
	char t1[32], t2[32];
	struct stat sb;
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 && errno == ELOOP) {
		vdiff(w, w->path, "a symlink, not a file");
		return;
	}
	if (fd == -1 || fstat(fd, &sb) == -1) {
		vdiff(w, w->path, "cannot read: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		vdiff(w, w->path, "not a regular file");
		close(fd);
		return;
	}
	if (sb.st_size > MAX_OBJECT_SIZE_LIMIT) {
		vdiff(w, w->path, "%lld bytes, larger than any object",
		    (long long)sb.st_size);
		close(fd);
		return;
	}
	n = vread(w, fd, (size_t)sb.st_size);
	close(fd);
	if (n == -1) {
		vdiff(w, w->path, "cannot read: %s", errno == EAGAIN ?
		    "it grew while read" : strerror(errno));
		return;
	}
	if (digest_sha256(w->buf, (size_t)n, md) == -1 ||
	    digest_entry(&w->dg, 1, w->path, md,
	    (long long)sb.st_mtim.tv_sec) == -1) {
		vdiff(w, w->path, "SHA-256 failed");
		return;
	}
	if (!w->check)
		return;
	tsnorm_time(w->buf, (size_t)n, w->path, &tr);
	if (sb.st_mtim.tv_sec != (time_t)tr.time || sb.st_mtim.tv_nsec != 0)
		vdiff(w, w->path, "mtime %s%s, but its content gives %s: the "
		    "file or its time was changed", iso(sb.st_mtim.tv_sec, t1,
		    sizeof(t1)), sb.st_mtim.tv_nsec != 0 ? " and a fraction" :
		    "", iso(tr.time, t2, sizeof(t2)));
}

/*
 * Walks the directory fd (taken over and closed), whose path relative to
 * the revision is w->path[0..plen), at nesting depth depth.
 */
static void
vdir(struct vwalk *w, int fd, size_t plen, int depth)
{
	struct dirent *de;
	struct stat sb;
	char t1[32], t2[32];
	size_t nlen;
	int sub, type;
	DIR *d;

	if (w->check && fstat(fd, &sb) == 0 &&
	    (sb.st_mtim.tv_sec != (time_t)TSNORM_DIR_TIME ||
	    sb.st_mtim.tv_nsec != 0))
		vdiff(w, w->path, "directory mtime %s, written as %s: an entry "
		    "was added or removed here, or its time was changed",
		    iso(sb.st_mtim.tv_sec, t1, sizeof(t1)),
		    iso(TSNORM_DIR_TIME, t2, sizeof(t2)));
	if ((d = fdopendir(fd)) == NULL) {
		vdiff(w, w->path, "cannot read the directory: %s",
		    strerror(errno));
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		nlen = strlen(de->d_name);
		if (plen + 1 + nlen >= sizeof(w->path)) {
			vdiff(w, w->path, "a name below it is too long");
			continue;
		}
		if (plen > 0)
			w->path[plen] = '/';
		memcpy(w->path + plen + (plen > 0), de->d_name, nlen + 1);
		if ((type = de->d_type) == DT_UNKNOWN)
			type = fstatat(dirfd(d), de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == -1 ? DT_UNKNOWN :
			    S_ISDIR(sb.st_mode) ? DT_DIR :
			    S_ISREG(sb.st_mode) ? DT_REG :
			    S_ISLNK(sb.st_mode) ? DT_LNK : DT_UNKNOWN;
		if (type == DT_REG)
			vfile(w, dirfd(d), de->d_name);
		else if (type == DT_LNK)
			vdiff(w, w->path, "a symlink, not a file");
		else if (type != DT_DIR)
			vdiff(w, w->path, "not a regular file or directory");
		else if (depth >= VERIFY_MAX_DEPTH)
			vdiff(w, w->path, "nested too deep");
		else if ((sub = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			vdiff(w, w->path, "cannot open the directory: %s",
			    strerror(errno));
		else
			vdir(w, sub, plen + (plen > 0) + nlen, depth + 1);
		w->path[plen] = '\0';
	}
	closedir(d);
}

int
verify_tree_digest(int fd, struct digest *d, char *err, size_t errsz)
{
	struct vwalk *w;
	int sub, rc = -1;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	digest_init(&w->dg);
	if ((sub = dup(fd)) == -1)
		snprintf(err, errsz, "dup: %s", strerror(errno));
	else {
		vdir(w, sub, 0, 0);
		if (w->differences == 0) {
			*d = w->dg;
			rc = 0;
		} else
			snprintf(err, errsz, "%s", w->err);
	}
	free(w->buf);
	free(w);
	return rc;
}

/*
 * Prints on stderr why the digest of the revision cur (its files give w)
 * cannot be compared: st records none for it.
 */
static void
verify_no_digest(const struct vwalk *w, const struct state *st,
    const char *state_dir, const char *cur)
{
	char hex[DIGEST_HEX_LEN + 1];

	fprintf(stderr, "rsyncswap verify: %s: no digest recorded for it in "
	    "%s/state (%s%s); its %lld files give %s\n", cur, state_dir,
	    strcmp(st->revision, cur) != 0 ? "the state describes " :
	    "built before digests were recorded",
	    strcmp(st->revision, cur) != 0 ? (st->revision[0] != '\0' ?
	    st->revision : "no revision") : "", w->dg.entries,
	    digest_hex(&w->dg, hex));
}

/* Prints the result of the walk w over cur against st. Returns 0 or 1. */
static int
verify_result(const struct vwalk *w, const struct state *st,
    const char *cur, int quiet)
{
	char h1[DIGEST_HEX_LEN + 1], h2[DIGEST_HEX_LEN + 1];
	int same = digest_equal(&w->dg, &st->digest);

	digest_hex(&w->dg, h1);
	digest_hex(&st->digest, h2);
	if (same && w->differences == 0) {
		if (!quiet)
			printf("%s: as written: %lld files, digest %s\n", cur,
			    w->dg.entries, h1);
		return 0;
	}
	if (w->differences > VERIFY_MAX_LISTED)
		fprintf(stderr, "rsyncswap verify: %s: %lld more differences "
		    "not listed\n", cur, w->differences - VERIFY_MAX_LISTED);
	if (!same)
		fprintf(stderr, "rsyncswap verify: %s: not as written: its "
		    "%lld files give digest %s, written: %lld files, %s%s\n",
		    cur, w->dg.entries, h1, st->digest.entries, h2,
		    w->differences > 0 ? "" : w->dg.entries ==
		    st->digest.entries ? " (every mtime and directory time "
		    "as written: a file's content changed, its mtime kept)" :
		    " (a file was added or removed, and the directory's time "
		    "put back)");
	else
		fprintf(stderr, "rsyncswap verify: %s: not as written: %lld "
		    "differences\n", cur, w->differences);
	return 1;
}

int
verify_run(const char *state_dir, const char *rsync_dir, int quiet)
{
	char err[ERR_MAX], cur[STATE_NAME_MAX], again[STATE_NAME_MAX];
	struct vwalk *w = NULL;
	struct state *st;
	int dfd = -1, fd, rc, ret = 1;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (w = calloc(1, sizeof(*w))) == NULL) {
		fprintf(stderr, "rsyncswap verify: out of memory\n");
		goto out;
	}
	if ((rc = state_read(state_dir, st, err, sizeof(err))) != 0) {
		if (rc == 1)
			fprintf(stderr, "rsyncswap verify: %s/state: no state "
			    "file (no sync has run with this state "
			    "directory)\n", state_dir);
		else
			fprintf(stderr, "rsyncswap verify: %s\n", err);
		goto out;
	}
	if ((dfd = open(rsync_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "rsyncswap verify: %s: %s\n", rsync_dir,
		    strerror(errno));
		goto out;
	}
	if ((rc = swap_read_current(dfd, cur, sizeof(cur), err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "rsyncswap verify: %s/%s\n", rsync_dir,
		    rc == 1 ? "current: nothing is served" : err);
		goto out;
	}
	if ((fd = openat(dfd, cur, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		fprintf(stderr, "rsyncswap verify: %s/%s: %s\n", rsync_dir,
		    cur, strerror(errno));
		goto out;
	}
	w->check = 1;
	w->rev = cur;
	digest_init(&w->dg);
	vdir(w, fd, 0, 0);
	/* A sync may swap current meanwhile: then the walk proves nothing. */
	if (swap_read_current(dfd, again, sizeof(again), err,
	    sizeof(err)) != 0 || strcmp(again, cur) != 0) {
		fprintf(stderr, "rsyncswap verify: %s/current: changed from %s "
		    "while it was read; run verify again\n", rsync_dir, cur);
		goto out;
	}
	if (!st->have_digest || strcmp(st->revision, cur) != 0)
		verify_no_digest(w, st, state_dir, cur);
	else
		ret = verify_result(w, st, cur, quiet);
out:
	if (dfd != -1)
		close(dfd);
	if (w != NULL)
		free(w->buf);
	free(w);
	if (st != NULL)
		state_free(st);
	free(st);
	return ret;
}
