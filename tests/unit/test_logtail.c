/*
 * Unit tests of rsyncswap/rsyncd/logtail.c on real files: numbered lines are
 * written while the file is rotated (rename + new file with the old one
 * still written to, copytruncate, deletion + re-creation, a partial last
 * line completed later, an over-long line); every line must arrive exactly
 * once. The last test forks a writer that reopens the file by name for
 * every line (as rsyncd does per connection) while the parent rotates it
 * repeatedly and reads with poll(2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rsyncd/logtail.h"
#include "tests/unit/tmpdir.h"

#define NLINES	20000

static char	dir[1024], logp[PATH_MAX], old1[PATH_MAX], old2[PATH_MAX];
static char	err[ERR_MAX];

/* How often each number arrived; other lines seen. */
static unsigned char	got[NLINES + 1];
static unsigned		other, longest;

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_logtail.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(logp, sizeof(logp), "%s/rsyncd.log", dir);
	snprintf(old1, sizeof(old1), "%s/rsyncd.log.1", dir);
	snprintf(old2, sizeof(old2), "%s/rsyncd.log.2", dir);
	memset(got, 0, sizeof(got));
	other = longest = 0;
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	return tmpdir_remove(dir);
}

static void
on_line(const char *line, size_t len, void *arg)
{
	char	b[32];
	long	n;

	(void)arg;
	if (len > longest)
		longest = len;
	if (len < 6 || len > 20 || memcmp(line, "line ", 5) != 0) {
		other++;
		return;
	}
	memcpy(b, line + 5, len - 5);
	b[len - 5] = '\0';
	n = strtol(b, NULL, 10);
	assert_in_range(n, 1, NLINES);
	got[n]++;
}

/* Appends "line N\n" for N in [from, to] to the file under path. */
static void
append(const char *path, int from, int to)
{
	FILE	*f;
	int	 i;

	assert_non_null(f = fopen(path, "a"));
	for (i = from; i <= to; i++)
		fprintf(f, "line %d\n", i);
	assert_int_equal(fclose(f), 0);
}

/* Appends the raw string s to path. */
static void
append_raw(const char *path, const char *s)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "a"));
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

static void
rd(struct logtail *lt)
{
	if (logtail_read(lt, on_line, NULL, err, sizeof(err)) == -1)
		fail_msg("logtail_read: %s", err);
}

/* Fails unless lines 1..n arrived exactly once each, and nothing else. */
static void
check_once(int n)
{
	int	i;

	for (i = 1; i <= n; i++)
		if (got[i] != 1)
			fail_msg("line %d arrived %d times", i, got[i]);
	for (; i <= NLINES; i++)
		if (got[i] != 0)
			fail_msg("line %d arrived but was never written", i);
	assert_int_equal(other, 0);
}

static void
test_start_at_end_and_partial(void **unused)
{
	struct logtail		*lt;
	struct logtail_stats	 st;

	(void)unused;
	append(logp, 1000, 1001);
	append_raw(logp, "line 10");	/* half a line before we start */
	assert_non_null(lt = logtail_open(logp, 0, err, sizeof(err)));
	append_raw(logp, "02\n");	/* its rest: not delivered */
	append(logp, 1, 3);
	append_raw(logp, "line ");
	rd(lt);
	check_once(3);
	append_raw(logp, "4\n");	/* the partial line completed later */
	rd(lt);
	check_once(4);
	logtail_stats(lt, &st);
	assert_int_equal(st.lines, 4);
	logtail_close(lt);
}

static void
test_from_start(void **unused)
{
	struct logtail	*lt;

	(void)unused;
	append(logp, 1, 5);
	assert_non_null(lt = logtail_open(logp, 1, err, sizeof(err)));
	rd(lt);
	check_once(5);
	logtail_close(lt);
}

static void
test_rename_and_new(void **unused)
{
	struct logtail		*lt;
	struct logtail_stats	 st;
	int			 oldfd;

	(void)unused;
	append(logp, 1, 10);
	assert_non_null(lt = logtail_open(logp, 1, err, sizeof(err)));
	rd(lt);
	/* A connection child keeps the old file open across the rotation. */
	assert_true((oldfd = open(logp, O_WRONLY | O_APPEND)) != -1);
	append(logp, 11, 20);			/* unread when rotated */
	assert_int_equal(rename(logp, old1), 0);
	append(logp, 21, 30);			/* the new file */
	assert_true(dprintf(oldfd, "line 31\nline 3") > 0);
	rd(lt);
	check_once(31);			/* not the partial "line 3" */
	assert_true(dprintf(oldfd, "2\n") > 0);	/* late, into the old file */
	append(logp, 33, 40);
	rd(lt);
	check_once(40);
	close(oldfd);
	logtail_stats(lt, &st);
	assert_int_equal(st.rotations, 1);
	logtail_close(lt);
}

