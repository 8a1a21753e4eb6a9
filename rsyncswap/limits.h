/*
 * Every limit of rsyncswap, in one place. Each is checked before anything
 * is allocated or written.
 */
#ifndef RSYNCSWAP_LIMITS_H
#define RSYNCSWAP_LIMITS_H

/* Largest decoded object accepted by default (as rpki-client). */
#define MAX_OBJECT_SIZE_DEFAULT	8000000
/* Upper bound for --max-object-size: an object is held in memory once. */
#define MAX_OBJECT_SIZE_LIMIT	(64 * 1024 * 1024)
/* Longest URI accepted anywhere (RRDP and rsync). */
#define MAX_URI_LENGTH		2048
/* Longest single path segment (file or directory name). */
#define MAX_FN_LENGTH		255
/* Deepest path below the module (segments), to bound directory creation. */
#define MAX_PATH_DEPTH		32
/* Deltas applied in one run before a snapshot is cheaper (as rpki-client). */
#define MAX_DELTAS_DEFAULT	300
/* Deltas listed in one notification (rpki-client allows any; bound memory). */
#define MAX_NOTIFICATION_DELTAS	100000
/* Largest notification document. */
#define MAX_NOTIFICATION_SIZE	(64 * 1024 * 1024)
/* Largest snapshot or delta document (the RIPE NCC snapshot is ~1 GB). */
#define MAX_DOCUMENT_SIZE	(16LL * 1024 * 1024 * 1024)
/* Seconds a revision stays on disk after it stopped being current. */
#define CLEANUP_AFTER_DEFAULT	7200
/* Revisions remembered in the state file's history. */
#define MAX_HISTORY		512
/* Seconds one HTTP transfer may take, and may stall, before it fails. */
#define FETCH_TIMEOUT		1800
#define FETCH_LOW_SPEED_TIME	60
/* Largest state file read (MAX_NOTIFICATION_DELTAS lines of ~91 bytes fit). */
#define MAX_STATE_FILE_SIZE	(16 * 1024 * 1024)
/* Length of an error message built for the user (one line). */
#define ERR_MAX			1024

#endif
