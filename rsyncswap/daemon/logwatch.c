#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/daemon/logwatch.h"
#include "rsyncswap/rsyncd/logtail.h"
#include "rsyncswap/rsyncd/rsyncdlog.h"
#include "rsyncswap/rsyncd/rsyncdsess.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/cleanup.h"

/* Sessions without an end line for this long are closed (seconds). */
#define LOGWATCH_SESSION_STALE	(2 * 86400)

/* A session that began its transfer, for the check of the next scan. */
struct lw_check {
	long		 pid;
	long long	 since;
	int		 armed;		/* seen before the scan began */
	char		 ip[RSYNCD_IP_MAX + 1];
};

struct logwatch {
	struct lw_check		 checks[LOGWATCH_CHECKS_MAX];
	size_t			 nchecks;
	struct logtail		*lt;
	struct rsyncd_sessions	*ss;
	const char		*state_dir;
	struct tune		*t;
	struct metrics		*m;
	const char		*path;
	const char		*rsync_dir;
	enum uri_layout		 layout;
	long long		 opened;	/* when we began to follow it */
	int			 changed;
	int			 told;		/* the format warning was given */
};


/* Formats local time t as YYYY-MM-DD HH:MM:SS (the rsyncd log's clock). */
static const char *
local_time(long long t, char *buf, size_t sz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, sz, "?");
	else
		strftime(buf, sz, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/*
 * Returns 1 if module is one this node serves: a directory of the current
 * revision (with the host layout, below any host); always with the flat
 * layout, where the module's name is rsyncd's alone.
 */
static int
served_module(const struct logwatch *lw, const char *module)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	int found = 0;
	DIR *d;

	if (lw->layout == LAYOUT_FLAT)
		return 1;
	if (module[0] == '\0' || strchr(module, '/') != NULL ||
	    strcmp(module, ".") == 0 || strcmp(module, "..") == 0)
		return 0;
	if (lw->layout == LAYOUT_MODULE) {
		snprintf(path, sizeof(path), "%s/current/%s", lw->rsync_dir,
		    module);
		return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	}
	snprintf(path, sizeof(path), "%s/current", lw->rsync_dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/current/%s/%s",
		    lw->rsync_dir, de->d_name, module);
		found = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	}
	closedir(d);
	return found;
}

/* Forgets the check of session pid: it ended, or its pid began anew. */
static void
check_drop(struct logwatch *lw, long pid)
{
	size_t i;

	for (i = 0; i < lw->nchecks; i++)
		if (lw->checks[i].pid == pid) {
			lw->checks[i] = lw->checks[--lw->nchecks];
			return;
		}
}

/* Remembers the session of l (its "rsync on" line) for the next scan. */
static void
check_add(struct logwatch *lw, const struct rsyncd_line *l)
{
	struct lw_check *c;

	check_drop(lw, l->pid);
	if (lw->nchecks == LOGWATCH_CHECKS_MAX)
		return;		/* the others are checked first */
	c = &lw->checks[lw->nchecks++];
	memset(c, 0, sizeof(*c));
	c->pid = l->pid;
	c->since = l->time;
	snprintf(c->ip, sizeof(c->ip), "%s", l->ip);
}

