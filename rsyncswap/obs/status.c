#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/json.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/base/version.h"
#include "rsyncswap/expiry/expiry_print.h"
#include "rsyncswap/expiry/expiry_read.h"
#include "rsyncswap/obs/status.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/cleanup_file.h"
#include "rsyncswap/tree/swap.h"

/* Revisions listed by status. */
#define STATUS_MAX_REVISIONS	1024

/*
 * Seconds after a revision became current during which no summary of it
 * is the run still writing one (after the swap and the state), not yet a
 * summary that cannot be had.
 */
#define STATUS_EXPIRY_GRACE	60

/* Everything status shows, gathered once for both output formats. */
struct view {
	long long		 now;
	int			 state_rc;	/* state_read(): 0, 1, -1 */
	char			 state_err[ERR_MAX];
	struct state		 st;
	char			 cur[STATE_NAME_MAX];	/* "" when none */
	const struct state_revision *cur_rev;		/* NULL if unknown */
	char			*names[STATUS_MAX_REVISIONS];
	size_t			 n;
	long long		 cleanup;
	int			 have_sum;
	struct expiry_summary	 sum;
	char			 sum_other[EXPIRY_REVISION_MAX];	/* the
						   revision of a summary not
						   of current */
	char			 sum_err[ERR_MAX];	/* why the summary
							   cannot be read */
	int			 sum_fixes;	/* the next sync repairs it */
	struct cleanup_file	 cf;	/* what the last sweep saw */
	struct cleanup_rev	 rv[STATUS_MAX_REVISIONS];	/* of names[] */
	int			 health;		/* STATUS_* */
	char			 why[ERR_MAX];		/* "" when serving */
	const char		*state_dir;
};

static const char *const health_word[] = {
	[STATUS_SERVING] = "serving",
	[STATUS_NOT_SERVING] = "not serving",
	[STATUS_STALE] = "stale",
	[STATUS_EXPIRED] = "expired",
	[STATUS_EXPIRY_UNKNOWN] = "expiry unknown",
};

/* Formats t as ISO 8601 UTC into buf ("-" for 0). Returns buf. */
static const char *
iso(long long t, char *buf, size_t sz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, sz, "-");
	else
		strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the revision names below dirfd into names; returns their number. */
