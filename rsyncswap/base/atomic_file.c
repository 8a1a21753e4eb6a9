#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/errbuf.h"

int
atomic_file_open(struct atomic_file *af, const char *path, mode_t mode,
    char *err, size_t errsz)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash != NULL ? (int)(slash - path) + 1 : 0;
	int fd, saved;

	memset(af, 0, sizeof(*af));
	if ((size_t)snprintf(af->path, sizeof(af->path), "%s", path) >=
	    sizeof(af->path) || (size_t)snprintf(af->tmp, sizeof(af->tmp),
	    "%.*s" TMP_PREFIX "%s-XXXXXX", dirlen, path, path + dirlen) >=
	    sizeof(af->tmp)) {
		errbuf_set(err, errsz, "%s: path too long", path);
		return -1;
	}
	if ((fd = mkostemp(af->tmp, O_CLOEXEC)) == -1) {
		errbuf_set(err, errsz, "%s: %s", af->tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1 || (af->f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(af->tmp);
		errbuf_set(err, errsz, "%s: %s", af->tmp, strerror(saved));
		return -1;
	}
	return 0;
}

/* Returns 0 after fsync of the directory that holds path, or -1 (errno). */
static int
fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc, saved;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
atomic_file_commit_as(struct atomic_file *af, const char *path, char *err,
    size_t errsz)
{
	FILE *f = af->f;
	int bad, saved = 0, rc = -1;

	af->f = NULL;
	if (f == NULL) {
		errbuf_set(err, errsz, "%s: not open", af->tmp);
		goto fail;
	}
	errno = 0;
	bad = ferror(f) || fflush(f) == EOF || fsync(fileno(f)) == -1;
	if (bad)
		saved = errno != 0 ? errno : EIO;
	if (fclose(f) == EOF && !bad) {
		bad = 1;
		saved = errno != 0 ? errno : EIO;
	}
	if (bad) {
		errbuf_set(err, errsz, "%s: %s", af->tmp, strerror(saved));
		goto fail;
	}
	if (rename(af->tmp, path) == -1) {
		errbuf_set(err, errsz, "rename %s: %s", path, strerror(errno));
		goto fail;
	}
	af->tmp[0] = '\0';
	if (fsync_parent(path) == -1) {
		errbuf_set(err, errsz, "fsync the directory of %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;

 fail:
	if (af->tmp[0] != '\0')
		unlink(af->tmp);
	af->tmp[0] = '\0';
	return rc;
}

int
atomic_file_commit(struct atomic_file *af, char *err, size_t errsz)
{
	return atomic_file_commit_as(af, af->path, err, errsz);
}

void
atomic_file_abort(struct atomic_file *af)
{
	if (af->f != NULL) {
		fclose(af->f);
		af->f = NULL;
	}
	if (af->tmp[0] != '\0')
		unlink(af->tmp);
	af->tmp[0] = '\0';
}
