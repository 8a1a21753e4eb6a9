/*
 * A main() for the libFuzzer targets without libFuzzer: runs each file
 * named on the command line through LLVMFuzzerTestOneInput once. Used by
 * tests/system/fuzz-regress.sh to replay tests/data/fuzz-regress under the
 * (sanitized) build of make check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
	unsigned char	*buf;
	size_t		 len, cap;
	FILE		*f;

	for (int i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		len = 0;
		cap = 4096;
		if ((buf = malloc(cap)) == NULL)
			abort();
		for (size_t n; (n = fread(buf + len, 1, cap - len, f)) > 0;) {
			len += n;
			if (len == cap && (buf = realloc(buf, cap *= 2)) == NULL)
				abort();
		}
		if (ferror(f)) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		/* A copy of exactly len bytes, so ASan sees any overread. */
		unsigned char *exact = malloc(len > 0 ? len : 1);
		if (exact == NULL)
			abort();
		for (size_t j = 0; j < len; j++)
			exact[j] = buf[j];
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		printf("replayed %s\n", argv[i]);
	}
	return 0;
}