static size_t
status_revisions(int dirfd, char **names, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int fd;

	if (dirfd == -1 || (fd = dup(dirfd)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && n < max)
		if (swap_is_served_name(de->d_name) &&
		    (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	return n;
}

/*
 * Returns 1 if the summary of the current revision may still be being
 * written: it became current less than STATUS_EXPIRY_GRACE seconds ago.
 */
static int
expiry_pending(const struct view *v)
{
	return v->cur_rev != NULL && v->cur_rev->since > 0 &&
	    v->now - v->cur_rev->since < STATUS_EXPIRY_GRACE;
}

/*
 * Judges what v shows: not serving (no current, or it names no revision
 * directory), expired (a served publication point has expired), stale (no
 * success within stale_after seconds), expiry unknown (no summary of the
 * served revision, and none being written), or serving. Sets v->health
 * and v->why.
 */
static void
judge(struct view *v, int dirfd, const char *rsync_dir, const char *cur_err,
    long long stale_after)
{
	struct expiry_assessment a;
	struct stat sb;
	char d[64];

	v->health = STATUS_SERVING;
	v->why[0] = '\0';
	if (v->state_rc == 1 && stat(v->state_dir, &sb) == -1 &&
	    errno == ENOENT) {
		v->health = STATUS_NOT_SERVING;
		snprintf(v->why, sizeof(v->why), "%s: no such state directory "
		    "(no sync has run with it)", v->state_dir);
		return;
	}
	if (dirfd == -1) {
		v->health = STATUS_NOT_SERVING;
		if (errno == ENOENT)
			snprintf(v->why, sizeof(v->why), "%s: no such "
			    "directory (no revision has been written)",
			    rsync_dir);
		else
			snprintf(v->why, sizeof(v->why), "%s: %s", rsync_dir,
			    strerror(errno));
		return;
	}
	if (v->cur[0] == '\0') {
		v->health = STATUS_NOT_SERVING;
		snprintf(v->why, sizeof(v->why), "%s", cur_err);
		return;
	}
	if (fstatat(dirfd, v->cur, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISDIR(sb.st_mode)) {
		v->health = STATUS_NOT_SERVING;
		snprintf(v->why, sizeof(v->why), "%s/current names %s, which "
		    "is not a directory", rsync_dir, v->cur);
		return;
	}
	if (v->have_sum) {
		expiry_assess(&v->sum, v->now, 0, &a);
		if (a.expired > 0) {
			v->health = STATUS_EXPIRED;
			snprintf(v->why, sizeof(v->why), "%zu publication "
			    "point%s expired, the first %s", a.expired,
			    a.expired == 1 ? "" : "s", a.earliest != NULL ?
			    log_scrub(a.earliest->dir) : "-");
			return;
		}
	}
	if (v->state_rc == 0 && v->st.last_success <= 0) {
		v->health = STATUS_STALE;
		snprintf(v->why, sizeof(v->why), "no sync has succeeded");
		return;
	}
	if (v->state_rc == 0 && v->now - v->st.last_success > stale_after) {
		v->health = STATUS_STALE;
		expiry_fmt_duration(v->now - v->st.last_success, d, sizeof(d));
		snprintf(v->why, sizeof(v->why), "last success %s ago, more "
		    "than %s %lld s", d, opt_name(OPT_STALE_AFTER),
		    stale_after);
		return;
	}
	if (!v->have_sum && !expiry_pending(v)) {
		v->health = STATUS_EXPIRY_UNKNOWN;
		if (v->sum_other[0] != '\0')
			snprintf(v->why, sizeof(v->why), "the expiry summary "
			    "is of %s, not of the served revision: nothing it "
			    "serves is watched for expiry until a sync reads "
			    "it again", log_scrub(v->sum_other));
		else if (v->sum_err[0] != '\0')
			snprintf(v->why, sizeof(v->why), "the served "
			    "revision's expiry summary cannot be read (%s): "
			    "nothing it serves is watched for expiry until "
			    "%sa sync reads it again", log_scrub(v->sum_err),
			    v->sum_fixes ? "" : "it is removed and ");
		else
			snprintf(v->why, sizeof(v->why), "the served "
			    "revision has no expiry summary (no %s/%s): "
			    "nothing it serves is watched for expiry until a "
			    "sync reads it again", v->state_dir,
			    EXPIRY_FILE_NAME);
	}
}

/*
 * Returns the digest recorded for the served revision as hex in buf, or
 * "" when none is: the state's digest is of its own revision only.
 */
static const char *
view_digest(const struct view *v, char buf[DIGEST_HEX_LEN + 1])
{
	buf[0] = '\0';
	if (v->state_rc == 0 && v->st.have_digest && v->cur[0] != '\0' &&
	    strcmp(v->st.revision, v->cur) == 0)
		digest_hex(&v->st.digest, buf);
	return buf;
}

/* Returns the cleanup mode of cf in words (in buf when it names an option). */
static const char *
cleanup_mode(const struct cleanup_file *cf, char *buf, size_t bufsz)
{
	switch (cf->mode) {
	case CLEANUP_MODE_READERS:
		return "reader-aware";
	case CLEANUP_MODE_FALLBACK:
		return "time rule (fallback)";
	case CLEANUP_MODE_OFF:
		snprintf(buf, bufsz, "time rule (%s)",
		    opt_name(OPT_NO_READER_SCAN));
		return buf;
	}
	return "not known yet";
}

/*
 * Fills v->rv[i] with what the last sweep knew of revision names[i], or
 * the time rule's view with its cost unknown (-1): status never walks a
 * revision, whatever the repository's size; only a sweep measures.
 */
static void
cleanup_view(struct view *v, size_t i)
{
	const struct cleanup_rev *k = cleanup_file_find(&v->cf, v->names[i]);
	const struct state_revision *r;
	struct cleanup_rev *c = &v->rv[i];

	if (k != NULL) {
		*c = *k;
		return;
	}
	r = state_history_find(&v->st, v->names[i]);
	memset(c, 0, sizeof(*c));
	c->readers = -1;
	c->bytes = c->inodes = c->share = -1;
	c->removable = r != NULL && r->until > 0 ? r->until + v->cleanup : 0;
}

/*
 * Returns why the served revision's expiry is not known (v has no summary
 * of it), in buf: which file is missing, unreadable or of another
 * revision, and what brings it back.
 */
static const char *
expiry_why(struct view *v, char *buf, size_t bufsz)
{
	if (v->sum_other[0] != '\0')
		snprintf(buf, bufsz, "the summary is of %s; the next sync "
		    "reads the served revision again",
		    log_scrub(v->sum_other));
	else if (v->sum_err[0] != '\0')
		snprintf(buf, bufsz, "%s; %sthe next sync reads the served "
		    "revision again", log_scrub(v->sum_err),
		    v->sum_fixes ? "" : "remove it, and ");
	else if (expiry_pending(v))
		snprintf(buf, bufsz, "the run that made %s current writes it",
		    v->cur);
	else
		snprintf(buf, bufsz, "there is no %s/%s; the next sync reads "
		    "the served revision again", v->state_dir,
		    EXPIRY_FILE_NAME);
	return buf;
}

/* Prints v as text. */
static void
print_text(FILE *f, struct view *v, long long expiry_warn)
{
	const struct state_revision *r;
	char t1[32], t2[32], t3[32], win[64], mode[64], why[ERR_MAX + 128];
	char hex[DIGEST_HEX_LEN + 1];
	size_t i;

	fprintf(f, "health: %s%s%s\n", health_word[v->health],
	    v->why[0] != '\0' ? ": " : "", v->why);
	if (v->state_rc != 0)
		fprintf(f, "state: %s\n", v->state_rc == 1 ? "none" :
		    v->state_err);
	fprintf(f, "current: %s (since %s)\n", v->cur[0] != '\0' ? v->cur :
	    "-", iso(v->cur_rev != NULL ? v->cur_rev->since : 0, t1,
	    sizeof(t1)));
	fprintf(f, "session %s serial %lld, %lld object%s\n",
	    v->st.session_id[0] != '\0' ? v->st.session_id : "-",
	    v->st.serial, v->st.objects, v->st.objects == 1 ? "" : "s");
	fprintf(f, "digest: %s\n", view_digest(v, hex)[0] != '\0' ? hex :
	    "none recorded (built before digests, or not by this state)");
	fprintf(f, "last success: %s\nlast failure: %s%s%s\n",
	    iso(v->st.last_success, t1, sizeof(t1)),
	    iso(v->st.last_failure, t2, sizeof(t2)),
	    v->st.last_error[0] != '\0' ? ": " : "",
	    log_scrub(v->st.last_error));
	fprintf(f, "cleanup-after: %lld s\n", v->cleanup);
	if (v->st.rsyncd_log[0] != '\0')
		fprintf(f, "rsyncd log: %s\n", log_scrub(v->st.rsyncd_log));
	else
		fprintf(f, "rsyncd log: not followed (no watch %s): no cleanup "
		    "tuning\n", opt_name(OPT_RSYNCD_LOG));
	fprintf(f, "cleanup: %s%s%s\n",
	    cleanup_mode(&v->cf, mode, sizeof(mode)),
	    v->cf.reason[0] != '\0' ? ": " : "", log_scrub(v->cf.reason));
	if (v->cf.short_revisions > 0 || v->cf.short_bytes > 0)
		fprintf(f, "over the disk budget by %d revisions, %lld bytes\n",
		    v->cf.short_revisions, v->cf.short_bytes);
	fprintf(f, "revisions on disk: %zu\n", v->n);
	for (i = 0; i < v->n; i++) {
		const struct cleanup_rev *c = &v->rv[i];

		r = state_history_find(&v->st, v->names[i]);
		if (strcmp(v->names[i], v->cur) == 0)
			fprintf(f, "  %s  current", v->names[i]);
		else
			fprintf(f, "  %s  replaced %s, removable after %s%s%s%s",
			    v->names[i], iso(r != NULL ? r->until : 0, t2,
			    sizeof(t2)), iso(c->removable, t3, sizeof(t3)),
			    c->why[0] != '\0' ? " (" : "", c->why,
			    c->why[0] != '\0' ? ")" : "");
		if (c->readers >= 0)
			fprintf(f, ", readers %d", c->readers);
		if (c->bytes >= 0)
			fprintf(f, ", own %lld bytes, %lld inodes", c->bytes,
			    c->inodes);
		else
			fprintf(f, ", cost not measured (a sweep with %s or "
			    "%s measures it)", opt_name(OPT_METRICS),
			    opt_name(OPT_MAX_DISK));
		fputc('\n', f);
	}
	fprintf(f, "origin last change: %s\n", iso(v->cur_rev != NULL ?
	    v->cur_rev->since : 0, t1, sizeof(t1)));
	if (v->have_sum) {
		fprintf(f, "expiry (%s window %s):\n",
		    opt_name(OPT_EXPIRY_WARN),
		    expiry_fmt_window(expiry_warn, win, sizeof(win)));
		expiry_print_text(f, &v->sum, v->now, expiry_warn, "  ");
	} else
		fprintf(f, "expiry: not known%s (%s)\n", expiry_pending(v) &&
		    v->sum_other[0] == '\0' && v->sum_err[0] == '\0' ?
		    " yet" : "", expiry_why(v, why, sizeof(why)));
}

/* Prints "key": t, or null when t is unknown (0). */
static void
json_time_kv(FILE *f, const char *key, long long t)
{
	if (t > 0)
		fprintf(f, ",\n  \"%s\": %lld", key, t);
	else
		fprintf(f, ",\n  \"%s\": null", key);
}

/* Prints "key": s, or null when s is empty. */
static void
json_str_kv(FILE *f, const char *key, const char *s)
{
	fprintf(f, ",\n  \"%s\": ", key);
	if (s[0] != '\0')
		json_str(f, s);
	else
		fputs("null", f);
}

/* Prints , "key": n inside an object, or null when n is unknown (< 0). */
static void
json_count_kv(FILE *f, const char *key, long long n)
{
	if (n >= 0)
		fprintf(f, ", \"%s\": %lld", key, n);
	else
		fprintf(f, ", \"%s\": null", key);
}

/*
 * Prints v as JSON (schema rsyncswap-status/1, its times in epoch seconds;
 * the expiry object's are ISO 8601, as `expiry --json` prints them). The
 * README has a table of its keys: tests/system/status-health.sh holds the
 * two together.
 */
static void
print_json(FILE *f, struct view *v, long long expiry_warn,
    long long stale_after)
{
	const struct state_revision *r;
	char hex[DIGEST_HEX_LEN + 1], mode[64], why[ERR_MAX + 128];
	int known = v->state_rc == 0;
	size_t i;

	fprintf(f, "{\n  \"schema\": \"" STATUS_SCHEMA "\",\n"
	    "  \"version\": \"" RSYNCSWAP_VERSION "\",\n  \"now\": %lld,\n"
	    "  \"health\": \"%s\"", v->now, health_word[v->health]);
	json_str_kv(f, "health_reason", v->why);
	fprintf(f, ",\n  \"state\": \"%s\"", v->state_rc == 0 ? "ok" :
	    v->state_rc == 1 ? "missing" : "damaged");
	json_str_kv(f, "state_error", v->state_rc == -1 ? v->state_err : "");
	json_str_kv(f, "current", v->cur);
	json_time_kv(f, "current_since", v->cur_rev != NULL ?
	    v->cur_rev->since : 0);
	json_str_kv(f, "session", known ? v->st.session_id : "");
	if (known && v->st.session_id[0] != '\0')
		fprintf(f, ",\n  \"serial\": %lld,\n  \"objects\": %lld",
		    v->st.serial, v->st.objects);
	else
		fprintf(f, ",\n  \"serial\": null,\n  \"objects\": null");
	json_time_kv(f, "last_success", v->st.last_success);
	json_time_kv(f, "last_failure", v->st.last_failure);
	json_str_kv(f, "last_error", v->st.last_error);
	json_str_kv(f, "digest", view_digest(v, hex));
	json_str_kv(f, "rsyncd_log", v->st.rsyncd_log);
	fprintf(f, ",\n  \"cleanup_after\": %lld,\n  \"stale_after\": %lld,\n"
	    "  \"cleanup\": {\"mode\": ", v->cleanup, stale_after);
	json_str(f, cleanup_mode(&v->cf, mode, sizeof(mode)));
	fputs(", \"fallback_reason\": ", f);
	if (v->cf.reason[0] != '\0')
		json_str(f, v->cf.reason);
	else
		fputs("null", f);
	fprintf(f, ", \"last_scan\": %lld, \"scans\": %lld, "
	    "\"scan_failures\": %lld, \"budget_shortfall_revisions\": %d, "
	    "\"budget_shortfall_bytes\": %lld},\n  \"revisions\": [",
	    v->cf.scan_started, v->cf.t.scans, v->cf.t.scan_failures,
	    v->cf.short_revisions, v->cf.short_bytes);
	for (i = 0; i < v->n; i++) {
		r = state_history_find(&v->st, v->names[i]);
		fprintf(f, "%s\n    {\"name\": ", i > 0 ? "," : "");
		json_str(f, v->names[i]);
		fprintf(f, ", \"current\": %s", strcmp(v->names[i], v->cur) ==
		    0 ? "true" : "false");
		if (r != NULL && r->since > 0)
			fprintf(f, ", \"since\": %lld", r->since);
		else
			fputs(", \"since\": null", f);
		if (r != NULL && r->until > 0)
			fprintf(f, ", \"replaced\": %lld, \"removable_after\": "
			    "%lld", r->until, v->rv[i].removable);
		else
			fputs(", \"replaced\": null, \"removable_after\": "
			    "null", f);
		if (v->rv[i].readers >= 0)
			fprintf(f, ", \"readers\": %d", v->rv[i].readers);
		else
			fputs(", \"readers\": null", f);
		fputs(", \"kept_because\": ", f);
		if (v->rv[i].why[0] != '\0')
			json_str(f, v->rv[i].why);
		else
			fputs("null", f);
		json_count_kv(f, "bytes", v->rv[i].bytes);
		json_count_kv(f, "inodes", v->rv[i].inodes);
		json_count_kv(f, "share_bytes", v->rv[i].share);
		fputc('}', f);
	}
	fprintf(f, "%s]", v->n > 0 ? "\n  " : "");
	json_time_kv(f, "origin_last_change", v->cur_rev != NULL ?
	    v->cur_rev->since : 0);
	fputs(",\n  \"expiry\": ", f);
	if (v->have_sum)
		expiry_print_json(f, &v->sum, v->now, expiry_warn);
	else
		fputs("null", f);
	json_str_kv(f, "expiry_error", v->have_sum ? "" : expiry_why(v, why,
	    sizeof(why)));
	fputs("\n}\n", f);
}

/* Returns the verdict on v, after one line on stderr unless serving. */
static enum status_verdict
verdict(const struct view *v, const char *state_dir)
{
	struct stat sb;

	if (v->state_rc == 1 && stat(state_dir, &sb) == -1) {
		fprintf(stderr, "rsyncswap status: %s: %s\n", state_dir,
		    strerror(errno));
		return VERDICT_NO_STATE;
	}
	if (v->health == STATUS_NOT_SERVING) {
		fprintf(stderr, "rsyncswap status: not serving: %s\n", v->why);
		return VERDICT_NOT_SERVING;
	}
	if (v->state_rc == 1) {
		fprintf(stderr, "rsyncswap status: %s/state: no state file (no "
		    "sync has run with this state directory)\n", state_dir);
		return VERDICT_NO_STATE;
	}
	if (v->state_rc == -1) {
		fprintf(stderr, "rsyncswap status: %s\n", v->state_err);
		return VERDICT_NO_STATE;
	}
	if (v->health == STATUS_EXPIRED) {
		fprintf(stderr, "rsyncswap status: expired: %s\n", v->why);
		return VERDICT_EXPIRED;
	}
	if (v->health == STATUS_STALE) {
		fprintf(stderr, "rsyncswap status: stale: %s\n", v->why);
		return VERDICT_STALE;
	}
	if (v->health == STATUS_EXPIRY_UNKNOWN) {
		fprintf(stderr, "rsyncswap status: expiry unknown: %s\n",
		    v->why);
		return VERDICT_EXPIRY_UNKNOWN;
	}
	return VERDICT_SERVING;
}

enum status_verdict
status_print(FILE *f, const char *state_dir, const char *rsync_dir,
    const struct status_options *so)
{
	struct view *v;
	char err[ERR_MAX], cur_err[ERR_MAX];
	size_t i;
	int rc, fd, saved;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		fprintf(stderr, "rsyncswap status: %s\n", strerror(errno));
		return VERDICT_NO_STATE;
	}
	v->now = time(NULL);
	v->state_dir = state_dir;
	v->state_rc = state_read(state_dir, &v->st, v->state_err,
	    sizeof(v->state_err));
	snprintf(cur_err, sizeof(cur_err), "%s/current: no such symlink (no "
	    "revision has been swapped in)", rsync_dir);
	fd = open(rsync_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	err[0] = '\0';
	if (fd != -1 && swap_read_current(fd, v->cur, sizeof(v->cur), err,
	    sizeof(err)) != 0) {
		if (err[0] != '\0')
			snprintf(cur_err, sizeof(cur_err), "%s", err);
		v->cur[0] = '\0';
	}
	v->n = status_revisions(fd, v->names, STATUS_MAX_REVISIONS);
	v->cleanup = v->st.cleanup_after > 0 ? v->st.cleanup_after :
	    CLEANUP_AFTER_DEFAULT;
	v->cur_rev = v->cur[0] != '\0' ? state_history_find(&v->st, v->cur) :
	    NULL;
	if ((rc = expiry_load(state_dir, &v->sum, err, sizeof(err))) == -1) {
		snprintf(v->sum_err, sizeof(v->sum_err), "%s", err);
		v->sum_fixes = expiry_repaired_by_sync(state_dir);
	}
	v->have_sum = rc == 0;
	/* A summary of another revision (a run killed before it) is none. */
	if (v->have_sum && strcmp(v->sum.revision, v->cur) != 0) {
		snprintf(v->sum_other, sizeof(v->sum_other), "%s",
		    v->sum.revision);
		expiry_summary_free(&v->sum);
		v->have_sum = 0;
	}
	(void)cleanup_file_read(state_dir, &v->cf);
	for (i = 0; i < v->n; i++)
		cleanup_view(v, i);
	errno = saved;
	judge(v, fd, rsync_dir, cur_err, so->stale_after);
	if (fd != -1)
		close(fd);

	if (so->json)
		print_json(f, v, so->expiry_warn, so->stale_after);
	else if (!so->quiet)
		print_text(f, v, so->expiry_warn);
	fflush(f);
	rc = verdict(v, state_dir);
	if (v->have_sum)
		expiry_summary_free(&v->sum);
	for (i = 0; i < v->n; i++)
		free(v->names[i]);
	cleanup_file_free(&v->cf);
	state_free(&v->st);
	free(v);
	return rc;
}
