/*
 * Applying the objects of an RRDP snapshot or delta to a revision being
 * built: each URI mapped to its path (uri.c), one host unless
 * --include-host, and the objects a delta changes told to the object
 * sinks of the hooks. The callbacks match struct rrdp_handler.
 */
#ifndef RSYNCSWAP_SYNC_APPLY_H
#define RSYNCSWAP_SYNC_APPLY_H

#include <stddef.h>

#include "rsyncswap/base/uri.h"
#include "rsyncswap/sync/sync_hook.h"
#include "rsyncswap/tree/revision.h"

/* The revision being built and what applying to it found. */
struct apply {
	struct revision	*rev;
	enum uri_layout	 layout;
	char		 host[512];	/* the one host (flat: host/module) */
	int		 fatal;		/* no fallback can fix this failure */
	int		 snapshot;	/* building from a snapshot */
	size_t		 publishes;
	size_t		 withdraws;
	const struct sync_hooks *hooks;	/* told what a delta changes */
};

/*
 * Publishes an object into a->rev. Returns 0, or -1 with the reason in err
 * (a->fatal set when no snapshot fallback can help).
 */
int	apply_publish(void *arg, const char *uri, const unsigned char *hash,
	    const unsigned char *data, size_t len, char *err, size_t errsz);

/* Withdraws an object from a->rev. Returns 0, or -1 as apply_publish. */
int	apply_withdraw(void *arg, const char *uri, const unsigned char *hash,
	    char *err, size_t errsz);

#endif
