#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/readers/readers.h"
#include "rsyncswap/readers/rsyncdconf.h"
#include "rsyncswap/tree/swap.h"

/* Distinct revisions remembered per process while its links are read. */
#define READERS_PER_PID		16
/*
 * The argument that makes an rsync process the daemon: rsync's own command
 * line (`rsync --daemon`), not an option of ours.
 */
#define RSYNC_DAEMON_ARG	"--daemon"

struct pid_scan {
	const char	*base;		/* rsync directory, real path */
	size_t		 baselen;
	struct reader	 found[READERS_PER_PID];
	int		 nfound;
	unsigned long long sockino;
};

/* Returns 1 if the string s is a decimal number (a pid). */
static int
is_pid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Records the revision that path lies in, if it lies in one of ours. */
static void
pid_scan_path(struct pid_scan *ps, const char *path)
{
	char name[STATE_NAME_MAX];
	const char *p;
	size_t len;

	if (strncmp(path, ps->base, ps->baselen) != 0 ||
	    path[ps->baselen] != '/')
		return;
	p = path + ps->baselen + 1;
	len = strcspn(p, "/");
	if (len == 0 || len >= sizeof(name))
		return;
	memcpy(name, p, len);
	name[len] = '\0';
	if (!swap_is_served_name(name))
		return;
	for (int i = 0; i < ps->nfound; i++)
		if (strcmp(ps->found[i].name, name) == 0)
			return;
	if (ps->nfound == READERS_PER_PID)
		return;
	memcpy(ps->found[ps->nfound].name, name, len + 1);
	ps->nfound++;
}

/*
 * Reads the link name below dirfd and records where it points. Returns 0,
 * or -1 with errno (EACCES: no ptrace read access).
 */
static int
pid_scan_link(struct pid_scan *ps, int dirfd, const char *name)
{
	char buf[PATH_MAX];
	unsigned long long ino;
	ssize_t n;

	if ((n = readlinkat(dirfd, name, buf, sizeof(buf) - 1)) == -1)
		return -1;
	buf[n] = '\0';
	if (ps->sockino == 0 && sscanf(buf, "socket:[%llu]", &ino) == 1)
		ps->sockino = ino;
	pid_scan_path(ps, buf);
	return 0;
}