static void
test_copytruncate(void **unused)
{
	struct logtail		*lt;
	struct logtail_stats	 st;

	(void)unused;
	append(logp, 1, 100);
	assert_non_null(lt = logtail_open(logp, 1, err, sizeof(err)));
	rd(lt);
	/* logrotate copytruncate: copy, then truncate in place. */
	assert_int_equal(truncate(logp, 0), 0);
	append(logp, 101, 105);		/* shorter than what was read */
	rd(lt);
	check_once(105);
	logtail_stats(lt, &st);
	assert_int_equal(st.truncations, 1);
	assert_int_equal(st.rotations, 0);
	logtail_close(lt);
}

static void
test_delete_and_recreate(void **unused)
{
	struct logtail	*lt;

	(void)unused;
	append(logp, 1, 10);
	assert_non_null(lt = logtail_open(logp, 1, err, sizeof(err)));
	append(logp, 11, 12);
	assert_int_equal(unlink(logp), 0);
	rd(lt);				/* lines 11, 12 of the deleted file */
	check_once(12);
	rd(lt);				/* nothing there: waits */
	append(logp, 13, 20);
	rd(lt);
	check_once(20);
	logtail_close(lt);
	/* A path that does not exist yet is read from its start. */
	assert_int_equal(unlink(logp), 0);
	memset(got, 0, sizeof(got));
	assert_non_null(lt = logtail_open(logp, 0, err, sizeof(err)));
	rd(lt);
	append(logp, 1, 3);
	rd(lt);
	check_once(3);
	logtail_close(lt);
}

static void
test_long_line(void **unused)
{
	struct logtail		*lt;
	struct logtail_stats	 st;
	char			*big;

	(void)unused;
	assert_non_null(big = malloc(RSYNCD_LINE_MAX + 3));
	assert_non_null(lt = logtail_open(logp, 1, err, sizeof(err)));
	append(logp, 1, 1);
	memset(big, 'x', RSYNCD_LINE_MAX + 1);
	big[RSYNCD_LINE_MAX + 1] = '\0';
	append_raw(logp, big);		/* one byte over: cut */
	append_raw(logp, "\n");
	big[RSYNCD_LINE_MAX] = '\0';
	append_raw(logp, big);		/* exactly the bound: delivered */
	append_raw(logp, "\n");
	append(logp, 2, 2);
	rd(lt);
	assert_int_equal(other, 1);
	assert_int_equal(longest, RSYNCD_LINE_MAX);
	other = 0;
	check_once(2);
	logtail_stats(lt, &st);
	assert_int_equal(st.cut, 1);
	logtail_close(lt);
	free(big);
}

/* Child: writes lines 1..NLINES, reopening the file by name for each. */
static void
writer(void)
{
	int	i, fd;
	char	b[32];

	for (i = 1; i <= NLINES; i++) {
		if ((fd = open(logp, O_WRONLY | O_APPEND | O_CREAT, 0644)) == -1)
			_exit(1);
		snprintf(b, sizeof(b), "line %d\n", i);
		if (write(fd, b, strlen(b)) != (ssize_t)strlen(b))
			_exit(1);
		close(fd);
		if (i % 50 == 0)
			usleep(200);
	}
	_exit(0);
}

static void
test_rotate_under_writer(void **unused)
{
	struct logtail		*lt;
	struct logtail_stats	 st;
	struct pollfd		 pfd;
	pid_t			 pid;
	unsigned long long	 next = 400;
	int			 status, rot = 0, i, done = 0;

	(void)unused;
	append_raw(logp, "");
	assert_non_null(lt = logtail_open(logp, 1, err, sizeof(err)));
	if ((pid = fork()) == 0)
		writer();
	assert_true(pid > 0);
	while (!done) {
		pfd.fd = logtail_fd(lt);
		pfd.events = POLLIN;
		poll(&pfd, 1, 10);
		rd(lt);
		/* Rotate by rename every 400 lines: .1 -> .2, log -> .1. */
		logtail_stats(lt, &st);
		if (st.lines >= next) {
			rename(old1, old2);
			rename(logp, old1);
			next = st.lines + 400;
			rot++;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			done = 1;
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < 3; i++)
		rd(lt);
	check_once(NLINES);
	logtail_stats(lt, &st);
	assert_true(rot >= 20);
	assert_true(st.rotations > 0);
	print_message("%llu lines, %d renames, %llu new files seen\n", st.lines,
	    rot, st.rotations);
	logtail_close(lt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_at_end_and_partial,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_and_new, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_recreate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_under_writer, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
