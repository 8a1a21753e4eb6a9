/*
 * Unit tests of rsyncswap/sync/sync_apply.c on a real revision: the
 * one-host rule (the module layout takes the objects of one host, any
 * port; --flat of one host and module; --include-host of any), a bad
 * object URI fatal and named, a change that does not apply not fatal, a
 * second publish of one URI in a snapshot named so, and the counts.
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

#include "rsyncswap/sync/sync_apply.h"
#include "rsyncswap/tree/digest.h"
#include "tests/unit/tmpdir.h"

#define REV1	"session_9df4b597-af9e-4dca-bdda-719cce2c4e28_serial_1"

static char		dir[1024];
static int		dfd = -1;
static char		err[512];
static struct apply	a;
/* An object sink counting what it is told (sync_hook.h). */
static size_t		told;
static struct sync_hook	counter;
static struct sync_hooks hooks;

static int
count_object(void *arg, const char *path)
{
	(void)arg;
	(void)path;
	told++;
	return 0;
}

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_sync_apply.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	a.snapshot = 1;
	told = 0;
	memset(&counter, 0, sizeof(counter));
	counter.object = count_object;
	memset(&hooks, 0, sizeof(hooks));
	if (sync_hooks_add(&hooks, &counter) == -1)
		return -1;
	a.hooks = &hooks;
	if ((a.rev = revision_begin(dfd, 0, err, sizeof(err))) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	revision_abort(a.rev);
	close(dfd);
	return tmpdir_remove(dir);
}

/* apply_publish of the string data at uri (old: the replaced content). */
static int
pub(const char *uri, const char *old, const char *data)
{
	unsigned char md[DIGEST_LEN];

	if (old != NULL)
		assert_int_equal(digest_sha256(old, strlen(old), md), 0);
	err[0] = '\0';
	return apply_publish(&a, uri, old != NULL ? md : NULL,
	    (const unsigned char *)data, strlen(data), err, sizeof(err));
}

