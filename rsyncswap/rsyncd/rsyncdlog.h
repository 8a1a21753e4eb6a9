/*
 * One line of an rsync daemon log ("log file =" with the default "log
 * format"), as rsync 3.5.0 writes it:
 *
 *   2026/11/25 14:50:52 [11135] connect from localhost (127.0.0.1)
 *   2026/11/25 14:50:52 [11135] rsync allowed access on module repo from localhost (127.0.0.1)
 *   2026/11/25 14:50:52 [11135] rsync on repo/ from localhost (127.0.0.1)
 *   2026/11/25 14:50:54 [11135] file has vanished: "a/f146.roa" (in repo)
 *   2026/11/25 14:50:54 [11135] directory has vanished: "/d250" (in repo)
 *   2026/11/25 14:50:54 [11135] sent 1053725 bytes  received 3840 bytes  total size 4000000
 *   2026/11/25 14:50:55 [11140] max connections (2) reached
 *   2026/11/25 14:50:56 [11141] rsync error: ... (code 12) at io.c(285) [sender=3.5.0]
 *
 * The pid is the connection's child process. Every field is length-checked
 * against the RSYNCD_* limits of limits.h; nothing is allocated.
 */
#ifndef RSYNCSWAP_RSYNCDLOG_H
#define RSYNCSWAP_RSYNCDLOG_H

#include <stddef.h>

#include "rsyncswap/base/limits.h"

enum rsyncd_kind {
	RSYNCD_CONNECT,		/* connect from HOST (IP) */
	RSYNCD_ACCESS,		/* rsync allowed access on module M from H (IP) */
	RSYNCD_START,		/* rsync on|to M[/PATH] from HOST (IP) */
	RSYNCD_VANISHED_FILE,	/* file has vanished: "PATH" (in M) */
	RSYNCD_VANISHED_DIR,	/* directory has vanished: "PATH" (in M) */
	RSYNCD_END,		/* sent N bytes  received M bytes  total size T */
	RSYNCD_MAXCONN,		/* max connections (N) reached */
	/*
	 * The connection ends without a transfer: module-list request,
	 * unknown module, rsync denied on module, auth failed on module.
	 */
	RSYNCD_NOXFER,
	RSYNCD_ERROR,		/* rsync error: ... (code N) ... */
	RSYNCD_OTHER		/* well-formed prefix, any other message */
};

struct rsyncd_line {
	long long		time;	/* epoch seconds, see rsyncd_parse_line */
	long			pid;
	enum rsyncd_kind	kind;
	/* "" when the kind has no such field. */
	char			module[RSYNCD_MODULE_MAX + 1];
	char			host[RSYNCD_HOST_MAX + 1];
	char			ip[RSYNCD_IP_MAX + 1];
	char			path[RSYNCD_PATH_MAX + 1];	/* vanished */
	long long		sent, received, total;		/* END */
	long			number;	/* MAXCONN: N; ERROR: exit code */
};

/*
 * Parses the len bytes at buf (not NUL-terminated; one trailing "\n" or
 * "\r\n" is ignored) into *out. The time is the daemon's local time
 * converted with mktime(3) (tm_isdst = -1), once per hour of the log (the
 * hour's start plus minutes and seconds): the reader must run in the
 * daemon's time zone (TZ, read when the hour is first seen); in the
 * repeated hour when daylight saving time ends, mktime picks one of the
 * two readings.
 * Returns 0 with *out filled, or -1 for a malformed line: a bad
 * "YYYY/MM/DD HH:MM:SS [PID] " prefix, an impossible date, a field over its
 * limit, a NUL byte, or a known message whose fields do not parse. *out is
 * then unspecified.
 */
int		 rsyncd_parse_line(const char *buf, size_t len,
		    struct rsyncd_line *out);

/* Returns a short name of kind ("connect", "vanished-file", ...). */
const char	*rsyncd_kind_name(enum rsyncd_kind kind);

#endif
