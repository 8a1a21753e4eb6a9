#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/sweep/cleanup.h"
#include "rsyncswap/sweep/cleanup_file.h"
#include "rsyncswap/sweep/privhelper.h"
#include "rsyncswap/sweep/revcost.h"

static struct cleanup_totals totals;
static int pending;
static const struct cleanup_witness *witness;
/* Why the scan is not believed for the rest of the run ("": it is). */
static char distrust[256];

/* Costs measured for one set of revisions (link counts change with it). */
struct cost_cache {
	struct cleanup_rev	*revs;
	size_t			 n;
};
static struct cost_cache cache;

const struct cleanup_totals *
cleanup_totals(void)
{
	return &totals;
}

int
cleanup_pending(void)
{
	return pending;
}

/* Logs the mode when it is new: at start, and when it changes. */
static void
cleanup_log_mode(const struct cleanup *c, int mode)
{
	if (mode == totals.mode)
		return;
	if (mode == CLEANUP_MODE_OFF)
		log_info("cleanup: %s: a replaced revision is removed %lld s "
		    "after its replacement", opt_name(OPT_NO_READER_SCAN),
		    c->pol->time_rule);
	else if (mode == CLEANUP_MODE_FALLBACK)
		/* The daemon warns; a cron run says it at -v (and in status). */
		(c->pol->daemon ? log_warn : log_info)("cleanup: readers "
		    "cannot be seen: %s; a replaced revision is removed by "
		    "time alone, %lld s after its replacement", c->unusable,
		    c->pol->time_rule);
	else
		log_info("cleanup: reader-aware: a replaced revision is "
		    "removed once no rsync process reads it (kept %lld s at "
		    "least, %lld s at most)", c->pol->keep_min,
		    c->pol->keep_max);
	totals.mode = mode;
}

void
cleanup_set_witness(const struct cleanup_witness *w)
{
	witness = w;
}

/*
 * Returns 1 if the witness says the scan c missed a reader (then believed
 * by no later sweep of this run), 0 otherwise.
 */
static int
cleanup_contradicted(struct cleanup *c)
{
	char why[sizeof(distrust)];

	if (witness == NULL || witness->after(&c->scan, why, sizeof(why),
	    witness->arg) == 0)
		return 0;
	snprintf(distrust, sizeof(distrust), "%s", why);
	totals.mode = 0;	/* said now, with this reason */
	return 1;
}

int
cleanup_begin(struct cleanup *c, const struct cleanup_policy *pol,
    long long now)
{
	int rc;

	memset(c, 0, sizeof(*c));
	pending = 0;
	c->pol = pol;
	c->now = now;
	if (!pol->scan) {
		cleanup_log_mode(c, CLEANUP_MODE_OFF);
		return 0;
	}
	totals.scans++;
	if (distrust[0] != '\0') {
		snprintf(c->unusable, sizeof(c->unusable), "%s", distrust);
		totals.scan_failures++;
		cleanup_log_mode(c, CLEANUP_MODE_FALLBACK);
		return 0;
	}
	if (witness != NULL)
		witness->before(witness->arg);
	if (privhelper_pid() != 0)
		rc = privhelper_scan(&c->scan);
	else
		rc = readers_scan_here(pol->rsync_dir, &c->scan);
	if (rc == -1 || readers_unusable(&c->scan, c->unusable,
	    sizeof(c->unusable)) != NULL) {
		if (rc == -1)
			readers_unusable(&c->scan, c->unusable,
			    sizeof(c->unusable));
		totals.scan_failures++;
		cleanup_log_mode(c, CLEANUP_MODE_FALLBACK);
	} else if (cleanup_contradicted(c)) {
		snprintf(c->unusable, sizeof(c->unusable), "%s", distrust);
		totals.scan_failures++;
		cleanup_log_mode(c, CLEANUP_MODE_FALLBACK);
	} else {
		c->usable = 1;
		cleanup_log_mode(c, CLEANUP_MODE_READERS);
	}
	return c->scan.error == ENOMEM ? -1 : 0;
}

/* Returns a new entry for name in c's list, or NULL. */
static struct cleanup_rev *
cleanup_add(struct cleanup *c, const char *name)
{
	struct cleanup_rev *nr;
	size_t ncap;

	if (c->n == c->cap) {
		ncap = c->cap == 0 ? 64 : c->cap * 2;
		if ((nr = realloc(c->revs, ncap * sizeof(*nr))) == NULL)
			return NULL;
		c->revs = nr;
		c->cap = ncap;
	}
	nr = &c->revs[c->n++];
	memset(nr, 0, sizeof(*nr));
	snprintf(nr->name, sizeof(nr->name), "%s", name);
	nr->readers = -1;
	nr->bytes = nr->inodes = nr->share = -1;
	return nr;
}

