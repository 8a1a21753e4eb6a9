/*
 * Unit tests of the one option table (rsyncswap/cli/opts.c): every option
 * id has one spelling there, opt_name() gives it, and a message of a part
 * below cli/ spells the option as the table does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rsyncswap/base/optname.h"
#include "rsyncswap/cli/opts.h"
#include "rsyncswap/sweep/privs.h"

/* The ids with a short form. */
static const int letters[] = {
	OPT_STATE_DIR, OPT_RSYNC_DIR, OPT_VERBOSE, OPT_QUIET, OPT_HELP,
	OPT_VERSION,
};

/* Returns the entries of the table for id that are not aliases. */
static int
entries(int id, const struct cli_opt **first)
{
	int n = 0;

	for (size_t i = 0; i < cli_nopts; i++)
		if (cli_opts[i].id == id && cli_opts[i].help != NULL) {
			if (n++ == 0)
				*first = &cli_opts[i];
		}
	return n;
}

/* Checks that id has one entry and opt_name() is its spelling. */
static void
check_id(int id)
{
	const struct cli_opt *o = NULL;
	const char *name = opt_name((enum opt_id)id);

	assert_int_equal(entries(id, &o), 1);
	assert_ptr_equal(name, o->name);
	assert_true(strncmp(name, "--", 2) == 0);
	assert_true(name[2] >= 'a' && name[2] <= 'z');
}

static void
test_every_id_spelled_once(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		check_id(letters[i]);
	for (int id = OPT_SOURCE; id < OPT_ID_END; id++)
		check_id(id);
	assert_true(cli_nopts <= CLI_OPTS_MAX);
	assert_string_equal(opt_name(OPT_MIN_OBJECTS), "--min-objects");
	assert_string_equal(opt_name(OPT_STATE_DIR), "--state-dir");
}

static void
test_aliases_and_ids(void **unused)
{
	const struct cli_opt *o;

	(void)unused;
	for (size_t i = 0; i < cli_nopts; i++) {
		/* An alias stands for an option listed in --help. */
		if (cli_opts[i].help == NULL)
			assert_int_equal(entries(cli_opts[i].id, &o), 1);
		/* Every entry's id is one of base/optname.h. */
		assert_true(cli_opts[i].id < OPT_ID_END);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(cli_opts[i].name,
			    cli_opts[j].name);
	}
	assert_string_equal(opt_name(OPT_SOURCE), "--source-uri-base");
	assert_non_null(opt_name(OPT_ID_END));
}

/* A part below cli/ names the option through the table. */
static void
test_message_spelling(void **unused)
{
	struct privs p;
	char err[256], want[256];

	(void)unused;
	assert_int_equal(privs_lookup("no-such-user-rsyncswap", &p, err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s no-such-user-rsyncswap: no such user",
	    opt_name(OPT_USER));
	assert_string_equal(err, want);
	assert_string_equal(err, "--user no-such-user-rsyncswap: no such user");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_id_spelled_once),
		cmocka_unit_test(test_aliases_and_ids),
		cmocka_unit_test(test_message_spelling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
