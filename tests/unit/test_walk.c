/*
 * Unit tests of rsyncswap/tree/walk.c, the walk a revision's commit sets
 * directory times with: every directory gets the time, each once its
 * content is walked (a visitor sees it left before its parent), only
 * wanted regular files reach the visitor, a symlink (to a file or a
 * directory) is neither followed nor given, a FIFO is skipped, and a walk
 * that does not recurse stays in its one directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/tree/walk.h"
#include "tests/unit/tmpdir.h"

#define WALK_TIME	1000000000LL

static char	dir[1024];
static int	dfd = -1;

/* What a visitor saw, in order, as one line per event. */
static char	seen[4096];

static void
saw(const char *fmt, const char *s, int depth)
{
	size_t len = strlen(seen);

	snprintf(seen + len, sizeof(seen) - len, fmt, s, depth);
}

static int
want_mft(void *arg, const char *name)
{
	const char *dot = strrchr(name, '.');

	(void)arg;
	return dot != NULL && strcmp(dot, ".mft") == 0;
}

static void
enter(void *arg, char *path, int depth)
{
	(void)arg;
	saw("enter '%s' %d\n", path, depth);
}

static void
file(void *arg, int depth, int fd, const char *name, const char *path)
{
	struct stat sb;

	(void)arg;
	/* dfd is the file's own directory. */
	assert_int_equal(fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(sb.st_mode));
	saw("file '%s' %d\n", path, depth);
}

static void
leave(void *arg, int depth)
{
	(void)arg;
	saw("leave%s %d\n", "", depth);
}

static const struct tree_visit visit = { NULL, want_mft, enter, file, leave };
static const struct tree_visit *const vs[] = { &visit };

/* What each of the visitors of a walk on several threads saw. */
#define NVISIT	4
#define NDIRS	64
static char	tseen[NVISIT][NDIRS * 3 * 64];

static void
tsaw(void *arg, const char *fmt, const char *s, int depth)
{
	char *b = arg;
	size_t len = strlen(b);

	snprintf(b + len, sizeof(tseen[0]) - len, fmt, s, depth);
}

static void
tenter(void *arg, char *path, int depth)
{
	tsaw(arg, "enter '%s' %d\n", path, depth);
}

static void
tfile(void *arg, int depth, int fd, const char *name, const char *path)
{
	(void)fd;
	(void)name;
	tsaw(arg, "file '%s' %d\n", path, depth);
}

static void
tleave(void *arg, int depth)
{
	tsaw(arg, "leave%s %d\n", "", depth);
}

static void
put(const char *path)
{
	int fd;

	assert_true((fd = openat(dfd, path, O_WRONLY | O_CREAT | O_EXCL,
	    0644)) != -1);
	close(fd);
}

