/*
 * btrfs subvolumes through the kernel's ioctls (linux/btrfs.h): detect the
 * file system, create a subvolume, take a writable snapshot, delete one.
 * No policy here: tree.c decides when they are used.
 */
#ifndef RSYNCSWAP_BTRFS_H
#define RSYNCSWAP_BTRFS_H

/* Returns 1 if the open file fd is on btrfs, 0 if not, -1 (errno). */
int	btrfs_is_btrfs(int fd);

/*
 * Returns 1 if name below dirfd (not followed) is the root directory of a
 * btrfs subvolume, else 0.
 */
int	btrfs_is_subvolume(int dirfd, const char *name);

/* Creates the empty subvolume name below dirfd. Returns 0 or -1 (errno). */
int	btrfs_subvol_create(int dirfd, const char *name);

/*
 * Creates name below dirfd as a writable snapshot of the subvolume src
 * (also below dirfd). Returns 0 or -1 (errno).
 */
int	btrfs_snapshot(int dirfd, const char *src, const char *name);

/*
 * Deletes the subvolume name below dirfd with its content in one step.
 * Without CAP_SYS_ADMIN the kernel allows it only on a file system mounted
 * with user_subvol_rm_allowed (else EPERM). Returns 0 or -1 (errno).
 */
int	btrfs_subvol_delete(int dirfd, const char *name);

#endif
