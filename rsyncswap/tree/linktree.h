/*
 * A copy of a directory tree as hard links: every regular file of the
 * source linked into the destination, every directory made anew with the
 * canonical directory time. On several cores, subtrees are linked by
 * several threads at once (the kernel's work, not ours, is what costs:
 * mkdir and link of every entry).
 */
#ifndef RSYNCSWAP_LINKTREE_H
#define RSYNCSWAP_LINKTREE_H

#include <stddef.h>

/*
 * Links everything below the directory src into the empty directory dst,
 * at most max_depth levels down; sets the access and modification times
 * of every directory made (not of dst) to dir_time. Entries that are
 * neither files nor directories are skipped with a warning. *files gets
 * the number of files linked. Returns 0, or -1 with errno set (ELOOP
 * past max_depth).
 */
int	linktree(int src, int dst, int max_depth, long long dir_time,
	    size_t *files);

#endif
