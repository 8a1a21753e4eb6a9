/*
 * <state-dir>/expiry: a line-based text file.
 *
 *	rsyncswap-expiry 1
 *	objects N
 *	damaged N
 *	dropped N
 *	newest-update T
 *	pp EXPIRY MFT-NEXTUPDATE MFT-EE-NOTAFTER CRL-NEXTUPDATE MFT-THISUPDATE DIR
 *	bad REASON PATH
 *	end
 *
 * Times are seconds since the epoch, "-" when absent; DIR and PATH are the
 * rest of the line ("." for the top directory). The final "end" line tells
 * a complete file from a truncated one.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/expiry_file.h"
#include "rsyncswap/limits.h"

#define EXPIRY_FILE_MAGIC	"rsyncswap-expiry 1"
#define EXPIRY_LINE_MAX		(PATH_MAX + 256)

/* Formats a message into errbuf. */
static void
seterr(char *errbuf, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
seterr(char *errbuf, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, errsz, fmt, ap);
	va_end(ap);
}

/* Prints t, or "-" if absent. */
static void
put_time(FILE *f, int64_t t)
{
	if (t == TSNORM_NO_TIME)
		fputs(" -", f);
	else
		fprintf(f, " %" PRId64, t);
}

/* Prints path, "." if empty, control characters as '?'. */
static void
put_path(FILE *f, const char *path)
{
	const unsigned char	*p = (const unsigned char *)path;

	putc(' ', f);
	if (*p == '\0')
		putc('.', f);
	for (; *p != '\0'; p++)
		putc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	putc('\n', f);
}

/* Writes sum to f. Returns 0, or -1 on a write error. */
static int
write_summary(FILE *f, const struct expiry_summary *sum)
{
	const struct expiry_pp	*pp;
	size_t			 i;

	fprintf(f, "%s\nobjects %zu\ndamaged %zu\ndropped %zu\nnewest-update",
	    EXPIRY_FILE_MAGIC, sum->objects, sum->nbad, sum->dropped);
	put_time(f, sum->newest_update);
	putc('\n', f);
	for (i = 0; i < sum->npps; i++) {
		pp = &sum->pps[i];
		fputs("pp", f);
		put_time(f, pp->expiry);
		put_time(f, pp->mft_next_update);
		put_time(f, pp->mft_not_after);
		put_time(f, pp->crl_next_update);
		put_time(f, pp->mft_this_update);
		put_path(f, pp->dir);
	}
	for (i = 0; i < sum->nbad_listed; i++) {
		fprintf(f, "bad %s", expiry_bad_reason_name(sum->bad[i].reason));
		put_path(f, sum->bad[i].path);
	}
	fputs("end\n", f);
	return ferror(f) ? -1 : 0;
}

