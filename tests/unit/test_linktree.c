/*
 * Unit tests of rsyncswap/tree/linktree.c: every file of the source is the
 * same inode in the copy, every directory is new with the given time, the
 * count is right, on one thread or several (a tree wide enough to hand
 * directories over); past the depth limit, into a directory that is in
 * the way, and for an entry that is neither file nor directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/tree/linktree.h"
#include "tests/unit/tmpdir.h"

#define DIR_TIME	946684800LL

static char top[PATH_MAX];

static int
setup(void **unused)
{
	(void)unused;
	return tmpdir_make(top, sizeof(top), "test_linktree");
}

static int
teardown(void **unused)
{
	(void)unused;
	return tmpdir_remove(top);
}

/* Returns an open descriptor of the directory top/name, made if missing. */
static int
dir_at(const char *name)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, name);
	(void)mkdir(p, 0755);
	fd = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static void
put(const char *path)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, path);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, path, strlen(path)), (ssize_t)strlen(path));
	close(fd);
}

static void
mk(const char *path)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", top, path);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* Returns the number of descriptors this process holds. */
static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/*
 * Checks that everything below top/src is in top/dst: files as the same
 * inode, directories as other inodes with DIR_TIME. Returns the files.
 */
static size_t
same_tree(const char *src, const char *dst)
{
	char ps[512], pd[512];
	struct stat ss, sd;
	struct dirent *de;
	size_t files = 0;
	DIR *d;

	snprintf(ps, sizeof(ps), "%s/%s", top, src);
	assert_non_null(d = opendir(ps));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") ==
		    0)
			continue;
		snprintf(ps, sizeof(ps), "%s/%s/%s", top, src, de->d_name);
		snprintf(pd, sizeof(pd), "%s/%s/%s", top, dst, de->d_name);
		assert_int_equal(lstat(ps, &ss), 0);
		if (!S_ISREG(ss.st_mode) && !S_ISDIR(ss.st_mode)) {
			assert_int_equal(lstat(pd, &sd), -1);
			continue;
		}
		assert_int_equal(lstat(pd, &sd), 0);
		if (S_ISREG(ss.st_mode)) {
			assert_true(S_ISREG(sd.st_mode));
			assert_true(ss.st_ino == sd.st_ino);
			files++;
		} else {
			assert_true(S_ISDIR(sd.st_mode));
			assert_true(ss.st_ino != sd.st_ino);
			assert_int_equal(sd.st_mtim.tv_sec, DIR_TIME);
			assert_int_equal(sd.st_mtim.tv_nsec, 0);
			snprintf(ps, sizeof(ps), "%s/%s", src, de->d_name);
			snprintf(pd, sizeof(pd), "%s/%s", dst, de->d_name);
			files += same_tree(ps, pd);
		}
	}
	closedir(d);
	return files;
}

static void
test_wide_tree(void **unused)
{
	char p[128];
	size_t files, want = 1;
	int s, d, fds;

	(void)unused;
	mk("w");
	put("w/top.cer");
	mk("w/repo");
	/* 64 CA directories of 3 levels: enough to hand some over. */
	for (int i = 0; i < 64; i++) {
		snprintf(p, sizeof(p), "w/repo/%02d", i);
		mk(p);
		snprintf(p, sizeof(p), "w/repo/%02d/ca", i);
		mk(p);
		for (int j = 0; j < 5; j++) {
			snprintf(p, sizeof(p), "w/repo/%02d/ca/o%d.roa", i, j);
			put(p);
			want++;
		}
	}
	mk("w/repo/empty");
	s = dir_at("w");
	d = dir_at("w-copy");
	fds = open_fds();
	assert_int_equal(linktree(s, d, 10, DIR_TIME, &files), 0);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(files, want);
	assert_int_equal(same_tree("w", "w-copy"), want);
	close(s);
	close(d);
}

static void
test_depth_limit(void **unused)
{
	size_t files;
	int s, d, fds;

	(void)unused;
	mk("deep");
	mk("deep/1");
	mk("deep/1/2");
	mk("deep/1/2/3");
	mk("deep/1/2/3/4");
	put("deep/1/2/3/4/f");
	s = dir_at("deep");
	d = dir_at("deep-copy");
	fds = open_fds();
	assert_int_equal(linktree(s, d, 3, DIR_TIME, &files), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(open_fds(), fds);
	close(d);
	d = dir_at("deep-copy2");
	assert_int_equal(linktree(s, d, 4, DIR_TIME, &files), 0);
	assert_int_equal(files, 1);
	close(s);
	close(d);
}

static void
test_in_the_way(void **unused)
{
	size_t files;
	int s, d, fds;

	(void)unused;
	mk("way");
	mk("way/a");
	put("way/a/f");
	mk("way-copy");
	mk("way-copy/a");
	s = dir_at("way");
	d = dir_at("way-copy");
	fds = open_fds();
	assert_int_equal(linktree(s, d, 10, DIR_TIME, &files), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(open_fds(), fds);
	close(s);
	close(d);
}

static void
test_not_a_file(void **unused)
{
	char p[256];
	size_t files;
	int s, d;

	(void)unused;
	mk("odd");
	put("odd/f.mft");
	snprintf(p, sizeof(p), "%s/odd/fifo", top);
	assert_int_equal(mkfifo(p, 0644), 0);
	s = dir_at("odd");
	d = dir_at("odd-copy");
	assert_int_equal(linktree(s, d, 10, DIR_TIME, &files), 0);
	assert_int_equal(files, 1);
	assert_int_equal(same_tree("odd", "odd-copy"), 1);
	close(s);
	close(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wide_tree),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_in_the_way),
		cmocka_unit_test(test_not_a_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
