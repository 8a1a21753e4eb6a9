/*
 * The RRDP output's hook into a sync (sync/sync_hook.h): --rrdp-dir opened
 * before a revision is built, the fetched snapshot and delta documents
 * teed into it, completed with a snapshot from the tree and the
 * notification once the revision is served, and swept after the run's
 * sweep.
 */
#ifndef RSYNCSWAP_REPUBLISH_HOOK_H
#define RSYNCSWAP_REPUBLISH_HOOK_H

#include "rsyncswap/base/limits.h"
#include "rsyncswap/republish/republish.h"
#include "rsyncswap/sync/sync_hook.h"

struct republish_hook {
	struct sync_hook		 hook;	/* for sync_options.hooks */
	const struct rrdpout_config	*c;
	struct rrdpout			*out;	/* this run's output, or NULL */
	char				 out_err[ERR_MAX];	/* first failed copy */
};

/* Makes h the hook that writes the RRDP output of c. */
void	republish_hook_init(struct republish_hook *h,
	    const struct rrdpout_config *c);

#endif
