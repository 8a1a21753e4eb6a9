#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/clock.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/tree/digest.h"
#include "rsyncswap/tree/linktree.h"
#include "rsyncswap/tree/revision.h"
#include "rsyncswap/tree/swap.h"
#include "rsyncswap/tree/tree.h"
#include "rsyncswap/tree/walk.h"
#include "tsnorm/tsnorm.h"

/*
 * Name used while replacing a file in a delta. It holds a control
 * character, which uri_rsync_to_path never lets through, so it cannot
 * collide with an object.
 */
#define REPLACE_NAME	"\001rsyncswap-new"
/* Deepest directory nesting copied by revision_link_from. */
#define LINK_MAX_DEPTH	(MAX_PATH_DEPTH + 2)

struct revision {
	int		 rsync_dirfd;
	int		 fd;			/* the temporary directory */
	dev_t		 dev;
	char		 tmpname[32];
	/*
	 * The directories of the last parent directory used, open, one per
	 * path segment: objects come grouped by directory, and the next
	 * directory mostly shares all but its last segment.
	 */
	char		 cached_dir[PATH_MAX];
	int		 cached_fd[MAX_REV_DIR_DEPTH];
	size_t		 cached_end[MAX_REV_DIR_DEPTH];	/* segment ends */
	size_t		 cached_n;
	size_t		 objects;
	long long	 bytes;
	const struct tree_visit *const *visit;	/* of the commit's walk */
	size_t		 nvisit;
	/*
	 * A snapshot of the current revision, or its hard-linked copy: its
	 * directories already have their times, so the commit sets only
	 * those of the directories changed (the parents of what was
	 * published or withdrawn, kept here, and their ancestors) and of
	 * the top levels.
	 */
	int		 times_set;
	char		**changed;
	size_t		 nchanged, capchanged;
	struct digest	 dg;		/* of the files so far */
	int		 dg_known;	/* 0: linked, or failed */
};

/* Closes the cached directories from depth keep on. */
static void
revision_uncache_from(struct revision *rev, size_t keep)
{
	while (rev->cached_n > keep)
		close(rev->cached_fd[--rev->cached_n]);
	rev->cached_dir[keep > 0 ? rev->cached_end[keep - 1] : 0] = '\0';
}

static void
revision_uncache(struct revision *rev)
{
	revision_uncache_from(rev, 0);
}

/*
 * Returns a new revision whose top directory make() created under a fresh
 * temporary name below rsync_dirfd (make returns 0 or -1 with errno, EEXIST
 * for a name in use), or NULL with a reason in err.
 */
