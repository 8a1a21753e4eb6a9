/*
 * Files written whole or not at all: a temporary file in the same
 * directory, written, flushed, fsync'ed, closed with a check, renamed over
 * the final name, then the directory fsync'ed. A reader sees the old file
 * or the new one, never a part, also after a crash.
 */
#ifndef RSYNCSWAP_ATOMIC_FILE_H
#define RSYNCSWAP_ATOMIC_FILE_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The start of every temporary name rsyncswap makes, file or revision
 * directory: what a run finds with it was left by an interrupted one.
 */
#define TMP_PREFIX	".tmp-"

struct atomic_file {
	FILE	*f;			/* write here; NULL once done */
	char	 path[PATH_MAX];	/* the final name */
	char	 tmp[PATH_MAX];		/* DIR/.tmp-NAME-XXXXXX */
};

/*
 * Creates the temporary file DIR/.tmp-NAME-XXXXXX for path DIR/NAME with
 * mode and opens af->f on it. Returns 0, or -1 with one line in err.
 */
int	atomic_file_open(struct atomic_file *af, const char *path, mode_t mode,
	    char *err, size_t errsz);

/*
 * Flushes, fsyncs and closes af->f, renames the temporary file over
 * af->path and fsyncs its directory. Returns 0, or -1 with one line in err
 * (the temporary file is then removed, the old file untouched). af->f is
 * closed either way.
 */
int	atomic_file_commit(struct atomic_file *af, char *err, size_t errsz);

/*
 * The same, renaming to path instead of af->path (a name known only once
 * the content is: it must be on the same file system).
 */
int	atomic_file_commit_as(struct atomic_file *af, const char *path,
	    char *err, size_t errsz);

/* Closes af->f if open and removes the temporary file. */
void	atomic_file_abort(struct atomic_file *af);

#endif
