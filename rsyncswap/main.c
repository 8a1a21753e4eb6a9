/* rsyncswap: the program. Everything lives in the library (cmd.c). */
#include "rsyncswap/cmd.h"

int
main(int argc, char *argv[])
{
	return cmd_main(argc, argv);
}
