/*
 * The disk cost of a revision: its directories' blocks and inodes, and
 * its files. A file hard-linked into n revisions is shared: it counts
 * whole in none of them (removing one revision frees nothing of it) and
 * as 1/n in each one's share, so that the shares add up to the bytes and
 * inodes all revisions take together, the shared file data once.
 */
#ifndef RSYNCSWAP_REVCOST_H
#define RSYNCSWAP_REVCOST_H

/*
 * Walks revision name below rsync_dirfd (never following a symlink, never
 * leaving its file system). *bytes and *inodes get what removing it frees
 * now, *share its share of the total bytes. Returns 0, or -1 (each set to
 * -1) when it cannot be walked.
 */
int	revcost_measure(int rsync_dirfd, const char *name, long long *bytes,
	    long long *inodes, long long *share);

#endif
