#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/json.h"
#include "rsyncswap/expiry_read.h"
#include "rsyncswap/expiry_print.h"
#include "rsyncswap/limits.h"
#include "rsyncswap/log.h"
#include "rsyncswap/state.h"
#include "rsyncswap/status.h"
#include "rsyncswap/swap.h"

/* Revisions listed by status. */
#define STATUS_MAX_REVISIONS	1024

/* Formats t as ISO 8601 UTC into buf ("-" for 0). Returns buf. */
static const char *
iso(long long t, char *buf, size_t sz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, sz, "-");
	else
		strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the revision names below dir into names; returns their number. */
static size_t
status_revisions(const char *dir, char **names, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max)
		if (swap_is_revision_name(de->d_name) &&
		    (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	return n;
}

int
status_print(FILE *f, const char *state_dir, const char *rsync_dir, int json,
    long long expiry_warn)
{
	struct expiry_summary sum;
	int have_sum;
	long long now = time(NULL);
	char *names[STATUS_MAX_REVISIONS], cur[STATE_NAME_MAX] = "";
	char err[ERR_MAX], serr[ERR_MAX], t1[32], t2[32], t3[32];
	struct state_revision *r;
	struct state st;
	struct stat sb;
	size_t n, i;
	long long cleanup;
	int rc, fd;

	rc = state_read(state_dir, &st, serr, sizeof(serr));
	if ((fd = open(rsync_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		if (swap_read_current(fd, cur, sizeof(cur), err,
		    sizeof(err)) != 0)
			cur[0] = '\0';
		close(fd);
	}
	n = status_revisions(rsync_dir, names, STATUS_MAX_REVISIONS);
	cleanup = st.cleanup_after > 0 ? st.cleanup_after :
	    CLEANUP_AFTER_DEFAULT;
	r = cur[0] != '\0' ? state_history_find(&st, cur) : NULL;
	have_sum = expiry_load(state_dir, &sum, err, sizeof(err)) == 0;

	if (json) {
		fprintf(f, "{\n  \"state\": ");
		json_str(f, rc == 0 ? "ok" : rc == 1 ? "missing" : "damaged");
		fprintf(f, ",\n  \"current\": ");
		json_str(f, cur);
		fprintf(f, ",\n  \"current_since\": %lld,\n  \"session\": ",
		    r != NULL ? r->since : 0);
		json_str(f, st.session_id);
		fprintf(f, ",\n  \"serial\": %lld,\n  \"objects\": %lld,\n"
		    "  \"last_success\": %lld,\n  \"last_failure\": %lld,\n"
		    "  \"last_error\": ", st.serial, st.objects,
		    st.last_success, st.last_failure);
		json_str(f, st.last_error);
		fprintf(f, ",\n  \"cleanup_after\": %lld,\n"
		    "  \"revisions\": [", cleanup);
		for (i = 0; i < n; i++) {
			r = state_history_find(&st, names[i]);
			fprintf(f, "%s\n    {\"name\": ", i > 0 ? "," : "");
			json_str(f, names[i]);
			fprintf(f, ", \"current\": %s, \"since\": %lld, "
			    "\"replaced\": %lld, \"removable_after\": %lld}",
			    strcmp(names[i], cur) == 0 ? "true" : "false",
			    r != NULL ? r->since : 0,
			    r != NULL ? r->until : 0,
			    r != NULL && r->until > 0 ? r->until + cleanup : 0);
		}
		fprintf(f, "%s],\n  \"origin_last_change\": %lld,\n"
		    "  \"expiry\": ", n > 0 ? "\n  " : "",
		    (r = state_history_find(&st, cur)) != NULL ? r->since : 0);
		if (have_sum)
			expiry_print_json(f, &sum, now, expiry_warn);
		else
			fputs("null", f);
		fputs("\n}\n", f);
	} else {
		if (rc != 0)
			fprintf(f, "state: %s\n", rc == 1 ? "none" : serr);
		fprintf(f, "current: %s (since %s)\n", cur[0] != '\0' ? cur :
		    "-", iso(r != NULL ? r->since : 0, t1, sizeof(t1)));
		fprintf(f, "session %s serial %lld, %lld objects\n",
		    st.session_id[0] != '\0' ? st.session_id : "-", st.serial,
		    st.objects);
		fprintf(f, "last success: %s\nlast failure: %s%s%s\n",
		    iso(st.last_success, t1, sizeof(t1)),
		    iso(st.last_failure, t2, sizeof(t2)),
		    st.last_error[0] != '\0' ? ": " : "",
		    log_scrub(st.last_error));
		fprintf(f, "cleanup-after: %lld s\nrevisions on disk: %zu\n",
		    cleanup, n);
		for (i = 0; i < n; i++) {
			r = state_history_find(&st, names[i]);
			if (strcmp(names[i], cur) == 0)
				fprintf(f, "  %s  current\n", names[i]);
			else
				fprintf(f, "  %s  replaced %s, removable "
				    "after %s\n", names[i],
				    iso(r != NULL ? r->until : 0, t2,
				    sizeof(t2)), iso(r != NULL && r->until > 0 ?
				    r->until + cleanup : 0, t3, sizeof(t3)));
		}
	}
	if (!json) {
		r = state_history_find(&st, cur);
		fprintf(f, "origin last change: %s\n", iso(r != NULL ?
		    r->since : 0, t1, sizeof(t1)));
		if (have_sum) {
			fprintf(f, "expiry (warning window %lld h):\n",
			    expiry_warn / 3600);
			expiry_print_text(f, &sum, now, expiry_warn, "  ");
		} else
			fprintf(f, "expiry: not known yet\n");
	}
	if (have_sum)
		expiry_summary_free(&sum);
	for (i = 0; i < n; i++)
		free(names[i]);
	state_free(&st);
	/* Exit 1 says why in one line, apart from what stdout shows. */
	if (rc == 1 && stat(state_dir, &sb) == -1)
		fprintf(stderr, "rsyncswap status: %s: %s\n", state_dir,
		    strerror(errno));
	else if (rc == 1)
		fprintf(stderr, "rsyncswap status: %s/state: no state file (no "
		    "sync has run with this state directory)\n", state_dir);
	else if (rc == -1)
		fprintf(stderr, "rsyncswap status: %s\n", serr);
	return rc == 0 ? 0 : 1;
}
