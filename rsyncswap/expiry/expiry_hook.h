/*
 * The expiry summary's hook into a sync (sync/sync_hook.h): the
 * directories each delta touched, the snapshot's tree read in its commit's
 * walk, <state-dir>/expiry written once the state records the revision,
 * and rebuilt when it is missing or of another revision.
 */
#ifndef RSYNCSWAP_EXPIRY_HOOK_H
#define RSYNCSWAP_EXPIRY_HOOK_H

#include "rsyncswap/expiry/revexpiry.h"
#include "rsyncswap/sync/sync_hook.h"

struct expiry_hook {
	struct sync_hook	 hook;		/* for sync_options.hooks */
	const char		*state_dir;
	int			 snapshot;	/* the revision being built */
	struct touched		 touched;	/* directories its deltas changed */
	struct revexpiry	 xp;		/* the file being made */
	char			 saved[EXPIRY_REVISION_MAX];	/* the
					   revision whose summary this run
					   wrote or failed to write ("") */
};

/* Makes x the hook that keeps the expiry summary of state_dir. */
void	expiry_hook_init(struct expiry_hook *x, const char *state_dir);

#endif
