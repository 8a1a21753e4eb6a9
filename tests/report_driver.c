/*
 * Runs report_main as `rsyncswap report` would, for tests/system/report.sh
 * while rsyncswap/main.c does not dispatch "report" yet.
 */
#include "rsyncswap/report.h"

int	main(int, char *[]);

int
main(int argc, char *argv[])
{
	return report_main(argc - 1, argv + 1);
}
