/*
 * The subcommands, run from the parsed command line: check the inputs,
 * prepare the directories and drop privileges, then sync, watch, sweep,
 * status, report or expiry.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/clock.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/cli/cli.h"
#include "rsyncswap/cli/cmd.h"
#include "rsyncswap/daemon/watch.h"
#include "rsyncswap/expiry/expiry_cmd.h"
#include "rsyncswap/expiry/expiry_hook.h"
#include "rsyncswap/fetch/fetch.h"
#include "rsyncswap/obs/metrics.h"
#include "rsyncswap/obs/status.h"
#include "rsyncswap/report/report.h"
#include "rsyncswap/republish/republish_hook.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/privhelper.h"
#include "rsyncswap/sweep/privs.h"
#include "rsyncswap/sync/shrink.h"
#include "rsyncswap/sync/sync.h"
#include "rsyncswap/tree/verify.h"

/* Returns the exit code of a sync's, a sweep's or watch's result. */
static int
sync_exit(enum sync_result r)
{
	switch (r) {
	case SYNC_OK:
		return EXIT_OK;
	case SYNC_LOCKED:
		return EXIT_LOCKED;
	case SYNC_FAILED:
		break;
	}
	return EXIT_FAIL;
}

/* Returns the exit code of status's verdict. */
static int
status_exit(enum status_verdict v)
{
	switch (v) {
	case VERDICT_SERVING:
		return EXIT_OK;
	case VERDICT_NOT_SERVING:
		return STATUS_EXIT_NOT_SERVING;
	case VERDICT_STALE:
		return STATUS_EXIT_STALE;
	case VERDICT_EXPIRED:
		return STATUS_EXIT_EXPIRED;
	case VERDICT_EXPIRY_UNKNOWN:
		return STATUS_EXIT_EXPIRY_UNKNOWN;
	case VERDICT_NO_STATE:
		break;
	}
	return EXIT_FAIL;
}

/*
 * Returns the exit code of a subcommand whose result is 0 when done
 * (accept-shrink, report, expiry, verify): anything else is a failure.
 */
