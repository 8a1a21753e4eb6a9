/*
 * Reading the expiry summary, <state-dir>/expiry and the segments on it
 * (expiry_journal.h), as one: record by record, or whole into a summary.
 */
#ifndef RSYNCSWAP_EXPIRY_READ_H
#define RSYNCSWAP_EXPIRY_READ_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "rsyncswap/expiry/expiry_file.h"

struct expiry_reader;

/*
 * Opens <state_dir>/expiry and the chain of segments on it into *r: the
 * revision it describes is then known. Returns 0; 1 if there is no such
 * file; -1 with a message in errbuf (damaged: a head, or a segment of the
 * chain).
 */
int	expiry_reader_open(const char *state_dir, struct expiry_reader **r,
	    char *errbuf, size_t errsz);

/*
 * Reads the next record into rec. Returns 1,
 * 0 at the valid end of the file (the totals are then known), or -1 with
 * a message in errbuf if the file is damaged or truncated.
 */
int	expiry_reader_next(struct expiry_reader *r, struct expiry_record *rec,
	    char *errbuf, size_t errsz);

/*
 * Returns the totals of the summary (objects, nbad, dropped,
 * newest_update; no lists) once expiry_reader_next() returned 0, and the
 * revision it describes from the start.
 */
const struct expiry_summary *expiry_reader_totals(const struct expiry_reader *r);

/*
 * Returns the number of segments r applies to its base, and sets *base to
 * the base's revision and the sizes of the base file and those segments.
 */
size_t	expiry_reader_chain(const struct expiry_reader *r, const char **base,
	    off_t *base_bytes, off_t *segment_bytes);

/* Closes r (NULL is fine). */
void	expiry_reader_close(struct expiry_reader *r);

/*
 * Writes into buf the revision that the summary describes: of the last
 * segment of the chain, or of the base's head. Returns 0; 1 if there is
 * no such file; -1 if a head is damaged or of another format (buf is
 * then "").
 */
int	expiry_file_revision(const char *state_dir, char *buf, size_t bufsz);

/*
 * Returns 1 if the next sync reads the summary of state_dir again by
 * itself: it is missing, or its damage shows without reading it whole
 * (a head, the end line, a segment of the chain); 0 if it must be removed
 * first (not a regular file, or damaged inside).
 */
int	expiry_repaired_by_sync(const char *state_dir);

/*
 * Reads <state_dir>/expiry into sum (freed by expiry_summary_free), sorted.
 * Bounded: at most MAX_EXPIRY_PPS PPs (those beyond count in dropped) and
 * MAX_EXPIRY_BAD damaged objects, lines of at most PATH_MAX + 256 octets.
 * Returns 0; 1 if there is no such file; -1 with a message in errbuf if it
 * cannot be read or is damaged (sum is then empty).
 */
int	expiry_load(const char *state_dir, struct expiry_summary *sum,
	    char *errbuf, size_t errsz);

/*
 * Like expiry_load(), but keeps only what expiry_assess() and
 * expiry_warning() need at now with a warning window of warn seconds: the
 * PPs that have expired or expire within the window, and the earliest of
 * the others. Memory: none per PP while nothing is about to expire.
 */
int	expiry_load_brief(const char *state_dir, int64_t now, int64_t warn,
	    struct expiry_summary *sum, char *errbuf, size_t errsz);

#endif
