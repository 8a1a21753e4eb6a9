/* What one sync run does, given the local state and a notification. */
#ifndef RSYNCSWAP_DECIDE_H
#define RSYNCSWAP_DECIDE_H

#include <stddef.h>

#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/state/state.h"

enum sync_action {
	ACTION_UP_TO_DATE,	/* same session and serial: only sweep */
	ACTION_DELTAS,		/* apply n->deltas[first .. first+count) */
	ACTION_SNAPSHOT,	/* build from the snapshot */
	ACTION_REFUSE,		/* same session, lower serial: fail */
};

struct decision {
	enum sync_action	action;
	size_t			first;
	size_t			count;
	char			reason[256];	/* why, for the log */
};

/*
 * Decides from the state st (have_state 0 when there is no usable state or
 * no current revision) and the notification n. Snapshot when: no state, new
 * session, the deltas from st->serial+1 to n->serial are not all listed
 * (gap), a delta listed earlier (st->deltas) now has another hash, or more
 * than max_deltas would be needed. Fills d and returns d->action.
 */
enum sync_action decide(const struct state *st, int have_state,
	    const struct rrdp_notification *n, size_t max_deltas,
	    struct decision *d);

/*
 * The served revision's name is evidence too, whatever the state says:
 * returns 1 and fills d with ACTION_REFUSE when served (the name current
 * points to, NULL if none) is session_<n's session>_serial_<s> with s
 * above n's serial; 0 otherwise.
 */
int	decide_served(const char *served, const struct rrdp_notification *n,
	    struct decision *d);

#endif
