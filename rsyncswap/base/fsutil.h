/* Small file-system helpers that never follow symlinks. */
#ifndef RSYNCSWAP_FSUTIL_H
#define RSYNCSWAP_FSUTIL_H

#include <sys/types.h>

#include <stddef.h>

/*
 * Removes the entry name below the directory dirfd and, if it is a
 * directory, everything in it: never following a symlink (a symlink is
 * removed, not its target), never crossing into another file system (dev).
 * Returns 0, or -1 with errno set.
 */
int	fs_remove_tree(int dirfd, const char *name, dev_t dev);

/*
 * Reads the file name below dirfd (not following a symlink) and computes
 * its SHA-256 into md. Returns 0, 1 if there is no such regular file, -1 on
 * another error (errno set).
 */
int	fs_sha256_at(int dirfd, const char *name, unsigned char md[32]);

/*
 * Opens path for reading only if it is a regular file, without following
 * a symlink and without blocking on a FIFO or device. Returns the fd, -1
 * with errno set, or -2 when path is not a regular file.
 */
int	fs_open_regular(const char *path);

/*
 * Returns a new open file description of the directory fd, to read its
 * entries from the start; or -1 (errno). Not dup(): btrfs lists through
 * one open file only the entries that existed when it was opened.
 */
int	fs_reopen_dir(int fd);

/*
 * Opens the directory path (relative, no "..") below dirfd in one lookup
 * that follows no symlink and stays below dirfd and on its file system
 * (openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV).
 * Returns the fd, or -1 with errno set: ENOSYS when the kernel (or a
 * seccomp filter, with ENOSYS or EPERM) refuses openat2, and then at once
 * on every later call.
 */
int	fs_open_dir_beneath(int dirfd, const char *path);

/* Creates path and its parents with mode 0755. Returns 0 or -1 (errno). */
int	fs_mkdir_p(const char *path);

#endif
