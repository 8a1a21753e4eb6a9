#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/clock.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/daemon/logwatch.h"
#include "rsyncswap/daemon/tune.h"
#include "rsyncswap/daemon/watch.h"
#include "rsyncswap/expiry/expiry.h"
#include "rsyncswap/expiry/expiry_read.h"
#include "rsyncswap/obs/metrics.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/cleanup.h"

/* A change is synced this long after the last event of a burst (ms)... */
#define DEBOUNCE_MS		100
/* ...but never later than this after the first one (ms). */
#define DEBOUNCE_MAX_MS		500
/* Retry after a failure: first delay, doubling up to the bound (ms). */
#define BACKOFF_MIN_MS		2000
#define BACKOFF_MAX_MS		(300 * 1000)
/* Longest pause between sweeps (ms); shorter for short cleanup times. */
#define SWEEP_MAX_MS		(60 * 1000)

static volatile sig_atomic_t watch_stop, watch_hup;
static int watch_pipe[2] = { -1, -1 };

static void
watch_signal(int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		watch_hup = 1;
	else {
		watch_stop = 1;
		sync_interrupt = 1;
	}
	(void)!write(watch_pipe[1], "", 1);
	errno = saved;
}

/* Returns 0 after installing the handlers and the self-pipe, or -1. */
static int
watch_signals(void)
{
	struct sigaction sa;

	if (pipe2(watch_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/*
 * Returns an inotify fd watching the directory of the local back-end for
 * the notification file's name (written to *name), or -1.
 */
static int
watch_inotify(const struct watch_options *w, const char **name)
{
	const char *uri = w->sync.notification_uri;
	const char *slash = strrchr(uri, '/');
	int fd;

	*name = slash != NULL ? slash + 1 : uri;
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	if (inotify_add_watch(fd, w->sync.fetch.source_base,
	    IN_CLOSE_WRITE | IN_MOVED_TO) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Returns 1 if the pending inotify events name the notification file. */
static int
watch_drain_inotify(int fd, const char *name)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	int hit = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->len > 0 && strcmp(ev->name, name) == 0)
				hit = 1;
			if (ev->mask & IN_Q_OVERFLOW)
				hit = 1;
		}
	return hit;
}

/* Rewrites the metrics file from the state and the counters. */
static void
watch_metrics(const struct watch_options *w, const struct metrics *m)
{
	if (w->metrics_file != NULL)
		metrics_update(w->metrics_file, w->sync.state_dir,
		    w->sync.rsync_dir, m);
}

/* The same expiry message is repeated at most this often (seconds). */
#define EXPIRY_REPEAT		3600

/*
 * Logs what the expiry summary of the served revision says: a warning when
 * publication points expire within the window, an error once they have
 * expired, and a warning when the origin has been quiet for longer than
 * --origin-quiet while expiry approaches (a stuck CA or publication
 * server). A message is repeated when it changes, or after EXPIRY_REPEAT.
 */
static void
watch_expiry(const struct watch_options *w, char *last, size_t lastsz,
    long long *last_at)
{
	const struct state_revision *r;
	struct expiry_assessment a;
	struct expiry_summary sum;
	char err[ERR_MAX], msg[ERR_MAX], quiet[ERR_MAX] = "";
	long long now = time(NULL);
	struct state st;
	int level;

	if (expiry_load_brief(w->sync.state_dir, now, w->expiry_warn, &sum,
	    err, sizeof(err)) != 0)
		return;
	memset(&st, 0, sizeof(st));
	if (state_read(w->sync.state_dir, &st, err, sizeof(err)) != 0 ||
	    strcmp(sum.revision, st.revision) != 0) {
		/* Not the served revision's summary: nothing to say yet. */
		state_free(&st);
		expiry_summary_free(&sum);
		return;
	}
	state_free(&st);
	level = expiry_warning(&sum, now, w->expiry_warn, msg, sizeof(msg));
	expiry_assess(&sum, now, w->expiry_warn, &a);
	if (state_read(w->sync.state_dir, &st, err, sizeof(err)) == 0 &&
	    (r = state_history_find(&st, st.revision)) != NULL &&
	    now - r->since >= w->origin_quiet && a.expired + a.expiring > 0)
		snprintf(quiet, sizeof(quiet), "; the origin has not changed "
		    "for %lld h (serial %lld): is the CA or the publication "
		    "server stuck?", (now - r->since) / 3600, st.serial);
	state_free(&st);
	expiry_summary_free(&sum);
	if (level == 0) {
		last[0] = '\0';
		return;
	}
	if (strncmp(last, msg, lastsz) == 0 && now - *last_at < EXPIRY_REPEAT)
		return;
	snprintf(last, lastsz, "%s", msg);
	*last_at = now;
	if (level == 2)
		log_error("%s%s", msg, quiet);
	else
		log_warn("%s%s", msg, quiet);
}

/* Runs one sync; returns the delay (ms) until the next one. */
static long long
watch_sync(const struct watch_options *w, const struct sync_options *so,
    struct metrics *m, long long *backoff)
{
	struct sync_report rep;
	long long t0 = clock_ms();
	int rc;

	rc = sync_run(so, &rep);
	m->last_sync_seconds = (double)(clock_ms() - t0) / 1000.0;
	if (rc == SYNC_OK) {
		m->syncs_ok++;
		m->sweeps++;
		m->swept += rep.swept;
		m->last_sync_bytes = rep.bytes;
		if (strcmp(rep.action, "up to date") != 0)
			log_info("session %s serial %lld: %s, %zu objects, "
			    "current -> %s (%.3f s)", rep.session_id,
			    rep.serial, rep.action, rep.objects, rep.current,
			    m->last_sync_seconds);
		*backoff = 0;
		watch_metrics(w, m);
		return w->interval * 1000LL;
	}
	m->syncs_failed++;
	watch_metrics(w, m);
	*backoff = *backoff == 0 ? BACKOFF_MIN_MS : *backoff * 2;
	if (*backoff > BACKOFF_MAX_MS)
		*backoff = BACKOFF_MAX_MS;
	if (*backoff > w->interval * 1000LL)
		*backoff = w->interval * 1000LL;
	if (!watch_stop)
		log_info("retrying in %lld s", *backoff / 1000);
	return *backoff;
}

/*
 * Applies a change of the tuned cleanup time: used by the next sweeps and
 * kept in the state (by a sweep, which writes it).
 */
static void
watch_tuned(const struct watch_options *w, struct sync_options *so,
    const struct tune *t, struct metrics *m)
{
	int swept;

	so->cleanup_after = t->effective;
	so->tune_longest = t->longest;
	so->tune_changed = t->changed;
	m->cleanup_after = t->effective;
	if (sync_sweep_only(so, &swept) == SYNC_OK) {
		m->sweeps++;
		m->swept += swept;
	}
	watch_metrics(w, m);
}

/* Returns the tuning remembered in the state, set up for this run. */
static void
watch_tune_init(const struct watch_options *w, struct tune *t)
{
	char err[ERR_MAX];
	struct state st;

	state_read(w->sync.state_dir, &st, err, sizeof(err));
	tune_init(t, w->sync.cleanup_after, w->cleanup_max, &st);
	state_free(&st);
	if (t->effective != t->configured)
		log_info("cleanup-after is %lld s (tuned earlier; configured "
		    "%lld s)", t->effective, t->configured);
}

enum sync_result
watch_run(const struct watch_options *w)
{
	struct sync_options so = w->sync;
	struct logwatch *lw = NULL;
	struct cleanup_witness witness;
	struct tune tune;
	char err[ERR_MAX], why[ERR_MAX], exp_last[ERR_MAX] = "";
	char note[sizeof(((struct state *)0)->rsyncd_log)];
	long long exp_at = 0;
	struct metrics m;
	struct pollfd pfd[3];
	const char *name = NULL;
	long long now, next_sync, next_sweep, first_event = 0, backoff = 0;
	long long sweep_ms;
	int ino = -1, timeout, swept, lockfd;
	char c;

	memset(&m, 0, sizeof(m));
	/* One instance per state: the lock is held until we stop. */
	if ((lockfd = state_lock(w->sync.state_dir, err, sizeof(err))) < 0) {
		log_error("%s%s", err, lockfd == -2 ? ": another rsyncswap "
		    "is running on this state directory" : "");
		return lockfd == -2 ? SYNC_LOCKED : SYNC_FAILED;
	}
	so.lock_held = 1;
	so.daemon = 1;
	watch_tune_init(w, &tune);
	so.cleanup_after = tune.effective;
	so.tune_longest = tune.longest;
	so.tune_changed = tune.changed;
	m.cleanup_after = tune.effective;
	m.expiry_warn = w->expiry_warn;
	if (w->rsyncd_log != NULL && (lw = logwatch_open(w->rsyncd_log,
	    w->sync.state_dir, w->sync.rsync_dir, w->sync.layout, &tune, &m,
	    err, sizeof(err))) == NULL) {
		log_error("%s: %s", opt_name(OPT_RSYNCD_LOG), err);
		return SYNC_FAILED;
	}
	if (watch_signals() == -1) {
		log_error("cannot install signal handlers: %s",
		    strerror(errno));
		return SYNC_FAILED;
	}
	if (w->sync.fetch.source_is_dir &&
	    (ino = watch_inotify(w, &name)) == -1) {
		log_error("%s: inotify: %s", w->sync.fetch.source_base,
		    strerror(errno));
		return SYNC_FAILED;
	}
	sweep_ms = w->sync.cleanup_after * 1000 / 2;
	if (sweep_ms > SWEEP_MAX_MS)
		sweep_ms = SWEEP_MAX_MS;
	if (sweep_ms < 1000)
		sweep_ms = 1000;
	log_info("watching %s (%s), every %ld s", w->sync.notification_uri,
	    ino != -1 ? "inotify" : "polling", w->interval);

	/* The log's sessions check each reader scan. */
	witness.before = logwatch_witness_before;
	witness.after = logwatch_witness_after;
	witness.arg = lw;
	if (lw != NULL)
		cleanup_set_witness(&witness);

	now = clock_ms();
	next_sync = now;
	next_sweep = now + sweep_ms;
	while (!watch_stop) {
		now = clock_ms();
		if (lw != NULL)
			so.rsyncd_log_note = logwatch_note(lw, note,
			    sizeof(note));
		/* A revision that waits only for its readers: look again soon. */
		if (cleanup_pending() && next_sweep > now + READERS_SWEEP_MS)
			next_sweep = now + READERS_SWEEP_MS;
		if (now >= next_sync) {
			first_event = 0;
			next_sync = clock_ms() + watch_sync(w, &so, &m,
			    &backoff);
			watch_expiry(w, exp_last, sizeof(exp_last), &exp_at);
			continue;
		}
		if (now >= next_sweep) {
			if (tune_decay(&tune, (long long)time(NULL), why,
			    sizeof(why))) {
				log_info("%s", why);
				so.cleanup_after = tune.effective;
				so.tune_longest = tune.longest;
				so.tune_changed = tune.changed;
				m.cleanup_after = tune.effective;
			}
			if (sync_sweep_only(&so, &swept) == SYNC_OK) {
				m.sweeps++;
				m.swept += swept;
			}
			watch_metrics(w, &m);
			watch_expiry(w, exp_last, sizeof(exp_last), &exp_at);
			next_sweep = clock_ms() + sweep_ms;
			continue;
		}
		timeout = (int)((next_sync < next_sweep ? next_sync :
		    next_sweep) - now);
		if (lw != NULL && logwatch_timeout(lw) < timeout)
			timeout = logwatch_timeout(lw);
		pfd[0].fd = watch_pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = ino;
		pfd[1].events = POLLIN;
		pfd[2].fd = lw != NULL ? logwatch_fd(lw) : -1;
		pfd[2].events = POLLIN;
		if (poll(pfd, 3, timeout) == -1 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		while (read(watch_pipe[0], &c, 1) == 1)
			;
		if (watch_hup) {
			/* systemctl reload: check the origin now. */
			watch_hup = 0;
			log_info("SIGHUP: checking the origin now");
			next_sync = clock_ms();
		}
		if (lw != NULL && logwatch_read(lw))
			watch_tuned(w, &so, &tune, &m);
		if (ino != -1 && (pfd[1].revents & POLLIN) &&
		    watch_drain_inotify(ino, name)) {
			now = clock_ms();
			if (first_event == 0)
				first_event = now;
			next_sync = now + DEBOUNCE_MS;
			if (next_sync > first_event + DEBOUNCE_MAX_MS)
				next_sync = first_event + DEBOUNCE_MAX_MS;
		}
	}
	log_info("stopping");
	cleanup_set_witness(NULL);
	logwatch_close(lw);
	if (ino != -1)
		close(ino);
	close(lockfd);
	return SYNC_OK;
}
