#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/sweep.h"
#include "rsyncswap/sync/decide.h"
#include "rsyncswap/sync/shrink.h"
#include "rsyncswap/sync/sync.h"
#include "rsyncswap/sync/sync_apply.h"
#include "rsyncswap/sync/sync_pipe.h"
#include "rsyncswap/tree/revision.h"
#include "rsyncswap/tree/swap.h"
#include "rsyncswap/tree/tree.h"
#include "rsyncswap/tree/verify.h"

volatile sig_atomic_t sync_interrupt;

/* Everything one run works on. */
struct run {
	const struct sync_options	*o;
	struct state			 st;
	int				 sweep_only;	/* no sync: nothing is taken */
	int				 have_state;
	int				 add_modules;	/* current lacks one:
							   the snapshot again */
	int				 rsync_dirfd;
	enum tree_backend		 backend;	/* links or btrfs */
	char				 current[STATE_NAME_MAX];
	int				 have_current;
	struct rrdp_notification	 n;
	char				 err[ERR_MAX];
};

/* The parser and the hooks' tee of the document (NULL: none). */
struct doc_sink {
	struct rrdp_parser	*p;
	const struct sync_hooks	*tee;
};

static int
parser_sink(void *arg, const void *buf, size_t len)
{
	struct doc_sink *ds = arg;

	if (sync_interrupt || rrdp_parser_feed(ds->p, buf, len) == -1)
		return -1;
	/* A failed copy is the tee's to report, at the end of the run. */
	if (ds->tee != NULL)
		hooks_doc_write(ds->tee, buf, len);
	return 0;
}

/*
 * Fetches and parses one document of kind at uri, whose SHA-256 must be
 * hash, handing its objects to a (NULL for a notification, whose result
 * goes to n). Returns 0, or -1 with a reason naming the input in r->err.
 */
static int
run_document(struct run *r, enum rrdp_kind kind, const char *uri,
    const unsigned char *hash, long long serial, struct apply *a,
    struct fetch_validators *v, int *not_modified)
{
	struct rrdp_handler h = { pipe_publish, pipe_withdraw, NULL };
	struct rrdp_parser *p;
	struct doc_sink ds;
	struct pipe *pp = NULL;
	enum fetch_result fr;
	char ferr[ERR_MAX], label[2 * MAX_URI_LENGTH + 4096];
	long long max;
	int copy = kind != RRDP_NOTIFICATION, ok = 0;

	/* The objects are applied on a second thread, in document order. */
	if (a != NULL && (pp = pipe_start(a, ferr, sizeof(ferr))) == NULL) {
		snprintf(r->err, sizeof(r->err), "%s: %s", uri, ferr);
		return -1;
	}
	h.arg = pp;
	p = rrdp_parser_new(kind, kind == RRDP_NOTIFICATION ? NULL :
	    r->n.session_id, kind == RRDP_NOTIFICATION ? -1 : serial,
	    r->o->max_object_size, a != NULL ? &h : NULL);
	if (p == NULL) {
		snprintf(r->err, sizeof(r->err), "%s: out of memory", uri);
		pipe_finish(pp, 0, ferr, sizeof(ferr));
		return -1;
	}
	pipe_set_parser(pp, p);
	max = kind == RRDP_NOTIFICATION ? MAX_NOTIFICATION_SIZE :
	    MAX_DOCUMENT_SIZE;
	ds.p = p;
	ds.tee = copy ? &r->o->hooks : NULL;
	if (copy)
		hooks_doc_begin(&r->o->hooks, kind, serial);
	fr = fetch_document(&r->o->fetch, uri, v, max, parser_sink, &ds, ferr,
	    sizeof(ferr));
	if (fr == FETCH_NOT_MODIFIED) {
		*not_modified = 1;
		ok = 1;
	} else if (fr == FETCH_ERROR) {
		if (sync_interrupt)
			snprintf(r->err, sizeof(r->err), "%s: interrupted",
			    uri);
		else if (ferr[0] != '\0')
			snprintf(r->err, sizeof(r->err), "%s", ferr);
		else
			snprintf(r->err, sizeof(r->err), "%s: %s",
			    fetch_label(&r->o->fetch, uri, label,
			    sizeof(label)), rrdp_parser_error(p));
	} else if (rrdp_parser_finish(p, hash, kind == RRDP_NOTIFICATION ?
	    &r->n : NULL) == -1)
		snprintf(r->err, sizeof(r->err), "%s: %s",
		    fetch_label(&r->o->fetch, uri, label, sizeof(label)),
		    rrdp_parser_error(p));
	else
		ok = 1;
	/*
	 * The writer's failure comes first in document order: it is the one
	 * that applying the objects directly would have stopped at.
	 */
	if (pipe_finish(pp, ok, ferr, sizeof(ferr)) == -1) {
		snprintf(r->err, sizeof(r->err), "%s: %s",
		    fetch_label(&r->o->fetch, uri, label, sizeof(label)), ferr);
		ok = 0;
	}
	if (copy)
		hooks_doc_end(&r->o->hooks, ok);
	rrdp_parser_free(p);
	return ok ? 0 : -1;
}

