/*
 * The shrink guard: a revision with more than --max-shrink percent fewer
 * objects than the served one is refused (an origin that lost its data
 * and "initialized an empty repository"), until the operator accepts it
 * once with `rsyncswap accept-shrink`, which writes <state-dir>/accept-shrink
 * naming the revision served then. The lock is not needed for that, so it
 * works while watch runs.
 */
#ifndef RSYNCSWAP_SHRINK_H
#define RSYNCSWAP_SHRINK_H

#include <stddef.h>

/* The words status, metrics and the error line use for this refusal. */
#define SHRINK_REFUSED	"refused: shrink"

/*
 * Decides whether a revision of objects objects may replace served (the
 * name of the served revision, which has served_objects). Returns 0 when
 * it may (within max_pct, or accepted for served), or -1 with the reason
 * (starting with SHRINK_REFUSED) in err.
 */
int	shrink_check(const char *state_dir, const char *served,
	    long long served_objects, long long objects, long long max_pct,
	    char *err, size_t errsz);

/* Forgets an acceptance: a new revision is served. */
void	shrink_accept_clear(const char *state_dir);

/*
 * `rsyncswap accept-shrink`: lets the next revision that replaces the one
 * served now shrink once. Returns 0, or -1 with one line on stderr.
 */
int	shrink_accept_run(const char *state_dir, int quiet);

#endif
