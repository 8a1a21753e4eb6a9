/*
 * Logging to stderr: one line per event, prefixed with the program name,
 * and with its journald priority when stderr is the journal.
 */
#ifndef RSYNCSWAP_LOG_H
#define RSYNCSWAP_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void	log_init(const char *prog, int verbosity);
/* Sends every message to syslog (facility daemon) instead of stderr. */
void	log_use_syslog(void);
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	log_enabled(enum log_level);
/*
 * Replaces every C0 control, DEL and UTF-8 C1 control in s by '?', so that
 * text from inputs (URIs, log lines) cannot drive the operator's terminal.
 * Returns s.
 */
char	*log_scrub(char *s);

/*
 * Returns the sd-daemon priority prefix ("<3>" for an error ... "<7>" for
 * debug) when stderr is the journal (JOURNAL_STREAM), otherwise "".
 */
const char *log_prefix(enum log_level lvl);

#endif
