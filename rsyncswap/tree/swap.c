#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/number.h"
#include "rsyncswap/base/uuid.h"
#include "rsyncswap/sweep/privhelper.h"
#include "rsyncswap/sweep/privs.h"
#include "rsyncswap/tree/swap.h"

/* The revision name: REVISION_PRE <session> REVISION_MID <serial>. */
#define REVISION_PRE	"session_"
#define REVISION_MID	"_serial_"

int
swap_revision_name(char *buf, size_t bufsz, const char *session,
    long long serial)
{
	return (size_t)snprintf(buf, bufsz, REVISION_PRE "%s" REVISION_MID
	    "%lld", session, serial) < bufsz ? 0 : -1;
}

int
swap_parse_revision_name(const char *name, char *session, long long *serial)
{
	const char *p = name;
	long long s = 0;

	if (strncmp(p, REVISION_PRE, strlen(REVISION_PRE)) != 0)
		return 0;
	p += strlen(REVISION_PRE);
	if (strnlen(p, UUID_LEN) != UUID_LEN || !uuid_valid(p, UUID_LEN))
		return 0;
	p += UUID_LEN;
	if (strncmp(p, REVISION_MID, strlen(REVISION_MID)) != 0)
		return 0;
	p += strlen(REVISION_MID);
	/* No leading zero: one serial has one name. */
	if (*p < '1' || *p > '9' || number_parse(p, 1, LLONG_MAX, &s) == -1)
		return 0;
	if (session != NULL) {
		memcpy(session, name + strlen(REVISION_PRE), UUID_LEN);
		session[UUID_LEN] = '\0';
	}
	if (serial != NULL)
		*serial = s;
	return 1;
}

int
swap_is_revision_name(const char *name)
{
	return swap_parse_revision_name(name, NULL, NULL);
}

int
swap_is_replaced_name(const char *name)
{
	size_t n = strlen(name), pre = strlen(TMP_PREFIX),
	    suf = strlen(REPLACED_SUFFIX);

	return n > pre + suf && strncmp(name, TMP_PREFIX, pre) == 0 &&
	    strcmp(name + n - suf, REPLACED_SUFFIX) == 0;
}

int
swap_is_served_name(const char *name)
{
	return swap_is_revision_name(name) || swap_is_replaced_name(name);
}

int
swap_read_current(int rsync_dirfd, char *buf, size_t bufsz, char *err,
    size_t errsz)
{
	struct stat sb;
	ssize_t n;

	if (fstatat(rsync_dirfd, CURRENT_NAME, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errsz, "current: %s", strerror(errno));
		return -1;
	}
	if (!S_ISLNK(sb.st_mode)) {
		snprintf(err, errsz, "current is not a symlink (move the "
		    "directory away to migrate to revisions)");
		return -1;
	}
	n = readlinkat(rsync_dirfd, CURRENT_NAME, buf, bufsz - 1);
	if (n == -1) {
		snprintf(err, errsz, "current: %s", strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	if (!swap_is_revision_name(buf)) {
		snprintf(err, errsz, "current points to \"%.64s\", not to a "
		    "revision of this directory", buf);
		return -1;
	}
	return 0;
}

int
swap_current(int rsync_dirfd, const char *name, char *err, size_t errsz)
{
	struct stat sb;

	/* A leftover may be anything (ours is a symlink): never followed. */
	if (fstat(rsync_dirfd, &sb) == -1 ||
	    fs_remove_tree(rsync_dirfd, CURRENT_TMP_NAME, sb.st_dev) == -1) {
		snprintf(err, errsz, "%s: %s", CURRENT_TMP_NAME,
		    strerror(errno));
		return -1;
	}
	if (symlinkat(name, rsync_dirfd, CURRENT_TMP_NAME) == -1) {
		snprintf(err, errsz, "%s: %s", CURRENT_TMP_NAME,
		    strerror(errno));
		return -1;
	}
	/* rsyncd (use chroot = no) follows only a symlink owned by root. */
	if (geteuid() != 0 && privhelper_pid() != 0) {
		if (privhelper_chown_current(err, errsz) == -1) {
			unlinkat(rsync_dirfd, CURRENT_TMP_NAME, 0);
			return -1;
		}
	} else if (geteuid() != 0 && privs_can_chown() &&
	    fchownat(rsync_dirfd, CURRENT_TMP_NAME, 0, 0,
	    AT_SYMLINK_NOFOLLOW) == -1) {
		snprintf(err, errsz, "chown of %s to root: %s",
		    CURRENT_TMP_NAME, strerror(errno));
		unlinkat(rsync_dirfd, CURRENT_TMP_NAME, 0);
		return -1;
	}
	if (renameat(rsync_dirfd, CURRENT_TMP_NAME, rsync_dirfd,
	    CURRENT_NAME) == -1) {
		snprintf(err, errsz, "renaming %s to %s: %s",
		    CURRENT_TMP_NAME, CURRENT_NAME, strerror(errno));
		unlinkat(rsync_dirfd, CURRENT_TMP_NAME, 0);
		return -1;
	}
	if (fsync(rsync_dirfd) == -1) {
		snprintf(err, errsz, "fsync of the rsync directory: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