/* Returns 1 if path exists in the revision being built. */
static int
built(const char *path)
{
	struct stat sb;
	char p[PATH_MAX];

	/* Commit to look: the temporary name is the revision's own. */
	assert_int_equal(revision_commit(a.rev, REV1, NULL, 0, err,
	    sizeof(err)), 0);
	a.rev = NULL;
	snprintf(p, sizeof(p), "%s/%s", REV1, path);
	return fstatat(dfd, p, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static void
test_one_host(void **unused)
{
	(void)unused;
	a.layout = LAYOUT_MODULE;
	assert_int_equal(pub("rsync://RPKI.example.net/repo/a.cer", NULL, "a"),
	    0);
	assert_string_equal(a.host, "rpki.example.net");
	/* The same host: another module, another port, another case. */
	assert_int_equal(pub("rsync://rpki.example.net/other/b.cer", NULL,
	    "b"), 0);
	assert_int_equal(pub("rsync://rpki.EXAMPLE.net:873/repo/c.cer", NULL,
	    "c"), 0);
	assert_int_equal(a.fatal, 0);
	/* Another host: fatal, both named, the way out said. */
	assert_int_equal(pub("rsync://evil.example.org/repo/d.cer", NULL, "d"),
	    -1);
	assert_int_equal(a.fatal, 1);
	assert_non_null(strstr(err, "rpki.example.net"));
	assert_non_null(strstr(err, "evil.example.org"));
	assert_non_null(strstr(err, "--include-host"));
	assert_string_equal(a.host, "rpki.example.net");
	assert_int_equal(a.publishes, 3);
	assert_true(built("repo/a.cer"));
}

static void
test_one_host_withdraw(void **unused)
{
	unsigned char md[DIGEST_LEN];

	(void)unused;
	a.layout = LAYOUT_MODULE;
	assert_int_equal(pub("rsync://rpki.example.net/repo/a.cer", NULL, "a"),
	    0);
	assert_int_equal(digest_sha256("a", 1, md), 0);
	/* A withdraw is held to the rule as well. */
	assert_int_equal(apply_withdraw(&a, "rsync://evil.example.org/repo/"
	    "a.cer", md, err, sizeof(err)), -1);
	assert_int_equal(a.fatal, 1);
	assert_int_equal(a.withdraws, 0);
	a.fatal = 0;
	assert_int_equal(apply_withdraw(&a, "rsync://rpki.example.net/repo/"
	    "a.cer", md, err, sizeof(err)), 0);
	assert_int_equal(a.withdraws, 1);
	assert_false(built("repo/a.cer"));
}

static void
test_flat(void **unused)
{
	(void)unused;
	a.layout = LAYOUT_FLAT;
	assert_int_equal(pub("rsync://rpki.example.net/repo/ca/a.cer", NULL,
	    "a"), 0);
	assert_string_equal(a.host, "rpki.example.net/repo");
	/* --flat: one module too. */
	assert_int_equal(pub("rsync://rpki.example.net/other/b.cer", NULL,
	    "b"), -1);
	assert_int_equal(a.fatal, 1);
	assert_non_null(strstr(err, "--flat"));
	assert_true(built("ca/a.cer"));
}

static void
test_include_host(void **unused)
{
	(void)unused;
	a.layout = LAYOUT_HOST;
	assert_int_equal(pub("rsync://one.example.net/repo/a.cer", NULL, "a"),
	    0);
	assert_int_equal(pub("rsync://TWO.example.net:8873/repo/a.cer", NULL,
	    "b"), 0);
	assert_int_equal(a.fatal, 0);
	assert_int_equal(a.publishes, 2);
	assert_string_equal(a.host, "");
	assert_true(built("two.example.net/repo/a.cer"));
}

static void
test_bad_uri(void **unused)
{
	static const char *bad[] = {
		"rsync://rpki.example.net/repo/../x.cer",
		"rsync://rpki.example.net/repo/",
		"https://rpki.example.net/repo/a.cer",
		"rsync://rpki.example.net/repo/a\001.cer",
	};

	(void)unused;
	a.layout = LAYOUT_MODULE;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.fatal = 0;
		assert_int_equal(pub(bad[i], NULL, "x"), -1);
		assert_int_equal(a.fatal, 1);
		assert_non_null(strstr(err, "bad object URI"));
	}
	assert_int_equal(a.publishes, 0);
	/* No host was taken from a refused URI. */
	assert_string_equal(a.host, "");
}

static void
test_not_applying(void **unused)
{
	(void)unused;
	a.layout = LAYOUT_MODULE;
	assert_int_equal(pub("rsync://rpki.example.net/repo/a.cer", NULL, "a"),
	    0);
	/* Twice in one snapshot: named so, by its URI. */
	assert_int_equal(pub("rsync://rpki.example.net/repo/a.cer", NULL, "b"),
	    -1);
	assert_string_equal(err,
	    "rsync://rpki.example.net/repo/a.cer is published twice");
	assert_int_equal(a.fatal, 0);
	/* In a delta, a replace of another content fails, not fatal (the
	   snapshot may still do). */
	a.snapshot = 0;
	assert_int_equal(pub("rsync://rpki.example.net/repo/a.cer", "b", "c"),
	    -1);
	assert_int_equal(a.fatal, 0);
	assert_non_null(strstr(err, "hash does not match"));
	assert_int_equal(pub("rsync://rpki.example.net/repo/a.cer", "a", "c"),
	    0);
	assert_int_equal(a.publishes, 2);
}

static void
test_delta_touched(void **unused)
{
	(void)unused;
	a.layout = LAYOUT_MODULE;
	/* A snapshot tells the object sinks nothing... */
	assert_int_equal(pub("rsync://rpki.example.net/repo/ca/a.cer", NULL,
	    "a"), 0);
	assert_int_equal(told, 0);
	/* ...a delta each object it changed. */
	a.snapshot = 0;
	assert_int_equal(pub("rsync://rpki.example.net/repo/cb/b.cer", NULL,
	    "b"), 0);
	assert_true(told >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_host_withdraw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_host, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_uri, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_applying, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delta_touched, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