int
expiry_save(const char *state_dir, const struct expiry_summary *sum,
    char *errbuf, size_t errsz)
{
	char	 path[PATH_MAX], tmp[PATH_MAX];
	FILE	*f = NULL;
	int	 fd, dfd, rc, saved;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
	    EXPIRY_FILE_NAME) >= sizeof(path) || (size_t)snprintf(tmp,
	    sizeof(tmp), "%s/.%s.XXXXXX", state_dir, EXPIRY_FILE_NAME) >=
	    sizeof(tmp)) {
		seterr(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_FILE_NAME);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		seterr(errbuf, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0644) == -1 || (f = fdopen(fd, "w")) == NULL) {
		seterr(errbuf, errsz, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	rc = write_summary(f, sum);
	if (rc == 0 && (fflush(f) == EOF || fsync(fileno(f)) == -1))
		rc = -1;
	saved = errno;
	if (fclose(f) == EOF && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && rename(tmp, path) == -1) {
		rc = -1;
		saved = errno;
	}
	if (rc == -1) {
		seterr(errbuf, errsz, "%s: %s", path, strerror(saved));
		unlink(tmp);
		return -1;
	}
	if ((dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		seterr(errbuf, errsz, "fsync %s: %s", state_dir,
		    strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

/*
 * Parses a time field at *s (a number or "-") followed by a space.
 * Returns 1 and advances *s, or 0.
 */
static int
get_time(char **s, int64_t *t)
{
	char		*end;
	long long	 v;

	if ((*s)[0] == '-' && (*s)[1] == ' ') {
		*t = TSNORM_NO_TIME;
		*s += 2;
		return 1;
	}
	errno = 0;
	v = strtoll(*s, &end, 10);
	if (end == *s || *end != ' ' || errno != 0)
		return 0;
	*t = v;
	*s = end + 1;
	return 1;
}

/* Parses a count "NAME N". Returns 1 and sets *n, or 0. */
static int
get_count(const char *line, const char *name, size_t *n)
{
	char		*end;
	size_t		 len = strlen(name);
	unsigned long	 v;

	if (strncmp(line, name, len) != 0 || line[len] != ' ' ||
	    line[len + 1] < '0' || line[len + 1] > '9')
		return 0;
	errno = 0;
	v = strtoul(line + len + 1, &end, 10);
	if (*end != '\0' || errno != 0)
		return 0;
	*n = v;
	return 1;
}

/* Returns a copy of the path field s ("." is the top, ""). */
static char *
get_path(const char *s)
{
	char	*p = strdup(strcmp(s, ".") == 0 ? "" : s);

	if (p == NULL)
		err(1, NULL);
	return p;
}

/* Parses a "pp" line (after "pp "). Returns 0, or -1. */
static int
parse_pp(char *s, struct expiry_summary *sum)
{
	struct expiry_pp	pp;

	if (sum->npps >= MAX_EXPIRY_PPS)
		return -1;
	if (!get_time(&s, &pp.expiry) || !get_time(&s, &pp.mft_next_update) ||
	    !get_time(&s, &pp.mft_not_after) ||
	    !get_time(&s, &pp.crl_next_update) ||
	    !get_time(&s, &pp.mft_this_update) || *s == '\0')
		return -1;
	if (sum->pps == NULL && (sum->pps = calloc(MAX_EXPIRY_PPS,
	    sizeof(*sum->pps))) == NULL)
		err(1, NULL);
	pp.dir = get_path(s);
	sum->pps[sum->npps++] = pp;
	return 0;
}

/* Parses a "bad" line (after "bad "). Returns 0, or -1. */
static int
parse_bad(char *s, struct expiry_summary *sum)
{
	static const enum expiry_bad_reason	reasons[] = {
		EXPIRY_BAD_UNREADABLE, EXPIRY_BAD_NO_NEXTUPDATE,
		EXPIRY_BAD_IO, EXPIRY_BAD_TOO_LARGE,
	};
	const char	*name;
	size_t		 i, len;

	if (sum->nbad_listed >= MAX_EXPIRY_BAD)
		return -1;
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		name = expiry_bad_reason_name(reasons[i]);
		len = strlen(name);
		if (strncmp(s, name, len) == 0 && s[len] == ' ' &&
		    s[len + 1] != '\0')
			break;
	}
	if (i == sizeof(reasons) / sizeof(reasons[0]))
		return -1;
	if (sum->bad == NULL && (sum->bad = calloc(MAX_EXPIRY_BAD,
	    sizeof(*sum->bad))) == NULL)
		err(1, NULL);
	sum->bad[sum->nbad_listed].reason = reasons[i];
	sum->bad[sum->nbad_listed].path = get_path(s + len + 1);
	sum->nbad_listed++;
	return 0;
}

/*
 * Parses the line "newest-update T" of length len (newline cut, so
 * line[len - 1] is free). Returns 0, or -1.
 */
static int
parse_newest(char *line, size_t len, struct expiry_summary *sum)
{
	char	*s = line + strlen("newest-update ");

	if (strncmp(line, "newest-update ", strlen("newest-update ")) != 0)
		return -1;
	line[len - 1] = ' ';	/* get_time() wants a space after the time */
	return get_time(&s, &sum->newest_update) && *s == '\0' ? 0 : -1;
}

/*
 * Parses the file f into sum. Returns 0, or -1 with the bad line number
 * in *lineno.
 */
static int
read_summary(FILE *f, struct expiry_summary *sum, size_t *lineno)
{
	char	line[EXPIRY_LINE_MAX];
	size_t	len;
	int	ended = 0;

	for (*lineno = 1; fgets(line, sizeof(line), f) != NULL; (*lineno)++) {
		len = strlen(line);
		if (ended || len == 0 || line[len - 1] != '\n')
			return -1;
		line[len - 1] = '\0';
		if (*lineno == 1) {
			if (strcmp(line, EXPIRY_FILE_MAGIC) != 0)
				return -1;
		} else if (*lineno == 2) {
			if (!get_count(line, "objects", &sum->objects))
				return -1;
		} else if (*lineno == 3) {
			if (!get_count(line, "damaged", &sum->nbad))
				return -1;
		} else if (*lineno == 4) {
			if (!get_count(line, "dropped", &sum->dropped))
				return -1;
		} else if (*lineno == 5) {
			if (parse_newest(line, len, sum) == -1)
				return -1;
		} else if (strncmp(line, "pp ", 3) == 0) {
			if (parse_pp(line + 3, sum) == -1)
				return -1;
		} else if (strncmp(line, "bad ", 4) == 0) {
			if (parse_bad(line + 4, sum) == -1)
				return -1;
		} else if (strcmp(line, "end") == 0)
			ended = 1;
		else
			return -1;
	}
	return ended && !ferror(f) && sum->nbad_listed <= sum->nbad ? 0 : -1;
}

int
expiry_load(const char *state_dir, struct expiry_summary *sum,
    char *errbuf, size_t errsz)
{
	char	 path[PATH_MAX];
	size_t	 lineno;
	FILE	*f;
	int	 fd;

	memset(sum, 0, sizeof(*sum));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
	    EXPIRY_FILE_NAME) >= sizeof(path)) {
		seterr(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_FILE_NAME);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		seterr(errbuf, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "r")) == NULL)
		err(1, NULL);
	if (read_summary(f, sum, &lineno) == -1) {
		seterr(errbuf, errsz, "%s: line %zu: damaged", path, lineno);
		fclose(f);
		expiry_summary_free(sum);
		return -1;
	}
	fclose(f);
	expiry_summary_sort(sum);
	return 0;
}
