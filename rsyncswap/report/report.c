/*
 * `rsyncswap report`: options, reading the logs (plain or gzip, through
 * zlib), feeding lines to the parser and the session table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/report/report.h"
#include "rsyncswap/report/report_data.h"
#include "rsyncswap/report/report_out.h"
#include "rsyncswap/rsyncd/rsyncdlog.h"
#include "rsyncswap/rsyncd/rsyncdsess.h"
#include "rsyncswap/state/state.h"

#define READ_CHUNK	65536

/* Splits a stream into lines, holding one partial line of bounded length. */
struct splitter {
	char	line[RSYNCD_LINE_MAX];
	size_t	len;
	int	cut;		/* skipping the rest of an over-long line */
};

struct reader {
	struct report_data	*d;
	struct rsyncd_sessions	*t;
	struct rsyncd_line	 l;
};

/* Parses one line and hands it on; a malformed one is counted. */
static void
one_line(struct reader *r, const char *p, size_t n)
{
	r->d->lines++;
	if (rsyncd_parse_line(p, n, &r->l) == -1) {
		r->d->malformed++;
		return;
	}
	report_data_line(r->d, &r->l);
	rsyncd_sessions_add(r->t, &r->l);
}

/* Feeds n bytes at p through sp to r. */
static void
split(struct reader *r, struct splitter *sp, const char *p, size_t n)
{
	const char	*nl;
	size_t		 seg;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		seg = nl != NULL ? (size_t)(nl - p) : n;
		if (!sp->cut && sp->len + seg > RSYNCD_LINE_MAX) {
			sp->cut = 1;
			r->d->lines++;
			r->d->malformed++;
		}
		if (!sp->cut) {
			memcpy(sp->line + sp->len, p, seg);
			sp->len += seg;
			if (nl != NULL) {
				one_line(r, sp->line, sp->len);
				sp->len = 0;
			}
		} else if (nl != NULL) {
			sp->cut = 0;
			sp->len = 0;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
		n -= seg + 1;
	}
}

/*
 * Reads one log (plain or gzip) into r. An unterminated last line is
 * parsed as it is. Returns 0, or -1 with the reason in err.
 */
static int
read_log(struct reader *r, const char *path, char *buf, char *err,
    size_t errsz)
{
	struct splitter	 sp;
	gzFile		 gz;
	int		 n, zerr;
	const char	*msg;

	memset(&sp, 0, sizeof(sp));
	errno = 0;
	if ((gz = gzopen(path, "rb")) == NULL) {
		snprintf(err, errsz, "%s: %s", path,
		    errno != 0 ? strerror(errno) : "cannot open");
		return -1;
	}
	while ((n = gzread(gz, buf, READ_CHUNK)) > 0)
		split(r, &sp, buf, (size_t)n);
	if (n < 0) {
		msg = gzerror(gz, &zerr);
		snprintf(err, errsz, "%s: %s", path,
		    zerr == Z_ERRNO ? strerror(errno) : msg);
		gzclose(gz);
		return -1;
	}
	if (gzclose(gz) != Z_OK) {
		snprintf(err, errsz, "%s: damaged gzip data", path);
		return -1;
	}
	if (sp.len > 0 && !sp.cut)
		one_line(r, sp.line, sp.len);
	return 0;
}

/* Reads the logs into d. Returns 0, or -1 with the reason in err. */
static int
read_logs(struct report_data *d, char **logs, int nlogs, char *err,
    size_t errsz)
{
	struct reader	 r;
	char		*buf;
	int		 i, rc = 0;

	memset(&r, 0, sizeof(r));
	r.d = d;
	if ((buf = malloc(READ_CHUNK)) == NULL ||
	    (r.t = rsyncd_sessions_new(0, report_data_session, d)) == NULL) {
		free(buf);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (i = 0; i < nlogs && rc == 0; i++)
		rc = read_log(&r, logs[i], buf, err, errsz);
	if (rc == 0)
		rsyncd_sessions_flush(r.t, 0);
	rsyncd_sessions_free(r.t);
	free(buf);
	return rc;
}

/* Writes the SVG to path. Returns 0, or -1 with the reason in err. */
static int
svg_file(const struct report_data *d, const char *path, char *err,
    size_t errsz)
{
	FILE	*f;
	int	 bad;

	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Not through atomic_file: the operator may name /dev/stdout. */
	bad = report_write_svg(f, d) == -1 || ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errsz, "%s: write failed", path);
		return -1;
	}
	return 0;
}

int
report_run(const char *state_dir, const char *svg, int json, char **logs,
    int nlogs)
{
	struct report_inputs	 in;
	struct report_data	 d;
	struct state		*st = NULL;
	char			 err[ERR_MAX];
	int			 rc = 0;

	memset(&in, 0, sizeof(in));
	in.state_dir = state_dir;
	in.logs = logs;
	in.nlogs = nlogs;

	if (in.state_dir != NULL) {
		if ((st = calloc(1, sizeof(*st))) == NULL) {
			fprintf(stderr, "rsyncswap report: out of memory\n");
			return 1;
		}
		/* err names the file already; "no file" leaves it empty. */
		if ((rc = state_read(in.state_dir, st, err, sizeof(err))) != 0) {
			if (rc == 1)
				fprintf(stderr, "rsyncswap report: %s/state: no "
				    "state file\n", in.state_dir);
			else
				fprintf(stderr, "rsyncswap report: %s\n", err);
			free(st);
			return 1;
		}
	}
	if (report_data_init(&d, st) == -1) {
		fprintf(stderr, "rsyncswap report: out of memory\n");
		rc = 1;
	} else if (read_logs(&d, in.logs, in.nlogs, err, sizeof(err)) == -1 ||
	    (svg != NULL && svg_file(&d, svg, err, sizeof(err)) == -1)) {
		fprintf(stderr, "rsyncswap report: %s\n", err);
		rc = 1;
	} else if (d.lines > 0 && d.malformed == d.lines) {
		/* Nothing was read: a recommendation from it would be none. */
		fprintf(stderr, "rsyncswap report: %s%s: none of %llu lines is "
		    "in rsyncd's log format (a syslog log? set \"log file =\" "
		    "in rsyncd.conf)\n", in.logs[0], in.nlogs > 1 ? " ..." : "",
		    d.lines);
		rc = 1;
	} else if (json)
		report_print_json(stdout, &d, &in);
	else
		report_print_text(stdout, &d, &in);
	report_data_free(&d);
	if (st != NULL) {
		state_free(st);
		free(st);
	}
	if (rc == 0 && fflush(stdout) != 0)
		rc = 1;
	return rc;
}
