/*
 * Unit tests of rsyncswap/readers/rsyncdconf.c: an rsync daemon serves the
 * rsync directory when a module path of its configuration lies inside it
 * (through the current symlink, or by its text when it does not exist
 * yet); comments, other trees and a name that only starts like the
 * directory do not count; what is not followed (&include, %VAR%, relative
 * paths, a line too long) leaves it unknown; the file is found from
 * --config in either form, and a FIFO is not read.
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

#include "rsyncswap/readers/rsyncdconf.h"
#include "tests/unit/tmpdir.h"

static char	dir[PATH_MAX];		/* the scratch directory, real path */
static char	base[PATH_MAX];		/* dir/rsync: the rsync directory */

static int
setup(void **unused)
{
	char p[PATH_MAX], made[PATH_MAX];

	(void)unused;
	if (tmpdir_make(made, sizeof(made), "test_rsyncdconf") == -1 ||
	    realpath(made, dir) == NULL)
		return -1;
	snprintf(base, sizeof(base), "%s/rsync", dir);
	if (mkdir(base, 0755) == -1)
		return -1;
	snprintf(p, sizeof(p), "%s/rsync/session_x_serial_1", dir);
	if (mkdir(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof(p), "%s/rsync/session_x_serial_1/repo", dir);
	if (mkdir(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof(p), "%s/rsync/current", dir);
	return symlink("session_x_serial_1", p);
}

static int
teardown(void **unused)
{
	(void)unused;
	return tmpdir_remove(dir);
}

/* Returns the verdict of the configuration text conf below root. */
static enum rsyncd_conf_verdict
verdict_of(const char *conf, const char *root)
{
	enum rsyncd_conf_verdict v;
	FILE *f;

	assert_non_null(f = fmemopen((void *)conf, strlen(conf), "r"));
	v = rsyncd_conf_parse(f, root, base);
	fclose(f);
	return v;
}

/* Returns the verdict of "[repo]\npath = DIR/rest" and more. */
static enum rsyncd_conf_verdict
module_at(const char *fmt, const char *rest)
{
	char conf[2 * PATH_MAX];

	snprintf(conf, sizeof(conf), fmt, dir, rest);
	return verdict_of(conf, "/");
}

static void
test_parse(void **unused)
{
	char conf[PATH_MAX + 8192];

	/* Configurations, DIR for the scratch directory. */
	static const struct {
		const char			*fmt;	/* %s: DIR, then rest */
		const char			*rest;
		enum rsyncd_conf_verdict	 want;
	} cases[] = {
		/* A module of the current revision: through the symlink. */
		{ "uid = nobody\n[repo]\n\tpath = %s%s\n",
		    "/rsync/current/repo", RSYNCD_CONF_SERVES },
		/* krill-sync's layout: a trailing slash, no module dir. */
		{ "[repo]\npath = %s%s  \n", "/rsync/current/",
		    RSYNCD_CONF_SERVES },
		/* Not there yet (no revision): by its text. */
		{ "[repo]\npath = %s%s\n", "/rsync/later/repo",
		    RSYNCD_CONF_SERVES },
		/* Key case, no spaces, the global section. */
		{ "Path=%s%s\n[repo]\ncomment = x\n", "/rsync/current/repo",
		    RSYNCD_CONF_SERVES },
		/* Another tree, and a name that only starts like ours. */
		{ "[other]\npath = %s%s\n", "/other", RSYNCD_CONF_ELSEWHERE },
		{ "[other]\npath = %s%s\n", "/rsync2/x",
		    RSYNCD_CONF_ELSEWHERE },
		/* Comments, other keys that start with "path". */
		{ "# path = %s%s\n[o]\npath = /srv\n", "/rsync/current",
		    RSYNCD_CONF_ELSEWHERE },
		{ "; path = %s%s\n", "/rsync/current", RSYNCD_CONF_ELSEWHERE },
		{ "pathx = %s%s\n", "/rsync/current", RSYNCD_CONF_ELSEWHERE },
		/* What is not followed: unknown, unless a path matches. */
		{ "&include %s%s\n[o]\npath = /srv\n", "/conf.d",
		    RSYNCD_CONF_UNKNOWN },
		{ "[o]\npath = %s%s\n", "/%RSYNC_USER%", RSYNCD_CONF_UNKNOWN },
		{ "[o]\npath = rel%s%s\n", "", RSYNCD_CONF_UNKNOWN },
		{ "&merge /etc/x\n[repo]\npath = %s%s\n",
		    "/rsync/current/repo", RSYNCD_CONF_SERVES },
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (module_at(cases[i].fmt, cases[i].rest) != cases[i].want)
			fail_msg("case %zu: %s", i, cases[i].fmt);
	memset(conf, 'x', sizeof(conf) - 1);
	conf[sizeof(conf) - 1] = '\0';
	memcpy(conf, "path = /", 8);
	assert_int_equal(verdict_of(conf, "/"), RSYNCD_CONF_UNKNOWN);
	assert_int_equal(verdict_of("", "/"), RSYNCD_CONF_ELSEWHERE);
	/* A chrooted daemon's paths lie below its root. */
	snprintf(conf, sizeof(conf), "[repo]\npath = /current/repo\n");
	assert_int_equal(verdict_of(conf, base), RSYNCD_CONF_SERVES);
	assert_int_equal(verdict_of(conf, "/"), RSYNCD_CONF_ELSEWHERE);
}

/* Writes text to the file dir/name. */
static void
write_file(const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

/* Returns the verdict on this process run as rsync with args. */
static enum rsyncd_conf_verdict
as_daemon(const char *args, size_t len)
{
	struct rsyncd_conf_cache cache = { 0 };
	enum rsyncd_conf_verdict v;
	int pfd;

	assert_int_not_equal(pfd = open("/proc/self", O_RDONLY |
	    O_DIRECTORY), -1);
	v = rsyncd_conf_verdict(pfd, args, len, base, &cache);
	close(pfd);
	return v;
}

static void
test_cmdline(void **unused)
{
	char conf[PATH_MAX], args[3 * PATH_MAX];
	int n;

	(void)unused;
	snprintf(conf, sizeof(conf), "[repo]\npath = %s/rsync/current/repo\n",
	    dir);
	write_file("ours.conf", conf);
	write_file("other.conf", "[o]\npath = /srv/other\n");
	n = snprintf(args, sizeof(args), "rsync%c--daemon%c--config=%s/"
	    "ours.conf", 0, 0, dir);
	assert_int_equal(as_daemon(args, (size_t)n + 1), RSYNCD_CONF_SERVES);
	n = snprintf(args, sizeof(args), "rsync%c--daemon%c--config%c%s/"
	    "other.conf", 0, 0, 0, dir);
	assert_int_equal(as_daemon(args, (size_t)n + 1),
	    RSYNCD_CONF_ELSEWHERE);
	/* Relative: to the process's working directory. */
	assert_int_equal(chdir(dir), 0);
	n = snprintf(args, sizeof(args), "rsync%c--daemon%c--config=ours.conf",
	    0, 0);
	assert_int_equal(as_daemon(args, (size_t)n + 1), RSYNCD_CONF_SERVES);
	/* Missing, and a FIFO (not opened: this would block). */
	n = snprintf(args, sizeof(args), "rsync%c--daemon%c--config=%s/none",
	    0, 0, dir);
	assert_int_equal(as_daemon(args, (size_t)n + 1), RSYNCD_CONF_UNKNOWN);
	snprintf(conf, sizeof(conf), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(conf, 0644), 0);
	n = snprintf(args, sizeof(args), "rsync%c--daemon%c--config=%s", 0, 0,
	    conf);
	assert_int_equal(as_daemon(args, (size_t)n + 1), RSYNCD_CONF_UNKNOWN);
	assert_int_equal(chdir("/"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