static int
done_exit(int rc)
{
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* Checks the notification URI and the back-end. Returns -1 or EXIT_USAGE. */
static int
check_source(const struct cli *c, struct sync_options *o, const char *uri)
{
	struct stat sb;

	o->notification_uri = uri;
	o->fetch.public_uri = uri;
	if (!uri_valid_http(uri, o->fetch.insecure))
		return cli_usage_error(c, "\"%s\" is not an https URI%s", uri,
		    strncmp(uri, "http://", 7) == 0 ? " (http needs "
		    "--insecure)" : "");
	if (o->fetch.ca_file != NULL && access(o->fetch.ca_file, R_OK) == -1)
		return cli_usage_error(c, "--ca-file %s: %s", o->fetch.ca_file,
		    strerror(errno));
	if (o->fetch.source_base == NULL)
		return -1;
	if (strncmp(o->fetch.source_base, "https://", 8) == 0 ||
	    strncmp(o->fetch.source_base, "http://", 7) == 0) {
		if (!uri_valid_http(o->fetch.source_base, o->fetch.insecure))
			return cli_usage_error(c, "--source-uri-base: \"%s\" is not "
			    "a usable URI (http needs --insecure)",
			    o->fetch.source_base);
	} else if (stat(o->fetch.source_base, &sb) == -1 ||
	    !S_ISDIR(sb.st_mode))
		return cli_usage_error(c, "--source-uri-base: \"%s\" is neither an "
		    "http(s) URI nor a directory", o->fetch.source_base);
	else
		o->fetch.source_is_dir = 1;
	return -1;
}

/*
 * Completes the --rrdp-dir configuration: the public base URI defaults to
 * the notification's directory. Returns -1, or EXIT_USAGE.
 */
static int
check_rrdp(struct cli *c)
{
	static char base[MAX_URI_LENGTH + 2];
	const char *uri = c->w.sync.notification_uri, *slash;

	if (c->rrdp.dir == NULL) {
		if (c->rrdp.base_uri != NULL)
			return cli_usage_error(c, "%s", "--rrdp-base-uri needs "
			    "--rrdp-dir");
		return -1;
	}
	if (c->rrdp.base_uri == NULL) {
		if (uri == NULL || (slash = strrchr(uri, '/')) == NULL)
			return cli_usage_error(c, "%s", "--rrdp-base-uri is needed");
		snprintf(base, sizeof(base), "%.*s", (int)(slash - uri + 1),
		    uri);
		c->rrdp.base_uri = base;
	}
	if (!uri_valid_http(c->rrdp.base_uri, 1) ||
	    c->rrdp.base_uri[strlen(c->rrdp.base_uri) - 1] != '/')
		return cli_usage_error(c, "--rrdp-base-uri: \"%s\" is not an http(s) "
		    "URI ending in /", c->rrdp.base_uri);
	return -1;
}

/*
 * Hooks into the sync what it feeds besides the revisions (sync_hook.h):
 * the expiry summary, and with --rrdp-dir the RRDP output.
 */
static void
add_hooks(struct cli *c)
{
	static struct expiry_hook xh;
	static struct republish_hook rh;

	expiry_hook_init(&xh, c->w.sync.state_dir);
	(void)sync_hooks_add(&c->w.sync.hooks, &xh.hook);
	if (c->rrdp.dir != NULL) {
		republish_hook_init(&rh, &c->rrdp);
		(void)sync_hooks_add(&c->w.sync.hooks, &rh.hook);
	}
}

/* Creates dir owned by p's user when we are root. Returns 0 or -1. */
static int
prepare_dir(const char *dir, const struct privs *p)
{
	int fd;

	if (fs_mkdir_p(dir) == -1) {
		log_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!p->have_user || geteuid() != 0)
		return 0;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fchown(fd, p->uid, p->gid) == -1) {
		log_error("%s: chown to %s: %s", dir, p->name,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Checks that the directory of the metrics file path can take a new file
 * from us (the temporary file renamed over path). Returns 0, or -1 with
 * the reason in err.
 */
static int
check_metrics_dir(const char *path, char *err, size_t errsz)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(err, errsz, "%s: directory %s: %s (uid %u)", path, dir,
		    strerror(errno), (unsigned)geteuid());
		return -1;
	}
	return 0;
}

/*
 * Opens what needs root, then drops to --user. Returns 0, or an exit code.
 */
static int
setup_privileges(struct cli *c, struct privs *p, int daemon)
{
	struct sync_options *o = &c->w.sync;
	char err[ERR_MAX];

	memset(p, 0, sizeof(*p));
	if (c->user != NULL && privs_lookup(c->user, p, err,
	    sizeof(err)) == -1)
		return cli_usage_error(c, "%s", err);
	if (prepare_dir(o->state_dir, p) == -1 ||
	    prepare_dir(o->rsync_dir, p) == -1 ||
	    (c->rrdp.dir != NULL && prepare_dir(c->rrdp.dir, p) == -1))
		return EXIT_FAIL;
	/* Forked before any input is read; the rest of us keeps nothing. */
	if (privhelper_start(p, o->rsync_dir, err, sizeof(err)) == -1 ||
	    privs_drop(p, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	o->privs = p;
	/* The metrics are written as this user: find out now, not never. */
	if (c->w.metrics_file != NULL && check_metrics_dir(c->w.metrics_file,
	    err, sizeof(err)) == -1) {
		log_error("--metrics-file %s", err);
		return EXIT_FAIL;
	}
	if (!privs_can_chown()) {
		if (daemon)
			log_warn("current will be owned by uid %u, not root: "
			    "rsyncd must use `use chroot = yes` (with `use "
			    "chroot = no` it refuses a symlink not owned by "
			    "root)", (unsigned)geteuid());
		else
			log_info("current is owned by uid %u: rsyncd needs "
			    "`use chroot = yes`", (unsigned)geteuid());
	}
	return 0;
}

/*
 * The state remembers where its revisions are. Without -r, sweep, status
 * and verify use that directory (into buf), and so does a sync when
 * STATE-DIR/rsync does not exist (a -r forgotten in a cron line must not
 * start a second tree); with a -r that is another one (a typo, or another
 * node's tree), every command but status refuses before anything is
 * written: a sync would serve from there and leave the tree rsyncd serves
 * unswept. status only says so. Returns -1 to go on, or EXIT_FAIL.
 */
static int
state_rsync_dir(struct cli *c, char *buf, size_t bufsz)
{
	struct sync_options *o = &c->w.sync;
	char err[ERR_MAX], real[PATH_MAX];
	int syncs = c->cmd == CMD_SYNC || c->cmd == CMD_WATCH ||
	    c->cmd == CMD_KRILL_SYNC;
	struct state *st;
	struct stat sb;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	if (state_read(o->state_dir, st, err, sizeof(err)) != 0 ||
	    st->rsync_dir[0] == '\0') {
		state_free(st);
		free(st);
		return -1;
	}
	if (!c->rsync_dir_set) {
		if (!syncs || stat(o->rsync_dir, &sb) == -1) {
			snprintf(buf, bufsz, "%s", st->rsync_dir);
			o->rsync_dir = buf;
		}
	} else if (realpath(o->rsync_dir, real) == NULL ||
	    strcmp(real, st->rsync_dir) != 0) {
		if (c->cmd != CMD_STATUS) {
			log_error("-r %s: the state in %s describes the "
			    "revisions in %s (give that -r; to move the node, "
			    "remove %s/state first)", o->rsync_dir,
			    o->state_dir, st->rsync_dir, o->state_dir);
			state_free(st);
			free(st);
			return EXIT_FAIL;
		}
		log_warn("-r %s: the state in %s describes the revisions in "
		    "%s", o->rsync_dir, o->state_dir, st->rsync_dir);
	}
	state_free(st);
	free(st);
	return -1;
}

/*
 * With --metrics-file, writes the metrics of this one run (cron mode),
 * the sync of it taking seconds; a run without a sync (a sweep) keeps the
 * last sync's bytes and duration that the file held.
 */
static void
write_metrics(const struct cli *c, enum sync_result r, int swept,
    const struct sync_report *rep, double seconds)
{
	struct metrics m;

	if (c->w.metrics_file == NULL)
		return;
	memset(&m, 0, sizeof(m));
	if (rep != NULL) {
		m.syncs_ok = r == SYNC_OK;
		m.syncs_failed = r == SYNC_FAILED;
		m.last_sync_bytes = rep->bytes;
		m.last_sync_seconds = seconds;
	} else
		(void)metrics_keep_last_sync(c->w.metrics_file, &m);
	m.sweeps = r == SYNC_OK;
	m.swept = swept;
	m.cleanup_after = c->w.sync.cleanup_after;
	m.expiry_warn = c->w.expiry_warn;
	metrics_update(c->w.metrics_file, c->w.sync.state_dir,
	    c->w.sync.rsync_dir, &m);
}

static void
print_report(const struct sync_report *rep)
{
	printf("session %s serial %lld: ", rep->session_id, rep->serial);
	if (strcmp(rep->action, "deltas") == 0 &&
	    rep->first_delta == rep->last_delta)
		printf("delta %lld", rep->last_delta);
	else if (strcmp(rep->action, "deltas") == 0)
		printf("deltas %lld-%lld", rep->first_delta, rep->last_delta);
	else
		printf("%s", rep->action);
	printf(", %zu objects, current -> %s", rep->objects, rep->current);
	if (rep->swept > 0)
		printf(", swept %d", rep->swept);
	printf("\n");
}


int
cmd_main(int argc, char *argv[])
{
	static char rsync_dir[PATH_MAX];
	struct sync_options *o;
	struct sync_report rep;
	struct status_options so;
	struct privs privs;
	struct stat sb;
	enum sync_result r;
	struct cli c;
	long long t0, t1;
	int rc, swept;

	if ((rc = cli_parse(argc, argv, &c)) != -1)
		return rc;
	o = &c.w.sync;
	if (c.cmd == CMD_REPORT) {
		if (c.nargs < 1)
			return cli_usage_error(&c, "no LOG given");
		return done_exit(report_run(c.state_dir_set ? o->state_dir :
		    NULL, c.svg, c.json, c.args, c.nargs));
	}
	if (c.cmd == CMD_EXPIRY) {
		if (c.nargs != 1)
			return cli_usage_error(&c, "one DIR wanted");
		return done_exit(expiry_run(c.args[0], c.json, c.warn,
		    c.check));
	}
	log_init("rsyncswap", c.verbosity);
	if (c.syslog)
		log_use_syslog();
	if (o->cleanup_after == 0 && c.cmd != CMD_STATUS)
		log_warn("--cleanup-after 0: a replaced revision is removed at "
		    "once, and clients still reading it see \"file has "
		    "vanished\" (rsync exit 24)");
	/* The tuner may raise cleanup_after; the minimum stays as given. */
	o->keep_min = o->cleanup_after;
	o->costs = c.w.metrics_file != NULL || o->max_disk > 0;
	if (o->rsync_dir == NULL) {
		snprintf(rsync_dir, sizeof(rsync_dir), "%s/rsync",
		    o->state_dir);
		o->rsync_dir = rsync_dir;
	}

	if (c.cmd == CMD_ACCEPT_SHRINK) {
		if (c.nargs != 0)
			return cli_usage_error(&c, "takes no arguments");
		return done_exit(shrink_accept_run(o->state_dir, o->quiet));
	}
	if (c.cmd == CMD_STATUS || c.cmd == CMD_SWEEP || c.cmd == CMD_VERIFY) {
		if (c.nargs != 0)
			return cli_usage_error(&c, "takes no arguments");
		if ((rc = state_rsync_dir(&c, rsync_dir, sizeof(rsync_dir))) !=
		    -1)
			return rc;
		if (c.cmd == CMD_VERIFY)
			return done_exit(verify_run(o->state_dir,
			    o->rsync_dir, o->quiet));
		if (c.cmd == CMD_STATUS) {
			so.json = c.json;
			so.quiet = o->quiet;
			so.expiry_warn = c.w.expiry_warn;
			so.stale_after = c.stale_after;
			return status_exit(status_print(stdout,
			    o->state_dir, o->rsync_dir, &so));
		}
		/* Only sync and watch create a state: a typo creates none. */
		errno = 0;
		if (stat(o->state_dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			log_error("%s: %s (sweep needs the state directory of "
			    "an earlier sync)", o->state_dir,
			    errno == 0 ? "not a directory" : strerror(errno));
			return EXIT_FAIL;
		}
		/* A sweep makes no rsync directory: a mistyped -r fails. */
		if (stat(o->rsync_dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			log_error("-r %s: %s (sweep removes revisions an "
			    "earlier sync wrote there)", o->rsync_dir,
			    errno == ENOENT ? "no such directory" :
			    "not a directory");
			return EXIT_FAIL;
		}
		if ((rc = check_rrdp(&c)) != -1 ||
		    (rc = setup_privileges(&c, &privs, 0)) != 0)
			return rc;
		add_hooks(&c);
		if ((r = sync_sweep_only(o, &swept)) == SYNC_OK && !o->quiet)
			printf("swept %d entr%s\n", swept, swept == 1 ? "y" :
			    "ies");
		write_metrics(&c, r, swept, NULL, 0);
		return sync_exit(r);
	}

	if (c.nargs == 0)
		return cli_usage_error(&c, "no NOTIFICATION-URI given");
	if (c.nargs != 1)
		return cli_usage_error(&c, "takes one NOTIFICATION-URI, not %d "
		    "arguments", c.nargs);
	if ((rc = state_rsync_dir(&c, rsync_dir, sizeof(rsync_dir))) != -1)
		return rc;
	o->fetch.stop = &sync_interrupt;
	if ((rc = check_source(&c, o, c.args[0])) != -1 ||
	    (rc = check_rrdp(&c)) != -1)
		return rc;
	if (fetch_init() == -1) {
		log_error("cannot initialise libcurl");
		return EXIT_FAIL;
	}
	if ((rc = setup_privileges(&c, &privs, c.cmd == CMD_WATCH)) != 0)
		return rc;
	add_hooks(&c);
	if (c.cmd == CMD_WATCH)
		return sync_exit(watch_run(&c.w));
	t0 = clock_ms();
	r = sync_run(o, &rep);
	t1 = clock_ms();
	/* krill-sync is silent on success; so is its drop-in, unless -v. */
	if (r == SYNC_OK && !o->quiet && (c.cmd != CMD_KRILL_SYNC ||
	    c.verbosity > 1))
		print_report(&rep);
	write_metrics(&c, r, rep.swept, &rep, (double)(t1 - t0) / 1000);
	return sync_exit(r);
}
