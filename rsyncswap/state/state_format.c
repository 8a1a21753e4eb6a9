/*
 * The text format of <state-dir>/state.
 *
 * One "key value" per line, between the header "rsyncswap-state 1" and the
 * trailer "end" (a truncated file has no trailer, so it is detected).
 * Strings are percent-encoded: a value never holds a space, a control
 * character or a byte >= 0x7f, so a hostile ETag or error message cannot
 * add lines. Decoded control characters become '?' so none ever leaves this
 * module. Unknown keys are skipped (later versions add keys); a malformed or
 * repeated known key makes the file damaged.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/base/errbuf.h"
#include "rsyncswap/base/hex.h"
#include "rsyncswap/base/number.h"
#include "rsyncswap/base/uuid.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/state/state_format.h"

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
	KEY_HOST = 1 << 8,
	KEY_OBJECTS = 1 << 9,
	KEY_CLEANUP_AFTER = 1 << 10,
	KEY_TUNE_LONGEST = 1 << 11,
	KEY_TUNE_CHANGED = 1 << 12,
	KEY_LAYOUT = 1 << 13,
	KEY_RSYNC_DIR = 1 << 14,
	KEY_RSYNCD_LOG = 1 << 15,
	KEY_DIGEST = 1 << 16,
};

/* The layout names, indexed by enum uri_layout (uri.h). */
static const char *const layouts[] = { "module", "host", "flat" };

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
			if ((hi = hex_value(s[1])) == -1 ||
			    (lo = hex_value(s[2])) == -1)
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

/* Parses a decimal in [0, LLONG_MAX] that fills all of s. Returns 0, -1. */
static int
get_number(const char *s, long long *out)
{
	return number_parse(s, 0, LLONG_MAX, out);
}

/* Returns 1 if s is a session id "8-4-4-4-12" of hex digits, 0 if not. */
static int
valid_session(const char *s)
{
	return uuid_valid(s, strlen(s));
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
	char	*since, *until, *removed;

	if ((since = strchr(v, ' ')) == NULL)
		return -1;
	*since++ = '\0';
	if ((until = strchr(since, ' ')) == NULL)
		return -1;
	*until++ = '\0';
	/* The removal time is optional (files of version 1 before it). */
	if ((removed = strchr(until, ' ')) != NULL)
		*removed++ = '\0';
	r->removed = 0;
	if (get_escaped(v, r->name, sizeof(r->name), 1) == -1 ||
	    !valid_revision(r->name) ||
	    get_number(since, &r->since) == -1 ||
	    get_number(until, &r->until) == -1 ||
	    (removed != NULL && get_number(removed, &r->removed) == -1))
		return -1;
	return 0;
}

/* Parses "HEX ENTRIES", the digest of the revision, into st. Returns 0, -1. */
static int
parse_digest(char *v, struct state *st)
{
	char	*n;

	if ((n = strchr(v, ' ')) == NULL)
		return -1;
	*n++ = '\0';
	if (digest_parse(&st->digest, v) == -1 ||
	    get_number(n, &st->digest.entries) == -1)
		return -1;
	st->have_digest = 1;
	return 0;
}

/* Parses "SERIAL HEX" and appends it to st->deltas. Returns 0, or -1. */
static int
parse_delta(char *v, struct state *st, size_t *cap)
{
	struct state_delta	*nd, d;
	char			*hex;

	if ((hex = strchr(v, ' ')) == NULL)
		return -1;
	*hex++ = '\0';
	if (get_number(v, &d.serial) == -1 || strlen(hex) != 2 * DIGEST_LEN)
		return -1;
	if (hex_decode(hex, DIGEST_LEN, d.hash) == -1)
		return -1;
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
		{ "host", KEY_HOST },
		{ "layout", KEY_LAYOUT },
		{ "rsync-dir", KEY_RSYNC_DIR },
		{ "rsyncd-log", KEY_RSYNCD_LOG },
		{ "objects", KEY_OBJECTS },
		{ "cleanup-after", KEY_CLEANUP_AFTER },
		{ "tune-longest", KEY_TUNE_LONGEST },
		{ "tune-changed", KEY_TUNE_CHANGED },
		{ "digest", KEY_DIGEST },
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
		state_history_make_room(st);
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
		memcpy(st->session_id, v, UUID_LEN + 1);
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
	case KEY_HOST:
		return get_escaped(v, st->host, sizeof(st->host), 1);
	case KEY_RSYNC_DIR:
		return get_escaped(v, st->rsync_dir, sizeof(st->rsync_dir), 0);
	case KEY_RSYNCD_LOG:
		return get_escaped(v, st->rsyncd_log, sizeof(st->rsyncd_log),
		    0);
	case KEY_LAYOUT:
		for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
			if (strcmp(v, layouts[i]) == 0) {
				st->layout = (int)i;
				return 0;
			}
		return -1;
	case KEY_OBJECTS:
		return get_number(v, &st->objects);
	case KEY_CLEANUP_AFTER:
		return get_number(v, &st->cleanup_after);
	case KEY_TUNE_LONGEST:
		return get_number(v, &st->tune_longest);
	case KEY_TUNE_CHANGED:
		return get_number(v, &st->tune_changed);
	case KEY_DIGEST:
		return parse_digest(v, st);
	}
	return -1;
}

