/*
 * Test driver: runs the rsyncswap command line (cmd_main) from the library,
 * for the system tests that preload libfaketime before the ASan runtime.
 * Usage:
 *	expiry_driver expiry [--json] [--warn HOURS] [--check] DIR
 * Built by tests/system/expiry.sh against $BUILD/librsyncswap.a.
 */
#include "rsyncswap/cli/cmd.h"

int
main(int argc, char *argv[])
{
	return cmd_main(argc, argv);
}
