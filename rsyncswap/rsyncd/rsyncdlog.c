/*
 * Parser of one rsyncd log line: the message formats are those of rsync
 * 3.5.0 (clientserver.c, log.c, main.c, flist.c), checked on real logs in
 * tests/data/rsyncd.
 */
#include <string.h>
#include <time.h>

#include "rsyncswap/rsyncd/rsyncdlog.h"

/* "YYYY/MM/DD HH:MM:SS " */
#define PREFIX_TIME_LEN	20
/* Digits of a byte count: 2^63 has 19. */
#define COUNT_DIGITS_MAX	18

/* A byte range of the line being parsed. */
struct span {
	const char	*p;
	size_t		 n;
};

/* Returns 1 when s starts with the NUL-terminated prefix, and skips it. */
static int
eat(struct span *s, const char *prefix)
{
	size_t	n = strlen(prefix);

	if (s->n < n || memcmp(s->p, prefix, n) != 0)
		return 0;
	s->p += n;
	s->n -= n;
	return 1;
}

/* Returns 1 when s ends with suffix, and drops it. */
static int
eat_end(struct span *s, const char *suffix)
{
	size_t	n = strlen(suffix);

	if (s->n < n || memcmp(s->p + s->n - n, suffix, n) != 0)
		return 0;
	s->n -= n;
	return 1;
}

/*
 * Parses 1 to maxdig decimal digits at the start of s into *v.
 * Returns 1, or 0 when there is no digit or too many.
 */
static int
eat_num(struct span *s, int maxdig, long long *v)
{
	int	i = 0;

	*v = 0;
	while ((size_t)i < s->n && s->p[i] >= '0' && s->p[i] <= '9') {
		if (++i > maxdig)
			return 0;
		*v = *v * 10 + (s->p[i - 1] - '0');
	}
	s->p += i;
	s->n -= i;
	return i > 0;
}

/* Returns the last position of needle in s, or NULL. */
static const char *
find_last(const struct span *s, const char *needle)
{
	size_t	n = strlen(needle), i;

	if (s->n < n)
		return NULL;
	for (i = s->n - n + 1; i-- > 0; )
		if (memcmp(s->p + i, needle, n) == 0)
			return s->p + i;
	return NULL;
}

/* Copies s into dst (size max + 1). Returns 1, or 0 when s is too long. */
static int
copy(char *dst, size_t max, const struct span *s)
{
	if (s->n > max)
		return 0;
	memcpy(dst, s->p, s->n);
	dst[s->n] = '\0';
	return 1;
}

/* Returns 1 when s is a plausible address: hex digits, '.', ':', '%', alnum. */
static int
valid_ip(const struct span *s)
{
	size_t	i;
	char	c;

	if (s->n == 0)
		return 0;
	for (i = 0; i < s->n; i++) {
		c = s->p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '%'))
			return 0;
	}
	return 1;
}

/*
 * Parses "HOST (IP)" at the end of s, preceded by " from " (or s is all
 * of it when whole is set), into out; s keeps what comes before " from ".
 * Returns 1, or 0 when malformed.
 */
static int
eat_from(struct span *s, struct rsyncd_line *out, int whole)
{
	struct span	 host, ip;
	const char	*paren, *from;

	if (!eat_end(s, ")") || (paren = find_last(s, " (")) == NULL)
		return 0;
	ip.p = paren + 2;
	ip.n = s->p + s->n - ip.p;
	host.p = s->p;
	host.n = paren - s->p;
	if (!whole) {
		if ((from = find_last(&host, " from ")) == NULL)
			return 0;
		host.p = from + 6;
		host.n = paren - host.p;
		s->n = from - s->p;
	}
	if (host.n == 0 || memchr(host.p, ' ', host.n) != NULL ||
	    !valid_ip(&ip) || !copy(out->host, RSYNCD_HOST_MAX, &host) ||
	    !copy(out->ip, RSYNCD_IP_MAX, &ip))
		return 0;
	return 1;
}