int
state_parse(char *buf, size_t len, struct state *st, char *err,
    size_t errsz)
{
	char		*line, *nl;
	size_t		 cap = 0, lineno = 0, i;
	unsigned int	 seen = 0;

	st->layout = -1;
	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if ((c < 0x20 && c != '\n') || c >= 0x7f) {
			errbuf_set(err, errsz, "bad byte 0x%02x at offset %zu",
			    c, i);
			return -1;
		}
	}
	for (line = buf; line < buf + len; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', buf + len - line)) == NULL) {
			errbuf_set(err, errsz, "truncated (no newline at end)");
			return -1;
		}
		*nl = '\0';
		if (lineno == 1) {
			if (strcmp(line, STATE_HEADER) != 0) {
				errbuf_set(err, errsz, "not a version 1 state "
				    "file (first line is not \"%s\")",
				    STATE_HEADER);
				return -1;
			}
			continue;
		}
		if (strcmp(line, STATE_TRAILER) == 0) {
			if (nl + 1 != buf + len) {
				errbuf_set(err, errsz, "data after \"%s\" (line "
				    "%zu)", STATE_TRAILER, lineno);
				return -1;
			}
			/* Before "layout": one host means the module layout. */
			if (st->layout == -1)
				st->layout = st->host[0] != '\0' ? 0 : 1;
			return 0;
		}
		if (parse_line(line, st, &seen, &cap) == -1) {
			errbuf_set(err, errsz, "malformed line %zu", lineno);
			return -1;
		}
	}
	errbuf_set(err, errsz, lineno == 0 ? "empty" :
	    "truncated (no \"" STATE_TRAILER "\" line)");
	return -1;
}

int
state_print(FILE *f, const struct state *st)
{
	const struct state_revision	*r;
	char				 hex[DIGEST_HEX_LEN + 1];
	size_t				 i;

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
		hex_encode(st->deltas[i].hash, DIGEST_LEN, hex);
		fprintf(f, "delta %lld %.*s\n", st->deltas[i].serial,
		    2 * DIGEST_LEN, hex);
	}
	for (i = 0; i < st->nhistory; i++) {
		r = &st->history[i];
		fputs("history ", f);
		put_escaped(f, r->name);
		fprintf(f, " %lld %lld %lld\n", r->since, r->until,
		    r->removed);
	}
	fprintf(f, "last-success %lld\nlast-failure %lld\nlast-error ",
	    st->last_success, st->last_failure);
	put_escaped(f, st->last_error);
	fputs("\nhost ", f);
	put_escaped(f, st->host);
	if (st->layout >= 0 && (size_t)st->layout <
	    sizeof(layouts) / sizeof(layouts[0]))
		fprintf(f, "\nlayout %s", layouts[st->layout]);
	if (st->rsync_dir[0] != '\0') {
		fputs("\nrsync-dir ", f);
		put_escaped(f, st->rsync_dir);
	}
	if (st->rsyncd_log[0] != '\0') {
		fputs("\nrsyncd-log ", f);
		put_escaped(f, st->rsyncd_log);
	}
	/* The digest of "revision", as it was built. */
	if (st->have_digest && st->revision[0] != '\0')
		fprintf(f, "\ndigest %s %lld", digest_hex(&st->digest, hex),
		    st->digest.entries);
	fprintf(f, "\nobjects %lld\ncleanup-after %lld\ntune-longest %lld\n"
	    "tune-changed %lld\n%s\n", st->objects, st->cleanup_after,
	    st->tune_longest, st->tune_changed, STATE_TRAILER);
	return ferror(f) ? -1 : 0;
}

int
state_check(const struct state *st, char *err, size_t errsz)
{
	size_t	i;

	if (st->session_id[0] != '\0' && !valid_session(st->session_id)) {
		errbuf_set(err, errsz, "bad session id");
		return -1;
	}
	if (st->serial < 0 || st->last_success < 0 || st->last_failure < 0) {
		errbuf_set(err, errsz, "negative serial or time");
		return -1;
	}
	if (st->revision[0] != '\0' && !valid_revision(st->revision)) {
		errbuf_set(err, errsz, "bad revision name");
		return -1;
	}
	if (st->ndeltas > MAX_NOTIFICATION_DELTAS || st->nhistory > MAX_HISTORY) {
		errbuf_set(err, errsz, "too many deltas or history entries");
		return -1;
	}
	for (i = 0; i < st->ndeltas; i++)
		if (st->deltas[i].serial < 0 ||
		    (i > 0 && st->deltas[i].serial <= st->deltas[i - 1].serial)) {
			errbuf_set(err, errsz, "deltas not ascending");
			return -1;
		}
	for (i = 0; i < st->nhistory; i++)
		if (!valid_revision(st->history[i].name) ||
		    st->history[i].since < 0 || st->history[i].until < 0 ||
		    st->history[i].removed < 0) {
			errbuf_set(err, errsz, "bad history entry");
			return -1;
		}
	return 0;
}
