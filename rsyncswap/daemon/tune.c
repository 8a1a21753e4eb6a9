#include <stdio.h>
#include <string.h>

#include "rsyncswap/daemon/tune.h"

/* A revision is kept this many times the longest session... */
#define TUNE_MARGIN_FACTOR	2
/* ...plus this many seconds. */
#define TUNE_MARGIN_ADD		60
/* A vanished file attributed to us multiplies the time by this. */
#define TUNE_RAISE_FACTOR	2
/* Quiet time (no change) after which the value decays one step. */
#define TUNE_QUIET		86400
/* Each decay step removes this fraction of the distance (1/N). */
#define TUNE_DECAY_DIVISOR	4

/* Returns the time that keeps a margin over a session of d seconds. */
static long long
tune_margin(long long d)
{
	return TUNE_MARGIN_FACTOR * d + TUNE_MARGIN_ADD;
}

/* Returns v bounded to [t->configured, t->max]. */
static long long
tune_bound(const struct tune *t, long long v)
{
	if (v > t->max)
		v = t->max;
	if (v < t->configured)
		v = t->configured;
	return v;
}

void
tune_init(struct tune *t, long long configured, long long max,
    const struct state *st)
{
	memset(t, 0, sizeof(*t));
	t->configured = configured;
	t->max = max > configured ? max : configured;
	t->effective = configured;
	if (st != NULL && st->tune_changed > 0) {
		t->effective = tune_bound(t, st->cleanup_after);
		t->longest = st->tune_longest;
		t->changed = st->tune_changed;
	}
}

int
tune_vanished_ours(const struct rsyncd_session *s,
    const struct state_revision *r)
{
	long long end = s->ended != 0 ? s->ended : s->last;

	return s->vanished_files + s->vanished_dirs > 0 && r != NULL &&
	    r->removed != 0 && r->removed <= end;
}

/* Returns how long s lasted, in seconds. */
static long long
tune_duration(const struct rsyncd_session *s)
{
	long long start = s->connected != 0 ? s->connected : s->started;
	long long end = s->ended != 0 ? s->ended : s->last;

	return start != 0 && end >= start ? end - start : 0;
}

int
tune_session(struct tune *t, const struct rsyncd_session *s,
    const struct state_revision *r, long long now, char *why, size_t whysz)
{
	long long d = tune_duration(s), old = t->effective, want;

	if (d > t->longest)
		t->longest = d;
	if (tune_vanished_ours(s, r)) {
		want = TUNE_RAISE_FACTOR * t->effective;
		if (tune_margin(d) > want)
			want = tune_margin(d);
		t->effective = tune_bound(t, want);
		snprintf(why, whysz, "cleanup-after %lld -> %lld s: client %s "
		    "(pid %ld) read %s for %lld s and lost %lu files when "
		    "it was removed %lld s after being replaced", old,
		    t->effective, s->ip, s->pid, r->name, d,
		    s->vanished_files + s->vanished_dirs,
		    r->removed - r->until);
	} else if (tune_margin(d) > t->effective) {
		t->effective = tune_bound(t, tune_margin(d));
		snprintf(why, whysz, "cleanup-after %lld -> %lld s: a session "
		    "of client %s (pid %ld) lasted %lld s", old, t->effective,
		    s->ip, s->pid, d);
	}
	if (t->effective == old)
		return 0;
	t->changed = now;
	return 1;
}

int
tune_decay(struct tune *t, long long now, char *why, size_t whysz)
{
	long long old = t->effective, want;

	if (t->changed == 0 || now - t->changed < TUNE_QUIET)
		return 0;
	t->changed = now;
	t->longest -= t->longest / TUNE_DECAY_DIVISOR;
	want = t->effective - (t->effective - t->configured) /
	    TUNE_DECAY_DIVISOR;
	if (tune_margin(t->longest) > want)
		want = tune_margin(t->longest);
	t->effective = tune_bound(t, want);
	if (t->effective >= old) {
		t->effective = old;
		return 0;
	}
	snprintf(why, whysz, "cleanup-after %lld -> %lld s: quiet for a day "
	    "(longest recent session %lld s)", old, t->effective, t->longest);
	return 1;
}