/* Parses `"PATH" (in MODULE)` or `"PATH"`. Returns 1, or 0 if malformed. */
static int
eat_vanished(struct span *s, struct rsyncd_line *out)
{
	struct span	 path, mod;
	const char	*in;

	if (!eat(s, "\""))
		return 0;
	mod.n = 0;
	if (eat_end(s, ")") && (in = find_last(s, "\" (in ")) != NULL) {
		mod.p = in + 6;
		mod.n = s->p + s->n - mod.p;
		s->n = in + 1 - s->p;
		if (mod.n == 0 || !copy(out->module, RSYNCD_MODULE_MAX, &mod))
			return 0;
	} else if (s->n > 0 && s->p[s->n - 1] == ')')
		return 0;
	if (!eat_end(s, "\""))
		return 0;
	path = *s;
	return path.n > 0 && copy(out->path, RSYNCD_PATH_MAX, &path);
}

/* Parses the module of "MODULE[/PATH][ ...]" into out. Returns 1 or 0. */
static int
module_of(const struct span *s, struct rsyncd_line *out)
{
	struct span	m = *s;
	size_t		i;

	for (i = 0; i < m.n && m.p[i] != '/' && m.p[i] != ' '; i++)
		;
	m.n = i;
	return m.n > 0 && copy(out->module, RSYNCD_MODULE_MAX, &m);
}

/* Parses "sent N bytes  received M bytes  total size T". Returns 1 or 0. */
static int
eat_end_line(struct span *s, struct rsyncd_line *out)
{
	return eat_num(s, COUNT_DIGITS_MAX, &out->sent) &&
	    eat(s, " bytes  received ") &&
	    eat_num(s, COUNT_DIGITS_MAX, &out->received) &&
	    eat(s, " bytes  total size ") &&
	    eat_num(s, COUNT_DIGITS_MAX, &out->total) && s->n == 0;
}

/* Returns the n-digit decimal number at p, or -1 if not all digits. */
static long long
digits(const char *p, int n)
{
	long long	v = 0;
	int		i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * Parses "YYYY/MM/DD HH:MM:SS [PID] " into out. Returns 1, or 0 when
 * malformed or not a date.
 */
static int
eat_prefix(struct span *s, struct rsyncd_line *out)
{
	static _Thread_local char	 hour_key[13];	/* "YYYY/MM/DD HH" */
	static _Thread_local long long	 hour_start;
	const char			*p = s->p;
	long long			 pid;
	struct tm			 tm;
	time_t				 t;
	int				 min, sec;

	if (s->n < PREFIX_TIME_LEN || p[4] != '/' || p[7] != '/' ||
	    p[10] != ' ' || p[13] != ':' || p[16] != ':' || p[19] != ' ')
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)digits(p, 4) - 1900;
	tm.tm_mon = (int)digits(p + 5, 2) - 1;
	tm.tm_mday = (int)digits(p + 8, 2);
	tm.tm_hour = (int)digits(p + 11, 2);
	tm.tm_min = (int)digits(p + 14, 2);
	tm.tm_sec = (int)digits(p + 17, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 60)
		return 0;
	s->p += PREFIX_TIME_LEN;
	s->n -= PREFIX_TIME_LEN;
	if (!eat(s, "[") || !eat_num(s, 10, &pid) || !eat(s, "] ") ||
	    pid < 1 || pid > RSYNCD_PID_MAX)
		return 0;
	/*
	 * mktime(3) costs more than the rest of the parse: it runs once per
	 * hour of the log, for the hour's start (time zones change their
	 * offset on hour boundaries); the cache is per thread.
	 */
	if (memcmp(p, hour_key, sizeof(hour_key)) != 0) {
		min = tm.tm_min;
		sec = tm.tm_sec;
		tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1)
			return 0;
		memcpy(hour_key, p, sizeof(hour_key));
		hour_start = (long long)t;
		tm.tm_min = min;
		tm.tm_sec = sec;
	}
	out->time = hour_start + tm.tm_min * 60 + tm.tm_sec;
	out->pid = (long)pid;
	return 1;
}

