#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/landlock.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/capability.h>

#include "rsyncswap/base/optname.h"
#include "rsyncswap/sweep/privhelper.h"
#include "rsyncswap/sweep/privs.h"
#include "rsyncswap/sweep/sandbox.h"

int
privs_lookup(const char *user, struct privs *p, char *err, size_t errsz)
{
	struct passwd *pw;

	memset(p, 0, sizeof(*p));
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errsz, "%s %s: no such user", opt_name(OPT_USER),
		    user);
		return -1;
	}
	p->have_user = 1;
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	snprintf(p->name, sizeof(p->name), "%s", user);
	return 0;
}

/* Returns 0 after setting exactly the capabilities caps[0..n). */
static int
privs_set_caps(const cap_value_t *caps, int n)
{
	cap_t c;
	int rc = -1;

	if ((c = cap_init()) == NULL)
		return -1;
	if (n > 0 && (cap_set_flag(c, CAP_PERMITTED, n, caps, CAP_SET) == -1 ||
	    cap_set_flag(c, CAP_EFFECTIVE, n, caps, CAP_SET) == -1))
		goto out;
	rc = cap_set_proc(c);
out:
	cap_free(c);
	return rc;
}

int
privs_drop(const struct privs *p, char *err, size_t errsz)
{
	if (!p->have_user)
		return 0;
	if (geteuid() != 0) {
		if (geteuid() == p->uid)
			return 0;
		snprintf(err, errsz, "%s %s needs to start as root",
		    opt_name(OPT_USER), p->name);
		return -1;
	}
	/* The bounding set first: emptying it needs CAP_SETPCAP. */
	for (cap_value_t v = 0; v < (cap_value_t)cap_max_bits(); v++)
		if (cap_get_bound(v) == 1 && cap_drop_bound(v) == -1)
			goto fail;
	/* Without PR_SET_KEEPCAPS the uid change clears every set. */
	if (setgroups(1, &p->gid) == -1 ||
	    setresgid(p->gid, p->gid, p->gid) == -1 ||
	    setresuid(p->uid, p->uid, p->uid) == -1 ||
	    privs_set_caps(NULL, 0) == -1 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == -1)
		goto fail;
	return sandbox_apply(err, errsz);
fail:
	snprintf(err, errsz, "dropping privileges to %s: %s", p->name,
	    strerror(errno));
	return -1;
}

int
privs_can_chown(void)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t c;

	if (geteuid() == 0 || privhelper_pid() != 0)
		return 1;
	if ((c = cap_get_proc()) == NULL)
		return 0;
	cap_get_flag(c, CAP_CHOWN, CAP_EFFECTIVE, &v);
	cap_free(c);
	return v == CAP_SET;
}

/*
 * Confines the process to reading and removing beneath dirfd. Returns 0,
 * 1 when the kernel has no Landlock, or -1.
 */
static int
privs_landlock(int dirfd)
{
	struct landlock_ruleset_attr ra;
	struct landlock_path_beneath_attr pb;
	long abi;
	int rfd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 1;
	memset(&ra, 0, sizeof(ra));
	/* Everything ABI 1 knows is handled, i.e. denied unless allowed. */
	ra.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE |
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
	    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rfd == -1)
		return -1;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE;
	pb.parent_fd = dirfd;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		close(rfd);
		return -1;
	}
	close(rfd);
	return 0;
}

int
privs_sweeper(const struct privs *p, int dirfd, char *desc, size_t descsz,
    char *err, size_t errsz)
{
	if (p != NULL && p->have_user && geteuid() == 0 &&
	    (setgroups(1, &p->gid) == -1 ||
	    setresgid(p->gid, p->gid, p->gid) == -1 ||
	    setresuid(p->uid, p->uid, p->uid) == -1)) {
		snprintf(err, errsz, "sweeper: becoming %s: %s", p->name,
		    strerror(errno));
		return -1;
	}
	if (privs_set_caps(NULL, 0) == -1 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == -1) {
		snprintf(err, errsz, "sweeper: dropping capabilities: %s",
		    strerror(errno));
		return -1;
	}
	if (desc != NULL)
		privs_describe_self(desc, descsz);
	if (privs_landlock(dirfd) == -1) {
		snprintf(err, errsz, "sweeper: landlock: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
privs_describe_self(char *buf, size_t bufsz)
{
	char line[256];
	size_t off = 0;
	FILE *f;

	buf[0] = '\0';
	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Uid:", 4) != 0 &&
		    strncmp(line, "Gid:", 4) != 0 &&
		    strncmp(line, "Cap", 3) != 0 &&
		    strncmp(line, "NoNewPrivs:", 11) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (char *t = line; *t != '\0'; t++)
			if (*t == '\t')
				*t = ' ';
		off += (size_t)snprintf(buf + off, off < bufsz ? bufsz - off : 0,
		    "%s%s", off > 0 ? "; " : "", line);
	}
	fclose(f);
	return off < bufsz ? 0 : -1;
}
