/*
 * Unit tests of the checks written once: a UUID (rsyncswap/base/uuid.c),
 * hex (rsyncswap/base/hex.c) and the revision name (rsyncswap/tree/swap.c),
 * made and parsed back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rsyncswap/base/hex.h"
#include "rsyncswap/base/uuid.h"
#include "rsyncswap/tree/swap.h"

#define SESSION	"9df4b597-af9e-4dca-bdda-719cce2c4e28"

static void
test_uuid(void **unused)
{
	(void)unused;
	assert_true(uuid_valid(SESSION, strlen(SESSION)));
	assert_true(uuid_valid("9DF4B597-AF9E-4DCA-BDDA-719CCE2C4E28", 36));
	assert_false(uuid_valid(SESSION, 35));
	assert_false(uuid_valid("9df4b597-af9e-4dca-bdda-719cce2c4e2g", 36));
	assert_false(uuid_valid("9df4b597_af9e-4dca-bdda-719cce2c4e28", 36));
	assert_false(uuid_valid("9df4b5970af9e-4dca-bdda-719cce2c4e2", 36));
	assert_false(uuid_valid("", 0));
}

static void
test_hex(void **unused)
{
	const unsigned char b[4] = { 0x00, 0x9f, 0xa0, 0xff };
	unsigned char out[4];
	char h[9];

	(void)unused;
	hex_encode(b, sizeof(b), h);
	h[8] = '\0';
	assert_string_equal(h, "009fa0ff");
	assert_int_equal(hex_decode("009FA0ff", 4, out), 0);
	assert_memory_equal(out, b, sizeof(b));
	assert_int_equal(hex_decode("009fa0fg", 4, out), -1);
	assert_int_equal(hex_decode("0 9fa0ff", 4, out), -1);
}

static void
test_revision_name(void **unused)
{
	char name[128], session[UUID_LEN + 1];
	long long serial;

	(void)unused;
	assert_int_equal(swap_revision_name(name, sizeof(name), SESSION, 42),
	    0);
	assert_string_equal(name, "session_" SESSION "_serial_42");
	assert_true(swap_parse_revision_name(name, session, &serial));
	assert_string_equal(session, SESSION);
	assert_int_equal(serial, 42);
	assert_true(swap_is_revision_name(name));
	assert_int_equal(swap_revision_name(name, 20, SESSION, 42), -1);

	snprintf(name, sizeof(name), "session_" SESSION "_serial_%lld",
	    LLONG_MAX);
	assert_true(swap_parse_revision_name(name, NULL, &serial));
	assert_true(serial == LLONG_MAX);

	assert_false(swap_is_revision_name("session_" SESSION "_serial_0"));
	assert_false(swap_is_revision_name("session_" SESSION "_serial_042"));
	assert_false(swap_is_revision_name("session_" SESSION "_serial_"));
	assert_false(swap_is_revision_name("session_" SESSION "_serial_4x"));
	assert_false(swap_is_revision_name("session_" SESSION "_serial_-4"));
	assert_false(swap_is_revision_name("session_" SESSION
	    "_serial_9223372036854775808"));
	assert_false(swap_is_revision_name("session_9df4b597_serial_4"));
	assert_false(swap_is_revision_name("session_" SESSION "x_serial_4"));
	assert_false(swap_is_revision_name(".tmp-0123456789ab"));
	assert_false(swap_is_revision_name("current"));
	assert_false(swap_is_revision_name(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_revision_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
