/*
 * Expiry watch: when does the served repository go stale?
 *
 * A publication point (PP) is a directory holding a readable manifest. Its
 * expiry is the earliest of its manifests' nextUpdate, their EE
 * certificates' notAfter and the nextUpdate of the CRLs in the same
 * directory: after it, relying parties reject the PP and every ROA below
 * it. Manifests and CRLs that cannot be read are listed as damaged.
 *
 * A directory's manifests and CRLs are folded into a struct expiry_dir and
 * handed to a sink: a file written line by line (what sync does, in memory
 * independent of the repository's size) or an accumulator (struct
 * expiry_acc), which can also be fed object by object in any order;
 * expiry_acc_finish() turns it into a summary, sorted by expiry. Memory of
 * an accumulator: one entry per PP, at most MAX_EXPIRY_PPS (limits.h); PPs
 * beyond are counted in "dropped".
 * The summary does not depend on the current time: expiry_assess() and
 * expiry_warning() judge it against a time and a warning window.
 */
#ifndef RSYNCSWAP_EXPIRY_H
#define RSYNCSWAP_EXPIRY_H

#include <stddef.h>
#include <stdint.h>

#include "tsnorm/tsnorm.h"

/* Longest revision name an expiry summary records. */
#define EXPIRY_REVISION_MAX	256

/* Why a manifest or CRL is listed as damaged. */
enum expiry_bad_reason {
	EXPIRY_BAD_UNREADABLE,		/* not a readable manifest / CRL */
	EXPIRY_BAD_NO_NEXTUPDATE,	/* a CRL without nextUpdate */
	EXPIRY_BAD_IO,			/* could not be read from disk */
	EXPIRY_BAD_TOO_LARGE,		/* over MAX_OBJECT_SIZE_LIMIT */
};

/* Which time of a PP is its expiry. */
enum expiry_source {
	EXPIRY_SRC_MFT_NEXTUPDATE,
	EXPIRY_SRC_MFT_EE_NOTAFTER,
	EXPIRY_SRC_CRL_NEXTUPDATE,
};

struct expiry_pp {
	char		*dir;		/* relative path, "" for the top */
	int64_t		 expiry;	/* min of the three below */
	int64_t		 mft_next_update;	/* earliest, of all manifests */
	int64_t		 mft_not_after;		/* earliest EE notAfter */
	int64_t		 crl_next_update;	/* earliest; TSNORM_NO_TIME
						   if no readable CRL */
	int64_t		 mft_this_update;	/* latest manifest thisUpdate */
	size_t		 objects;	/* manifests and CRLs in dir */
};

struct expiry_bad {
	char			*path;	/* relative path of the object */
	enum expiry_bad_reason	 reason;
};

struct expiry_summary {
	char			 revision[EXPIRY_REVISION_MAX];	/* it describes;
							   "" unknown */
	struct expiry_pp	*pps;	/* by expiry, then dir */
	size_t			 npps;
	struct expiry_bad	*bad;	/* by path, at most MAX_EXPIRY_BAD */
	size_t			 nbad_listed;
	size_t			 nbad;	/* all damaged manifests and CRLs */
	size_t			 objects;	/* manifests and CRLs seen */
	size_t			 dropped;	/* PPs over MAX_EXPIRY_PPS */
	int64_t			 newest_update;	/* latest thisUpdate of any
						   manifest or CRL: when the
						   origin last re-signed;
						   TSNORM_NO_TIME if none */
};

/* What a summary means at a given time, with a warning window. */
struct expiry_assessment {
	size_t			 expired;	/* PPs with expiry < now */
	size_t			 expiring;	/* now <= expiry <= now+warn */
	size_t			 damaged;	/* = nbad */
	const struct expiry_pp	*earliest;	/* NULL if no PP */
};

/*
 * The manifests and CRLs of one directory, folded object by object: its
 * publication point if a readable manifest was seen.
 */
struct expiry_dir {
	struct expiry_pp	 pp;		/* pp.dir is the caller's */
	int			 has_mft;	/* a readable manifest seen */
	size_t			 objects;	/* manifests and CRLs inspected */
	int64_t			 newest_update;	/* latest thisUpdate of them */
};

/*
 * Where a walk or a delta update puts what it finds, one directory at a
 * time: an accumulator in memory or a file being written (expiry_file.h).
 */