/* Returns 0 if every document URI of the notification may be fetched. */
static int
run_check_uris(struct run *r)
{
	const char *nu = r->o->notification_uri;
	int http = r->o->fetch.insecure;
	const char *bad = NULL;

	if (!uri_valid_http(r->n.snapshot_uri, http) ||
	    !uri_same_origin(r->n.snapshot_uri, nu))
		bad = r->n.snapshot_uri;
	for (size_t i = 0; bad == NULL && i < r->n.ndeltas; i++)
		if (!uri_valid_http(r->n.deltas[i].uri, http) ||
		    !uri_same_origin(r->n.deltas[i].uri, nu))
			bad = r->n.deltas[i].uri;
	if (bad == NULL)
		return 0;
	snprintf(r->err, sizeof(r->err), "%s: document URI \"%.200s\" is not "
	    "an https URI of the notification's origin", nu, bad);
	return -1;
}

/*
 * Returns a new empty revision (a subvolume with btrfs set), or NULL with
 * r->err naming the directory.
 */
static struct revision *
run_begin(struct run *r, int btrfs)
{
	struct revision *rev;
	char err[ERR_MAX];

	if ((rev = revision_begin(r->rsync_dirfd, btrfs, err,
	    sizeof(err))) == NULL)
		snprintf(r->err, sizeof(r->err), "%s: %s", r->o->rsync_dir,
		    err);
	return rev;
}

/* Returns the snapshot as a new revision, or NULL with r->err set. */
static struct revision *
run_snapshot(struct run *r, struct apply *a)
{
	memset(a, 0, sizeof(*a));
	a->layout = r->o->layout;
	a->snapshot = 1;
	a->hooks = &r->o->hooks;
	hooks_rev_begin(&r->o->hooks, 1);
	if ((a->rev = run_begin(r, r->backend == TREE_BTRFS)) == NULL)
		return NULL;
	if (run_document(r, RRDP_SNAPSHOT, r->n.snapshot_uri,
	    r->n.snapshot_hash, r->n.serial, a, NULL, NULL) == -1) {
		revision_abort(a->rev);
		return NULL;
	}
	return a->rev;
}

/*
 * Makes a->rev a new revision that starts as the current one: a snapshot
 * of its subvolume (btrfs), else hard links of its files. Returns 0, -1
 * with r->err set, or -2 (r->err set) when no revision can be begun at
 * all, so that the snapshot would fail too.
 */
static int
run_base(struct run *r, struct apply *a)
{
	char err[ERR_MAX];

	if (tree_can_snapshot(r->rsync_dirfd, r->current, r->backend)) {
		a->rev = revision_begin_snapshot(r->rsync_dirfd, r->current,
		    (size_t)r->st.objects, err, sizeof(err));
		if (a->rev == NULL) {
			snprintf(r->err, sizeof(r->err), "%s: %s",
			    r->o->rsync_dir, err);
			return -1;
		}
		return 0;
	}
	/* Hard links do not cross subvolumes: a directory beside it. */
	if ((a->rev = run_begin(r, 0)) == NULL)
		return -2;
	if (revision_link_from(a->rev, r->current, r->err,
	    sizeof(r->err)) == -1) {
		revision_abort(a->rev);
		a->rev = NULL;
		return -1;
	}
	return 0;
}

/*
 * Makes sure the state holds the digest of current, which it describes: a
 * state from before digests gets the one current's files give (logged).
 * Returns 0, or -1 when there is none (logged).
 */
