/*
 * <state-dir>/expiry.d: listing, naming and removing the segments of the
 * expiry summary (their lines: expiry_file.c, reading: expiry_read.c).
 */
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
#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_journal.h"

int
expiry_segment_path(const char *state_dir, unsigned long seq, char *buf,
    size_t bufsz)
{
	return (size_t)snprintf(buf, bufsz, "%s/%s/%0*lu", state_dir,
	    EXPIRY_JOURNAL_DIR, EXPIRY_SEGMENT_DIGITS, seq) >= bufsz ? -1 : 0;
}

/* Returns the number a segment's name holds, or 0 if it is none. */
static unsigned long
segment_seq(const char *name)
{
	unsigned long	v = 0;
	size_t		i;

	for (i = 0; name[i] != '\0'; i++) {
		if (i >= EXPIRY_SEGMENT_DIGITS || name[i] < '0' ||
		    name[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(name[i] - '0');
	}
	return i == EXPIRY_SEGMENT_DIGITS ? v : 0;
}

static int
seq_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Opens <state_dir>/expiry.d into *d, its path into path. Returns 0, 1 if
 * there is none, or -1 with a message in errbuf.
 */
static int
journal_opendir(const char *state_dir, char *path, size_t pathsz, DIR **d,
    char *errbuf, size_t errsz)
{
	int	fd;

	if ((size_t)snprintf(path, pathsz, "%s/%s", state_dir,
	    EXPIRY_JOURNAL_DIR) >= pathsz) {
		errbuf_set(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_JOURNAL_DIR);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		errbuf_set(errbuf, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((*d = fdopendir(fd)) == NULL) {
		errbuf_set(errbuf, errsz, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

int
expiry_journal_list(const char *state_dir, struct expiry_journal *j,
    char *errbuf, size_t errsz)
{
	char		 path[PATH_MAX];
	struct dirent	*de;
	struct stat	 st;
	unsigned long	*ns, seq;
	size_t		 cap = 0;
	DIR		*d;
	int		 fd, rc;

	memset(j, 0, sizeof(*j));
	if ((rc = journal_opendir(state_dir, path, sizeof(path), &d, errbuf,
	    errsz)) != 0)
		return rc == 1 ? 0 : -1;
	fd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if ((seq = segment_seq(de->d_name)) == 0 ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (j->n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((ns = reallocarray(j->seq, cap, sizeof(*ns))) ==
			    NULL) {
				errbuf_set(errbuf, errsz, "%s: out of memory",
				    path);
				closedir(d);
				expiry_journal_free(j);
				return -1;
			}
			j->seq = ns;
		}
		j->seq[j->n++] = seq;
		j->bytes += st.st_size;
	}
	closedir(d);
	if (j->n > 0)
		qsort(j->seq, j->n, sizeof(j->seq[0]), seq_cmp);
	return 0;
}

void
expiry_journal_free(struct expiry_journal *j)
{
	free(j->seq);
	memset(j, 0, sizeof(*j));
}

int
expiry_journal_trim(const char *state_dir, unsigned long keep, char *errbuf,
    size_t errsz)
{
	char		 path[PATH_MAX];
	struct dirent	*de;
	unsigned long	 seq;
	int		 fd, removed = 0, rc = 0;
	DIR		*d;

	if ((rc = journal_opendir(state_dir, path, sizeof(path), &d, errbuf,
	    errsz)) != 0)
		return rc == 1 ? 0 : -1;
	fd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		/* A temporary file too: the lock holder writes the only one. */
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0 &&
		    ((seq = segment_seq(de->d_name)) == 0 || seq <= keep))
			continue;
		if (unlinkat(fd, de->d_name, 0) == -1 && errno != ENOENT) {
			errbuf_set(errbuf, errsz, "%s/%s: %s", path,
			    de->d_name, strerror(errno));
			rc = -1;
		} else
			removed = 1;
	}
	if (rc == 0 && removed && fsync(fd) == -1) {
		errbuf_set(errbuf, errsz, "%s: fsync: %s", path,
		    strerror(errno));
		rc = -1;
	}
	closedir(d);
	return rc;
}

int
expiry_journal_mkdir(const char *state_dir, char *errbuf, size_t errsz)
{
	char		path[PATH_MAX];
	struct stat	st;
	int		fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
	    EXPIRY_JOURNAL_DIR) >= sizeof(path)) {
		errbuf_set(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_JOURNAL_DIR);
		return -1;
	}
	if (mkdir(path, 0755) == 0) {
		/* Its name must last: the state directory is fsync'ed. */
		if ((fd = open(state_dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) != -1) {
			(void)fsync(fd);
			close(fd);
		}
		return 0;
	}
	if (errno == EEXIST && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	errbuf_set(errbuf, errsz, "%s: %s", path, strerror(errno));
	return -1;
}
