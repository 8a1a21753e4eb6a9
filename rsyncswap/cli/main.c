/* rsyncswap: the program. Everything lives in the library (cmd.c). */
#include "rsyncswap/cli/cmd.h"

int
main(int argc, char *argv[])
{
	return cmd_main(argc, argv);
}