static void
logwatch_session(const struct rsyncd_session *s, void *arg)
{
	struct logwatch *lw = arg;
	const struct state_revision *r = NULL;
	unsigned long v = s->vanished_files + s->vanished_dirs;
	char err[ERR_MAX], why[ERR_MAX], t1[32], t2[32], t3[32];
	struct state st;
	long long when = s->connected != 0 ? s->connected : s->started;

	long long start = when, end = s->ended != 0 ? s->ended : s->last;
	long long now = (long long)time(NULL);

	check_drop(lw, s->pid);
	if (s->outcome == RSYNCD_SESS_REFUSED)
		return;
	/* Another module of this rsyncd is none of ours to tune for. */
	if (s->module[0] != '\0' && !served_module(lw, s->module)) {
		log_debug("rsyncd: session of module %s (pid %ld) ignored: "
		    "not served from %s", s->module, s->pid, lw->rsync_dir);
		return;
	}
	/*
	 * A session outside the time the log was followed is a bogus line
	 * (a 1970 connect time) or another time zone: never tune from it.
	 */
	if (start < lw->opened - LOGWATCH_TIME_SLACK ||
	    end > now + LOGWATCH_TIME_SLACK) {
		log_warn("rsyncd: session of client %s (pid %ld) ignored: its "
		    "times lie outside the time the log was followed (a "
		    "bogus line, or rsyncd in another time zone)", s->ip,
		    s->pid);
		return;
	}
	memset(&st, 0, sizeof(st));
	if (v > 0) {
		lw->m->vanished += (long long)v;
		if (state_read(lw->state_dir, &st, err, sizeof(err)) == 0)
			r = state_history_at(&st, when);
		if (tune_vanished_ours(s, r)) {
			lw->m->vanished_ours += (long long)v;
			/* With readers seen, a removal under one is a bug. */
			(cleanup_totals()->mode == CLEANUP_MODE_READERS ?
			    log_error : log_warn)("rsyncd: client %s (pid %ld) "
			    "connected at %s to %s, replaced at %s and "
			    "removed at %s: %lu vanished (\"%s\")", s->ip, s->pid,
			    local_time(when, t1, sizeof(t1)), r->name,
			    local_time(r->until, t2, sizeof(t2)),
			    local_time(r->removed, t3, sizeof(t3)), v,
			    s->first_vanished);
		} else
			log_warn("rsyncd: client %s (pid %ld) connected at %s: "
			    "%lu vanished (\"%s\"), not from a revision we "
			    "removed", s->ip, s->pid,
			    local_time(when, t1, sizeof(t1)), v, s->first_vanished);
	}
	if (tune_session(lw->t, s, r, (long long)time(NULL), why,
	    sizeof(why))) {
		log_warn("%s", why);
		lw->changed = 1;
	}
	state_free(&st);
}

struct logwatch *
logwatch_open(const char *path, const char *state_dir,
    const char *rsync_dir, enum uri_layout layout, struct tune *t,
    struct metrics *m, char *err, size_t errsz)
{
	struct logwatch *lw;

