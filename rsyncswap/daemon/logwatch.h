/*
 * The daemon's view of the rsyncd log (--rsyncd-log): follows it through
 * rotation, rebuilds sessions, ties each session that saw "file has
 * vanished" to the revision that was current when it connected and to the
 * sweep that removed it, and feeds the adaptive cleanup (tune.h).
 */
#ifndef RSYNCSWAP_LOGWATCH_H
#define RSYNCSWAP_LOGWATCH_H

#include <stddef.h>

#include "rsyncswap/daemon/tune.h"
#include "rsyncswap/obs/metrics.h"
#include "rsyncswap/readers/readers.h"

#include "rsyncswap/base/uri.h"

struct logwatch;

/*
 * Starts following path (from its current end). Sessions are attributed
 * with the state in state_dir; t is tuned and m counted. Only sessions of
 * a module that rsync_dir's current revision holds count (with layout
 * LAYOUT_FLAT any module: its name is rsyncd's alone), and only sessions
 * within the time the log was followed. Returns the watcher, or NULL with
 * a reason in err.
 */
struct logwatch	*logwatch_open(const char *path, const char *state_dir,
		    const char *rsync_dir, enum uri_layout layout,
		    struct tune *t, struct metrics *m, char *err,
		    size_t errsz);

/* Returns the fd to poll for POLLIN. */
int		 logwatch_fd(const struct logwatch *);

/* Returns the longest time (ms) to wait before calling logwatch_read. */
int		 logwatch_timeout(const struct logwatch *);

/*
 * Reads what the log has gained. Returns 1 when the tuning changed (the
 * caller applies and persists it), 0 otherwise.
 */
int		 logwatch_read(struct logwatch *);

/*
 * The check of a reader scan against the log: logwatch_witness_before
 * reads what the log has gained and marks each session of a module we
 * serve that has begun its transfer ("rsync on") and not ended; after the
 * scan, logwatch_witness_after reads the log again and returns 1, with the
 * session in why, when one of the marked sessions is still open but not
 * among the scan's readers (by pid, or by pid in the reader's own PID
 * namespace): rsyncd is out of the scan's sight, as from another PID
 * namespace. Each session is checked by one scan. Returns 0 otherwise.
 */
void		 logwatch_witness_before(void *lw);
int		 logwatch_witness_after(const struct readers_scan *s,
		    char *why, size_t whysz, void *lw);

void		 logwatch_close(struct logwatch *);

/*
 * Writes into buf one line on how the log stands: followed with its line
 * counts, not there (yet), or not in rsyncd's format. Returns buf.
 */
const char	*logwatch_note(const struct logwatch *, char *buf, size_t sz);

#endif
