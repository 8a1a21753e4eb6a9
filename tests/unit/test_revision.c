/*
 * Unit tests of rsyncswap/tree/revision.c on real files in a temporary
 * rsync directory: a snapshot writes each object once; a delta links the
 * current revision and replaces a changed file by a new inode, so the old
 * revision's file (the other hard link) is never modified; a withdraw
 * removes the link only; what does not apply changes nothing; the commit
 * keeps or exchanges a current target, moves another aside, and an abort
 * leaves nothing; objects in no order of directory land where they belong,
 * and a symlink in the tree is never followed on the way back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/tree/digest.h"
#include "rsyncswap/tree/revision.h"
#include "tsnorm/tsnorm.h"
#include "tests/unit/tmpdir.h"

#define REV1	"session_9df4b597-af9e-4dca-bdda-719cce2c4e28_serial_1"
#define REV2	"session_9df4b597-af9e-4dca-bdda-719cce2c4e28_serial_2"
#define OBJ_A	"repo/ca/a.roa"
#define OBJ_B	"repo/ca/b.roa"
#define OBJ_C	"repo/ca/sub/c.cer"

static char	dir[1024];
static int	dfd = -1;
static char	err[512];

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_revision.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd == -1 ? -1 : 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	close(dfd);
	return tmpdir_remove(dir);
}

/* Returns the SHA-256 of the string s in md. */
static const unsigned char *
sha(const char *s, unsigned char *md)
{
	assert_int_equal(digest_sha256(s, strlen(s), md), 0);
	return md;
}

/* Publishes the string data as path into rev. Returns what publish does. */
static int
pub(struct revision *rev, const char *path, const char *old, const char *data)
{
	unsigned char md[DIGEST_LEN];

	return revision_publish(rev, path, old != NULL ? sha(old, md) : NULL,
	    (const unsigned char *)data, strlen(data), err, sizeof(err));
}

/* Returns the content of rev/path (a static buffer), or NULL. */
static const char *
content(const char *rev, const char *path)
{
	static char buf[256];
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", rev, path);
	if ((fd = openat(dfd, p, O_RDONLY | O_NOFOLLOW)) == -1)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* Returns the stat of rev/path in sb; asserts it exists. */
static void
stat_of(const char *rev, const char *path, struct stat *sb)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s%s", rev, path[0] != '\0' ? "/" : "",
	    path);
	assert_int_equal(fstatat(dfd, p, sb, AT_SYMLINK_NOFOLLOW), 0);
}

/* Returns 1 if rev/path exists. */
static int
exists(const char *rev, const char *path)
{
	struct stat sb;
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", rev, path);
	return fstatat(dfd, p, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Returns the number of entries of the rsync directory whose name starts with pre. */
static int
count_prefixed(const char *pre)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, pre, strlen(pre)) == 0)
			n++;
	closedir(d);
	return n;
}

/* Builds REV1 as a snapshot of OBJ_A, OBJ_B and OBJ_C. */
static void
build_rev1(void)
{
	struct revision *rev;

	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	assert_int_equal(pub(rev, OBJ_A, NULL, "a1"), 0);
	assert_int_equal(pub(rev, OBJ_B, NULL, "b1"), 0);
	assert_int_equal(pub(rev, OBJ_C, NULL, "c1"), 0);
	assert_int_equal(revision_objects(rev), 3);
	assert_int_equal(revision_commit(rev, REV1, NULL, 0, err,
	    sizeof(err)), 0);
}

/* A new revision linked from REV1, as a delta starts. */
static struct revision *
linked_from_rev1(void)
{
	struct revision *rev;

	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	assert_int_equal(revision_link_from(rev, REV1, err, sizeof(err)), 0);
	assert_int_equal(revision_objects(rev), 3);
	return rev;
}

