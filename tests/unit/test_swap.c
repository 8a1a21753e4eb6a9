/*
 * Unit tests of rsyncswap/tree/swap.c: one name per revision (made and read
 * back, no other spelling accepted), current read only when it is a
 * symlink to a revision name, and swapped by renaming a fresh relative
 * symlink over it, whatever a leftover current.tmp is (never followed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/uuid.h"
#include "rsyncswap/tree/swap.h"
#include "tests/unit/tmpdir.h"

#define SESSION	"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define REV1	"session_" SESSION "_serial_1"
#define REV2	"session_" SESSION "_serial_2"

static char	dir[1024], outside[1024];
static int	dfd = -1;
static char	err[512];

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_swap.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	snprintf(outside, sizeof(outside), "%s/test_swap_out.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL || mkdtemp(outside) == NULL)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd == -1 ? -1 : 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	close(dfd);
	tmpdir_remove(outside);
	return tmpdir_remove(dir);
}

static void
test_name_round_trip(void **unused)
{
	char buf[256], session[UUID_LEN + 1];
	long long serial = 0;

	(void)unused;
	assert_int_equal(swap_revision_name(buf, sizeof(buf), SESSION, 42), 0);
	assert_string_equal(buf, "session_" SESSION "_serial_42");
	assert_int_equal(swap_parse_revision_name(buf, session, &serial), 1);
	assert_string_equal(session, SESSION);
	assert_int_equal(serial, 42);
	assert_int_equal(swap_revision_name(buf, sizeof(buf), SESSION,
	    9223372036854775807LL), 0);
	assert_int_equal(swap_parse_revision_name(buf, NULL, &serial), 1);
	assert_true(serial == 9223372036854775807LL);
	/* Too small a buffer: -1, never a cut name. */
	assert_int_equal(swap_revision_name(buf, 20, SESSION, 1), -1);
}

static void
test_name_refused(void **unused)
{
	static const char *bad[] = {
		"",
		"current",
		"current.tmp",
		".tmp-0123456789ab",
		"session_" SESSION "_serial_",
		"session_" SESSION "_serial_0",
		"session_" SESSION "_serial_01",	/* one serial, one name */
		"session_" SESSION "_serial_-1",
		"session_" SESSION "_serial_1x",
		"session_" SESSION "_serial_1/",
		"session_" SESSION "_serial_9223372036854775808",
		"session_" SESSION "-serial_1",
		"session_9df4b597-af9e-4dca-bdda-719cce2c4e2_serial_1",
		"session_9df4b597-af9e-4dca-bdda-719cce2c4e28x_serial_1",
		"session_9df4b597_af9e_4dca_bdda_719cce2c4e28_serial_1",
		"Session_" SESSION "_serial_1",
		"../session_" SESSION "_serial_1",
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (swap_is_revision_name(bad[i]))
			fail_msg("accepted as a revision name: \"%s\"", bad[i]);
	}
	assert_int_equal(swap_is_revision_name(REV1), 1);
}

static void
test_read_current(void **unused)
{
	char buf[256];

	(void)unused;
	assert_int_equal(swap_read_current(dfd, buf, sizeof(buf), err,
	    sizeof(err)), 1);
	/* A directory named current (an old layout): refused, kept. */
	assert_int_equal(mkdirat(dfd, CURRENT_NAME, 0755), 0);
	assert_int_equal(swap_read_current(dfd, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a symlink"));
	assert_int_equal(unlinkat(dfd, CURRENT_NAME, AT_REMOVEDIR), 0);
	/* A symlink elsewhere than a revision of this directory. */
	assert_int_equal(symlinkat("/etc", dfd, CURRENT_NAME), 0);
	assert_int_equal(swap_read_current(dfd, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	assert_int_equal(unlinkat(dfd, CURRENT_NAME, 0), 0);
	assert_int_equal(symlinkat("./" REV1, dfd, CURRENT_NAME), 0);
	assert_int_equal(swap_read_current(dfd, buf, sizeof(buf), err,
	    sizeof(err)), -1);
	assert_int_equal(unlinkat(dfd, CURRENT_NAME, 0), 0);
	assert_int_equal(symlinkat(REV1, dfd, CURRENT_NAME), 0);
	assert_int_equal(swap_read_current(dfd, buf, sizeof(buf), err,
	    sizeof(err)), 0);
	assert_string_equal(buf, REV1);
}

/* Returns the target of current (a static buffer). */
static const char *
target(void)
{
	static char buf[256];
	ssize_t n;

	assert_true((n = readlinkat(dfd, CURRENT_NAME, buf,
	    sizeof(buf) - 1)) > 0);
	buf[n] = '\0';
	return buf;
}

static void
test_swap(void **unused)
{
	struct stat sb, before;
	char p[PATH_MAX];
	int fd;

	(void)unused;
	assert_int_equal(mkdirat(dfd, REV1, 0755), 0);
	assert_int_equal(mkdirat(dfd, REV2, 0755), 0);
	assert_int_equal(swap_current(dfd, REV1, err, sizeof(err)), 0);
	assert_string_equal(target(), REV1);
	assert_int_equal(fstatat(dfd, REV1, &before, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(swap_current(dfd, REV2, err, sizeof(err)), 0);
	assert_string_equal(target(), REV2);
	assert_int_equal(fstatat(dfd, CURRENT_NAME, &sb, AT_SYMLINK_NOFOLLOW),
	    0);
	assert_true(S_ISLNK(sb.st_mode));
	/* The old target is left as it was: the sweep's to remove. */
	assert_int_equal(fstatat(dfd, REV1, &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(sb.st_ino == before.st_ino);
	assert_int_equal(faccessat(dfd, CURRENT_TMP_NAME, F_OK,
	    AT_SYMLINK_NOFOLLOW), -1);

	/* A leftover current.tmp that is a symlink to a directory elsewhere:
	   replaced, not followed; what it points to is untouched. */
	snprintf(p, sizeof(p), "%s/keep", outside);
	assert_true((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644)) != -1);
	close(fd);
	assert_int_equal(symlinkat(outside, dfd, CURRENT_TMP_NAME), 0);
	assert_int_equal(swap_current(dfd, REV1, err, sizeof(err)), 0);
	assert_string_equal(target(), REV1);
	assert_int_equal(access(p, F_OK), 0);

	/* A leftover current.tmp that is a directory with content. */
	assert_int_equal(mkdirat(dfd, CURRENT_TMP_NAME, 0755), 0);
	assert_true((fd = openat(dfd, CURRENT_TMP_NAME "/f", O_WRONLY |
	    O_CREAT | O_EXCL, 0644)) != -1);
	close(fd);
	assert_int_equal(swap_current(dfd, REV2, err, sizeof(err)), 0);
	assert_string_equal(target(), REV2);
	assert_int_equal(faccessat(dfd, CURRENT_TMP_NAME, F_OK,
	    AT_SYMLINK_NOFOLLOW), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_round_trip),
		cmocka_unit_test(test_name_refused),
		cmocka_unit_test_setup_teardown(test_read_current, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
