/*
 * Whether an rsync daemon seen under /proc serves the rsync directory: its
 * configuration file (--config, else /etc/rsyncd.conf), read as that
 * process sees it, has a module path inside the directory. A daemon that
 * serves other trees tells nothing of our readers: the scan must not take
 * its presence for rsyncd's.
 */
#ifndef RSYNCSWAP_RSYNCDCONF_H
#define RSYNCSWAP_RSYNCDCONF_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

/* What a daemon's configuration says of the rsync directory. */
enum rsyncd_conf_verdict {
	RSYNCD_CONF_SERVES,	/* a module path lies inside it */
	RSYNCD_CONF_ELSEWHERE,	/* every module path lies outside it */
	RSYNCD_CONF_UNKNOWN,	/* unreadable, or paths not followed
				   (&include, &merge, %VAR%) */
};

/*
 * The last verdict of one scan, by the daemon's root and configuration
 * path: the connections' children of a daemon share its file, read once.
 */
struct rsyncd_conf_cache {
	int			 valid;
	char			 root[PATH_MAX];
	char			 conf[PATH_MAX];
	enum rsyncd_conf_verdict verdict;
};

/*
 * Returns the verdict on the rsync daemon of /proc/PID (pfd), whose command
 * line is cmdline (len octets of NUL-terminated arguments), for the
 * directory whose real path is base. Reads at most RSYNCD_CONF_MAX octets
 * of a regular file; never blocks on a FIFO or device.
 */
enum rsyncd_conf_verdict rsyncd_conf_verdict(int pfd, const char *cmdline,
		    size_t len, const char *base,
		    struct rsyncd_conf_cache *cache);

/*
 * Returns the verdict of the rsyncd configuration text in the file f for
 * base, its module paths below root ("" or "/" for the file system's own
 * root, else the daemon's chroot as a path of ours).
 */
enum rsyncd_conf_verdict rsyncd_conf_parse(FILE *f, const char *root,
		    const char *base);

#endif
