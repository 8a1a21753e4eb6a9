/*
 * The hooks of a sync: what the features beside it (the expiry summary,
 * the RRDP output) are told of one run, each through a struct sync_hook
 * that the caller puts in sync_options.hooks. The sync knows none of
 * them: it fetches, parses, applies, commits and swaps, and tells each
 * hook, in this order, what it did. Every callback may be NULL.
 */
#ifndef RSYNCSWAP_SYNC_HOOK_H
#define RSYNCSWAP_SYNC_HOOK_H

#include <stddef.h>

#include "rsyncswap/base/uri.h"
#include "rsyncswap/rrdp/rrdp.h"

struct privs;
struct revision;

/* Hooks one sync_options carries at most. */
#define SYNC_MAX_HOOKS	4

/* What the end of a run stands on, for the hooks. */
struct sync_view {
	int		 rsync_dirfd;
	const char	*current;	/* the revision current names; NULL: none */
	const char	*session_id;	/* of the state; "" when none */
	long long	 serial;
	const char	*host;		/* the state's one host */
	enum uri_layout	 layout;
};

struct sync_hook {
	void	*arg;
	/*
	 * A revision of session's serial is about to be fetched and built.
	 * Returns 0, or -1 with the reason in err: the run fails.
	 */
	int	(*build)(void *arg, const char *session, long long serial,
		    char *err, size_t errsz);

	/*
	 * The document tee: the bytes of each snapshot or delta as they are
	 * parsed; at its end, ok set if it parsed and its hash matched.
	 */
	void	(*doc_begin)(void *arg, enum rrdp_kind kind, long long serial);
	void	(*doc_write)(void *arg, const void *buf, size_t len);
	void	(*doc_end)(void *arg, int ok);
	/* The deltas tried did not lead to the serial: a snapshot follows. */
	void	(*deltas_failed)(void *arg);

	/*
	 * The object sink: a revision is begun, from the snapshot (snapshot
	 * set) or from current and deltas.
	 */
	void	(*rev_begin)(void *arg, int snapshot);
	/*
	 * A delta published or withdrew the object at path (relative to the
	 * revision), told on the writer thread. Returns 0, or -1 when out of
	 * memory: the run fails.
	 */
	int	(*object)(void *arg, const char *path);
	/* The revision rev is about to be committed as name. */
	void	(*commit)(void *arg, struct revision *rev, const char *name);
	/*
	 * The state records the new revision name, made from the one named
	 * prev ("" for none), as current below rsync_dirfd.
	 */
	void	(*recorded)(void *arg, int rsync_dirfd, const char *name,
		    const char *prev);

	/* The run has settled on its current revision (v). */
	void	(*settled)(void *arg, const struct sync_view *v);
	/*
	 * The run succeeds with v, its state still to be written. Returns 0,
	 * or -1 with the reason in err: the run fails.
	 */
	int	(*served)(void *arg, const struct sync_view *v, char *err,
		    size_t errsz);
	/* The sweep of a run (or of a sweep alone) is done. */
	void	(*swept)(void *arg, long long cleanup_after,
		    const struct privs *privs);
	/* The run is over: drops what was begun and not finished. */
	void	(*end)(void *arg);
};

/* The hooks of a run, told in this order. */
struct sync_hooks {
	const struct sync_hook	*list[SYNC_MAX_HOOKS];
	size_t			 n;
};

/* Adds h to hs. Returns 0, or -1 when hs is full. */
int	sync_hooks_add(struct sync_hooks *hs, const struct sync_hook *h);

/*
 * Tell each hook of hs (NULL: none) what the callback of the same name
 * says. Those returning int return 0, or -1 with the first failure.
 */
int	hooks_build(const struct sync_hooks *hs, const char *session,
	    long long serial, char *err, size_t errsz);
void	hooks_doc_begin(const struct sync_hooks *hs, enum rrdp_kind kind,
	    long long serial);
void	hooks_doc_write(const struct sync_hooks *hs, const void *buf,
	    size_t len);
void	hooks_doc_end(const struct sync_hooks *hs, int ok);
void	hooks_deltas_failed(const struct sync_hooks *hs);
void	hooks_rev_begin(const struct sync_hooks *hs, int snapshot);
int	hooks_object(const struct sync_hooks *hs, const char *path);
void	hooks_commit(const struct sync_hooks *hs, struct revision *rev,
	    const char *name);
void	hooks_recorded(const struct sync_hooks *hs, int rsync_dirfd,
	    const char *name, const char *prev);
void	hooks_settled(const struct sync_hooks *hs, const struct sync_view *v);
int	hooks_served(const struct sync_hooks *hs, const struct sync_view *v,
	    char *err, size_t errsz);
void	hooks_swept(const struct sync_hooks *hs, long long cleanup_after,
	    const struct privs *privs);
void	hooks_end(const struct sync_hooks *hs);

#endif
