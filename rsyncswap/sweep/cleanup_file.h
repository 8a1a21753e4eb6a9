/*
 * <state-dir>/cleanup: what the last sweep saw and decided, for status and
 * metrics (a small text file, replaced by rename; losing it loses nothing
 * but the picture until the next sweep).
 */
#ifndef RSYNCSWAP_CLEANUP_FILE_H
#define RSYNCSWAP_CLEANUP_FILE_H

#include "rsyncswap/sweep/cleanup.h"

struct cleanup_file {
	int			 mode;		/* CLEANUP_MODE_*; 0 unknown */
	char			 reason[256];	/* why the scan cannot run */
	long long		 scan_started;
	int			 rsync_seen;
	struct cleanup_totals	 t;
	int			 short_revisions;
	long long		 short_bytes;
	struct cleanup_rev	*revs;
	size_t			 n;
};

/* Writes the file from c and t. Returns 0, or -1 (logged). */
int	cleanup_file_write(const char *state_dir, const struct cleanup *c,
	    const struct cleanup_totals *t);

/*
 * Reads the file into f (zeroed first). Returns 0, 1 when there is none,
 * or -1 when it is damaged (f then empty).
 */
int	cleanup_file_read(const char *state_dir, struct cleanup_file *f);

/* Returns the entry of name in f, or NULL. */
const struct cleanup_rev *cleanup_file_find(const struct cleanup_file *f,
	    const char *name);

void	cleanup_file_free(struct cleanup_file *f);

#endif
