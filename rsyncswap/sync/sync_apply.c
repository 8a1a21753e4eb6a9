#include <stdio.h>
#include <string.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/sync/sync_apply.h"

/* Returns 0 and the path of uri in path, or -1 (fatal) with err set. */
static int
apply_path(struct apply *a, const char *uri, char *path, size_t pathsz,
    char *err, size_t errsz)
{
	const char *reason;
	char host[512];

	if (uri_rsync_to_path(uri, a->layout, path, pathsz, host,
	    sizeof(host), &reason) == -1) {
		snprintf(err, errsz, "bad object URI \"%.100s\": %s", uri,
		    reason);
		a->fatal = 1;
		return -1;
	}
	if (a->layout == LAYOUT_HOST)
		return 0;
	if (a->host[0] == '\0')
		snprintf(a->host, sizeof(a->host), "%s", host);
	else if (strcmp(a->host, host) != 0) {
		if (a->layout == LAYOUT_FLAT)
			snprintf(err, errsz, "objects of two modules or hosts "
			    "(rsync://%s/ and rsync://%s/) cannot share a tree "
			    "without the module directory: drop %s (and "
			    "serve current/MODULE/ per module)", a->host, host,
			    opt_name(OPT_FLAT));
		else
			snprintf(err, errsz, "objects of two hosts (%s and %s) "
			    "would share one tree; use %s", a->host,
			    host, opt_name(OPT_INCLUDE_HOST));
		a->fatal = 1;
		return -1;
	}
	return 0;
}

int
apply_publish(void *arg, const char *uri, const unsigned char *hash,
    const unsigned char *data, size_t len, char *err, size_t errsz)
{
	struct apply *a = arg;
	char path[MAX_URI_LENGTH + 1];
	int rc;

	if (apply_path(a, uri, path, sizeof(path), err, errsz) == -1)
		return -1;
	if (!a->snapshot && hooks_object(a->hooks, path) == -1) {
		snprintf(err, errsz, "out of memory");
		a->fatal = 1;
		return -1;
	}
	if ((rc = revision_publish(a->rev, path, hash, data, len, err,
	    errsz)) == -1)
		a->fatal = 1;
	if (rc == 1 && a->snapshot && strstr(err, "which exists") != NULL)
		snprintf(err, errsz, "%s is published twice", uri);
	if (rc != 0)
		return -1;
	a->publishes++;
	return 0;
}

int
apply_withdraw(void *arg, const char *uri, const unsigned char *hash,
    char *err, size_t errsz)
{
	struct apply *a = arg;
	char path[MAX_URI_LENGTH + 1];
	int rc;

	if (apply_path(a, uri, path, sizeof(path), err, errsz) == -1)
		return -1;
	if (hooks_object(a->hooks, path) == -1) {
		snprintf(err, errsz, "out of memory");
		a->fatal = 1;
		return -1;
	}
	if ((rc = revision_withdraw(a->rev, path, hash, err, errsz)) == -1)
		a->fatal = 1;
	if (rc != 0)
		return -1;
	a->withdraws++;
	return 0;
}
