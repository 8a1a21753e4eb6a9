/*
 * What one sync run does: nothing, deltas, or a snapshot. Pure logic, no
 * I/O, so every branch is unit tested.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rsyncswap/sync/decide.h"
#include "rsyncswap/tree/swap.h"

/*
 * Returns the index of the delta with the given serial in n->deltas (which
 * the parser keeps ascending and unique), or -1 when it is not listed.
 */
static long long
delta_index(const struct rrdp_notification *n, long long serial)
{
	size_t	lo = 0, hi = n->ndeltas, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (n->deltas[mid].serial == serial)
			return (long long)mid;
		if (n->deltas[mid].serial < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Sets the action and reason of d and returns the action. */
static enum sync_action
decided(struct decision *d, enum sync_action action, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum sync_action
decided(struct decision *d, enum sync_action action, const char *fmt, ...)
{
	va_list	ap;

	d->action = action;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	return action;
}

/*
 * Returns 1 when a delta remembered from an earlier notification is listed
 * again with another hash (the server rewrote history), storing its serial
 * in *serial; 0 otherwise.
 */
static int
delta_mutated(const struct state *st, const struct rrdp_notification *n,
    long long *serial)
{
	size_t		i;
	long long	j;

	for (i = 0; i < st->ndeltas; i++) {
		if ((j = delta_index(n, st->deltas[i].serial)) == -1)
			continue;
		if (memcmp(n->deltas[j].hash, st->deltas[i].hash,
		    RRDP_HASH_LEN) != 0) {
			*serial = st->deltas[i].serial;
			return 1;
		}
	}
	return 0;
}

int
decide_served(const char *served, const struct rrdp_notification *n,
    struct decision *d)
{
	char session[UUID_LEN + 1];
	long long s;

	if (served == NULL ||
	    !swap_parse_revision_name(served, session, &s) ||
	    strcmp(session, n->session_id) != 0 || s <= n->serial)
		return 0;
	memset(d, 0, sizeof(*d));
	decided(d, ACTION_REFUSE, "serial went back from %lld (served: %s) "
	    "to %lld in session %s", s, served, n->serial, n->session_id);
	return 1;
}

enum sync_action
decide(const struct state *st, int have_state,
    const struct rrdp_notification *n, size_t max_deltas,
    struct decision *d)
{
	unsigned long long	need, k, avail;
	long long		first, mutated;

	memset(d, 0, sizeof(*d));
	if (!have_state || st == NULL || st->session_id[0] == '\0')
		return decided(d, ACTION_SNAPSHOT, "no local state");
	if (strcmp(st->session_id, n->session_id) != 0)
		return decided(d, ACTION_SNAPSHOT, "new session %s (was %s)",
		    n->session_id, st->session_id);
	if (n->serial == st->serial)
		return decided(d, ACTION_UP_TO_DATE, "up to date at serial %lld",
		    n->serial);
	if (n->serial < st->serial)
		return decided(d, ACTION_REFUSE,
		    "serial went back from %lld to %lld in session %s",
		    st->serial, n->serial, n->session_id);

	/* Unsigned: the difference of two long longs always fits. */
	need = (unsigned long long)n->serial - (unsigned long long)st->serial;
	first = delta_index(n, st->serial + 1);
	if (first == -1)
		return decided(d, ACTION_SNAPSHOT, "delta gap: delta %lld is "
		    "not listed (local serial %lld, notification serial %lld)",
		    st->serial + 1, st->serial, n->serial);
	avail = n->ndeltas - (size_t)first;
	for (k = 1; k < need && k < avail; k++)
		if (n->deltas[first + k].serial != st->serial + 1 + (long long)k)
			break;
	if (k < need)
		return decided(d, ACTION_SNAPSHOT, "delta gap: delta %lld is "
		    "not listed (local serial %lld, notification serial %lld)",
		    st->serial + 1 + (long long)k, st->serial, n->serial);
	if (need > max_deltas)
		return decided(d, ACTION_SNAPSHOT, "%llu deltas needed, more "
		    "than the maximum of %zu", need, max_deltas);
	if (delta_mutated(st, n, &mutated))
		return decided(d, ACTION_SNAPSHOT,
		    "delta %lld changed its hash", mutated);

	d->first = (size_t)first;
	d->count = (size_t)need;
	return decided(d, ACTION_DELTAS, "%llu delta%s from serial %lld to %lld",
	    need, need == 1 ? "" : "s", st->serial + 1, n->serial);
}