/* Returns 1 if the process of /proc/PID (pfd) is named rsync. */
static int
pid_is_rsync(int pfd)
{
	char comm[32];
	ssize_t n;
	int fd;

	if ((fd = openat(pfd, "comm", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return 0;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "rsync") == 0;
}

/*
 * Returns 1 if the process of /proc/PID (pfd) runs rsync --daemon (rsyncd,
 * its listener or a connection's child, which keeps the command line),
 * with its command line in buf (READERS_CMDLINE_MAX octets) and its length
 * in *len.
 */
static int
pid_is_daemon(int pfd, char *buf, size_t *len)
{
	ssize_t n;
	size_t i;
	int fd;

	if ((fd = openat(pfd, "cmdline", O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, buf, READERS_CMDLINE_MAX - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	*len = (size_t)n;
	for (i = 0; i < (size_t)n; i += strlen(buf + i) + 1)
		if (strcmp(buf + i, RSYNC_DAEMON_ARG) == 0)
			return 1;
	return 0;
}

/*
 * Counts the rsync daemon of /proc/PID (pfd) in sum by what its
 * configuration says of the rsync directory base.
 */
static void
count_daemon(struct readers_scan *sum, int pfd, const char *cmdline,
    size_t len, const char *base, struct rsyncd_conf_cache *cache)
{
	sum->daemons++;
	switch (rsyncd_conf_verdict(pfd, cmdline, len, base, cache)) {
	case RSYNCD_CONF_SERVES:
		sum->serving++;
		break;
	case RSYNCD_CONF_UNKNOWN:
		sum->conf_unknown++;
		break;
	case RSYNCD_CONF_ELSEWHERE:
		break;
	}
}

/*
 * Returns the pid of the process of /proc/PID (pfd) in its own PID
 * namespace (the last number of NSpid in its status), or pid.
 */
static pid_t
pid_in_own_ns(int pfd, pid_t pid)
{
	char buf[READERS_STATUS_MAX], *p, *end;
	long v, last = -1;
	ssize_t n;
	int fd;

	if ((fd = openat(pfd, "status", O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return pid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return pid;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nNSpid:")) == NULL)
		return pid;
	p += strlen("\nNSpid:");
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		v = strtol(p, &end, 10);
		last = v;
		p = end;
	}
	return last > 0 ? (pid_t)last : pid;
}

/*
 * Scans one process (its /proc directory pfd). Returns 0, or -1 with errno
 * when its root could not be read.
 */
static int
pid_scan_one(struct pid_scan *ps, int pfd)
{
	struct dirent *de;
	int fdfd, n = 0;
	DIR *d;

	if (pid_scan_link(ps, pfd, "root") == -1)
		return -1;
	(void)pid_scan_link(ps, pfd, "cwd");
	if ((fdfd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return 0;
	if ((d = fdopendir(fdfd)) == NULL) {
		close(fdfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && n++ < READERS_MAX_FDS)
		if (de->d_name[0] != '.')
			(void)pid_scan_link(ps, fdfd, de->d_name);
	closedir(d);
	return 0;
}

int
readers_scan_proc(const char *rsync_real, const pid_t *skip, size_t nskip,
    int (*emit)(const struct reader *, void *), void *arg,
    struct readers_scan *sum)
{
	struct rsyncd_conf_cache cache;
	char cmdline[READERS_CMDLINE_MAX];
	struct pid_scan ps;
	struct dirent *de;
	int pfd, rsync, nproc = 0;
	size_t i, len;
	pid_t pid, nspid;
	DIR *d;

	sum->started = time(NULL);
	memset(&cache, 0, sizeof(cache));
	if ((d = opendir("/proc")) == NULL) {
		sum->error = errno;
		return -1;
	}
	while ((de = readdir(d)) != NULL && nproc < READERS_MAX_PROCS) {
		if (!is_pid_name(de->d_name))
			continue;
		nproc++;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		for (i = 0; i < nskip && skip[i] != pid; i++)
			;
		if (i < nskip)
			continue;
		if ((pfd = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) == -1)
			continue;
		memset(&ps, 0, sizeof(ps));
		ps.base = rsync_real;
		ps.baselen = strlen(rsync_real);
		rsync = pid_is_rsync(pfd);
		sum->rsync_seen += rsync;
		if (rsync && pid_is_daemon(pfd, cmdline, &len))
			count_daemon(sum, pfd, cmdline, len, rsync_real,
			    &cache);
		if (pid_scan_one(&ps, pfd) == -1 && rsync &&
		    (errno == EACCES || errno == EPERM)) {
			if (sum->denied++ == 0)
				sum->denied_pid = pid;
		}
		nspid = ps.nfound > 0 ? pid_in_own_ns(pfd, pid) : pid;
		close(pfd);
		for (int k = 0; k < ps.nfound; k++) {
			ps.found[k].pid = pid;
			ps.found[k].nspid = nspid;
			ps.found[k].sockino = ps.sockino;
			if (emit(&ps.found[k], arg) == -1) {
				/* A reader left out would be a revision removed. */
				sum->error = ENOMEM;
				closedir(d);
				return -1;
			}
		}
	}
	closedir(d);
	return 0;
}

int
readers_add(struct readers_scan *s, const struct reader *rd)
{
	struct reader *nr;
	size_t ncap;

	if (s->n == s->cap) {
		if (s->cap >= READERS_MAX)
			return -1;
		ncap = s->cap == 0 ? 64 : s->cap * 2;
		if ((nr = realloc(s->r, ncap * sizeof(*nr))) == NULL)
			return -1;
		s->r = nr;
		s->cap = ncap;
	}
	s->r[s->n++] = *rd;
	return 0;
}

static int
readers_emit(const struct reader *rd, void *arg)
{
	return readers_add(arg, rd);
}

int
readers_scan_here(const char *rsync_dir, struct readers_scan *s)
{
	char real[PATH_MAX];
	pid_t self = getpid();

	memset(s, 0, sizeof(*s));
	s->started = time(NULL);
	if (realpath(rsync_dir, real) == NULL) {
		s->error = errno;
		return -1;
	}
	return readers_scan_proc(real, &self, 1, readers_emit, s, s);
}

const char *
readers_unusable(const struct readers_scan *s, char *buf, size_t bufsz)
{
	if (s->error != 0)
		snprintf(buf, bufsz, "the process table cannot be read (%s)",
		    strerror(s->error));
	else if (s->denied > 0)
		snprintf(buf, bufsz, "%d rsync process%s cannot be inspected "
		    "(pid %ld: no ptrace read access; start as root with "
		    "%s, or run as rsyncd's user)", s->denied,
		    s->denied == 1 ? "" : "es", (long)s->denied_pid,
		    opt_name(OPT_USER));
	else if (s->daemons == 0 && s->rsync_seen == 0)
		snprintf(buf, bufsz, "no rsync process is visible (rsyncd "
		    "not running, or in another PID namespace)");
	else if (s->daemons == 0)
		snprintf(buf, bufsz, "no rsync daemon is visible, only %d "
		    "other rsync process%s (rsyncd not running, or in another "
		    "PID namespace)", s->rsync_seen,
		    s->rsync_seen == 1 ? "" : "es");
	else if (s->serving == 0 && s->conf_unknown == 0)
		snprintf(buf, bufsz, "no rsync daemon configured for this "
		    "rsync directory is visible: the module paths of the %d "
		    "rsync daemon process%s seen lie elsewhere (this "
		    "directory's rsyncd not running, or in another PID "
		    "namespace)", s->daemons,
		    s->daemons == 1 ? "" : "es");
	else
		return NULL;
	return buf;
}

int
readers_has_pid(const struct readers_scan *s, long pid)
{
	for (size_t i = 0; i < s->n; i++)
		if ((long)s->r[i].pid == pid || (long)s->r[i].nspid == pid)
			return 1;
	return 0;
}

int
readers_count(const struct readers_scan *s, const char *name)
{
	int n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += strcmp(s->r[i].name, name) == 0;
	return n;
}

void
readers_free(struct readers_scan *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

/* Looks sockino up in one /proc/net table. Returns 0, or -1. */
static int
peer_in(const char *table, int v6, unsigned long long sockino, char *buf,
    size_t bufsz)
{
	char line[512], rem[64], host[64];
	unsigned char a[16];
	unsigned long long ino;
	unsigned int port, w;
	FILE *f;
	int found = -1;

	if ((f = fopen(table, "re")) == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*s %*s %63s %*s %*s %*s %*s %*s %*s %llu",
		    rem, &ino) != 2 || ino != sockino)
			continue;
		if (strlen(rem) != (v6 ? 37u : 13u) || sscanf(rem + (v6 ? 33 :
		    9), "%x", &port) != 1)
			continue;
		/* The kernel prints each 32-bit word in host order. */
		for (int i = 0; i < (v6 ? 4 : 1); i++) {
			if (sscanf(rem + i * 8, "%8x", &w) != 1)
				break;
			memcpy(a + i * 4, &w, 4);
		}
		if (inet_ntop(v6 ? AF_INET6 : AF_INET, a, host,
		    sizeof(host)) == NULL)
			continue;
		snprintf(buf, bufsz, "%s port %u", host, port);
		found = 0;
	}
	fclose(f);
	return found;
}

int
readers_peer(unsigned long long sockino, char *buf, size_t bufsz)
{
	if (sockino == 0)
		return -1;
	if (peer_in("/proc/net/tcp", 0, sockino, buf, bufsz) == 0 ||
	    peer_in("/proc/net/tcp6", 1, sockino, buf, bufsz) == 0)
		return 0;
	return -1;
}