/* Logs every reader of revision name that its removal hurts. */
static void
cleanup_log_hurt(const struct cleanup *c, const char *name)
{
	char addr[128];

	for (size_t i = 0; i < c->scan.n; i++) {
		if (strcmp(c->scan.r[i].name, name) != 0)
			continue;
		if (readers_peer(c->scan.r[i].sockino, addr,
		    sizeof(addr)) == -1)
			snprintf(addr, sizeof(addr), "address unknown");
		log_warn("sweep: %s removed after %s (%lld s) "
		    "while rsync pid %ld (client %s) reads it", name,
		    opt_name(OPT_CLEANUP_MAX), c->pol->keep_max,
		    (long)c->scan.r[i].pid, addr);
		totals.hurt++;
	}
}

/* The rule with a usable scan: fills v; returns 1 to remove. */
static int
cleanup_rule_readers(struct cleanup *c, struct cleanup_rev *v)
{
	const struct cleanup_policy *pol = c->pol;
	long long age = c->now - v->until;

	v->readers = readers_count(&c->scan, v->name);
	if (age >= pol->keep_max) {
		if (v->readers > 0)
			cleanup_log_hurt(c, v->name);
		return 1;
	}
	if (age < pol->keep_min) {
		v->removable = v->until + pol->keep_min;
		snprintf(v->why, sizeof(v->why), "kept %s %lld s",
		    opt_name(OPT_CLEANUP_AFTER), pol->keep_min);
		return 0;
	}
	/*
	 * With --cleanup-after 1 or more the scan is late enough already;
	 * 0 is "at once" (warned about), its own swap being older than the
	 * scan anyway.
	 */
	if (pol->keep_min > 0 && c->scan.started < v->until + READERS_GRACE) {
		v->removable = v->until + READERS_GRACE;
		snprintf(v->why, sizeof(v->why), "no scan since its "
		    "replacement yet");
		pending = 1;
		return 0;
	}
	if (v->readers > 0) {
		v->removable = v->until + pol->keep_max;
		snprintf(v->why, sizeof(v->why), "%d reader%s", v->readers,
		    v->readers == 1 ? "" : "s");
		pending = 1;
		return 0;
	}
	return 1;
}

int
cleanup_decide(struct cleanup *c, const char *name,
    const struct state_revision *r)
{
	struct cleanup_rev *v, tmp;

	if ((v = cleanup_add(c, name)) == NULL) {
		/* Out of memory: the time rule, without a record. */
		memset(&tmp, 0, sizeof(tmp));
		v = &tmp;
	}
	v->until = r != NULL ? r->until : 0;
	if (r == NULL || r->until == 0) {
		v->readers = c->usable ? readers_count(&c->scan, name) : -1;
		snprintf(v->why, sizeof(v->why), "current");
		return 0;
	}
	if (c->usable)
		v->remove = cleanup_rule_readers(c, v);
	else {
		v->removable = v->until + c->pol->time_rule;
		v->remove = c->now - v->until >= c->pol->time_rule;
		if (!v->remove)
			snprintf(v->why, sizeof(v->why), "time rule: kept "
			    "%lld s", c->pol->time_rule);
	}
	if (v->remove)
		v->why[0] = '\0';
	return v->remove;
}

static int
cmp_until(const void *a, const void *b)
{
	const struct cleanup_rev *x = *(struct cleanup_rev *const *)a;
	const struct cleanup_rev *y = *(struct cleanup_rev *const *)b;

	return x->until < y->until ? -1 : x->until > y->until;
}

/* Returns 1 if the cache holds exactly the revisions of c. */
static int
cache_matches(const struct cleanup *c)
{
	size_t i, k;

	if (cache.n != c->n)
		return 0;
	for (i = 0; i < c->n; i++) {
		for (k = 0; k < cache.n; k++)
			if (strcmp(cache.revs[k].name, c->revs[i].name) == 0)
				break;
		if (k == cache.n)
			return 0;
	}
	return 1;
}