	if ((lw = calloc(1, sizeof(*lw))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	lw->state_dir = state_dir;
	lw->t = t;
	lw->m = m;
	lw->path = path;
	lw->rsync_dir = rsync_dir;
	lw->layout = layout;
	lw->opened = (long long)time(NULL);
	if ((lw->lt = logtail_open(path, 0, err, errsz)) == NULL ||
	    (lw->ss = rsyncd_sessions_new(0, logwatch_session, lw)) == NULL) {
		if (lw->lt != NULL)
			snprintf(err, errsz, "out of memory");
		logwatch_close(lw);
		return NULL;
	}
	if (access(path, F_OK) == -1 && errno == ENOENT)
		log_warn("%s %s does not exist (yet): no cleanup "
		    "tuning until rsyncd writes it", opt_name(OPT_RSYNCD_LOG),
		    path);
	return lw;
}

int
logwatch_fd(const struct logwatch *lw)
{
	return logtail_fd(lw->lt);
}

int
logwatch_timeout(const struct logwatch *lw)
{
	return logtail_poll_timeout(lw->lt);
}

static void
logwatch_line(const char *line, size_t len, void *arg)
{
	struct logwatch *lw = arg;
	struct rsyncd_line l;

	lw->m->rsyncd_lines++;
	if (rsyncd_parse_line(line, len, &l) == -1) {
		lw->m->rsyncd_malformed++;
		if (!lw->told && lw->m->rsyncd_malformed >=
		    LOGWATCH_FORMAT_LINES && lw->m->rsyncd_malformed ==
		    lw->m->rsyncd_lines) {
			lw->told = 1;
			log_warn("%s %s: none of the first %lld "
			    "lines is in rsyncd's log format (a syslog "
			    "log? set \"log file =\" in rsyncd.conf): no "
			    "cleanup tuning from it", opt_name(OPT_RSYNCD_LOG),
			    lw->path,
			    lw->m->rsyncd_lines);
		}
		return;
	}
	/* An error line: the process may exit without an end line. */
	if (l.kind == RSYNCD_ERROR || l.kind == RSYNCD_CONNECT)
		check_drop(lw, l.pid);
	rsyncd_sessions_add(lw->ss, &l);
	if (l.kind == RSYNCD_START && l.time >= lw->opened -
	    LOGWATCH_TIME_SLACK && served_module(lw, l.module))
		check_add(lw, &l);
}

/* Reads what the log has gained; tuning changes add to lw->changed. */
static void
logwatch_drain(struct logwatch *lw)
{
	char err[ERR_MAX];

	if (logtail_read(lw->lt, logwatch_line, lw, err, sizeof(err)) == -1)
		log_warn("rsyncd log: %s", err);
	rsyncd_sessions_flush(lw->ss, (long long)time(NULL) -
	    LOGWATCH_SESSION_STALE);
}

int
logwatch_read(struct logwatch *lw)
{
	int changed;

	logwatch_drain(lw);
	changed = lw->changed;
	lw->changed = 0;
	return changed;
}

void
logwatch_witness_before(void *arg)
{
	struct logwatch *lw = arg;

	logwatch_drain(lw);
	for (size_t i = 0; i < lw->nchecks; i++)
		lw->checks[i].armed = 1;
}

int
logwatch_witness_after(const struct readers_scan *s, char *why,
    size_t whysz, void *arg)
{
	struct logwatch *lw = arg;
	struct lw_check *c;
	char t[32];
	size_t i;

	/* What ended during the scan ends here, and is not checked. */
	logwatch_drain(lw);
	for (i = 0; i < lw->nchecks; ) {
		c = &lw->checks[i];
		if (!c->armed) {
			i++;
			continue;
		}
		if (!readers_has_pid(s, c->pid)) {
			snprintf(why, whysz, "the rsyncd log shows client %s "
			    "(pid %ld) reading since %s, but no process the "
			    "scan sees is that session (rsyncd in another PID "
			    "namespace)", c->ip, c->pid,
			    local_time(c->since, t, sizeof(t)));
			lw->nchecks = 0;
			return 1;
		}
		*c = lw->checks[--lw->nchecks];
	}
	return 0;
}

const char *
logwatch_note(const struct logwatch *lw, char *buf, size_t sz)
{
	if (lw->m->rsyncd_lines == 0 && access(lw->path, F_OK) == -1 &&
	    errno == ENOENT)
		snprintf(buf, sz, "%s does not exist (yet): no cleanup tuning "
		    "until rsyncd writes it", lw->path);
	else if (lw->told && lw->m->rsyncd_malformed == lw->m->rsyncd_lines)
		snprintf(buf, sz, "%s: none of %lld lines is in rsyncd's log "
		    "format: no cleanup tuning from it", lw->path,
		    lw->m->rsyncd_lines);
	else
		snprintf(buf, sz, "%s followed: %lld line%s read, %lld not in "
		    "rsyncd's format", lw->path, lw->m->rsyncd_lines,
		    lw->m->rsyncd_lines == 1 ? "" : "s",
		    lw->m->rsyncd_malformed);
	return buf;
}

void
logwatch_close(struct logwatch *lw)
{
	if (lw == NULL)
		return;
	if (lw->lt != NULL)
		logtail_close(lw->lt);
	if (lw->ss != NULL)
		rsyncd_sessions_free(lw->ss);
	free(lw);
}
