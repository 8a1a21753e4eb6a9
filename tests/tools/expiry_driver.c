/*
 * Test driver: runs `rsyncswap expiry` (expiry_main) from the library, for
 * the system tests until main.c dispatches "expiry" itself. Usage:
 *	expiry_driver expiry [--json] [--warn HOURS] [--check] DIR
 * Built by tests/system/expiry.sh against $BUILD/librsyncswap.a.
 */
#include "rsyncswap/expiry_cmd.h"

int
main(int argc, char *argv[])
{
	if (argc < 2)
		return 2;
	return expiry_main(argc - 1, argv + 1);
}
