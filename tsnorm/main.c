/*
 * tsnorm [-n] [-c] [-v] PATH...: give every file below PATH its canonical
 * mtime (tsnorm.h) and every directory TSNORM_DIR_TIME, never following a
 * symbolic link below PATH (a PATH that is one is followed, as find -H):
 * the walk opens each name relative to its parent directory with
 * O_NOFOLLOW and changes times through that descriptor.
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tsnorm/tsnorm.h"

/* Deepest directory nesting walked; each level holds one descriptor. */
#define MAX_WALK_DEPTH	128

/* Size of one read(2), and the first buffer size. */
#define READ_CHUNK	(64 * 1024)

/* Names of one directory are sorted for a stable output order. */
#define MAX_DIR_ENTRIES	(16 * 1024 * 1024)

enum mode { MODE_SET, MODE_DRYRUN, MODE_CHECK };

struct walk {
	enum mode	 mode;
	int		 verbose;
	int		 failed;	/* a path could not be handled */
	int		 differ;	/* -c: some mtime is not canonical */
	unsigned char	*buf;		/* file contents, reused */
	size_t		 bufsz;
};

/* Prints the usage on stderr and exits 2, or on stdout and exits 0 (-h). */
static void __attribute__((noreturn))
usage(int help)
{
	fprintf(help ? stdout : stderr,
	    "usage: tsnorm [-n] [-c] [-v] PATH...\n"
	    "       tsnorm -h | -V\n"
	    "  -n  print TIME RULE PATH, change nothing\n"
	    "  -c  change nothing, exit 1 and print each path whose mtime\n"
	    "      differs from its canonical one\n"
	    "  -v  print each change\n"
	    "  -h  this text\n"
	    "  -V  print the version\n");
	exit(help ? 0 : 2);
}

/*
 * Prints "TIME RULE PATH" with TIME in ISO 8601 UTC.
 */
static void
print_line(const struct tsnorm_result *res, const char *path)
{
	struct tm	tm;
	time_t		t = (time_t)res->time;
	char		buf[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "%lld", (long long)res->time);
	printf("%s %s %s\n", buf, tsnorm_rule_name(res->rule), path);
}

/*
 * Hashes the rest of fd after the first have octets in w->buf, for a file
 * larger than TSNORM_MAX_PARSE_SIZE. Returns 0 and fills res, -1 on a
 * read error (errno set).
 */
static int
hash_large(struct walk *w, int fd, size_t have, const char *name,
    struct tsnorm_result *res)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX	*ctx;
	ssize_t		 n;
	int		 rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		errx(1, "out of memory");
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, w->buf, have))
		errx(1, "EVP_Digest failed");
	for (;;) {
		n = read(fd, w->buf, w->bufsz);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, w->buf, (size_t)n))
			errx(1, "EVP_DigestUpdate failed");
	}
	if (!EVP_DigestFinal_ex(ctx, md, NULL))
		errx(1, "EVP_DigestFinal failed");
	tsnorm_hash_result(md, name, res);
	rc = 0;
 out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * Reads the regular file fd and computes its canonical time into res.
 * Memory stays below TSNORM_MAX_PARSE_SIZE + 1 octets: larger files are
 * hashed as a stream. Returns 0, or -1 on a read error (errno set).
 */
static int
file_result(struct walk *w, int fd, const char *name,
    struct tsnorm_result *res)
{
	size_t	have = 0, cap = TSNORM_MAX_PARSE_SIZE + 1, nsz;
	ssize_t	n;
	void	*p;

