/*
 * Privileges: dropping from root to --user with no capability at all (what
 * must stay privileged is in the helper, privhelper.h), and stripping a
 * sweeper child of everything.
 */
#ifndef RSYNCSWAP_PRIVS_H
#define RSYNCSWAP_PRIVS_H

#include <sys/types.h>

#include <stddef.h>

struct privs {
	int	have_user;
	uid_t	uid;
	gid_t	gid;
	char	name[64];
};

/* Looks user up. Returns 0, or -1 with a reason in err. */
int	privs_lookup(const char *user, struct privs *p, char *err,
	    size_t errsz);

/*
 * Drops from root to p's user: an empty bounding set, setgroups,
 * setresgid, setresuid, no capability in any set, PR_SET_NO_NEW_PRIVS,
 * then the seccomp filter (sandbox.h). Does nothing when p has no user. Returns 0, or -1 with a reason in err
 * (fatal).
 */
int	privs_drop(const struct privs *p, char *err, size_t errsz);

/* Returns 1 if this process, or its helper, can chown a file to root. */
int	privs_can_chown(void);

/*
 * In a sweeper child: become p's user (when running as root with one),
 * clear every capability set, set PR_SET_NO_NEW_PRIVS, describe the result
 * (privs_describe_self) into desc when not NULL, then confine the process
 * with Landlock to reading and removing beneath dirfd when the kernel offers
 * it. Returns 0, or -1 with a reason in err (the child must then exit).
 */
int	privs_sweeper(const struct privs *p, int dirfd, char *desc,
	    size_t descsz, char *err, size_t errsz);

/*
 * Writes the Uid, Gid and Cap* lines of /proc/self/status, joined by
 * "; ", into buf. Returns 0, or -1.
 */
int	privs_describe_self(char *buf, size_t bufsz);

#endif
