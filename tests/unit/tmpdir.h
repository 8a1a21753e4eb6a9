/*
 * The scratch directory of a unit test: made below $TMPDIR (or /tmp) and
 * removed again with everything in it, symlinks not followed.
 */
#ifndef TESTS_UNIT_TMPDIR_H
#define TESTS_UNIT_TMPDIR_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* nftw() callback of tmpdir_remove. Returns remove()'s result. */
static inline int
tmpdir_rm_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * Makes a new directory $TMPDIR/NAME.XXXXXX (or below /tmp) and writes its
 * path to buf. Returns 0, or -1 with errno set.
 */
static inline int
tmpdir_make(char *buf, size_t bufsz, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, bufsz, "%s/%s.XXXXXX", tmp != NULL ? tmp : "/tmp", name);
	return mkdtemp(buf) == NULL ? -1 : 0;
}

/* Removes path and everything below it. Returns 0, or -1. */
static inline int
tmpdir_remove(const char *path)
{
	return nftw(path, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
