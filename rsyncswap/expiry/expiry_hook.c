/* The expiry summary's hook into a sync (expiry_hook.h). */
#include <stdio.h>
#include <string.h>

#include "rsyncswap/expiry/expiry_read.h"
#include "rsyncswap/expiry/expiry_hook.h"

/* A new revision: a snapshot after failed deltas forgets what they touched. */
static void
hook_rev_begin(void *arg, int snapshot)
{
	struct expiry_hook *x = arg;

	touched_free(&x->touched);
	x->snapshot = snapshot;
}

/* Records the directory of an object a delta changed. Returns 0 or -1. */
static int
hook_object(void *arg, const char *path)
{
	struct expiry_hook *x = arg;

	return touched_add(&x->touched, path);
}

/* A snapshot's tree is read for the expiry file as it is finished. */
static void
hook_commit(void *arg, struct revision *rev, const char *name)
{
	struct expiry_hook *x = arg;

	if (x->snapshot)
		revexpiry_begin(&x->xp, x->state_dir, rev, name);
}

/*
 * Writes the expiry file of the new revision name, made from deltas to
 * prev unless it came from the snapshot (see revexpiry.h).
 */
static void
hook_recorded(void *arg, int rsync_dirfd, const char *name, const char *prev)
{
	struct expiry_hook *x = arg;

	revexpiry_save(&x->xp, x->state_dir, rsync_dirfd, name, prev,
	    !x->snapshot ? &x->touched : NULL);
	snprintf(x->saved, sizeof(x->saved), "%s", name);
}

/* Returns 1 if the expiry summary of state_dir describes current. */
static int
has_expiry(const char *state_dir, const char *current)
{
	char rev[EXPIRY_REVISION_MAX];

	return expiry_file_revision(state_dir, rev, sizeof(rev)) == 0 &&
	    strcmp(rev, current) == 0;
}

/*
 * None, or of another revision (a run killed before it): rebuilt, unless
 * this run has just tried (a second try fails as the first, logged once).
 */
static void
hook_settled(void *arg, const struct sync_view *v)
{
	struct expiry_hook *x = arg;

	if (v->current != NULL && strcmp(x->saved, v->current) != 0 &&
	    !has_expiry(x->state_dir, v->current))
		revexpiry_save(&x->xp, x->state_dir, v->rsync_dirfd,
		    v->current, NULL, NULL);
}

/* Drops what the run began. */
static void
hook_end(void *arg)
{
	struct expiry_hook *x = arg;

	revexpiry_abort(&x->xp);
	touched_free(&x->touched);
	x->snapshot = 0;
	x->saved[0] = '\0';
}

void
expiry_hook_init(struct expiry_hook *x, const char *state_dir)
{
	memset(x, 0, sizeof(*x));
	x->state_dir = state_dir;
	x->hook.arg = x;
	x->hook.rev_begin = hook_rev_begin;
	x->hook.object = hook_object;
	x->hook.commit = hook_commit;
	x->hook.recorded = hook_recorded;
	x->hook.settled = hook_settled;
	x->hook.end = hook_end;
}
