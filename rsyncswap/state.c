/*
 * Persistent state and the run lock.
 *
 * The state file is text, one "key value" per line, between the header
 * "rsyncswap-state 1" and the trailer "end" (a truncated file has no
 * trailer, so it is detected). Strings are percent-encoded: a value never
 * holds a space, a control character or a byte >= 0x7f, so a hostile ETag
 * or error message cannot add lines. Decoded control characters become '?'
 * so none ever leaves this module. Unknown keys are skipped (later versions
 * add keys); a malformed or repeated known key makes the file damaged.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/state.h"

#define STATE_HEADER	"rsyncswap-state 1"
#define STATE_TRAILER	"end"

/* Singular keys, one bit each, to refuse a repeated one. */
enum state_key {
	KEY_SESSION = 1 << 0,
	KEY_SERIAL = 1 << 1,
	KEY_REVISION = 1 << 2,
	KEY_ETAG = 1 << 3,
	KEY_LAST_MODIFIED = 1 << 4,
	KEY_LAST_SUCCESS = 1 << 5,
	KEY_LAST_FAILURE = 1 << 6,
	KEY_LAST_ERROR = 1 << 7,
};

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* Returns the value of hex digit c, or -1. */
static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Writes s percent-encoded. Returns 0, or -1 on a write error. */
static int
put_escaped(FILE *f, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '%') {
			if (fprintf(f, "%%%02X", *p) < 0)
				return -1;
		} else if (putc(*p, f) == EOF)
			return -1;
	}
	return 0;
}

/*
 * Decodes the percent-encoded s into out[outsz]; a decoded control
 * character or NUL becomes '?', or is an error when strict (names, which
 * state_write never writes with one). Returns 0, or -1 when s is malformed
 * or does not fit.
 */
