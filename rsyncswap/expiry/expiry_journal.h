/*
 * The segments of the expiry summary: <state-dir>/expiry.d/NNNNNN. After
 * deltas, a sync does not rewrite <state-dir>/expiry (the base, of some
 * earlier revision): it writes one segment naming the directories the
 * deltas touched and their lines read again. A reader (expiry_read.h)
 * takes the base, minus the touched directories, plus the segments. Each
 * segment names the base and the revision it applies to, so a chain that
 * does not fit is never read; a new base removes every segment first.
 */
#ifndef RSYNCSWAP_EXPIRY_JOURNAL_H
#define RSYNCSWAP_EXPIRY_JOURNAL_H

#include <sys/types.h>

#include <stddef.h>

/* The folder below the state directory, a segment's first line. */
#define EXPIRY_JOURNAL_DIR	"expiry.d"
#define EXPIRY_SEGMENT_MAGIC	"rsyncswap-expiry-segment 1"
/* Digits of a segment's name: its place in the chain, from 1. */
#define EXPIRY_SEGMENT_DIGITS	6

/* The segment files present, in order (not yet checked against a base). */
struct expiry_journal {
	unsigned long	*seq;	/* their numbers, ascending */
	size_t		 n;
	off_t		 bytes;	/* their sizes, summed */
};

/*
 * Lists <state_dir>/expiry.d into j (no folder: empty). Names that are no
 * segment's are ignored. Returns 0, or -1 with a message in errbuf.
 */
int	expiry_journal_list(const char *state_dir, struct expiry_journal *j,
	    char *errbuf, size_t errsz);

void	expiry_journal_free(struct expiry_journal *j);

/* Writes the path of segment seq into buf. Returns 0, or -1 if too long. */
int	expiry_segment_path(const char *state_dir, unsigned long seq,
	    char *buf, size_t bufsz);

/*
 * Removes the segments numbered above keep (0: all) and the temporary
 * files an interrupted run left, and fsyncs the folder. Only the lock's
 * holder may call it. Returns 0, or -1 with a message in errbuf.
 */
int	expiry_journal_trim(const char *state_dir, unsigned long keep,
	    char *errbuf, size_t errsz);

/* Creates <state_dir>/expiry.d if missing. Returns 0, or -1 (errbuf). */
int	expiry_journal_mkdir(const char *state_dir, char *errbuf,
	    size_t errsz);

#endif