static struct revision *
revision_new(int rsync_dirfd, int (*make)(int, const char *, const void *),
    const void *arg, char *err, size_t errsz)
{
	struct revision *rev;
	unsigned char rnd[6];
	struct stat sb;
	int i, made = -1, saved = EIO;

	if ((rev = calloc(1, sizeof(*rev))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	rev->rsync_dirfd = rsync_dirfd;
	for (i = 0; i < 100; i++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			break;
		snprintf(rev->tmpname, sizeof(rev->tmpname),
		    TMP_PREFIX "%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		    rnd[2], rnd[3], rnd[4], rnd[5]);
		if ((made = make(rsync_dirfd, rev->tmpname, arg)) == 0)
			break;
		saved = errno;
		if (errno != EEXIST)
			break;
	}
	rev->fd = made == 0 ? openat(rsync_dirfd, rev->tmpname, O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (made == 0 && rev->fd == -1)
		saved = errno;
	if (rev->fd == -1 || fstat(rev->fd, &sb) == -1) {
		/* The reason of the mkdir, not of what followed it. */
		snprintf(err, errsz, "cannot create a revision directory "
		    "(%s) in it: %s", rev->tmpname, strerror(rev->fd == -1 ?
		    saved : errno));
		if (rev->fd != -1)
			close(rev->fd);
		free(rev);
		return NULL;
	}
	rev->dev = sb.st_dev;
	digest_init(&rev->dg);
	rev->dg_known = 1;
	return rev;
}

/* make() of revision_new for an empty tree; arg points to the back end. */
static int
make_empty(int rsync_dirfd, const char *name, const void *arg)
{
	return tree_make_empty(rsync_dirfd, name,
	    *(const enum tree_backend *)arg);
}

/* make() of revision_new for a snapshot; arg is the revision's name. */
static int
make_snapshot(int rsync_dirfd, const char *name, const void *arg)
{
	return tree_make_snapshot(rsync_dirfd, arg, name);
}

struct revision *
revision_begin(int rsync_dirfd, int btrfs, char *err, size_t errsz)
{
	enum tree_backend be = btrfs ? TREE_BTRFS : TREE_LINKS;

	return revision_new(rsync_dirfd, make_empty, &be, err, errsz);
}

struct revision *
revision_begin_snapshot(int rsync_dirfd, const char *from, size_t objects,
    char *err, size_t errsz)
{
	struct revision *rev;
	char why[ERR_MAX];

	if ((rev = revision_new(rsync_dirfd, make_snapshot, from, why,
	    sizeof(why))) == NULL) {
		snprintf(err, errsz, "snapshot of %s: %s", from, why);
		return NULL;
	}
	rev->times_set = 1;
	rev->objects = objects;
	rev->dg_known = 0;	/* until revision_set_digest */
	return rev;
}

/*
 * Records that the directory of path changed (the commit of a revision
 * whose directories have their times sets its times again). Returns 0, or
 * -1 (ENOMEM).
 */
static int
revision_changed(struct revision *rev, const char *path)
{
	const char *slash;
	size_t len, cap;
	char **n;

	if (!rev->times_set)
		return 0;
	slash = strrchr(path, '/');
	len = slash == NULL ? 0 : (size_t)(slash - path);
	/* Objects come grouped by directory: most repeat the last one. */
	if (rev->nchanged > 0 && strlen(rev->changed[rev->nchanged - 1]) ==
	    len && memcmp(rev->changed[rev->nchanged - 1], path, len) == 0)
		return 0;
	if (len == 0)
		return 0;	/* the top directory is always set */
	if (rev->nchanged == rev->capchanged) {
		cap = rev->capchanged == 0 ? 64 : rev->capchanged * 2;
		if ((n = realloc(rev->changed, cap * sizeof(*n))) == NULL)
			return -1;
		rev->changed = n;
		rev->capchanged = cap;
	}
	if ((rev->changed[rev->nchanged] = strndup(path, len)) == NULL)
		return -1;
	rev->nchanged++;
	return 0;
}

static void
revision_free(struct revision *rev)
{
	for (size_t i = 0; i < rev->nchanged; i++)
		free(rev->changed[i]);
	free(rev->changed);
	free(rev);
}

/*
 * Returns an fd of the parent directory of path (borrowed: owned by the
 * cache), creating missing directories when create is set, and points *base
 * at the last segment. Returns -1 with errno set on failure.
 */
static int
revision_parent(struct revision *rev, const char *path, int create,
    const char **base)
{
	const char *slash, *seg, *end, *name;
	size_t dlen, keep, off;
	int parent, sub;

	if ((slash = strrchr(path, '/')) == NULL) {
		*base = path;
		return rev->fd;
	}
	*base = slash + 1;
	dlen = (size_t)(slash - path);
	if (dlen >= sizeof(rev->cached_dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Keep the cached segments path starts with. */
	for (keep = 0; keep < rev->cached_n; keep++) {
		off = rev->cached_end[keep];
		if (off > dlen || memcmp(rev->cached_dir, path, off) != 0 ||
		    (off < dlen && path[off] != '/'))
			break;
	}
	revision_uncache_from(rev, keep);
	off = 0;
	if (keep > 0) {
		off = rev->cached_end[keep - 1];
		rev->cached_dir[off++] = '/';
	}
	/*
	 * A directory the revision has (objects come back to directories
	 * they left: Krill's snapshots list them in no order) opens in one
	 * lookup, whatever its depth; one that is new, or that does not
	 * open so, is made and opened a segment at a time below.
	 */
	if (off < dlen && rev->cached_n < MAX_REV_DIR_DEPTH) {
		parent = keep > 0 ? rev->cached_fd[keep - 1] : rev->fd;
		memcpy(rev->cached_dir + off, path + off, dlen - off);
		rev->cached_dir[dlen] = '\0';
		if ((sub = fs_open_dir_beneath(parent, rev->cached_dir +
		    off)) != -1) {
			rev->cached_fd[rev->cached_n] = sub;
			rev->cached_end[rev->cached_n++] = dlen;
			return sub;
		}
		rev->cached_dir[off] = '\0';
	}
	for (seg = path + off; seg < slash; seg = end + 1) {
		if ((end = memchr(seg, '/', (size_t)(slash - seg))) == NULL)
			end = slash;
		if (rev->cached_n == MAX_REV_DIR_DEPTH ||
		    (size_t)(end - seg) > MAX_FN_LENGTH) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(rev->cached_dir + off, seg, (size_t)(end - seg));
		off += (size_t)(end - seg);
		rev->cached_dir[off] = '\0';
		parent = rev->cached_n > 0 ? rev->cached_fd[rev->cached_n - 1] :
		    rev->fd;
		name = rev->cached_dir + off - (size_t)(end - seg);
		sub = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (sub == -1 && errno == ENOENT && create) {
			if (mkdirat(parent, name, 0755) == -1 &&
			    errno != EEXIST)
				return -1;
			sub = openat(parent, name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
		if (sub == -1)
			return -1;
		rev->cached_fd[rev->cached_n] = sub;
		rev->cached_end[rev->cached_n++] = off;
		rev->cached_dir[off++] = '/';
	}
	rev->cached_dir[dlen] = '\0';
	return rev->cached_n > 0 ? rev->cached_fd[rev->cached_n - 1] : rev->fd;
}

/*
 * Writes data into a new file name below dirfd (which must not exist), with
 * the object's canonical mtime for path, into *mtime. Returns 0, or -1 with
 * errno set.
 */
static int
revision_write_file(int dirfd, const char *name,
    const char *path, const unsigned char *data, size_t len, long long *mtime)
{
	struct tsnorm_result tr;
	struct timespec ts[2];
	size_t off = 0;
	ssize_t w;
	int fd, saved;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			goto fail;
		off += (size_t)w;
	}
	tsnorm_time(data, len, path, &tr);
	*mtime = tr.time;
	ts[0].tv_sec = ts[1].tv_sec = (time_t)tr.time;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (futimens(fd, ts) == -1)
		goto fail;
	if (close(fd) == -1) {
		saved = errno;
		unlinkat(dirfd, name, 0);
		errno = saved;
		return -1;
	}
	return 0;
fail:
	saved = errno;
	close(fd);
	unlinkat(dirfd, name, 0);
	errno = saved;
	return -1;
}

/* Returns 0 when the file base below dirfd has SHA-256 hash, else 1/-1. */
static int
revision_check_hash(int dirfd, const char *base, const char *path,
    const unsigned char *hash, const char *what, char *err, size_t errsz)
{
	unsigned char md[32];
	int rc;

	if ((rc = fs_sha256_at(dirfd, base, md)) == 1) {
		snprintf(err, errsz, "%s of %s: no such object", what, path);
		return 1;
	}
	if (rc == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (memcmp(md, hash, sizeof(md)) != 0) {
		snprintf(err, errsz, "%s of %s: hash does not match the "
		    "current object", what, path);
		return 1;
	}
	return 0;
}

/* Returns 1 if name below dirfd is a directory (not following a link). */
static int
is_dir_at(int dirfd, const char *name)
{
	struct stat sb;

	return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(sb.st_mode);
}

/*
 * Adds the new object path, whose content is data, to the revision's
 * digest. A digest that cannot be kept is dropped (revision_digest then
 * says so).
 */
static void
revision_digest_add(struct revision *rev, const char *path,
    const unsigned char *data, size_t len, long long mtime)
{
	unsigned char md[DIGEST_LEN];

	if (rev->dg_known && (digest_sha256(data, len, md) == -1 ||
	    digest_entry(&rev->dg, 1, path, md, mtime) == -1))
		rev->dg_known = 0;
}

/*
 * Takes the object path, whose file is base below dfd and whose SHA-256 was
 * checked to be hash, out of the digest, with the file's own mtime.
 */
static void
revision_digest_remove(struct revision *rev, int dfd, const char *base,
    const char *path, const unsigned char *hash)
{
	struct stat sb;

	if (!rev->dg_known)
		return;
	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    digest_entry(&rev->dg, -1, path, hash,
	    (long long)sb.st_mtim.tv_sec) == -1)
		rev->dg_known = 0;
}

int
revision_publish(struct revision *rev, const char *path,
    const unsigned char *hash, const unsigned char *data, size_t len,
    char *err, size_t errsz)
{
	const char *base;
	long long mtime;
	int dfd, rc;

	if (revision_changed(rev, path) == -1) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if ((dfd = revision_parent(rev, path, 1, &base)) == -1) {
		if (errno == ENOTDIR || errno == ELOOP || errno == EEXIST) {
			snprintf(err, errsz, "%s clashes with an object named "
			    "like one of its directories", path);
			return 1;
		}
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (hash == NULL) {
		if (revision_write_file(dfd, base, path, data, len,
		    &mtime) == 0) {
			rev->objects++;
			rev->bytes += (long long)len;
			revision_digest_add(rev, path, data, len, mtime);
			return 0;
		}
		if (errno == EISDIR || (errno == EEXIST &&
		    is_dir_at(dfd, base))) {
			snprintf(err, errsz, "%s clashes with a directory of "
			    "other objects (%s/...)", path, path);
			return 1;
		}
		if (errno == EEXIST) {
			snprintf(err, errsz, "publish without hash of %s, "
			    "which exists", path);
			return 1;
		}
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((rc = revision_check_hash(dfd, base, path, hash, "publish", err,
	    errsz)) != 0)
		return rc;
	revision_digest_remove(rev, dfd, base, path, hash);
	/* Replace by a new inode: the old one may be shared by hard links. */
	unlinkat(dfd, REPLACE_NAME, 0);
	if (revision_write_file(dfd, REPLACE_NAME, path, data,
	    len, &mtime) == -1 ||
	    renameat(dfd, REPLACE_NAME, dfd, base) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		unlinkat(dfd, REPLACE_NAME, 0);
		return -1;
	}
	rev->bytes += (long long)len;
	revision_digest_add(rev, path, data, len, mtime);
	return 0;
}

int
revision_withdraw(struct revision *rev, const char *path,
    const unsigned char *hash, char *err, size_t errsz)
{
	char dir[PATH_MAX];
	const char *base;
	char *slash;
	int dfd, rc;

	if (revision_changed(rev, path) == -1) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if ((dfd = revision_parent(rev, path, 0, &base)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
			snprintf(err, errsz, "withdraw of %s: no such object",
			    path);
			return 1;
		}
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((rc = revision_check_hash(dfd, base, path, hash, "withdraw", err,
	    errsz)) != 0)
		return rc;
	revision_digest_remove(rev, dfd, base, path, hash);
	if (unlinkat(dfd, base, 0) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	rev->objects--;

	/* A snapshot of the same serial has no empty directories either. */
	snprintf(dir, sizeof(dir), "%s", path);
	revision_uncache(rev);
	while ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((dfd = revision_parent(rev, dir, 0, &base)) == -1 ||
		    unlinkat(dfd, base, AT_REMOVEDIR) == -1)
			break;
		revision_uncache(rev);
	}
	revision_uncache(rev);
	return 0;
}

int
revision_link_from(struct revision *rev, const char *from, char *err,
    size_t errsz)
{
	size_t files;
	int src, rc;

	src = openat(rev->rsync_dirfd, from, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (src == -1) {
		snprintf(err, errsz, "%s: %s", from, strerror(errno));
		return -1;
	}
	rc = linktree(src, rev->fd, LINK_MAX_DEPTH, TSNORM_DIR_TIME, &files);
	rev->objects += files;
	/* Every directory has its time: the commit sets the changed ones. */
	rev->times_set = 1;
	rev->dg_known = 0;	/* until revision_set_digest */
	if (rc == -1)
		snprintf(err, errsz, "linking %s: %s", from, strerror(errno));
	close(src);
	return rc;
}

/*
 * Creates below dst every directory of src down to depth levels that dst
 * lacks. Returns 0, or -1 with errno set.
 */
static int
keep_dirs(int src, int dst, int depth)
{
	struct dirent *de;
	struct stat sb;
	int s, d, rc = 0, fd;
	DIR *dir;

	if ((fd = dup(src)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    fstatat(src, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISDIR(sb.st_mode))
			continue;
		if (mkdirat(dst, de->d_name, 0755) == -1 && errno != EEXIST) {
			rc = -1;
			break;
		}
		if (depth <= 1)
			continue;
		s = openat(src, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		d = openat(dst, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (s == -1 || d == -1 || keep_dirs(s, d, depth - 1) == -1)
			rc = -1;
		if (s != -1)
			close(s);
		if (d != -1)
			close(d);
	}
	closedir(dir);
	return rc;
}

int
revision_make_dir(struct revision *rev, const char *path, char *err,
    size_t errsz)
{
	char buf[MAX_URI_LENGTH + 1], *seg, *next;
	int fd, nfd;

	revision_uncache(rev);
	snprintf(buf, sizeof(buf), "%s", path);
	if ((fd = dup(rev->fd)) == -1)
		goto fail;
	for (seg = buf; seg != NULL; seg = next) {
		if ((next = strchr(seg, '/')) != NULL)
			*next++ = '\0';
		if (mkdirat(fd, seg, 0755) == -1 && errno != EEXIST)
			goto fail_fd;
		nfd = openat(fd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if ((fd = nfd) == -1)
			goto fail;
	}
	close(fd);
	return 0;
 fail_fd:
	close(fd);
 fail:
	snprintf(err, errsz, "making the module directory %s: %s", path,
	    strerror(errno));
	return -1;
}

int
revision_keep_dirs(struct revision *rev, const char *from, int depth,
    char *err, size_t errsz)
{
	int src, rc;

	revision_uncache(rev);
	src = openat(rev->rsync_dirfd, from, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (src == -1) {
		snprintf(err, errsz, "%s: %s", from, strerror(errno));
		return -1;
	}
	rc = keep_dirs(src, rev->fd, depth);
	if (rc == -1)
		snprintf(err, errsz, "keeping the module directories of %s: "
		    "%s", from, strerror(errno));
	close(src);
	return rc;
}

void
revision_set_visit(struct revision *rev, const struct tree_visit *const *v,
    size_t nv)
{
	rev->visit = nv > 0 ? v : NULL;
	rev->nvisit = nv;
}

void
revision_set_digest(struct revision *rev, const struct digest *d)
{
	rev->dg = *d;
	rev->dg_known = 1;
}

int
revision_digest(const struct revision *rev, struct digest *d)
{
	if (!rev->dg_known || rev->dg.entries != (long long)rev->objects)
		return 0;
	*d = rev->dg;
	return 1;
}

size_t
revision_objects(const struct revision *rev)
{
	return rev->objects;
}

long long
revision_bytes_written(const struct revision *rev)
{
	return rev->bytes;
}

void
revision_abort(struct revision *rev)
{
	if (rev == NULL)
		return;
	revision_uncache(rev);
	close(rev->fd);
	if (tree_remove(rev->rsync_dirfd, rev->tmpname, rev->dev, NULL) == -1)
		log_warn("%s: cannot remove: %s (the next sweep retries)",
		    rev->tmpname, strerror(errno));
	revision_free(rev);
}

/*
 * Sets TSNORM_DIR_TIME on the top directory of rev and on the directories
 * of levels dir and below (dir "" is the top itself; deeper ones are left
 * alone). Returns 0, or -1 with errno set.
 */
static int
times_top(int fd, int levels)
{
	struct timespec ts[2];
	struct dirent *de;
	int sub, dfd, rc = 0;
	DIR *d;

	if (levels > 0) {
		if ((dfd = fs_reopen_dir(fd)) == -1)
			return -1;
		if ((d = fdopendir(dfd)) == NULL) {
			close(dfd);
			return -1;
		}
		rewinddir(d);
		while (rc == 0 && (de = readdir(d)) != NULL) {
			if (de->d_type != DT_DIR || strcmp(de->d_name, ".") ==
			    0 || strcmp(de->d_name, "..") == 0)
				continue;
			if ((sub = openat(fd, de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
				rc = -1;
				break;
			}
			rc = times_top(sub, levels - 1);
			close(sub);
		}
		closedir(d);
		if (rc == -1)
			return -1;
	}
	ts[0].tv_sec = ts[1].tv_sec = (time_t)TSNORM_DIR_TIME;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	return futimens(fd, ts);
}

/*
 * The times of a revision made as a snapshot or a linked copy of the
 * current one (its directories have their times): every directory a change
 * touched and its ancestors (one that was removed since is skipped), then
 * the host and module levels, where revision_keep_dirs may have made
 * some. Returns 0, or -1 with errno set.
 */
static int
revision_changed_times(struct revision *rev)
{
	struct timespec ts[2];
	char dir[PATH_MAX], *slash;

	ts[0].tv_sec = ts[1].tv_sec = (time_t)TSNORM_DIR_TIME;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	for (size_t i = 0; i < rev->nchanged; i++) {
		snprintf(dir, sizeof(dir), "%s", rev->changed[i]);
		for (;;) {
			if (utimensat(rev->fd, dir, ts, AT_SYMLINK_NOFOLLOW) ==
			    -1 && errno != ENOENT)
				return -1;
			if ((slash = strrchr(dir, '/')) == NULL)
				break;
			*slash = '\0';
		}
	}
	return times_top(rev->fd, 2);
}

int
revision_commit(struct revision *rev, const char *name,
    const char *current_target, int trusted, char *err, size_t errsz)
{
	char aside[sizeof(rev->tmpname) + sizeof(REPLACED_SUFFIX)];
	struct stat sb;
	long long t0, t1;

	revision_uncache(rev);
	t0 = clock_ms();
	if (rev->times_set && rev->visit == NULL ?
	    revision_changed_times(rev) == -1 :
	    tree_walk_times(rev->fd, rev->visit, rev->nvisit,
	    TSNORM_DIR_TIME) == -1) {
		snprintf(err, errsz, "setting directory times: %s",
		    strerror(errno));
		goto fail;
	}
	t1 = clock_ms();
	/* One syncfs flushes every file and directory of the revision. */
	if (syncfs(rev->fd) == -1) {
		snprintf(err, errsz, "syncfs: %s", strerror(errno));
		goto fail;
	}
	log_debug("%s: directory times%s in %.3f s, syncfs in %.3f s", name,
	    rev->visit != NULL ? " and the walk's visitors" : "",
	    (double)(t1 - t0) / 1000, (double)(clock_ms() - t1) / 1000);
	if (fstatat(rev->rsync_dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (current_target != NULL && S_ISDIR(sb.st_mode) &&
		    strcmp(name, current_target) == 0) {
			/*
			 * Same session and serial: same content, when the
			 * state vouches for it; keep it. Otherwise (state lost
			 * or damaged, layout changed) the new one takes its
			 * place in one exchange: current never dangles, and
			 * the old tree, which clients may still read, is
			 * left under a replaced name for the sweep to remove
			 * once they are done. A symlink planted under that
			 * name is moved aside and current then names the new
			 * one.
			 */
			if (trusted) {
				log_info("%s is already current; kept", name);
				revision_abort(rev);
				return 0;
			}
			if (renameat2(rev->rsync_dirfd, rev->tmpname,
			    rev->rsync_dirfd, name, RENAME_EXCHANGE) == -1) {
				snprintf(err, errsz, "replacing %s: %s", name,
				    strerror(errno));
				goto fail;
			}
			snprintf(aside, sizeof(aside), "%s%s", rev->tmpname,
			    REPLACED_SUFFIX);
			if (renameat(rev->rsync_dirfd, rev->tmpname,
			    rev->rsync_dirfd, aside) == -1)
				log_warn("%s: the tree it replaced stays as "
				    "%s: %s (the next sweep removes it)", name,
				    rev->tmpname, strerror(errno));
			else
				log_info("%s rebuilt; the tree it replaced "
				    "stays as %s until its readers are done",
				    name, aside);
			goto synced;
		}
		snprintf(aside, sizeof(aside), "%s%s", rev->tmpname,
		    REPLACED_SUFFIX);
		if (renameat(rev->rsync_dirfd, name, rev->rsync_dirfd,
		    aside) == -1) {
			snprintf(err, errsz, "%s exists and cannot be moved "
			    "aside: %s", name, strerror(errno));
			goto fail;
		}
	}
	if (renameat(rev->rsync_dirfd, rev->tmpname, rev->rsync_dirfd,
	    name) == -1) {
		snprintf(err, errsz, "renaming to %s: %s", name,
		    strerror(errno));
		goto fail;
	}
 synced:
	if (fsync(rev->rsync_dirfd) == -1) {
		snprintf(err, errsz, "fsync of the rsync directory: %s",
		    strerror(errno));
		close(rev->fd);
		revision_free(rev);
		return -1;
	}
	close(rev->fd);
	revision_free(rev);
	return 0;
fail:
	revision_abort(rev);
	return -1;
}