static void
test_snapshot(void **unused)
{
	struct revision *rev;
	struct stat sb;
	struct digest d;

	(void)unused;
	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	/* Nothing is visible under the name before the commit. */
	assert_int_equal(count_prefixed(TMP_PREFIX), 1);
	assert_int_equal(pub(rev, OBJ_A, NULL, "a1"), 0);
	assert_int_equal(pub(rev, OBJ_C, NULL, "c1"), 0);
	/* Published twice in one snapshot: refused, the first one kept. */
	assert_int_equal(pub(rev, OBJ_A, NULL, "other"), 1);
	assert_non_null(strstr(err, "which exists"));
	/* A file where a directory is, and a directory where a file is. */
	assert_int_equal(pub(rev, "repo/ca/sub", NULL, "x"), 1);
	assert_non_null(strstr(err, "clashes"));
	assert_int_equal(pub(rev, OBJ_A "/x.cer", NULL, "x"), 1);
	assert_non_null(strstr(err, "clashes"));
	assert_int_equal(revision_objects(rev), 2);
	assert_int_equal(revision_bytes_written(rev), 4);
	assert_int_equal(revision_digest(rev, &d), 1);
	assert_int_equal(d.entries, 2);
	assert_int_equal(revision_commit(rev, REV1, NULL, 0, err,
	    sizeof(err)), 0);
	assert_int_equal(count_prefixed(TMP_PREFIX), 0);
	assert_string_equal(content(REV1, OBJ_A), "a1");
	assert_string_equal(content(REV1, OBJ_C), "c1");
	/* Every directory has TSNORM_DIR_TIME, every file whole seconds. */
	stat_of(REV1, "", &sb);
	assert_int_equal(sb.st_mtim.tv_sec, TSNORM_DIR_TIME);
	stat_of(REV1, "repo/ca/sub", &sb);
	assert_int_equal(sb.st_mtim.tv_sec, TSNORM_DIR_TIME);
	stat_of(REV1, OBJ_A, &sb);
	assert_int_equal(sb.st_mtim.tv_nsec, 0);
	assert_int_equal(sb.st_nlink, 1);
}

static void
test_delta_new_inode(void **unused)
{
	struct revision *rev;
	struct stat old_a, old_b, a1, a2, b1, b2;

	(void)unused;
	build_rev1();
	stat_of(REV1, OBJ_A, &old_a);
	stat_of(REV1, OBJ_B, &old_b);
	rev = linked_from_rev1();
	assert_int_equal(pub(rev, OBJ_A, "a1", "a2, longer"), 0);
	/* A new object in a new directory. */
	assert_int_equal(pub(rev, "repo/new/d.roa", NULL, "d2"), 0);
	assert_int_equal(revision_objects(rev), 4);
	assert_int_equal(revision_commit(rev, REV2, REV1, 0, err,
	    sizeof(err)), 0);

	stat_of(REV1, OBJ_A, &a1);
	stat_of(REV2, OBJ_A, &a2);
	/* The changed object is a new inode; the old one is untouched. */
	assert_true(a1.st_ino != a2.st_ino);
	assert_true(a1.st_ino == old_a.st_ino);
	assert_int_equal(a1.st_size, old_a.st_size);
	assert_int_equal(a1.st_mtim.tv_sec, old_a.st_mtim.tv_sec);
	assert_int_equal(a1.st_nlink, 1);
	assert_string_equal(content(REV1, OBJ_A), "a1");
	assert_string_equal(content(REV2, OBJ_A), "a2, longer");
	/* An unchanged object is the same inode in both: a hard link. */
	stat_of(REV1, OBJ_B, &b1);
	stat_of(REV2, OBJ_B, &b2);
	assert_true(b1.st_ino == b2.st_ino && b1.st_ino == old_b.st_ino);
	assert_int_equal(b1.st_nlink, 2);
	assert_false(exists(REV1, "repo/new/d.roa"));
	assert_string_equal(content(REV2, "repo/new/d.roa"), "d2");
}

static void
test_delta_withdraw(void **unused)
{
	struct revision *rev;
	struct stat c1;

	(void)unused;
	build_rev1();
	rev = linked_from_rev1();
	assert_int_equal(revision_withdraw(rev, OBJ_C, sha("c1",
	    (unsigned char[DIGEST_LEN]){ 0 }), err, sizeof(err)), 0);
	assert_int_equal(revision_objects(rev), 2);
	assert_int_equal(revision_commit(rev, REV2, REV1, 0, err,
	    sizeof(err)), 0);
	/* Gone from the new revision with its emptied directory... */
	assert_false(exists(REV2, OBJ_C));
	assert_false(exists(REV2, "repo/ca/sub"));
	assert_true(exists(REV2, OBJ_A));
	/* ...and still in the old one, its only link now. */
	assert_string_equal(content(REV1, OBJ_C), "c1");
	stat_of(REV1, OBJ_C, &c1);
	assert_int_equal(c1.st_nlink, 1);
}

