#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>

#include <openssl/evp.h>

#include "rsyncswap/base/fsutil.h"

int
fs_open_regular(const char *path)
{
	struct stat sb;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return -2;
	}
	return fd;
}

/* Deepest directory nesting walked; ours is MAX_PATH_DEPTH + 2. */
#define WALK_MAX_DEPTH	128
#define HASH_CHUNK	(64 * 1024)

static int
fs_remove_in(int parent, const char *name, dev_t dev, int depth)
{
	struct dirent *de;
	struct stat sb, sb2;
	DIR *d;
	int fd, rc = 0, saved;

	if (fstatat(parent, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(sb.st_mode)) {
		if (unlinkat(parent, name, 0) == -1 && errno != ENOENT)
			return -1;
		return 0;
	}
	if (sb.st_dev != dev) {
		errno = EXDEV;
		return -1;
	}
	if (depth > WALK_MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	/* The entry must still be the directory we looked at. */
	if (fstat(fd, &sb2) == -1 || sb2.st_dev != sb.st_dev ||
	    sb2.st_ino != sb.st_ino) {
		close(fd);
		errno = EAGAIN;
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fs_remove_in(dirfd(d), de->d_name, dev, depth + 1) == -1) {
			saved = errno;
			rc = -1;
		}
	}
	closedir(d);
	if (rc == -1) {
		errno = saved;
		return -1;
	}
	if (unlinkat(parent, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

int
fs_remove_tree(int dirfd, const char *name, dev_t dev)
{
	return fs_remove_in(dirfd, name, dev, 0);
}

int
fs_sha256_at(int dirfd, const char *name, unsigned char md[32])
{
	unsigned char buf[HASH_CHUNK];
	unsigned int mdlen;
	struct stat sb;
	EVP_MD_CTX *ctx;
	ssize_t r;
	int fd, rc = -1;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return (errno == ENOENT || errno == ELOOP) ? 1 : -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return 1;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto out;
		if (r == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)r))
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen))
		rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

int
fs_reopen_dir(int fd)
{
	return openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
fs_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Set once openat2(2) said ENOSYS: not tried again. */
static atomic_int no_openat2;

int
fs_open_dir_beneath(int dirfd, const char *path)
{
	struct open_how how;
	long fd;

	if (atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
		errno = ENOSYS;
		return -1;
	}
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
	fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd == -1 && (errno == ENOSYS || errno == EPERM)) {
		errno = ENOSYS;
		atomic_store_explicit(&no_openat2, 1, memory_order_relaxed);
	}
	return fd == -1 ? -1 : (int)fd;
}