/* Measures (or takes from the cache) every revision's cost. */
static void
cleanup_costs(struct cleanup *c, int rsync_dirfd)
{
	struct cleanup_rev *nr;
	size_t i, k;

	if (!cache_matches(c)) {
		for (i = 0; i < c->n; i++)
			revcost_measure(rsync_dirfd, c->revs[i].name,
			    &c->revs[i].bytes, &c->revs[i].inodes,
			    &c->revs[i].share);
		if ((nr = realloc(cache.revs, (c->n + 1) * sizeof(*nr))) !=
		    NULL) {
			memcpy(nr, c->revs, c->n * sizeof(*nr));
			cache.revs = nr;
			cache.n = c->n;
		}
		return;
	}
	for (i = 0; i < c->n; i++)
		for (k = 0; k < cache.n; k++)
			if (strcmp(cache.revs[k].name, c->revs[i].name) == 0) {
				c->revs[i].bytes = cache.revs[k].bytes;
				c->revs[i].inodes = cache.revs[k].inodes;
				c->revs[i].share = cache.revs[k].share;
			}
}

/* Returns 1 if revision v may go to keep the budget. */
static int
budget_may_remove(const struct cleanup *c, const struct cleanup_rev *v)
{
	if (v->remove || v->until == 0)
		return 0;
	if (!c->usable)
		return 1;	/* nobody can tell: the oldest first */
	return v->readers == 0 && c->scan.started >= v->until + READERS_GRACE;
}

void
cleanup_budget(struct cleanup *c, int rsync_dirfd,
    int (*add)(const char *, void *), void *arg)
{
	const struct cleanup_policy *pol = c->pol;
	struct cleanup_rev **order;
	long long left = 0, bytes = 0;
	size_t i;

	if (pol->costs || pol->max_disk > 0)
		cleanup_costs(c, rsync_dirfd);
	for (i = 0; i < c->n; i++)
		if (!c->revs[i].remove) {
			left++;
			bytes += c->revs[i].share > 0 ? c->revs[i].share : 0;
		}
	if ((pol->max_revisions == 0 || left <= pol->max_revisions) &&
	    (pol->max_disk == 0 || bytes <= pol->max_disk))
		return;
	if ((order = calloc(c->n, sizeof(*order))) == NULL)
		return;
	for (i = 0; i < c->n; i++)
		order[i] = &c->revs[i];
	qsort(order, c->n, sizeof(*order), cmp_until);
	for (i = 0; i < c->n; i++) {
		if ((pol->max_revisions == 0 || left <= pol->max_revisions) &&
		    (pol->max_disk == 0 || bytes <= pol->max_disk))
			break;
		if (!budget_may_remove(c, order[i]))
			continue;
		if (add(order[i]->name, arg) == -1)
			break;
		order[i]->remove = 1;
		order[i]->why[0] = '\0';
		left--;
		bytes -= order[i]->share > 0 ? order[i]->share : 0;
		log_info("sweep: %s removed to keep the disk budget",
		    order[i]->name);
	}
	free(order);
	c->short_revisions = pol->max_revisions > 0 &&
	    left > pol->max_revisions ? (int)(left - pol->max_revisions) : 0;
	c->short_bytes = pol->max_disk > 0 && bytes > pol->max_disk ?
	    bytes - pol->max_disk : 0;
	/* Over budget: look again soon, a reader may end any time. */
	if (c->short_revisions > 0 || c->short_bytes > 0)
		pending = 1;
	if (c->short_revisions > 0 || c->short_bytes > 0)
		log_warn("sweep: over the disk budget by %d revisions, %lld "
		    "bytes: what is left is current, read, or not scanned "
		    "since its replacement", c->short_revisions,
		    c->short_bytes);
}

void
cleanup_end(struct cleanup *c, char *const *names, const int *gone, int n)
{
	long long secs;

	for (int i = 0; i < n; i++) {
		if (!gone[i])
			continue;
		for (size_t k = 0; k < c->n; k++) {
			if (strcmp(c->revs[k].name, names[i]) != 0 ||
			    c->revs[k].until == 0)
				continue;
			c->revs[k].remove = 2;	/* gone */
			secs = c->now - c->revs[k].until;
			totals.removed++;
			totals.removed_seconds += secs;
			if (secs > totals.removed_max_seconds)
				totals.removed_max_seconds = secs;
		}
	}
	cleanup_file_write(c->pol->state_dir, c, &totals);
	readers_free(&c->scan);
	free(c->revs);
	c->revs = NULL;
	c->n = c->cap = 0;
}