static void
test_delta_not_applying(void **unused)
{
	unsigned char md[DIGEST_LEN];
	struct revision *rev;
	struct stat a1, a2;

	(void)unused;
	build_rev1();
	rev = linked_from_rev1();
	/* Another hash than the current object's: 1, nothing changed. */
	assert_int_equal(pub(rev, OBJ_A, "not a1", "a2"), 1);
	assert_non_null(strstr(err, "hash does not match"));
	assert_int_equal(revision_withdraw(rev, OBJ_B, sha("not b1", md),
	    err, sizeof(err)), 1);
	/* A replace or withdraw of nothing; a publish without hash of an
	   object that exists. */
	assert_int_equal(pub(rev, "repo/ca/none.roa", "a1", "x"), 1);
	assert_non_null(strstr(err, "no such object"));
	assert_int_equal(revision_withdraw(rev, "repo/none/x.roa",
	    sha("a1", md), err, sizeof(err)), 1);
	assert_non_null(strstr(err, "no such object"));
	assert_int_equal(pub(rev, OBJ_A, NULL, "a2"), 1);
	assert_non_null(strstr(err, "which exists"));
	assert_int_equal(revision_objects(rev), 3);
	assert_int_equal(revision_commit(rev, REV2, REV1, 0, err,
	    sizeof(err)), 0);
	stat_of(REV1, OBJ_A, &a1);
	stat_of(REV2, OBJ_A, &a2);
	assert_true(a1.st_ino == a2.st_ino);
	assert_string_equal(content(REV2, OBJ_A), "a1");
	assert_string_equal(content(REV2, OBJ_B), "b1");
}

static void
test_commit_current(void **unused)
{
	struct revision *rev;
	struct stat before, after;

	(void)unused;
	build_rev1();
	stat_of(REV1, "", &before);
	/* Trusted: the current target stays as it is. */
	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	assert_int_equal(pub(rev, OBJ_A, NULL, "other"), 0);
	assert_int_equal(revision_commit(rev, REV1, REV1, 1, err,
	    sizeof(err)), 0);
	stat_of(REV1, "", &after);
	assert_true(before.st_ino == after.st_ino);
	assert_string_equal(content(REV1, OBJ_A), "a1");
	assert_int_equal(count_prefixed(TMP_PREFIX), 0);
	/* Not vouched for: exchanged in one step, the old tree left for the
	   sweep under a temporary name. */
	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	assert_int_equal(pub(rev, OBJ_A, NULL, "other"), 0);
	assert_int_equal(revision_commit(rev, REV1, REV1, 0, err,
	    sizeof(err)), 0);
	stat_of(REV1, "", &after);
	assert_true(before.st_ino != after.st_ino);
	assert_string_equal(content(REV1, OBJ_A), "other");
	assert_int_equal(count_prefixed(TMP_PREFIX), 1);
}

static void
test_commit_aside(void **unused)
{
	struct revision *rev;
	struct stat before, after;

	(void)unused;
	build_rev1();
	stat_of(REV1, "", &before);
	/* The name exists but is not current: moved aside, not removed. */
	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	assert_int_equal(pub(rev, OBJ_A, NULL, "other"), 0);
	assert_int_equal(revision_commit(rev, REV1, REV2, 0, err,
	    sizeof(err)), 0);
	stat_of(REV1, "", &after);
	assert_true(before.st_ino != after.st_ino);
	assert_string_equal(content(REV1, OBJ_A), "other");
	assert_int_equal(count_prefixed(TMP_PREFIX), 1);
}

static void
test_abort(void **unused)
{
	struct revision *rev;

	(void)unused;
	build_rev1();
	rev = linked_from_rev1();
	assert_int_equal(pub(rev, OBJ_A, "a1", "a2"), 0);
	revision_abort(rev);
	assert_int_equal(count_prefixed(TMP_PREFIX), 0);
	assert_string_equal(content(REV1, OBJ_A), "a1");
	revision_abort(NULL);
}

