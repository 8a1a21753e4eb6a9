/*
 * Follows a log file that is rotated under the reader (rsyncd's log with
 * logrotate), delivering complete lines exactly once.
 *
 *   struct logtail *lt = logtail_open(path, 0, err, sizeof(err));
 *   for (;;) {
 *           struct pollfd pfd = { logtail_fd(lt), POLLIN, 0 };
 *           poll(&pfd, 1, logtail_poll_timeout(lt));
 *           if (logtail_read(lt, on_line, arg) == -1) ...;
 *   }
 *
 * inotify watches the file (IN_MODIFY, IN_MOVE_SELF, IN_DELETE_SELF,
 * IN_ATTRIB) and its directory (IN_CREATE, IN_MOVED_TO, IN_MOVED_FROM,
 * IN_DELETE); events only wake the caller: every logtail_read re-checks
 * the path with stat(2), so a missed event costs at most the poll timeout.
 *
 * Rotation by rename (or deletion) and a new file: the old file is read to
 * its end, the new file is read from its beginning, and the old file stays
 * open "draining": rsyncd's connection children keep the log open for the
 * whole connection, so a session that started before the rotation writes
 * its end line into the old file. A draining file is read on every call
 * until it has not grown for LOGTAIL_DRAIN_IDLE seconds; at most
 * LOGTAIL_DRAIN_MAX are kept (the oldest is closed first). Lines of
 * different files may thus arrive out of time order; within a file they
 * keep their order.
 * copytruncate (the file got shorter than what was read): reading restarts
 * at offset 0; a partial line held from before is dropped (counted in cut).
 * Deleted and not re-created: waits for the name to reappear.
 *
 * A line is delivered without its "\n". A line longer than RSYNCD_LINE_MAX
 * is not delivered: it is skipped to its "\n" and counted in cut (callers
 * count it as malformed). An unterminated last line is held until its "\n"
 * arrives; when a draining file is closed it is delivered as it is and
 * counted in unterminated.
 */
#ifndef RSYNCSWAP_LOGTAIL_H
#define RSYNCSWAP_LOGTAIL_H

#include <stddef.h>

struct logtail;

struct logtail_stats {
	unsigned long long	lines;		/* delivered */
	unsigned long long	cut;		/* too long or dropped partial */
	unsigned long long	unterminated;	/* delivered without "\n" */
	unsigned long long	rotations;	/* files opened under the name after the first */
	unsigned long long	truncations;	/* copytruncate seen */
};

typedef void	(*logtail_line_cb)(const char *line, size_t len, void *arg);

/*
 * Starts following path: at its current end, or from its beginning when
 * from_start is set (a path that does not exist yet is read from its
 * beginning once it appears). Returns the tailer, or NULL with the reason
 * in err (inotify unavailable, the directory does not exist, out of memory).
 */
struct logtail	*logtail_open(const char *path, int from_start, char *err,
		    size_t errsz);

/* Returns the inotify fd to poll for POLLIN. */
int		 logtail_fd(const struct logtail *);

/* Returns the poll timeout in milliseconds (LOGTAIL_RECHECK_MS). */
int		 logtail_poll_timeout(const struct logtail *);

/*
 * Drains pending inotify events, re-checks the path and reads every file
 * followed to its current end, calling cb(line, len, arg) for each complete
 * line. Returns the number of lines delivered, or -1 on a read error (reason
 * in err; the tailer stays usable and the next call retries).
 */
long		 logtail_read(struct logtail *, logtail_line_cb cb, void *arg,
		    char *err, size_t errsz);

void		 logtail_stats(const struct logtail *, struct logtail_stats *);

void		 logtail_close(struct logtail *);

#endif
