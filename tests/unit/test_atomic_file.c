/*
 * Unit tests of rsyncswap/base/atomic_file.c on real files in a temporary
 * directory: a committed file has its content and mode and replaces the
 * old one by a new inode; an aborted or failed write leaves the old file
 * and no temporary file (and, under ASan, no leaked FILE).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "tests/unit/tmpdir.h"

static char	dir[1024], path[PATH_MAX];

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_atomic.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/out", dir);
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	return tmpdir_remove(dir);
}

/* Returns the number of entries of dir starting with TMP_PREFIX. */
static int
temps(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			n++;
	closedir(d);
	return n;
}

/* Asserts that p holds exactly want. */
static void
holds(const char *p, const char *want)
{
	char buf[256];
	FILE *f = fopen(p, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, want);
}

/* Writes s to path through atomic_file_open and _commit. */
static void
write_one(const char *s, mode_t mode)
{
	struct atomic_file af;
	char err[256];

	assert_int_equal(atomic_file_open(&af, path, mode, err, sizeof(err)), 0);
	fputs(s, af.f);
	assert_int_equal(atomic_file_commit(&af, err, sizeof(err)), 0);
	assert_null(af.f);
}

static void
test_commit(void **unused)
{
	struct stat sb;
	mode_t old = umask(077);

	(void)unused;
	write_one("one\n", 0644);
	umask(old);
	holds(path, "one\n");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(temps(), 0);
}

static void
test_temp_name(void **unused)
{
	struct atomic_file af;
	char err[256], want[PATH_MAX];

	(void)unused;
	assert_int_equal(atomic_file_open(&af, path, 0600, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/" TMP_PREFIX "out-", dir);
	assert_memory_equal(af.tmp, want, strlen(want));
	assert_int_equal(strlen(af.tmp), strlen(want) + 6);
	assert_int_equal(temps(), 1);
	atomic_file_abort(&af);
	assert_int_equal(temps(), 0);
}

static void
test_replace_new_inode(void **unused)
{
	struct stat a, b;

	(void)unused;
	write_one("one\n", 0644);
	assert_int_equal(stat(path, &a), 0);
	write_one("two\n", 0644);
	assert_int_equal(stat(path, &b), 0);
	holds(path, "two\n");
	assert_true(a.st_ino != b.st_ino);
	assert_int_equal(temps(), 0);
}

static void
test_abort_keeps_old(void **unused)
{
	struct atomic_file af;
	char err[256];

	(void)unused;
	write_one("one\n", 0644);
	assert_int_equal(atomic_file_open(&af, path, 0644, err, sizeof(err)), 0);
	fputs("half", af.f);
	atomic_file_abort(&af);
	assert_null(af.f);
	atomic_file_abort(&af);		/* twice is harmless */
	holds(path, "one\n");
	assert_int_equal(temps(), 0);
}

static void
test_failed_write(void **unused)
{
	struct atomic_file af;
	char err[256];

	(void)unused;
	write_one("one\n", 0644);
	assert_int_equal(atomic_file_open(&af, path, 0644, err, sizeof(err)), 0);
	/* The write fails when flushed: the descriptor is gone. */
	close(fileno(af.f));
	fputs("two\n", af.f);
	err[0] = '\0';
	assert_int_equal(atomic_file_commit(&af, err, sizeof(err)), -1);
	assert_null(af.f);
	assert_non_null(strstr(err, TMP_PREFIX "out-"));
	holds(path, "one\n");
	assert_int_equal(temps(), 0);
}

static void
test_failed_rename(void **unused)
{
	struct atomic_file af;
	char err[256], to[PATH_MAX];

	(void)unused;
	write_one("one\n", 0644);
	assert_int_equal(atomic_file_open(&af, path, 0644, err, sizeof(err)), 0);
	fputs("two\n", af.f);
	snprintf(to, sizeof(to), "%s/missing/out", dir);
	assert_int_equal(atomic_file_commit_as(&af, to, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing/out"));
	holds(path, "one\n");
	assert_int_equal(temps(), 0);
}

static void
test_commit_as(void **unused)
{
	struct atomic_file af;
	char err[256], to[PATH_MAX];

	(void)unused;
	snprintf(to, sizeof(to), "%s/sub", dir);
	assert_int_equal(mkdir(to, 0755), 0);
	snprintf(to, sizeof(to), "%s/sub/final", dir);
	assert_int_equal(atomic_file_open(&af, path, 0644, err, sizeof(err)), 0);
	fputs("moved\n", af.f);
	assert_int_equal(atomic_file_commit_as(&af, to, err, sizeof(err)), 0);
	holds(to, "moved\n");
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(temps(), 0);
}

static void
test_open_fails(void **unused)
{
	struct atomic_file af;
	char err[2 * PATH_MAX + 64], p[PATH_MAX + 16];

	(void)unused;
	snprintf(p, sizeof(p), "%s/missing/out", dir);
	assert_int_equal(atomic_file_open(&af, p, 0644, err, sizeof(err)), -1);
	assert_null(af.f);
	assert_non_null(strstr(err, "missing/" TMP_PREFIX "out-"));
	memset(p, 'a', sizeof(p) - 1);
	p[sizeof(p) - 1] = '\0';
	assert_int_equal(atomic_file_open(&af, p, 0644, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temp_name, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replace_new_inode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abort_keeps_old, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_write, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_rename, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_as, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_fails, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