static void
test_keep_dirs(void **unused)
{
	struct revision *rev;

	(void)unused;
	build_rev1();
	/* An empty snapshot keeps the module directory of the current one. */
	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	assert_int_equal(revision_keep_dirs(rev, REV1, 1, err, sizeof(err)),
	    0);
	assert_int_equal(revision_make_dir(rev, "late/x", err, sizeof(err)),
	    0);
	assert_int_equal(revision_commit(rev, REV2, REV1, 0, err,
	    sizeof(err)), 0);
	assert_true(exists(REV2, "repo"));
	assert_false(exists(REV2, "repo/ca"));
	assert_true(exists(REV2, "late/x"));
}

/* Returns the name of the one temporary revision directory (static). */
static const char *
tmp_name(void)
{
	static char name[256];
	struct dirent *de;
	DIR *d;

	name[0] = '\0';
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			snprintf(name, sizeof(name), "%s", de->d_name);
	closedir(d);
	assert_true(name[0] != '\0');
	return name;
}

static void
test_scattered(void **unused)
{
	static const char *const order[] = {
		"repo/a/0/m.mft", "repo/b/0/m.mft", "repo/a/0/c.crl",
		"repo/a/x.cer", "repo/b/0/deep/er/r.roa", "repo/a/0/r.roa",
		"top.cer", "repo/b/0/c.crl", "repo/b/0/deep/er/s.roa",
		"repo/b/0/deep/t.roa",
	};
	struct revision *rev;
	struct stat sb;
	char p[PATH_MAX];
	int out;

	(void)unused;
	/* Objects that come back to directories they left, at any depth. */
	assert_non_null(rev = revision_begin(dfd, 0, err, sizeof(err)));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		assert_int_equal(pub(rev, order[i], NULL, order[i]), 0);
	/* Coming back, a file where a directory is is still a clash. */
	assert_int_equal(pub(rev, "repo/b/0/deep/er/s.roa/x", NULL, "x"), 1);
	assert_non_null(strstr(err, "clashes"));
	/*
	 * A symlink below the revision (none is ever made there) is not
	 * followed on the way back to a directory, at any depth.
	 */
	assert_int_equal(mkdirat(dfd, "outside", 0755), 0);
	snprintf(p, sizeof(p), "%s/repo/b/0/deep/ln", tmp_name());
	assert_int_equal(symlinkat("../../../../../outside", dfd, p), 0);
	assert_int_equal(pub(rev, "repo/b/0/deep/ln/z.roa", NULL, "z"), 1);
	assert_non_null(strstr(err, "clashes"));
	assert_int_equal(pub(rev, "repo/a/x.cer2", NULL, "y"), 0);
	assert_int_equal(pub(rev, "repo/b/0/deep/ln/sub/z.roa", NULL, "z"),
	    1);
	assert_non_null(strstr(err, "clashes"));
	assert_int_equal(unlinkat(dfd, p, 0), 0);
	/* Nor one that stays inside it. */
	snprintf(p, sizeof(p), "%s/repo/b/0/deep/in", tmp_name());
	assert_int_equal(symlinkat("../../../a", dfd, p), 0);
	assert_int_equal(pub(rev, "repo/a/x.cer3", NULL, "y"), 0);
	assert_int_equal(pub(rev, "repo/b/0/deep/in/0/w.roa", NULL, "w"), 1);
	assert_non_null(strstr(err, "clashes"));
	assert_int_equal(unlinkat(dfd, p, 0), 0);
	assert_int_equal(revision_objects(rev), 12);
	assert_int_equal(revision_commit(rev, REV1, NULL, 0, err,
	    sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		assert_string_equal(content(REV1, order[i]), order[i]);
	stat_of(REV1, "repo/b/0/deep/er", &sb);
	assert_int_equal(sb.st_mtim.tv_sec, TSNORM_DIR_TIME);
	stat_of(REV1, "repo/a/0", &sb);
	assert_int_equal(sb.st_mtim.tv_sec, TSNORM_DIR_TIME);
	/* Nothing went through the symlinks. */
	assert_false(exists(REV1, "repo/a/0/w.roa"));
	assert_int_not_equal(out = openat(dfd, "outside", O_RDONLY |
	    O_DIRECTORY), -1);
	assert_int_equal(unlinkat(out, "z.roa", 0), -1);
	assert_int_equal(mkdirat(out, "sub", 0755), 0);
	close(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delta_new_inode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delta_withdraw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delta_not_applying, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_current, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_aside, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_dirs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scattered, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
