#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/capability.h>

#include "rsyncswap/base/log.h"
#include "rsyncswap/sweep/privhelper.h"
#include "rsyncswap/sweep/sandbox.h"
#include "rsyncswap/tree/swap.h"

/* The requests: nothing else is understood. */
#define HELPER_CHOWN_CURRENT	1
#define HELPER_SCAN		2

/* The answers. */
#define HELPER_READER		1	/* one reader (more follow) */
#define HELPER_DONE		2	/* the last answer to a request */

struct helper_req {
	uint32_t	op;
};

struct helper_msg {
	int32_t		type;
	int32_t		err;		/* errno of the request; 0 */
	int32_t		pid, nspid;
	int32_t		rsync_seen, daemons, serving, conf_unknown;
	int32_t		denied, denied_pid;
	uint64_t	sockino;
	int64_t		started;
	char		name[STATE_NAME_MAX];
};

static int helper_fd = -1;
static pid_t helper_child;

pid_t
privhelper_pid(void)
{
	return helper_child;
}

/* Returns 0 after sending m, or -1. */
static int
helper_send(int fd, const struct helper_msg *m)
{
	ssize_t n;

	while ((n = send(fd, m, sizeof(*m), MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	return n == (ssize_t)sizeof(*m) ? 0 : -1;
}

static int
helper_emit(const struct reader *rd, void *arg)
{
	struct helper_msg m;

	memset(&m, 0, sizeof(m));
	m.type = HELPER_READER;
	m.pid = (int32_t)rd->pid;
	m.nspid = (int32_t)rd->nspid;
	m.sockino = rd->sockino;
	snprintf(m.name, sizeof(m.name), "%s", rd->name);
	return helper_send(*(int *)arg, &m);
}

/* In the helper: chowns current.tmp below dirfd to root if a symlink. */
static int
helper_chown(int dirfd)
{
	struct stat sb;

	if (fstatat(dirfd, CURRENT_TMP_NAME, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno;
	if (!S_ISLNK(sb.st_mode))
		return EINVAL;
	if (fchownat(dirfd, CURRENT_TMP_NAME, 0, 0, AT_SYMLINK_NOFOLLOW) ==
	    -1)
		return errno;
	return 0;
}

/* The helper's loop: one request at a time until the parent is gone. */
static void __attribute__((noreturn))
helper_serve(int fd, int dirfd, const char *real, pid_t parent)
{
	struct readers_scan sum;
	struct helper_req q;
	struct helper_msg m;
	pid_t skip[2] = { parent, getpid() };
	ssize_t n;

	for (;;) {
		n = recv(fd, &q, sizeof(q), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(q) || getppid() != parent)
			_exit(0);
		memset(&m, 0, sizeof(m));
		m.type = HELPER_DONE;
		if (q.op == HELPER_CHOWN_CURRENT)
			m.err = helper_chown(dirfd);
		else if (q.op == HELPER_SCAN) {
			memset(&sum, 0, sizeof(sum));
			if (readers_scan_proc(real, skip, 2, helper_emit, &fd,
			    &sum) == -1)
				m.err = sum.error;
			m.rsync_seen = sum.rsync_seen;
			m.daemons = sum.daemons;
			m.serving = sum.serving;
			m.conf_unknown = sum.conf_unknown;
			m.denied = sum.denied;
			m.denied_pid = (int32_t)sum.denied_pid;
			m.started = sum.started;
		} else
			m.err = EINVAL;
		if (helper_send(fd, &m) == -1)
			_exit(0);
	}
}

/*
 * In the helper: becomes p's user with exactly the capabilities it needs,
 * a bounding set of those, no_new_privs, and death with its parent.
 * Returns 0, or -1 with errno.
 */
static int
helper_drop(const struct privs *p, pid_t parent)
{
	static const cap_value_t keep[] = {
		CAP_CHOWN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH
	};
	const int nkeep = (int)(sizeof(keep) / sizeof(keep[0]));
	cap_t c;
	int rc, k;

	for (cap_value_t v = 0; v < (cap_value_t)cap_max_bits(); v++) {
		for (k = 0; k < nkeep && keep[k] != v; k++)
			;
		if (k == nkeep && cap_get_bound(v) == 1 &&
		    cap_drop_bound(v) == -1)
			return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) == -1 ||
	    setgroups(1, &p->gid) == -1 ||
	    setresgid(p->gid, p->gid, p->gid) == -1 ||
	    setresuid(p->uid, p->uid, p->uid) == -1)
		return -1;
	if ((c = cap_init()) == NULL)
		return -1;
	rc = cap_set_flag(c, CAP_PERMITTED, nkeep, keep, CAP_SET) == -1 ||
	    cap_set_flag(c, CAP_EFFECTIVE, nkeep, keep, CAP_SET) == -1 ||
	    cap_set_proc(c) == -1 ? -1 : 0;
	cap_free(c);
	if (rc == -1 ||
	    prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) == -1 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) == -1 ||
	    /* After the uid change, which clears it. */
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) == -1)
		return -1;
	if (getppid() != parent) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

int
privhelper_start(const struct privs *p, const char *rsync_dir, char *err,
    size_t errsz)
{
	char real[PATH_MAX];
	pid_t parent = getpid(), pid;
	int sv[2], dirfd;

	if (!p->have_user || geteuid() != 0 || helper_fd != -1)
		return 0;
	if (realpath(rsync_dir, real) == NULL ||
	    (dirfd = open(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "helper: %s: %s", rsync_dir,
		    strerror(errno));
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(err, errsz, "helper: socketpair: %s",
		    strerror(errno));
		close(dirfd);
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(err, errsz, "helper: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		close(dirfd);
		return -1;
	}
	if (pid == 0) {
		char herr[256];
		int sfd, dfd;

		close(sv[0]);
		/* Keep stdio (for the one error line), the socket, the dir. */
		if ((sfd = fcntl(sv[1], F_DUPFD_CLOEXEC, 10)) == -1 ||
		    (dfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 10)) == -1 ||
		    dup2(sfd, 3) == -1 || dup2(dfd, 4) == -1)
			_exit(255);
		close_range(5, ~0U, 0);
		prctl(PR_SET_NAME, "rsyncswap-priv", 0L, 0L, 0L);
		if (helper_drop(p, parent) == -1) {
			log_error("helper: dropping to %s: %s", p->name,
			    strerror(errno));
			_exit(255);
		}
		if (sandbox_apply_helper(herr, sizeof(herr)) == -1) {
			log_error("helper: %s", herr);
			_exit(255);
		}
		helper_serve(3, 4, real, parent);
	}
	close(sv[1]);
	close(dirfd);
	helper_fd = sv[0];
	helper_child = pid;
	return 0;
}

/* Sends request op. Returns 0, or -1 with errno. */
static int
helper_request(uint32_t op)
{
	struct helper_req q = { op };
	ssize_t n;

	if (helper_fd == -1) {
		errno = ENOTCONN;
		return -1;
	}
	while ((n = send(helper_fd, &q, sizeof(q), MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	if (n != (ssize_t)sizeof(q)) {
		if (n != -1)
			errno = EPIPE;
		return -1;
	}
	return 0;
}

/* Receives one answer into m. Returns 0, or -1 with errno. */
static int
helper_answer(struct helper_msg *m)
{
	ssize_t n;

	while ((n = recv(helper_fd, m, sizeof(*m), 0)) == -1 &&
	    errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*m) || (m->type != HELPER_READER &&
	    m->type != HELPER_DONE)) {
		if (n != -1)
			errno = EPIPE;
		return -1;
	}
	m->name[sizeof(m->name) - 1] = '\0';
	return 0;
}

int
privhelper_chown_current(char *err, size_t errsz)
{
	struct helper_msg m;

	if (helper_request(HELPER_CHOWN_CURRENT) == -1 ||
	    helper_answer(&m) == -1 || m.type != HELPER_DONE) {
		snprintf(err, errsz, "chown of %s to root: the privileged "
		    "helper does not answer (%s)", CURRENT_TMP_NAME,
		    strerror(errno));
		return -1;
	}
	if (m.err != 0) {
		snprintf(err, errsz, "chown of %s to root: %s",
		    CURRENT_TMP_NAME, strerror(m.err));
		return -1;
	}
	return 0;
}

int
privhelper_scan(struct readers_scan *s)
{
	struct helper_msg m;
	struct reader rd;
	int lost = 0;

	memset(s, 0, sizeof(*s));
	if (helper_request(HELPER_SCAN) == -1)
		goto fail;
	for (;;) {
		if (helper_answer(&m) == -1)
			goto fail;
		if (m.type == HELPER_DONE)
			break;
		if (!swap_is_served_name(m.name))
			continue;
		memset(&rd, 0, sizeof(rd));
		rd.pid = (pid_t)m.pid;
		rd.nspid = (pid_t)m.nspid;
		rd.sockino = m.sockino;
		snprintf(rd.name, sizeof(rd.name), "%s", m.name);
		if (readers_add(s, &rd) == -1)
			lost = 1;
	}
	s->error = lost ? ENOMEM : m.err;
	s->rsync_seen = m.rsync_seen;
	s->daemons = m.daemons;
	s->serving = m.serving;
	s->conf_unknown = m.conf_unknown;
	s->denied = m.denied;
	s->denied_pid = (pid_t)m.denied_pid;
	s->started = m.started;
	return s->error == 0 ? 0 : -1;
fail:
	s->error = errno != 0 ? errno : EPIPE;
	return -1;
}
