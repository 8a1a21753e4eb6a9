/*
 * libFuzzer target for rsyncswap/base/uri.c. The input is split at its first NUL
 * into two strings. Besides crashes, it aborts when uri_rsync_to_path
 * accepts something that could escape the revision directory.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. -o fuzz_uri \
 *       tests/fuzz/fuzz_uri.c rsyncswap/base/uri.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless path is a safe relative path of min to max segments. */
static void
check_path(const char *path, size_t min, size_t max)
{
	const char	*p, *seg;
	size_t		 n = 0, len;

	for (p = path; ; p++) {
		seg = p;
		while (*p != '/' && *p != '\0')
			p++;
		len = p - seg;
		if (len == 0 || len > MAX_FN_LENGTH ||
		    (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			abort();
		for (; seg < p; seg++)
			if ((unsigned char)*seg <= 0x20 ||
			    (unsigned char)*seg >= 0x7f || *seg == '\\')
				abort();
		n++;
		if (*p == '\0')
			break;
	}
	if (n < min || n > max)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*a, *b, path[MAX_URI_LENGTH + 1], host[MAX_FN_LENGTH + 1];
	char		 full[MAX_URI_LENGTH + 1], want[2 * MAX_URI_LENGTH];
	const char	*why, *rest;

	if ((a = malloc(size + 2)) == NULL)
		return 0;
	memcpy(a, data, size);
	a[size] = a[size + 1] = '\0';
	b = a + strlen(a) + 1;		/* "" when there is no NUL */

	if (uri_rsync_to_path(a, 0, path, sizeof(path), host, sizeof(host),
	    &why) == 0) {
		check_path(path, 2, MAX_PATH_DEPTH + 1);
		check_path(host, 1, 1);
		/* With the host, the same path below the host's directory. */
		snprintf(want, sizeof(want), "%s/%s", host, path);
		if (uri_rsync_to_path(a, 1, full, sizeof(full), NULL, 0,
		    &why) == 0) {
			check_path(full, 3, MAX_PATH_DEPTH + 2);
			if (strcmp(full, want) != 0)
				abort();
		} else if (strlen(want) < sizeof(full))
			abort();
	} else if (why == NULL)
		abort();
	(void)uri_valid_http(a, 0);
	(void)uri_valid_http(a, 1);
	if (uri_same_origin(a, b) != uri_same_origin(b, a))
		abort();
	if ((rest = uri_below_dir(a, b)) != NULL) {
		if (rest < a || rest > a + strlen(a))
			abort();
		if (strlen(a) > MAX_URI_LENGTH)
			abort();
		check_path(rest, 1, MAX_PATH_DEPTH);
	}
	free(a);
	return 0;
}
