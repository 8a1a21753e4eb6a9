#include <stdarg.h>
#include <stdio.h>

#include "rsyncswap/base/errbuf.h"

void
errbuf_set(char *buf, size_t bufsz, const char *fmt, ...)
{
	va_list	ap;

	if (buf == NULL || bufsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, bufsz, fmt, ap);
	va_end(ap);
}