static int
get_escaped(const char *s, char *out, size_t outsz, int strict)
{
	size_t	n = 0;
	int	hi, lo;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = *s;
		if (c == '%') {
			if ((hi = hexval(s[1])) == -1 ||
			    (lo = hexval(s[2])) == -1)
				return -1;
			c = hi << 4 | lo;
			s += 2;
			if ((c < 0x20 || c == 0x7f) && strict)
				return -1;
			if (c < 0x20 || c == 0x7f)
				c = '?';
		}
		if (n + 1 >= outsz)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

/*
 * Parses a decimal number in [0, LLONG_MAX] that fills all of s.
 * Returns 0, or -1.
 */
static int
get_number(const char *s, long long *out)
{
	char		*end;
	long long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Returns 1 if s is a session id "8-4-4-4-12" of hex digits, 0 if not. */
static int
valid_session(const char *s)
{
	size_t	i;

	if (strlen(s) != RRDP_SESSION_LEN)
		return 0;
	for (i = 0; i < RRDP_SESSION_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (hexval(s[i]) == -1)
			return 0;
	}
	return 1;
}

/*
 * Returns 1 if s may name a revision directory in the rsync dir: one path
 * segment, not "." or "..", printable ASCII. 0 if not.
 */
static int
valid_revision(const char *s)
{
	if (s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == '/')
			return 0;
	return 1;
}

/* Parses "NAME SINCE UNTIL" into r. Returns 0, or -1. */
static int
parse_history(char *v, struct state_revision *r)
{
	char	*since, *until;

	if ((since = strchr(v, ' ')) == NULL)
		return -1;
	*since++ = '\0';
	if ((until = strchr(since, ' ')) == NULL)
		return -1;
	*until++ = '\0';
	if (get_escaped(v, r->name, sizeof(r->name), 1) == -1 ||
	    !valid_revision(r->name) ||
	    get_number(since, &r->since) == -1 ||
	    get_number(until, &r->until) == -1)
		return -1;
	return 0;
}

/* Parses "SERIAL HEX" and appends it to st->deltas. Returns 0, or -1. */
static int
parse_delta(char *v, struct state *st, size_t *cap)
{
	struct state_delta	*nd, d;
	char			*hex;
	size_t			 i;
	int			 hi, lo;

	if ((hex = strchr(v, ' ')) == NULL)
		return -1;
	*hex++ = '\0';
	if (get_number(v, &d.serial) == -1 || strlen(hex) != 2 * RRDP_HASH_LEN)
		return -1;
	for (i = 0; i < RRDP_HASH_LEN; i++) {
		if ((hi = hexval(hex[2 * i])) == -1 ||
		    (lo = hexval(hex[2 * i + 1])) == -1)
			return -1;
		d.hash[i] = hi << 4 | lo;
	}
	/* Kept ascending and unique, as the notification listed them. */
	if (st->ndeltas > 0 && st->deltas[st->ndeltas - 1].serial >= d.serial)
		return -1;
	if (st->ndeltas >= MAX_NOTIFICATION_DELTAS)
		return -1;
	if (st->ndeltas == *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		if ((nd = reallocarray(st->deltas, *cap, sizeof(*nd))) == NULL)
			return -1;
		st->deltas = nd;
	}
	st->deltas[st->ndeltas++] = d;
	return 0;
}

/*
 * Parses one line "key value" (value may be empty) into st. Returns 0,
 * or -1 when a known key is malformed or repeated.
 */
static int
parse_line(char *line, struct state *st, unsigned int *seen, size_t *cap)
{
	static const struct {
		const char	*name;
		enum state_key	 key;
	} singular[] = {
		{ "session", KEY_SESSION },
		{ "serial", KEY_SERIAL },
		{ "revision", KEY_REVISION },
		{ "etag", KEY_ETAG },
		{ "last-modified", KEY_LAST_MODIFIED },
		{ "last-success", KEY_LAST_SUCCESS },
		{ "last-failure", KEY_LAST_FAILURE },
		{ "last-error", KEY_LAST_ERROR },
	};
	struct state_revision	*r;
	char			*v;
	size_t			 i;

	if ((v = strchr(line, ' ')) != NULL)
		*v++ = '\0';
	else
		v = line + strlen(line);

	if (strcmp(line, "delta") == 0)
		return parse_delta(v, st, cap);
	if (strcmp(line, "history") == 0) {
		/* Keep the newest MAX_HISTORY if a later version kept more. */
		if (st->nhistory == MAX_HISTORY) {
			memmove(st->history, st->history + 1,
			    (MAX_HISTORY - 1) * sizeof(st->history[0]));
			st->nhistory--;
		}
		r = &st->history[st->nhistory];
		if (parse_history(v, r) == -1)
			return -1;
		st->nhistory++;
		return 0;
	}
	for (i = 0; i < sizeof(singular) / sizeof(singular[0]); i++)
		if (strcmp(line, singular[i].name) == 0)
			break;
	if (i == sizeof(singular) / sizeof(singular[0]))
		return 0;	/* unknown: from a later version */
	if (*seen & singular[i].key)
		return -1;
	*seen |= singular[i].key;

	switch (singular[i].key) {
	case KEY_SESSION:
		if (!valid_session(v))
			return -1;
		memcpy(st->session_id, v, RRDP_SESSION_LEN + 1);
		return 0;
	case KEY_SERIAL:
		return get_number(v, &st->serial);
	case KEY_REVISION:
		if (get_escaped(v, st->revision, sizeof(st->revision), 1) == -1 ||
		    !valid_revision(st->revision))
			return -1;
		return 0;
	case KEY_ETAG:
		return get_escaped(v, st->etag, sizeof(st->etag), 0);
	case KEY_LAST_MODIFIED:
		return get_escaped(v, st->last_modified,
		    sizeof(st->last_modified), 0);
	case KEY_LAST_SUCCESS:
		return get_number(v, &st->last_success);
	case KEY_LAST_FAILURE:
		return get_number(v, &st->last_failure);
	case KEY_LAST_ERROR:
		return get_escaped(v, st->last_error, sizeof(st->last_error),
		    0);
	}
	return -1;
}

/*
 * Parses the whole file buf[len] (NUL-terminated by the caller) into st.
 * Returns 0, or -1 with the reason in err.
 */
static int
parse_state(char *buf, size_t len, struct state *st, char *err,
    size_t errsz)
{
	char		*line, *nl;
	size_t		 cap = 0, lineno = 0, i;
	unsigned int	 seen = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if ((c < 0x20 && c != '\n') || c >= 0x7f) {
			seterr(err, errsz, "bad byte 0x%02x at offset %zu",
			    c, i);
			return -1;
		}
	}
	for (line = buf; line < buf + len; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', buf + len - line)) == NULL) {
			seterr(err, errsz, "truncated (no newline at end)");
			return -1;
		}
		*nl = '\0';
		if (lineno == 1) {
			if (strcmp(line, STATE_HEADER) != 0) {
				seterr(err, errsz, "not a version 1 state "
				    "file (first line is not \"%s\")",
				    STATE_HEADER);
				return -1;
			}
			continue;
		}
		if (strcmp(line, STATE_TRAILER) == 0) {
			if (nl + 1 != buf + len) {
				seterr(err, errsz, "data after \"%s\" (line "
				    "%zu)", STATE_TRAILER, lineno);
				return -1;
			}
			return 0;
		}
		if (parse_line(line, st, &seen, &cap) == -1) {
			seterr(err, errsz, "malformed line %zu", lineno);
			return -1;
		}
	}
	seterr(err, errsz, lineno == 0 ? "empty" :
	    "truncated (no \"" STATE_TRAILER "\" line)");
	return -1;
}