/* Classifies the message s (after the prefix). Returns 1, or 0 if malformed. */
static int
parse_message(struct span *s, struct rsyncd_line *out)
{
	long long	 v;
	const char	*code;

	if (eat(s, "connect from ")) {
		out->kind = RSYNCD_CONNECT;
		return eat_from(s, out, 1);
	}
	if (eat(s, "rsync allowed access on module ")) {
		out->kind = RSYNCD_ACCESS;
		return eat_from(s, out, 0) && module_of(s, out);
	}
	if (eat(s, "rsync on ") || eat(s, "rsync to ")) {
		out->kind = RSYNCD_START;
		return eat_from(s, out, 0) && module_of(s, out);
	}
	if (eat(s, "file has vanished: ")) {
		out->kind = RSYNCD_VANISHED_FILE;
		return eat_vanished(s, out);
	}
	if (eat(s, "directory has vanished: ")) {
		out->kind = RSYNCD_VANISHED_DIR;
		return eat_vanished(s, out);
	}
	if (eat(s, "sent ")) {
		out->kind = RSYNCD_END;
		return eat_end_line(s, out);
	}
	if (eat(s, "max connections (")) {
		out->kind = RSYNCD_MAXCONN;
		if (!eat_num(s, 9, &v) || !eat(s, ") reached") || s->n != 0)
			return 0;
		out->number = (long)v;
		return 1;
	}
	if (eat(s, "module-list request from ")) {
		out->kind = RSYNCD_NOXFER;
		return eat_from(s, out, 1);
	}
	if (eat(s, "rsync denied on module ") ||
	    eat(s, "auth failed on module ")) {
		out->kind = RSYNCD_NOXFER;
		/* "auth failed on module M from H (IP): reason" */
		if ((code = find_last(s, "): ")) != NULL)
			s->n = code + 1 - s->p;
		return eat_from(s, out, 0) && module_of(s, out);
	}
	if (eat(s, "unknown module '")) {
		out->kind = RSYNCD_NOXFER;
		return eat_from(s, out, 0);
	}
	if (eat(s, "rsync error: ")) {
		out->kind = RSYNCD_ERROR;
		out->number = -1;
		if ((code = find_last(s, "(code ")) != NULL) {
			struct span c = { code + 6, s->p + s->n - code - 6 };
			if (eat_num(&c, 9, &v) && eat(&c, ")"))
				out->number = (long)v;
		}
		return 1;
	}
	out->kind = RSYNCD_OTHER;
	return 1;
}

int
rsyncd_parse_line(const char *buf, size_t len, struct rsyncd_line *out)
{
	struct span	s = { buf, len };

	out->module[0] = out->host[0] = out->ip[0] = out->path[0] = '\0';
	out->sent = out->received = out->total = 0;
	out->number = 0;
	out->kind = RSYNCD_OTHER;
	if (len > RSYNCD_LINE_MAX)
		return -1;
	if (s.n > 0 && s.p[s.n - 1] == '\n')
		s.n--;
	if (s.n > 0 && s.p[s.n - 1] == '\r')
		s.n--;
	if (memchr(s.p, '\0', s.n) != NULL || memchr(s.p, '\n', s.n) != NULL)
		return -1;
	if (!eat_prefix(&s, out) || !parse_message(&s, out))
		return -1;
	return 0;
}

const char *
rsyncd_kind_name(enum rsyncd_kind kind)
{
	switch (kind) {
	case RSYNCD_CONNECT:		return "connect";
	case RSYNCD_ACCESS:		return "access";
	case RSYNCD_START:		return "start";
	case RSYNCD_VANISHED_FILE:	return "vanished-file";
	case RSYNCD_VANISHED_DIR:	return "vanished-directory";
	case RSYNCD_END:		return "end";
	case RSYNCD_MAXCONN:		return "max-connections";
	case RSYNCD_NOXFER:		return "no-transfer";
	case RSYNCD_ERROR:		return "error";
	case RSYNCD_OTHER:		return "other";
	}
	return "?";
}
