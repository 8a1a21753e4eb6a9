#include "rsyncswap/base/hex.h"
#include "rsyncswap/base/uuid.h"

int
uuid_valid(const char *s, size_t len)
{
	size_t i;

	if (len != UUID_LEN)
		return 0;
	for (i = 0; i < UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (hex_value(s[i]) < 0)
			return 0;
	}
	return 1;
}