static int
setup(void **unused)
{
	(void)unused;
	seen[0] = '\0';
	if (tmpdir_make(dir, sizeof(dir), "test_walk") == -1 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	/* top: a.mft, a.cer, sub/b.mft, link -> sub, l.mft -> a.mft, fifo */
	if (mkdirat(dfd, "sub", 0755) == -1 ||
	    symlinkat("sub", dfd, "link") == -1 ||
	    symlinkat("a.mft", dfd, "l.mft") == -1 ||
	    mkfifoat(dfd, "fifo.mft", 0644) == -1)
		return -1;
	put("a.mft");
	put("a.cer");
	put("sub/b.mft");
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	close(dfd);
	return tmpdir_remove(dir);
}

/* Returns the mtime of path below the scratch directory. */
static long long
mtime(const char *path)
{
	struct stat sb;

	assert_int_equal(fstatat(dfd, path, &sb, AT_SYMLINK_NOFOLLOW), 0);
	return (long long)sb.st_mtim.tv_sec;
}

static void
test_times(void **unused)
{
	(void)unused;
	assert_int_equal(tree_walk_times(dfd, vs, 1, WALK_TIME), 0);
	assert_int_equal(mtime("."), WALK_TIME);
	assert_int_equal(mtime("sub"), WALK_TIME);
	/* Files keep theirs; the symlink's target is not walked twice. */
	assert_true(mtime("a.mft") != WALK_TIME);
	/* The top's files and the directory below, in any order. */
	assert_non_null(strstr(seen, "enter '' 0\n"));
	assert_non_null(strstr(seen, "file 'a.mft' 0\n"));
	assert_non_null(strstr(seen, "enter 'sub' 1\nfile 'sub/b.mft' 1\n"
	    "leave 1\n"));
	assert_null(strstr(seen, "a.cer"));
	assert_null(strstr(seen, "l.mft"));
	assert_null(strstr(seen, "fifo"));
	assert_null(strstr(seen, "link"));
	/* The top is left last: its time is set after its content. */
	assert_int_equal(strcmp(seen + strlen(seen) - strlen("leave 0\n"),
	    "leave 0\n"), 0);
	/* Without a visitor only the times are set. */
	assert_int_equal(tree_walk_times(dfd, NULL, 0, WALK_TIME + 1), 0);
	assert_int_equal(mtime("sub"), WALK_TIME + 1);
}

static void
test_one_dir(void **unused)
{
	int fd;

	(void)unused;
	assert_true((fd = openat(dfd, "sub", O_RDONLY | O_DIRECTORY)) != -1);
	/* Nothing skipped below sub; the fd is taken over. */
	assert_int_equal(tree_walk(fd, "sub", 0, &visit), 0);
	assert_string_equal(seen, "enter 'sub' 0\nfile 'sub/b.mft' 0\n"
	    "leave 0\n");
	seen[0] = '\0';
	assert_true((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY)) != -1);
	/* The top alone: the FIFO and the two symlinks skipped, sub not. */
	assert_int_equal(tree_walk(fd, "", 0, &visit), 3);
	assert_null(strstr(seen, "sub"));
	assert_non_null(strstr(seen, "file 'a.mft' 0\n"));
}

/* Returns how many of the visitors' records hold line. */
static int
tcount(const char *line, int *which)
{
	int n = 0;

	for (int i = 0; i < NVISIT; i++)
		for (const char *p = tseen[i]; (p = strstr(p, line)) != NULL;
		    p++) {
			n++;
			*which = i;
		}
	return n;
}

/*
 * Asserts that directory d (at depth) got the time and was entered by
 * exactly one visitor, the one given its file name.
 */
static void
check_handed(const char *d, const char *name, int depth)
{
	char line[128];
	int w, wf;

	assert_int_equal(mtime(d), WALK_TIME);
	snprintf(line, sizeof(line), "enter '%s' %d\n", d, depth);
	assert_int_equal(tcount(line, &w), 1);
	snprintf(line, sizeof(line), "file '%s/%s' %d\n", d, name, depth);
	assert_int_equal(tcount(line, &wf), 1);
	assert_int_equal(w, wf);
}

/*
 * On several threads: every directory gets the time, and each directory
 * and file reaches exactly one visitor, a directory's files the one that
 * entered it.
 */
static void
test_threads(void **unused)
{
	struct tree_visit tv[NVISIT];
	const struct tree_visit *tvs[NVISIT];
	char path[64];
	int i, w;

	(void)unused;
	for (i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "d%02d", i);
		assert_int_equal(mkdirat(dfd, path, 0755), 0);
		snprintf(path, sizeof(path), "d%02d/s", i);
		assert_int_equal(mkdirat(dfd, path, 0755), 0);
		snprintf(path, sizeof(path), "d%02d/x.mft", i);
		put(path);
		snprintf(path, sizeof(path), "d%02d/s/y.mft", i);
		put(path);
	}
	for (i = 0; i < NVISIT; i++) {
		tseen[i][0] = '\0';
		tv[i] = (struct tree_visit){ tseen[i], want_mft, tenter, tfile,
		    tleave };
		tvs[i] = &tv[i];
	}
	assert_int_equal(tree_walk_times(dfd, tvs, NVISIT, WALK_TIME), 0);
	assert_int_equal(mtime("."), WALK_TIME);
	assert_int_equal(tcount("enter '' 0\n", &w), 1);
	for (i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "d%02d", i);
		check_handed(path, "x.mft", 1);
		snprintf(path, sizeof(path), "d%02d/s", i);
		check_handed(path, "y.mft", 2);
	}
	/* Each enter has its leave: 1 + 2 * NDIRS + sub, of both. */
	assert_int_equal(tcount("leave 0\n", &w), 1);
	assert_int_equal(tcount("leave 1\n", &w), NDIRS + 1);
	assert_int_equal(tcount("leave 2\n", &w), NDIRS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