int
state_read(const char *dir, struct state *st, char *err, size_t errsz)
{
	char		 path[PATH_MAX], reason[256] = "";
	char		*buf = NULL;
	const char	*damaged = "";
	struct stat	 sb;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd, rc = -1;

	memset(st, 0, sizeof(*st));
	if ((size_t)snprintf(path, sizeof(path), "%s/state", dir) >=
	    sizeof(path)) {
		seterr(err, errsz, "%s/state: path too long", dir);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 1;
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		snprintf(reason, sizeof(reason), "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(reason, sizeof(reason), "not a regular file");
		goto out;
	}
	if (sb.st_size > MAX_STATE_FILE_SIZE) {
		snprintf(reason, sizeof(reason), "damaged: larger than "
		    "%d bytes", MAX_STATE_FILE_SIZE);
		goto out;
	}
	/* One byte more than fstat said, to notice a file that grew. */
	if ((buf = malloc(sb.st_size + 2)) == NULL) {
		snprintf(reason, sizeof(reason), "%s", strerror(errno));
		goto out;
	}
	while (len <= (size_t)sb.st_size) {
		r = read(fd, buf + len, sb.st_size + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(reason, sizeof(reason), "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += r;
	}
	if (len != (size_t)sb.st_size) {
		snprintf(reason, sizeof(reason), "changed while being read");
		goto out;
	}
	buf[len] = '\0';
	if ((rc = parse_state(buf, len, st, reason, sizeof(reason))) == -1)
		damaged = "damaged: ";
 out:
	if (rc == -1) {
		seterr(err, errsz, "%s: %s%s", path, damaged, reason);
		state_free(st);
		memset(st, 0, sizeof(*st));
	}
	free(buf);
	close(fd);
	return rc;
}

/* Writes the lines of st to f. Returns 0, or -1 on a write error. */
static int
write_lines(FILE *f, const struct state *st)
{
	const struct state_revision	*r;
	size_t				 i, j;

	fprintf(f, "%s\n", STATE_HEADER);
	if (st->session_id[0] != '\0')
		fprintf(f, "session %s\n", st->session_id);
	fprintf(f, "serial %lld\n", st->serial);
	if (st->revision[0] != '\0') {
		fputs("revision ", f);
		put_escaped(f, st->revision);
		putc('\n', f);
	}
	fputs("etag ", f);
	put_escaped(f, st->etag);
	fputs("\nlast-modified ", f);
	put_escaped(f, st->last_modified);
	putc('\n', f);
	for (i = 0; i < st->ndeltas; i++) {
		fprintf(f, "delta %lld ", st->deltas[i].serial);
		for (j = 0; j < RRDP_HASH_LEN; j++)
			fprintf(f, "%02x", st->deltas[i].hash[j]);
		putc('\n', f);
	}
	for (i = 0; i < st->nhistory; i++) {
		r = &st->history[i];
		fputs("history ", f);
		put_escaped(f, r->name);
		fprintf(f, " %lld %lld\n", r->since, r->until);
	}
	fprintf(f, "last-success %lld\nlast-failure %lld\nlast-error ",
	    st->last_success, st->last_failure);
	put_escaped(f, st->last_error);
	fprintf(f, "\n%s\n", STATE_TRAILER);
	return ferror(f) ? -1 : 0;
}

/*
 * Returns 0 if st can be written so that state_read accepts it again,
 * or -1 with the reason in err.
 */
static int
state_check(const struct state *st, char *err, size_t errsz)
{
	size_t	i;

	if (st->session_id[0] != '\0' && !valid_session(st->session_id)) {
		seterr(err, errsz, "bad session id");
		return -1;
	}
	if (st->serial < 0 || st->last_success < 0 || st->last_failure < 0) {
		seterr(err, errsz, "negative serial or time");
		return -1;
	}
	if (st->revision[0] != '\0' && !valid_revision(st->revision)) {
		seterr(err, errsz, "bad revision name");
		return -1;
	}
	if (st->ndeltas > MAX_NOTIFICATION_DELTAS || st->nhistory > MAX_HISTORY) {
		seterr(err, errsz, "too many deltas or history entries");
		return -1;
	}
	for (i = 0; i < st->ndeltas; i++)
		if (st->deltas[i].serial < 0 ||
		    (i > 0 && st->deltas[i].serial <= st->deltas[i - 1].serial)) {
			seterr(err, errsz, "deltas not ascending");
			return -1;
		}
	for (i = 0; i < st->nhistory; i++)
		if (!valid_revision(st->history[i].name) ||
		    st->history[i].since < 0 || st->history[i].until < 0) {
			seterr(err, errsz, "bad history entry");
			return -1;
		}
	return 0;
}

int
state_write(const char *dir, const struct state *st, char *err, size_t errsz)
{
	char	 path[PATH_MAX], tmp[PATH_MAX];
	FILE	*f = NULL;
	int	 fd = -1, dfd, saved;

	if (state_check(st, err, errsz) == -1)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/state", dir) >=
	    sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp),
	    "%s/.state.XXXXXX", dir) >= sizeof(tmp)) {
		seterr(err, errsz, "%s/state: path too long", dir);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		seterr(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* Readable by "rsyncswap status" run by an operator; no secrets. */
	if (fchmod(fd, 0644) == -1 || (f = fdopen(fd, "w")) == NULL) {
		seterr(err, errsz, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (write_lines(f, st) == -1 || fflush(f) == EOF ||
	    fsync(fileno(f)) == -1) {
		seterr(err, errsz, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	saved = fclose(f);
	f = NULL;
	if (saved == EOF) {
		seterr(err, errsz, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		seterr(err, errsz, "rename %s: %s", path, strerror(errno));
		goto fail;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		saved = errno;
		seterr(err, errsz, "fsync %s: %s", dir, strerror(saved));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;

 fail:
	saved = errno;
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

void
state_history_push(struct state *st, const char *name, long long now)
{
	size_t	i;

	if (st->nhistory > 0 &&
	    strcmp(st->history[st->nhistory - 1].name, name) == 0 &&
	    st->history[st->nhistory - 1].until == 0)
		return;		/* already current */
	if (st->nhistory > 0 && st->history[st->nhistory - 1].until == 0)
		st->history[st->nhistory - 1].until = now;
	/* A name appears once, so that state_history_find is exact. */
	for (i = 0; i < st->nhistory; ) {
		if (strcmp(st->history[i].name, name) == 0) {
			memmove(&st->history[i], &st->history[i + 1],
			    (st->nhistory - i - 1) * sizeof(st->history[0]));
			st->nhistory--;
		} else
			i++;
	}
	if (st->nhistory == MAX_HISTORY) {
		memmove(&st->history[0], &st->history[1],
		    (MAX_HISTORY - 1) * sizeof(st->history[0]));
		st->nhistory--;
	}
	snprintf(st->history[st->nhistory].name,
	    sizeof(st->history[0].name), "%s", name);
	st->history[st->nhistory].since = now;
	st->history[st->nhistory].until = 0;
	st->nhistory++;
}

struct state_revision *
state_history_find(struct state *st, const char *name)
{
	size_t	i;

	for (i = st->nhistory; i > 0; i--)
		if (strcmp(st->history[i - 1].name, name) == 0)
			return &st->history[i - 1];
	return NULL;
}

int
state_set_deltas(struct state *st, const struct rrdp_notification *n)
{
	struct state_delta	*d = NULL;
	size_t			 i;

	if (n->ndeltas > MAX_NOTIFICATION_DELTAS) {
		errno = E2BIG;
		return -1;
	}
	if (n->ndeltas > 0 &&
	    (d = calloc(n->ndeltas, sizeof(*d))) == NULL)
		return -1;
	for (i = 0; i < n->ndeltas; i++) {
		d[i].serial = n->deltas[i].serial;
		memcpy(d[i].hash, n->deltas[i].hash, RRDP_HASH_LEN);
	}
	free(st->deltas);
	st->deltas = d;
	st->ndeltas = n->ndeltas;
	return 0;
}

void
state_free(struct state *st)
{
	free(st->deltas);
	st->deltas = NULL;
	st->ndeltas = 0;
}

int
state_lock(const char *dir, char *err, size_t errsz)
{
	char	path[PATH_MAX];
	int	fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/lock", dir) >=
	    sizeof(path)) {
		seterr(err, errsz, "%s/lock: path too long", dir);
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1) {
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			seterr(err, errsz, "%s: held by another instance",
			    path);
			close(fd);
			return -2;
		}
		seterr(err, errsz, "flock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