static int
run_current_digest(struct run *r)
{
	char err[ERR_MAX];
	int fd, rc = -1;

	if (r->st.have_digest)
		return 0;
	if ((fd = openat(r->rsync_dirfd, r->current, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		snprintf(err, sizeof(err), "%s", strerror(errno));
	else if ((rc = verify_tree_digest(fd, &r->st.digest, err,
	    sizeof(err))) == 0) {
		r->st.have_digest = 1;
		log_info("%s: no digest recorded; computed from its %lld "
		    "files", r->current, r->st.digest.entries);
	}
	if (fd != -1)
		close(fd);
	if (rc == -1)
		log_warn("%s/%s: no digest recorded, and none computed (%s)",
		    r->o->rsync_dir, r->current, err);
	return rc;
}

/*
 * Returns the current revision plus the deltas d as a new revision, or
 * NULL with r->err set; *fatal is set when a snapshot would not help.
 */
static struct revision *
run_deltas(struct run *r, const struct decision *d, struct apply *a,
    int *fatal)
{
	const struct rrdp_delta_ref *dr;
	int rc;

	memset(a, 0, sizeof(*a));
	a->layout = r->o->layout;
	a->hooks = &r->o->hooks;
	hooks_rev_begin(&r->o->hooks, 0);
	snprintf(a->host, sizeof(a->host), "%s", r->st.host);
	*fatal = 0;
	if ((rc = run_base(r, a)) < 0) {
		*fatal = rc == -2;
		return NULL;
	}
	/* The deltas update current's digest. */
	if (run_current_digest(r) == 0)
		revision_set_digest(a->rev, &r->st.digest);
	for (size_t i = d->first; i < d->first + d->count; i++) {
		dr = &r->n.deltas[i];
		if (run_document(r, RRDP_DELTA, dr->uri, dr->hash, dr->serial,
		    a, NULL, NULL) == -1) {
			*fatal = a->fatal;
			revision_abort(a->rev);
			return NULL;
		}
	}
	return a->rev;
}

/* Returns 1 if the state describes the revision current points to. */
static int
run_state_matches(struct run *r)
{
	struct stat sb;

	return r->have_current && r->st.session_id[0] != '\0' &&
	    strcmp(r->st.revision, r->current) == 0 &&
	    r->st.layout == (int)r->o->layout &&
	    fstatat(r->rsync_dirfd, r->current, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(sb.st_mode);
}

/*
 * Returns 1 if current has the directory of every --module, else 0 (said
 * in one line: the snapshot is taken to add it).
 */
static int
run_modules_served(struct run *r)
{
	char dir[MAX_URI_LENGTH + 1], path[MAX_URI_LENGTH + STATE_NAME_MAX + 2];
	const char *why;
	struct stat sb;
	size_t i;

	for (i = 0; i < r->o->nmodules; i++) {
		if (uri_module_dir(r->o->modules[i], r->o->layout, dir,
		    sizeof(dir), NULL, 0, &why) == -1 || dir[0] == '\0')
			continue;
		snprintf(path, sizeof(path), "%s/%s", r->current, dir);
		if (fstatat(r->rsync_dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISDIR(sb.st_mode)) {
			log_warn("%s %s: %s/%s has no %s; taking the "
			    "snapshot to add it", opt_name(OPT_MODULE),
			    r->o->modules[i], r->o->rsync_dir, r->current, dir);
			return 0;
		}
	}
	return 1;
}

/*
 * Opens the directories, takes the lock, reads state and current. Returns
 * SYNC_OK, or SYNC_FAILED or SYNC_LOCKED with the reason in r->err.
 */
static enum sync_result
run_open(struct run *r, int *lockfd)
{
	const struct sync_options *o = r->o;
	char err[ERR_MAX];
	int rc;

	if (fs_mkdir_p(o->state_dir) == -1) {
		snprintf(r->err, sizeof(r->err), "%s: %s", o->state_dir,
		    strerror(errno));
		return SYNC_FAILED;
	}
	if (o->lock_held)
		*lockfd = -1;	/* watch holds it for its whole life */
	else if ((*lockfd = state_lock(o->state_dir, err,
	    sizeof(err))) == -2) {
		snprintf(r->err, sizeof(r->err), "%s: another rsyncswap is "
		    "running on this state directory", err);
		return SYNC_LOCKED;
	}
	if (!o->lock_held && *lockfd == -1) {
		snprintf(r->err, sizeof(r->err), "%s", err);
		return SYNC_FAILED;
	}
	if (fs_mkdir_p(o->rsync_dir) == -1 ||
	    (r->rsync_dirfd = open(o->rsync_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		snprintf(r->err, sizeof(r->err), "%s: %s", o->rsync_dir,
		    strerror(errno));
		return SYNC_FAILED;
	}
	if ((rc = tree_choose(r->rsync_dirfd, o->rsync_dir, o->tree, r->err,
	    sizeof(r->err))) == -1)
		return SYNC_FAILED;
	r->backend = (enum tree_backend)rc;
	state_clean_temps(o->state_dir);
	rc = state_read(o->state_dir, &r->st, err, sizeof(err));
	if (rc == -1)
		log_warn("%s%s", err, r->sweep_only ? "" :
		    "; taking the snapshot");
	rc = swap_read_current(r->rsync_dirfd, r->current, sizeof(r->current),
	    err, sizeof(err));
	if (rc == -1) {
		snprintf(r->err, sizeof(r->err), "%s/%s", o->rsync_dir, err);
		return SYNC_FAILED;
	}
	r->have_current = rc == 0;
	r->have_state = run_state_matches(r);
	if (r->have_state && !run_modules_served(r))
		r->add_modules = 1;
	else if (!r->have_state && r->st.session_id[0] != '\0')
		log_warn("%s/state does not describe %s %s%s%s", o->state_dir,
		    r->have_current ? "the revision current points to in" :
		    "what is in", o->rsync_dir, r->have_current ? "" :
		    " (no current there)", r->sweep_only ? "" :
		    "; taking the snapshot");
	return SYNC_OK;
}

/* Builds the revision the decision asks for. Returns it or NULL. */
static struct revision *
run_build(struct run *r, struct decision *d, struct apply *a,
    struct sync_report *rep)
{
	char why[ERR_MAX / 2] = "", why2[ERR_MAX / 2];
	struct revision *rev;
	int fatal;

	if (d->action == ACTION_DELTAS) {
		rev = run_deltas(r, d, a, &fatal);
		if (rev != NULL) {
			rep->action = "deltas";
			rep->first_delta = r->n.deltas[d->first].serial;
			rep->last_delta = r->n.deltas[d->first + d->count -
			    1].serial;
			return rev;
		}
		if (fatal || sync_interrupt)
			return NULL;
		hooks_deltas_failed(&r->o->hooks);
		/* One failure, one line: the reason joins a later error. */
		snprintf(why, sizeof(why), "%s", r->err);
		log_info("%s; taking the snapshot", why);
		rep->action = "snapshot (a delta did not apply)";
	} else
		rep->action = "snapshot";
	if ((rev = run_snapshot(r, a)) == NULL && why[0] != '\0') {
		snprintf(why2, sizeof(why2), "%s", r->err);
		snprintf(r->err, sizeof(r->err), "%s (after: %s)", why2, why);
	}
	return rev;
}

/* Publishes rev as the notification's serial. Returns 0 or -1. */
static int
run_publish(struct run *r, struct revision *rev, const char *name)
{
	hooks_commit(&r->o->hooks, rev, name);
	/* A revision that gains a module replaces the one of its name. */
	if (revision_commit(rev, name, r->have_current ? r->current : NULL,
	    r->have_state && !r->add_modules, r->err, sizeof(r->err)) == -1)
		return -1;
	if (r->have_current && strcmp(name, r->current) == 0)
		return 0;
	if (swap_current(r->rsync_dirfd, name, r->err, sizeof(r->err)) == -1)
		return -1;
	return 0;
}

/*
 * After a state write failed (reason in r->err): points current back at
 * prev ("" for none), so that the failed run leaves current as it found
 * it; the new revision is left to the sweep.
 */
static void
run_unswap(struct run *r, const char *prev)
{
	char why[ERR_MAX], err[ERR_MAX];
	int rc;

	snprintf(why, sizeof(why), "%s", r->err);
	if (strcmp(prev, r->current) == 0)
		return;
	rc = prev[0] != '\0' ? swap_current(r->rsync_dirfd, prev, err,
	    sizeof(err)) : unlinkat(r->rsync_dirfd, CURRENT_NAME, 0);
	snprintf(r->err, sizeof(r->err), "%s; %s", why, rc == -1 ?
	    "current could not be put back" : prev[0] != '\0' ?
	    "current put back" : "current removed again");
	snprintf(r->current, sizeof(r->current), "%s", prev);
	r->have_current = prev[0] != '\0';
}

/* Fills v with what the run stands on now, for the hooks. */
static void
run_view(const struct run *r, struct sync_view *v)
{
	v->rsync_dirfd = r->rsync_dirfd;
	v->current = r->have_current ? r->current : NULL;
	v->session_id = r->st.session_id;
	v->serial = r->st.serial;
	v->host = r->st.host;
	v->layout = r->o->layout;
}

/*
 * Records the outcome in the state file (ok: 1 success, 0 failure, -1 a
 * sweep only) and sweeps. Returns 0, or -1 when the state could not be
 * written (logged): the run has then failed.
 */
static int
run_finish(struct run *r, int ok, struct sync_report *rep)
{
	const struct sync_options *o = r->o;
	struct cleanup_policy pol;
	struct sweep_stats ss;
	char err[ERR_MAX], path[PATH_MAX];
	long long now = time(NULL);

	long long cleanup = o->cleanup_after;

	/*
	 * The tuner (watch) owns the tuned value; any other run keeps it when
	 * it is longer than its option, so that the slow clients it protects
	 * stay protected.
	 */
	if (o->tune_changed != 0) {
		r->st.tune_longest = o->tune_longest;
		r->st.tune_changed = o->tune_changed;
	} else if (r->st.tune_changed > 0 && r->st.cleanup_after > cleanup)
		cleanup = r->st.cleanup_after;
	r->st.cleanup_after = cleanup;
	snprintf(r->st.rsyncd_log, sizeof(r->st.rsyncd_log), "%s",
	    o->rsyncd_log_note != NULL ? o->rsyncd_log_note : "");
	/* Where the revisions are, for runs without -r; a failure moves nothing. */
	if (ok != 0 && realpath(o->rsync_dir, path) != NULL)
		snprintf(r->st.rsync_dir, sizeof(r->st.rsync_dir), "%s", path);
	if (ok == 0) {
		r->st.last_failure = now;
		snprintf(r->st.last_error, sizeof(r->st.last_error), "%s",
		    r->err);
	} else if (ok == 1)
		r->st.last_success = now;
	pol.keep_min = o->keep_min;
	pol.time_rule = cleanup;
	pol.keep_max = o->cleanup_max;
	pol.scan = !o->no_reader_scan;
	pol.max_revisions = o->max_revisions;
	pol.max_disk = o->max_disk;
	pol.costs = o->costs;
	pol.daemon = o->daemon;
	pol.rsync_dir = o->rsync_dir;
	pol.state_dir = o->state_dir;
	if (r->rsync_dirfd != -1 && sweep_run(r->rsync_dirfd,
	    r->have_current ? r->current : NULL, &r->st, now,
	    &pol, o->privs, &ss) == 0)
		rep->swept = ss.removed;
	hooks_swept(&o->hooks, cleanup, o->privs);
	if (state_write(o->state_dir, &r->st, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/*
 * Makes the directory of every --module in rev. Returns 0, or -1 with the
 * reason in err.
 */
static int
run_modules(const struct sync_options *o, struct revision *rev,
    const char *objects_host, char *err, size_t errsz)
{
	char dir[MAX_URI_LENGTH + 1], host[MAX_URI_LENGTH + 1];
	const char *why;
	size_t i;

	for (i = 0; i < o->nmodules; i++) {
		if (uri_module_dir(o->modules[i], o->layout, dir, sizeof(dir),
		    host, sizeof(host), &why) == -1) {
			snprintf(err, errsz, "%s %s: %s", opt_name(OPT_MODULE),
			    o->modules[i], why);
			return -1;
		}
		/* Without --include-host, one host: the objects'. */
		if (o->layout == LAYOUT_MODULE && objects_host[0] != '\0' &&
		    strcmp(host, objects_host) != 0) {
			snprintf(err, errsz, "%s %s: host %s is not the "
			    "repository's host %s (%s serves several)",
			    opt_name(OPT_MODULE), o->modules[i], host,
			    objects_host,
			    opt_name(OPT_INCLUDE_HOST));
			return -1;
		}
		if (dir[0] != '\0' && revision_make_dir(rev, dir, err,
		    errsz) == -1)
			return -1;
	}
	return 0;
}

enum sync_result
sync_run(const struct sync_options *o, struct sync_report *rep)
{
	struct fetch_validators v, *vp = NULL;
	struct decision d;
	struct apply a = { 0 };
	struct revision *rev;
	struct digest dg;
	struct sync_view view;
	char name[STATE_NAME_MAX], prev[STATE_NAME_MAX];
	int lockfd = -1, rc, not_modified = 0, have_dg;
	struct run r;

	memset(rep, 0, sizeof(*rep));
	memset(&r, 0, sizeof(r));
	memset(&v, 0, sizeof(v));
	r.o = o;
	r.rsync_dirfd = -1;
	if ((rc = run_open(&r, &lockfd)) != SYNC_OK) {
		log_error("%s", r.err);
		goto out;
	}
	if (!o->fetch.source_is_dir) {
		/* Validators are collected always, sent only when in sync. */
		if (r.have_state && !r.add_modules) {
			snprintf(v.etag, sizeof(v.etag), "%s", r.st.etag);
			snprintf(v.last_modified, sizeof(v.last_modified),
			    "%s", r.st.last_modified);
		}
		vp = &v;
	}
	rc = SYNC_FAILED;
	if (run_document(&r, RRDP_NOTIFICATION, o->notification_uri, NULL, -1,
	    NULL, vp, &not_modified) == -1)
		goto fail;
	if (not_modified) {
		rep->action = "up to date";
		snprintf(rep->session_id, sizeof(rep->session_id), "%s",
		    r.st.session_id);
		rep->serial = r.st.serial;
		goto done;
	}
	if (run_check_uris(&r) == -1)
		goto fail;
	snprintf(rep->session_id, sizeof(rep->session_id), "%s",
	    r.n.session_id);
	rep->serial = r.n.serial;

	if (!decide_served(r.have_current ? r.current : NULL, &r.n, &d) &&
	    decide(&r.st, r.have_state && !r.add_modules, &r.n, o->max_deltas,
	    &d) == ACTION_SNAPSHOT && r.add_modules)
		snprintf(d.reason, sizeof(d.reason), "snapshot, to add the "
		    "directory of a %s", opt_name(OPT_MODULE));
	log_info("session %s serial %lld: %s", r.n.session_id, r.n.serial,
	    d.reason);
	if (d.action == ACTION_REFUSE) {
		snprintf(r.err, sizeof(r.err), "%s: %s", o->notification_uri,
		    d.reason);
		goto fail;
	}
	if (d.action == ACTION_UP_TO_DATE) {
		rep->action = "up to date";
		goto done;
	}
	if (hooks_build(&o->hooks, r.n.session_id, r.n.serial, r.err,
	    sizeof(r.err)) == -1)
		goto fail;
	if ((rev = run_build(&r, &d, &a, rep)) == NULL)
		goto fail;
	if (revision_objects(rev) < o->min_objects) {
		snprintf(r.err, sizeof(r.err), "%s: serial %lld has %zu "
		    "objects, fewer than %s %zu",
		    o->notification_uri, r.n.serial, revision_objects(rev),
		    opt_name(OPT_MIN_OBJECTS), o->min_objects);
		revision_abort(rev);
		goto fail;
	}
	if (r.have_state && r.have_current && strcmp(r.st.revision,
	    r.current) == 0 && shrink_check(o->state_dir, r.current,
	    r.st.objects, (long long)revision_objects(rev), o->max_shrink,
	    r.err, sizeof(r.err)) == -1) {
		char why[ERR_MAX];

		snprintf(why, sizeof(why), "%s", r.err);
		snprintf(r.err, sizeof(r.err), "%s: serial %lld: %s",
		    o->notification_uri, r.n.serial, why);
		revision_abort(rev);
		goto fail;
	}
	/* An emptied module stays a directory: rsyncd serves it empty. */
	if (r.have_state && o->layout != LAYOUT_FLAT &&
	    revision_keep_dirs(rev, r.current, o->layout == LAYOUT_HOST ? 2 :
	    1, r.err, sizeof(r.err)) == -1) {
		revision_abort(rev);
		goto fail;
	}
	/* So do the modules named by --module, before their first object. */
	if (run_modules(o, rev, a.host[0] != '\0' ? a.host : r.st.host, r.err,
	    sizeof(r.err)) == -1) {
		revision_abort(rev);
		goto fail;
	}
	rep->objects = revision_objects(rev);
	rep->bytes = revision_bytes_written(rev);
	/* Before the commit frees rev. */
	have_dg = revision_digest(rev, &dg);
	swap_revision_name(name, sizeof(name), r.n.session_id, r.n.serial);
	if (run_publish(&r, rev, name) == -1)
		goto fail;

	snprintf(r.st.session_id, sizeof(r.st.session_id), "%s",
	    r.n.session_id);
	r.st.serial = r.n.serial;
	snprintf(r.st.host, sizeof(r.st.host), "%s", a.host);
	r.st.layout = (int)o->layout;
	snprintf(prev, sizeof(prev), "%s", r.have_current ? r.current : "");
	if (!r.have_current || strcmp(r.current, name) != 0)
		state_history_push(&r.st, name, time(NULL));
	snprintf(r.st.revision, sizeof(r.st.revision), "%s", name);
	snprintf(r.current, sizeof(r.current), "%s", name);
	r.have_current = 1;
	r.st.objects = (long long)rep->objects;
	r.st.have_digest = have_dg;
	if (have_dg)
		r.st.digest = dg;
	/* Record the swap at once: a crash in what follows costs no snapshot. */
	r.st.last_success = time(NULL);
	if (state_write(o->state_dir, &r.st, r.err, sizeof(r.err)) == -1) {
		/* Unrecorded, it is not published: current goes back. */
		run_unswap(&r, prev);
		goto fail;
	}
	if (strcmp(prev, name) != 0)
		shrink_accept_clear(o->state_dir);
	hooks_recorded(&o->hooks, r.rsync_dirfd, name, prev);
done:
	run_view(&r, &view);
	hooks_settled(&o->hooks, &view);
	/* Up to date with a state from before digests: record one now. */
	if (r.have_current && strcmp(r.st.revision, r.current) == 0)
		run_current_digest(&r);
	if (r.n.session_id[0] != '\0' && state_set_deltas(&r.st, &r.n) == -1)
		log_warn("out of memory keeping the delta list");
	if (vp != NULL) {
		snprintf(r.st.etag, sizeof(r.st.etag), "%s", v.etag);
		snprintf(r.st.last_modified, sizeof(r.st.last_modified), "%s",
		    v.last_modified);
	}
	if (rep->objects == 0)
		rep->objects = (size_t)r.st.objects;
	snprintf(rep->current, sizeof(rep->current), "%s", r.current);
	run_view(&r, &view);
	if (hooks_served(&o->hooks, &view, r.err, sizeof(r.err)) == -1)
		goto fail;
	rc = run_finish(&r, 1, rep) == 0 ? SYNC_OK : SYNC_FAILED;
	goto out;
fail:
	if (sync_interrupt)
		log_warn("%s; the unfinished revision was discarded", r.err);
	else
		log_error("%s", r.err);
	run_finish(&r, 0, rep);
out:
	hooks_end(&o->hooks);
	rrdp_notification_free(&r.n);
	state_free(&r.st);
	if (r.rsync_dirfd != -1)
		close(r.rsync_dirfd);
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}

enum sync_result
sync_sweep_only(const struct sync_options *o, int *swept)
{
	struct sync_report rep;
	int lockfd = -1, rc;
	struct run r;

	memset(&r, 0, sizeof(r));
	memset(&rep, 0, sizeof(rep));
	r.o = o;
	r.rsync_dirfd = -1;
	r.sweep_only = 1;
	if ((rc = run_open(&r, &lockfd)) != SYNC_OK)
		log_error("%s", r.err);
	else if (run_finish(&r, -1, &rep) == -1)
		rc = SYNC_FAILED;
	*swept = rep.swept;
	state_free(&r.st);
	if (r.rsync_dirfd != -1)
		close(r.rsync_dirfd);
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}
