/*
 * The expiry summary of the served revision, kept in <state-dir>/expiry so
 * that `rsyncswap status` can show it without reading the tree: writing it
 * (expiry_read.h reads it). It is written and read line by line: a sync
 * never holds it whole in memory.
 */
#ifndef RSYNCSWAP_EXPIRY_FILE_H
#define RSYNCSWAP_EXPIRY_FILE_H

#include <limits.h>
#include <stddef.h>

#include "rsyncswap/expiry/expiry.h"

/* Name of the file below the state directory, its first line. */
#define EXPIRY_FILE_NAME	"expiry"
#define EXPIRY_FILE_MAGIC	"rsyncswap-expiry 3"

/* Longest line of the file: a path and the numbers before it. */
#define EXPIRY_LINE_MAX		(PATH_MAX + 256)

/* What a line of the file is. */
enum expiry_record_kind {
	EXPIRY_REC_PP,		/* a publication point: pp */
	EXPIRY_REC_OTHER,	/* manifests and CRLs of a directory that is
				   no PP: pp.dir and pp.objects only */
	EXPIRY_REC_BAD,		/* a damaged object: path, reason */
	EXPIRY_REC_TOUCHED,	/* a segment's directory read again: pp.dir
				   (never given by expiry_reader_next) */
};

/* One line of the file. */
struct expiry_record {
	enum expiry_record_kind	 kind;
	struct expiry_pp	 pp;		/* pp.dir: valid until next */
	const char		*path;		/* valid until next */
	enum expiry_bad_reason	 reason;
};

struct expiry_writer;

/*
 * Returns a writer of <state_dir>/expiry describing the revision directory
 * named revision: a temporary file in state_dir until
 * expiry_writer_commit(). Returns NULL with a message in errbuf.
 */
struct expiry_writer	*expiry_writer_open(const char *state_dir,
			    const char *revision, char *errbuf, size_t errsz);

/*
 * Returns a writer of the segment seq of <state_dir>/expiry.d (made if
 * missing) describing revision, made by deltas applied to prev, on top of
 * the base file of revision base: a temporary file until
 * expiry_writer_commit(). Its lines: expiry_writer_touched() for each
 * directory the deltas touched, first, then the records of those
 * directories read again. Returns NULL with a message in errbuf.
 */
struct expiry_writer	*expiry_writer_open_segment(const char *state_dir,
			    unsigned long seq, const char *base,
			    const char *prev, const char *revision,
			    char *errbuf, size_t errsz);

/* Writes that dir (a directory of the tree, "" the top) was read again. */
void	expiry_writer_touched(struct expiry_writer *w, const char *dir);

/* Fills sink with callbacks that write to w. */
void	expiry_writer_sink(struct expiry_writer *w, struct expiry_sink *sink);

/*
 * Writes one record as read by expiry_reader_next(): a publication point
 * or a directory that is none (their objects count in the total) or a
 * damaged object.
 */
void	expiry_writer_record(struct expiry_writer *w,
	    const struct expiry_record *rec);

/* Raises the newest update of the file to t (TSNORM_NO_TIME is ignored). */
void	expiry_writer_newest(struct expiry_writer *w, int64_t t);

/*
 * Ends the file (totals, "end"), flushes it to disk and renames it over
 * <state_dir>/expiry (a base: every segment is removed first) or its
 * segment's name; frees w. Returns 0, or -1 with a message in errbuf
 * (the old file is then left as it was).
 */
int	expiry_writer_commit(struct expiry_writer *w, char *errbuf,
	    size_t errsz);

/* Removes the temporary file and frees w (NULL is fine). */
void	expiry_writer_abort(struct expiry_writer *w);

/*
 * Writes sum to <state_dir>/expiry atomically, mode 0644. Control
 * characters in paths are written as '?'. Returns 0, or -1 with a message
 * in errbuf.
 */
int	expiry_save(const char *state_dir, const struct expiry_summary *sum,
	    char *errbuf, size_t errsz);

#endif
