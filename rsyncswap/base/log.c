#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "rsyncswap/base/log.h"

static const char *log_prog = "rsyncswap";
/* 0 = errors only (-q), 1 = warnings (default), 2 = info (-v), 3 = debug. */
static int log_verbosity = 1;
static int log_syslog;
/* stderr is the journal (1), is not (0), not yet known (-1). */
static int log_journal = -1;

/*
 * Returns 1 when stderr is the stream systemd gave us for the journal:
 * JOURNAL_STREAM holds its "device:inode" (sd_journal_stream_fd(3)).
 */
static int
stderr_is_journal(void)
{
	const char		*e = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 sb;
	char			 tail;

	if (e == NULL || sscanf(e, "%llu:%llu%c", &dev, &ino, &tail) != 2 ||
	    fstat(STDERR_FILENO, &sb) == -1)
		return 0;
	return (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

void
log_use_syslog(void)
{
	openlog(log_prog, LOG_PID, LOG_DAEMON);
	log_syslog = 1;
}

void
log_init(const char *prog, int verbosity)
{
	log_prog = prog;
	log_verbosity = verbosity;
}

char *
log_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* A C1 control in UTF-8 (CSI is U+009B): "??". */
			p[0] = p[1] = '?';
			p++;
		}
	}
	return s;
}

const char *
log_prefix(enum log_level lvl)
{
	static const char *prefix[] = { "<3>", "<4>", "<6>", "<7>" };

	if (log_journal == -1)
		log_journal = stderr_is_journal();
	return log_journal ? prefix[lvl] : "";
}

/* Returns 1 when messages of this level are printed. */
int
log_enabled(enum log_level lvl)
{
	return (int)lvl <= log_verbosity;
}

static void
log_v(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char line[4096];

	if (!log_enabled(lvl))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One event, one line: never let a hostile input break the line. */
	log_scrub(line);
	if (log_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
		    LOG_DEBUG };
		syslog(prio[lvl], "%s", line);
		return;
	}
	fprintf(stderr, "%s%s: %s: %s\n", log_prefix(lvl), log_prog,
	    names[lvl], line);
}

#define LOG_FN(name, lvl)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_v(lvl, fmt, ap);				\
	va_end(ap);					\
}

LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)