	for (;;) {
		if (have == w->bufsz) {
			if (w->bufsz == cap)
				return hash_large(w, fd, have, name, res);
			nsz = w->bufsz == 0 ? READ_CHUNK : w->bufsz * 2;
			if (nsz > cap)
				nsz = cap;
			if ((p = realloc(w->buf, nsz)) == NULL)
				err(1, NULL);
			w->buf = p;
			w->bufsz = nsz;
		}
		n = read(fd, w->buf + have, w->bufsz - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	return tsnorm_time(w->buf, have, name, res);
}

/*
 * Dry-runs, checks or sets the time res of the file or directory fd
 * (status st) named path.
 */
static void
apply(struct walk *w, int fd, const struct stat *st, const char *path,
    const struct tsnorm_result *res)
{
	struct timespec	ts[2];
	int		same;

	same = st->st_mtim.tv_sec == res->time && st->st_mtim.tv_nsec == 0;
	switch (w->mode) {
	case MODE_DRYRUN:
		print_line(res, path);
		break;
	case MODE_CHECK:
		if (!same) {
			printf("%s\n", path);
			w->differ = 1;
		}
		break;
	case MODE_SET:
		if (same)
			break;
		ts[0].tv_sec = ts[1].tv_sec = (time_t)res->time;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (futimens(fd, ts) == -1) {
			warn("%s", path);
			w->failed = 1;
		} else if (w->verbose)
			print_line(res, path);
		break;
	}
}

static void	walk_fd(struct walk *, int, const char *, const char *, int);

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/*
 * Walks the directory fd named path (its entries in name order), then
 * handles the directory itself. Closes fd.
 */
static void
walk_dir(struct walk *w, int fd, const struct stat *st, const char *path,
    int depth)
{
	struct tsnorm_result	  res = { TSNORM_DIR_TIME, TSNORM_DIR };
	struct dirent		 *de;
	struct stat		  cst;
	DIR			 *dir;
	char			**names = NULL, *child;
	size_t			  n = 0, cap = 0, i;
	int			  dfd, cfd, flags;

	if (depth >= MAX_WALK_DEPTH) {
		warnx("%s: directories nested too deep", path);
		w->failed = 1;
		close(fd);
		return;
	}
	if ((dir = fdopendir(fd)) == NULL) {
		warn("%s", path);
		w->failed = 1;
		close(fd);
		return;
	}
	dfd = dirfd(dir);
	errno = 0;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			if (cap >= MAX_DIR_ENTRIES)
				errx(1, "%s: too many entries", path);
			cap = cap == 0 ? 64 : cap * 2;
			if ((names = reallocarray(names, cap,
			    sizeof(*names))) == NULL)
				err(1, NULL);
		}
		if ((names[n++] = strdup(de->d_name)) == NULL)
			err(1, NULL);
	}
	if (errno != 0) {
		warn("%s", path);
		w->failed = 1;
	}
	qsort(names, n, sizeof(*names), name_cmp);

	for (i = 0; i < n; i++) {
		if (asprintf(&child, "%s/%s", path, names[i]) == -1)
			err(1, NULL);
		if (fstatat(dfd, names[i], &cst, AT_SYMLINK_NOFOLLOW) == -1) {
			warn("%s", child);
			w->failed = 1;
		} else if (S_ISREG(cst.st_mode) || S_ISDIR(cst.st_mode)) {
			flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
			if (S_ISDIR(cst.st_mode))
				flags |= O_DIRECTORY;
			if ((cfd = openat(dfd, names[i], flags)) == -1) {
				warn("%s", child);
				w->failed = 1;
			} else
				walk_fd(w, cfd, child, names[i], depth + 1);
		}
		free(child);
		free(names[i]);
	}
	free(names);

	apply(w, dfd, st, path, &res);
	closedir(dir);
}

/*
 * Handles the open file or directory fd named path, whose last component
 * is name; symbolic links and special files are skipped. Closes fd.
 */
static void
walk_fd(struct walk *w, int fd, const char *path, const char *name,
    int depth)
{
	struct tsnorm_result	res;
	struct stat		st;

	if (fstat(fd, &st) == -1) {
		warn("%s", path);
		w->failed = 1;
	} else if (S_ISDIR(st.st_mode)) {
		walk_dir(w, fd, &st, path, depth);
		return;
	} else if (S_ISREG(st.st_mode)) {
		if (file_result(w, fd, name, &res) == -1) {
			warn("%s", path);
			w->failed = 1;
		} else
			apply(w, fd, &st, path, &res);
	}
	close(fd);
}

int
main(int argc, char *argv[])
{
	struct walk	 w;
	struct stat	 st;
	const char	*name;
	int		 ch, fd, i;

	memset(&w, 0, sizeof(w));
	w.mode = MODE_SET;
	/* The long spellings every other tool of ours takes. */
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage(1);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("tsnorm %s\n", TSNORM_VERSION);
		return 0;
	}
	while ((ch = getopt(argc, argv, "cnvhV")) != -1) {
		switch (ch) {
		case 'c':
			if (w.mode == MODE_DRYRUN)
				usage(0);
			w.mode = MODE_CHECK;
			break;
		case 'n':
			if (w.mode == MODE_CHECK)
				usage(0);
			w.mode = MODE_DRYRUN;
			break;
		case 'v':
			w.verbose = 1;
			break;
		case 'h':
			usage(1);
		case 'V':
			printf("tsnorm %s\n", TSNORM_VERSION);
			return 0;
		default:
			usage(0);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage(0);

	for (i = 0; i < argc; i++) {
		/*
		 * An operand is followed (as find -H does): "tsnorm -c
		 * rsync/current" must check the revision, not skip the link.
		 * Nothing below it is ever followed.
		 */
		if (stat(argv[i], &st) == -1) {
			warn("%s", argv[i]);
			w.failed = 1;
			continue;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			warnx("%s: not a file or directory", argv[i]);
			w.failed = 1;
			continue;
		}
		fd = open(argv[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd == -1) {
			warn("%s", argv[i]);
			w.failed = 1;
			continue;
		}
		name = strrchr(argv[i], '/');
		name = name != NULL ? name + 1 : argv[i];
		walk_fd(&w, fd, argv[i], name, 0);
	}
	free(w.buf);
	if (fflush(stdout) == EOF) {
		warn("stdout");
		w.failed = 1;
	}
	return w.failed || w.differ ? 1 : 0;
}