struct expiry_sink {
	/* A directory; each directory is given once. */
	void	(*dir)(void *arg, const struct expiry_dir *d);
	/* A damaged manifest or CRL: its relative path and why. */
	void	(*bad)(void *arg, const char *path,
		    enum expiry_bad_reason reason);
	void	 *arg;
};

/* Empties d for the directory dir (relative path, "" for the top). */
void	expiry_dir_init(struct expiry_dir *d, char *dir);

/*
 * Folds one object of d's directory, as tsnorm_inspect() read it. Returns
 * 1 if it was a readable manifest or CRL, 0 if it is neither (ignored), or
 * -1 if it is a damaged one, with *reason set for the caller to record.
 */
int	expiry_dir_add(struct expiry_dir *d, const struct tsnorm_expiry *exp,
	    enum expiry_bad_reason *reason);

/* Returns the expiry of d's publication point (the earliest of its times). */
int64_t	expiry_dir_expiry(const struct expiry_dir *d);

struct expiry_acc;

/* Returns a new, empty accumulator. Exits on out-of-memory (err). */
struct expiry_acc	*expiry_acc_new(void);

/* Frees acc (NULL is fine). */
void	expiry_acc_free(struct expiry_acc *acc);

/*
 * Feeds one object: path is its relative path in the tree (its directory
 * is the PP), exp what tsnorm_inspect() read. Objects that are neither
 * manifest nor CRL cost one comparison. The order of objects does not
 * matter. Returns nothing: every input is accepted.
 */
void	expiry_acc_add(struct expiry_acc *acc, const char *path,
	    const struct tsnorm_expiry *exp);

/* Records the object path as damaged for reason (I/O, size). */
void	expiry_acc_add_bad(struct expiry_acc *acc, const char *path,
	    enum expiry_bad_reason reason);

/*
 * Merges a folded directory into acc, as if its objects had been fed one
 * by one. Returns nothing: every input is accepted.
 */
void	expiry_acc_add_dir(struct expiry_acc *acc, const struct expiry_dir *d);

/* Fills sink with callbacks that feed acc. */
void	expiry_acc_sink(struct expiry_acc *acc, struct expiry_sink *sink);

/*
 * Moves what acc holds into sum (which the caller frees with
 * expiry_summary_free) and empties acc.
 */
void	expiry_acc_finish(struct expiry_acc *acc, struct expiry_summary *sum);

/* Sorts sum's PPs by expiry then dir, and damaged objects by path. */
void	expiry_summary_sort(struct expiry_summary *sum);

/* Frees what sum holds and zeroes it. */
void	expiry_summary_free(struct expiry_summary *sum);

/* Returns which time of pp is its expiry. */
enum expiry_source	 expiry_pp_source(const struct expiry_pp *pp);

/* Returns a short fixed name, e.g. "manifest-nextupdate". */
const char	*expiry_source_name(enum expiry_source);
const char	*expiry_bad_reason_name(enum expiry_bad_reason);

/*
 * Fills a with the judgement of sum at now (seconds since the epoch) with
 * a warning window of warn seconds.
 */
void	expiry_assess(const struct expiry_summary *sum, int64_t now,
	    int64_t warn, struct expiry_assessment *a);

/*
 * Writes into buf (one line, no newline) what a daemon should log about
 * sum at now with a warning window of warn seconds. Returns 0 if there is
 * nothing to say (buf empty), 1 for a warning (PPs expire within the
 * window or damaged manifests/CRLs are served), 2 if PPs have expired.
 */
int	expiry_warning(const struct expiry_summary *sum, int64_t now,
	    int64_t warn, char *buf, size_t bufsz);

/* Formats t as 2023-02-14T14:20:29Z into buf (at least 21 octets). */
void	expiry_fmt_time(int64_t t, char *buf, size_t bufsz);

/* Formats the duration secs (may be negative) as e.g. "2h20m" / "-1d3h". */
void	expiry_fmt_duration(int64_t secs, char *buf, size_t bufsz);

/*
 * Formats a warning window of secs as the option gives it: "8 h" for
 * whole hours, else as expiry_fmt_duration(). Returns buf.
 */
const char	*expiry_fmt_window(int64_t secs, char *buf, size_t bufsz);

#endif
