#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/hex.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/republish/republish.h"

#define NOTIFICATION_NAME	"notification.xml"
/* A document being teed is TMP_PREFIX DOC_TMP_NAME "-XXXXXX" in the dir. */
#define DOC_TMP_NAME		"out"
#define RRDP_NS			"http://www.ripe.net/rpki/rrdp"
/* Hex digits of the SHA-256 used as the unguessable path component. */
#define PATH_HASH_HEX		32
/* Deepest directory nesting of a revision walked for a snapshot. */
#define SNAP_MAX_DEPTH		(MAX_PATH_DEPTH + 2)

struct outdoc {
	long long	serial;
	char		rel[PATH_MAX];		/* below the output dir */
	unsigned char	hash[RRDP_HASH_LEN];
	long long	size;
	long long	mtime;
};

struct rrdpout {
	const struct rrdpout_config	*c;
	char				 session[RRDP_SESSION_LEN + 1];
	long long			 serial;
	/* The document being teed. */
	struct atomic_file		 af;	/* af.f NULL: none */
	EVP_MD_CTX			*md;
	long long			 size;
	enum rrdp_kind			 kind;
	long long			 doc_serial;
	int				 failed;
	/* What this run wrote. */
	struct outdoc			 snapshot;
	int				 have_snapshot;
	struct outdoc			*deltas;
	size_t				 ndeltas;
};

struct rrdpout *
rrdpout_open(const struct rrdpout_config *c, const char *session,
    long long serial, char *err, size_t errsz)
{
	struct rrdpout *o;

	if (fs_mkdir_p(c->dir) == -1) {
		snprintf(err, errsz, "%s: %s", c->dir, strerror(errno));
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	o->c = c;
	snprintf(o->session, sizeof(o->session), "%s", session);
	o->serial = serial;
	return o;
}

int
rrdpout_doc_begin(struct rrdpout *o, enum rrdp_kind kind, long long serial)
{
	char path[PATH_MAX], err[ERR_MAX];

	o->kind = kind;
	o->doc_serial = serial;
	o->size = 0;
	o->failed = 0;
	/* Renamed to SESSION/SERIAL/H/ once its hash is known. */
	snprintf(path, sizeof(path), "%s/" DOC_TMP_NAME, o->c->dir);
	if (atomic_file_open(&o->af, path, 0644, err, sizeof(err)) == -1) {
		log_warn("%s", err);
		o->failed = 1;
		return -1;
	}
	if ((o->md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(o->md, EVP_sha256(), NULL)) {
		log_warn("%s: out of memory", o->af.tmp);
		o->failed = 1;
		return -1;
	}
	return 0;
}

int
rrdpout_doc_write(struct rrdpout *o, const void *buf, size_t len)
{
	if (o->af.f == NULL || o->failed)
		return -1;
	if (fwrite(buf, 1, len, o->af.f) != len ||
	    !EVP_DigestUpdate(o->md, buf, len)) {
		o->failed = 1;
		return -1;
	}
	o->size += (long long)len;
	return 0;
}

/* Returns 0 after creating the directories of rel's parent below dir. */
static int
rrdpout_mkparents(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((slash = strrchr(path, '/')) == NULL)
		return 0;
	*slash = '\0';
	return fs_mkdir_p(path);
}

int
rrdpout_doc_end(struct rrdpout *o, int ok, char *err, size_t errsz)
{
	unsigned char md[RRDP_HASH_LEN];
	char path[PATH_MAX], hex[2 * RRDP_HASH_LEN + 1];
	struct outdoc d, *nd;
	unsigned int mdlen;
	int rc = -1;

	if (o->af.f == NULL)
		return ok ? -1 : 0;
	if (!ok || o->failed || !EVP_DigestFinal_ex(o->md, md, &mdlen)) {
		if (ok)
			snprintf(err, errsz, "%s: write failed", o->af.tmp);
		atomic_file_abort(&o->af);
		goto out;
	}
	hex_encode(md, RRDP_HASH_LEN, hex);
	hex[2 * RRDP_HASH_LEN] = '\0';
	memset(&d, 0, sizeof(d));
	d.serial = o->doc_serial;
	memcpy(d.hash, md, sizeof(d.hash));
	d.size = o->size;
	d.mtime = time(NULL);
	snprintf(d.rel, sizeof(d.rel), "%s/%lld/%.*s/%s", o->session,
	    o->doc_serial, PATH_HASH_HEX, hex,
	    o->kind == RRDP_SNAPSHOT ? "snapshot.xml" : "delta.xml");
	snprintf(path, sizeof(path), "%s/%s", o->c->dir, d.rel);
	if (rrdpout_mkparents(o->c->dir, d.rel) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		atomic_file_abort(&o->af);
		goto out;
	}
	if (atomic_file_commit_as(&o->af, path, err, errsz) == -1)
		goto out;
	if (o->kind == RRDP_SNAPSHOT) {
		o->snapshot = d;
		o->have_snapshot = 1;
	} else {
		nd = reallocarray(o->deltas, o->ndeltas + 1, sizeof(*nd));
		if (nd == NULL) {
			snprintf(err, errsz, "out of memory");
			goto out;
		}
		o->deltas = nd;
		o->deltas[o->ndeltas++] = d;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(o->md);
	o->md = NULL;
	return rc;
}

int
rrdpout_has_snapshot(const struct rrdpout *o)
{
	return o->have_snapshot;
}

void
rrdpout_forget_deltas(struct rrdpout *o)
{
	free(o->deltas);
	o->deltas = NULL;
	o->ndeltas = 0;
}

/* Writes s with XML's five special characters escaped. Returns 0 or -1. */
static int
rrdpout_write_escaped(struct rrdpout *o, const char *s)
{
	char buf[8];
	const char *e;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&apos;"; break;
		default:
			buf[0] = *s;
			buf[1] = '\0';
			e = buf;
		}
		if (rrdpout_doc_write(o, e, strlen(e)) == -1)
			return -1;
	}
	return 0;
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Writes one <publish> of the file name below dirfd. Returns 0 or -1. */
static int
rrdpout_publish_file(struct rrdpout *o, int dirfd, const char *name,
    const char *uri)
{
	unsigned char *data = NULL, *b64 = NULL;
	struct stat sb;
	ssize_t r;
	size_t off = 0;
	int fd, rc = -1, n;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > MAX_OBJECT_SIZE_LIMIT)
		goto out;
	if ((data = malloc((size_t)sb.st_size + 1)) == NULL ||
	    (b64 = malloc(((size_t)sb.st_size + 2) / 3 * 4 + 1)) == NULL)
		goto out;
	while (off < (size_t)sb.st_size) {
		if ((r = read(fd, data + off, (size_t)sb.st_size - off)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			goto out;
		}
		off += (size_t)r;
	}
	n = EVP_EncodeBlock(b64, data, (int)off);
	if (rrdpout_doc_write(o, "  <publish uri=\"", 16) == -1 ||
	    rrdpout_write_escaped(o, uri) == -1 ||
	    rrdpout_doc_write(o, "\">", 2) == -1 ||
	    rrdpout_doc_write(o, b64, (size_t)n) == -1 ||
	    rrdpout_doc_write(o, "</publish>\n", 11) == -1)
		goto out;
	rc = 0;
out:
	free(data);
	free(b64);
	close(fd);
	return rc;
}

/* Writes every file below dirfd (prefix: its URI so far), sorted. */
static int
rrdpout_walk(struct rrdpout *o, int dirfd, const char *prefix, int depth)
{
	struct dirent **list;
	char uri[MAX_URI_LENGTH + 2];
	int n, rc = 0, sub;

	if (depth > SNAP_MAX_DEPTH)
		return -1;
	if ((n = scandirat(dirfd, ".", &list, NULL, name_cmp)) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		struct stat sb;

		if (rc == -1 || strcmp(name, ".") == 0 ||
		    strcmp(name, "..") == 0)
			continue;
		if (snprintf(uri, sizeof(uri), "%s%s", prefix, name) >=
		    (int)sizeof(uri) - 1 ||
		    fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = -1;
			continue;
		}
		if (S_ISREG(sb.st_mode))
			rc = rrdpout_publish_file(o, dirfd, name, uri);
		else if (S_ISDIR(sb.st_mode)) {
			strcat(uri, "/");
			sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			rc = sub == -1 ? -1 :
			    rrdpout_walk(o, sub, uri, depth + 1);
			if (sub != -1)
				close(sub);
		}
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return rc;
}

int
rrdpout_snapshot_from_tree(struct rrdpout *o, int revfd, const char *host,
    char *err, size_t errsz)
{
	char head[256], prefix[300];
	int n;

	if (rrdpout_doc_begin(o, RRDP_SNAPSHOT, o->serial) == -1) {
		snprintf(err, errsz, "%s: cannot write a snapshot", o->c->dir);
		return -1;
	}
	n = snprintf(head, sizeof(head), "<snapshot xmlns=\"" RRDP_NS "\" "
	    "version=\"1\" session_id=\"%s\" serial=\"%lld\">\n", o->session,
	    o->serial);
	snprintf(prefix, sizeof(prefix), "rsync://%s%s", host != NULL ? host :
	    "", host != NULL ? "/" : "");
	if (rrdpout_doc_write(o, head, (size_t)n) == -1 ||
	    rrdpout_walk(o, revfd, prefix, 0) == -1 ||
	    rrdpout_doc_write(o, "</snapshot>\n", 12) == -1) {
		rrdpout_doc_end(o, 0, err, errsz);
		snprintf(err, errsz, "%s: writing the snapshot of serial %lld "
		    "failed", o->c->dir, o->serial);
		return -1;
	}
	return rrdpout_doc_end(o, 1, err, errsz);
}

static int
notif_sink(void *arg, const void *buf, size_t len)
{
	return rrdp_parser_feed(arg, buf, len);
}

int
rrdpout_read_notification(const struct rrdpout_config *c,
    struct rrdp_notification *n)
{
	char path[PATH_MAX], buf[65536];
	struct rrdp_parser *p;
	ssize_t r;
	int fd, rc = -1;

	memset(n, 0, sizeof(*n));
	snprintf(path, sizeof(path), "%s/" NOTIFICATION_NAME, c->dir);
	if ((fd = fs_open_regular(path)) < 0)
		return -1;
	if ((p = rrdp_parser_new(RRDP_NOTIFICATION, NULL, -1, 0, NULL)) ==
	    NULL) {
		close(fd);
		return -1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (notif_sink(p, buf, (size_t)r) == -1)
			break;
	if (r == 0 && rrdp_parser_finish(p, NULL, n) == 0)
		rc = 0;
	rrdp_parser_free(p);
	close(fd);
	return rc;
}

int
rrdpout_is_current(const struct rrdpout_config *c, const char *session,
    long long serial)
{
	struct rrdp_notification n;
	int cur;

	if (rrdpout_read_notification(c, &n) == -1)
		return 0;
	cur = strcmp(n.session_id, session) == 0 && n.serial == serial;
	rrdp_notification_free(&n);
	return cur;
}

/* Fills d from a listed document uri of the output. Returns 0 or -1. */
static int
rrdpout_listed(const struct rrdpout_config *c, const char *uri,
    long long serial, const unsigned char *hash, struct outdoc *d)
{
	char path[PATH_MAX];
	const char *rel;
	struct stat sb;

	if ((rel = uri_below_dir(uri, c->base_uri)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", c->dir, rel);
	if (lstat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
		return -1;
	memset(d, 0, sizeof(*d));
	d->serial = serial;
	snprintf(d->rel, sizeof(d->rel), "%s", rel);
	memcpy(d->hash, hash, RRDP_HASH_LEN);
	d->size = sb.st_size;
	d->mtime = sb.st_mtime;
	return 0;
}

/* Returns the delta of serial: this run's, or the previous notification's. */
static int
rrdpout_find_delta(struct rrdpout *o, const struct rrdp_notification *prev,
    long long serial, struct outdoc *d)
{
	for (size_t i = o->ndeltas; i > 0; i--)
		if (o->deltas[i - 1].serial == serial) {
			*d = o->deltas[i - 1];
			return 0;
		}
	if (prev == NULL || strcmp(prev->session_id, o->session) != 0)
		return -1;
	for (size_t i = 0; i < prev->ndeltas; i++)
		if (prev->deltas[i].serial == serial)
			return rrdpout_listed(o->c, prev->deltas[i].uri, serial,
			    prev->deltas[i].hash, d);
	return -1;
}

/* Prints a document reference into f. */
static void
rrdpout_ref(FILE *f, const struct rrdpout_config *c, const char *tag,
    const struct outdoc *d)
{
	char hex[2 * RRDP_HASH_LEN];

	fprintf(f, "  <%s", tag);
	if (strcmp(tag, "delta") == 0)
		fprintf(f, " serial=\"%lld\"", d->serial);
	fprintf(f, " uri=\"%s%s\" hash=\"", c->base_uri, d->rel);
	hex_encode(d->hash, RRDP_HASH_LEN, hex);
	fprintf(f, "%.*s", 2 * RRDP_HASH_LEN, hex);
	fprintf(f, "\"/>\n");
}

/* Writes the notification file atomically. Returns 0, or -1 with err. */
static int
rrdpout_write_notification(struct rrdpout *o, const struct outdoc *list,
    size_t n, char *err, size_t errsz)
{
	char path[PATH_MAX];
	struct atomic_file af;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" NOTIFICATION_NAME, o->c->dir);
	if (atomic_file_open(&af, path, 0644, err, errsz) == -1)
		return -1;
	f = af.f;
	fprintf(f, "<notification xmlns=\"" RRDP_NS "\" version=\"1\" "
	    "session_id=\"%s\" serial=\"%lld\">\n", o->session, o->serial);
	rrdpout_ref(f, o->c, "snapshot", &o->snapshot);
	for (size_t i = 0; i < n; i++)
		rrdpout_ref(f, o->c, "delta", &list[i]);
	fprintf(f, "</notification>\n");
	return atomic_file_commit(&af, err, errsz);
}

/* Sleeps s seconds unless a signal comes. Returns 0, or -1 if cut short. */
static int
rrdpout_delay(long long s)
{
	struct timespec ts = { (time_t)s, 0 };

	return s <= 0 ? 0 : nanosleep(&ts, NULL);
}

/*
 * Chooses the deltas to list into *listp: contiguous from our serial down,
 * within the snapshot's size (RFC 8182), and beyond max_deltas only those
 * younger than min_delta_age. Returns how many, or -1 when out of memory.
 */
static long long
rrdpout_choose(struct rrdpout *o, const struct rrdp_notification *prev,
    struct outdoc **listp)
{
	struct outdoc d, *list = NULL, *nl;
	long long total = 0, now = time(NULL);
	size_t n = 0, cap = 0;

	for (long long s = o->serial; s > 0 && n < MAX_NOTIFICATION_DELTAS;
	    s--) {
		if (rrdpout_find_delta(o, prev, s, &d) == -1 ||
		    total + d.size > o->snapshot.size ||
		    (n >= o->c->max_deltas &&
		    now - d.mtime >= o->c->min_delta_age))
			break;
		if (n == cap) {
			cap = cap == 0 ? 64 : 2 * cap;
			if ((nl = reallocarray(list, cap, sizeof(*nl))) ==
			    NULL) {
				free(list);
				return -1;
			}
			list = nl;
		}
		total += d.size;
		list[n++] = d;
	}
	*listp = list;
	return (long long)n;
}

/* Returns 1 when the document uri is rel, or one of list's, else 0. */
static int
rrdpout_in_list(const struct rrdpout_config *c, const char *uri,
    const struct outdoc *snap, const struct outdoc *list, size_t n)
{
	const char *rel;

	if ((rel = uri_below_dir(uri, c->base_uri)) == NULL)
		return 1;	/* not ours: leave it alone */
	if (strcmp(rel, snap->rel) == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rel, list[i].rel) == 0)
			return 1;
	return 0;
}

/* Sets the time of the directory of document uri to now. */
static void
rrdpout_mark_unlisted(const struct rrdpout_config *c, const char *uri)
{
	char path[PATH_MAX], *slash;
	const char *rel;

	if ((rel = uri_below_dir(uri, c->base_uri)) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", c->dir, rel);
	if ((slash = strrchr(path, '/')) == NULL)
		return;
	*slash = '\0';
	if (utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno != ENOENT)
		log_warn("%s: %s", path, strerror(errno));
}

/*
 * Marks what prev lists and the new notification (snapshot and list) will
 * not, so that the sweep's clock starts now. Done before the notification
 * is written: a crash in between only delays a removal.
 */
static void
rrdpout_unlist(struct rrdpout *o, const struct rrdp_notification *prev,
    const struct outdoc *list, size_t n)
{
	if (!rrdpout_in_list(o->c, prev->snapshot_uri, &o->snapshot, list, n))
		rrdpout_mark_unlisted(o->c, prev->snapshot_uri);
	for (size_t i = 0; i < prev->ndeltas; i++)
		if (!rrdpout_in_list(o->c, prev->deltas[i].uri, &o->snapshot,
		    list, n))
			rrdpout_mark_unlisted(o->c, prev->deltas[i].uri);
}

int
rrdpout_commit(struct rrdpout *o, char *err, size_t errsz)
{
	struct rrdp_notification prev;
	struct outdoc *list = NULL;
	long long n = 0;
	int have_prev, rc = -1;

	if (!o->have_snapshot) {
		snprintf(err, errsz, "%s: no snapshot for serial %lld",
		    o->c->dir, o->serial);
		goto out;
	}
	have_prev = rrdpout_read_notification(o->c, &prev) == 0;
	if ((n = rrdpout_choose(o, have_prev ? &prev : NULL, &list)) == -1) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	if (have_prev)
		rrdpout_unlist(o, &prev, list, (size_t)n);
	if (rrdpout_delay(o->c->notify_delay) == -1) {
		snprintf(err, errsz, "%s: interrupted before the notification",
		    o->c->dir);
		goto done;
	}
	rc = rrdpout_write_notification(o, list, (size_t)n, err, errsz);
	if (rc == 0)
		log_info("%s: serial %lld, %lld delta%s", o->c->dir, o->serial,
		    n, n == 1 ? "" : "s");
done:
	if (have_prev)
		rrdp_notification_free(&prev);
out:
	free(list);
	rrdpout_abort(o);
	return rc;
}

void
rrdpout_abort(struct rrdpout *o)
{
	char err[ERR_MAX];

	if (o == NULL)
		return;
	if (o->af.f != NULL)
		rrdpout_doc_end(o, 0, err, sizeof(err));
	free(o->deltas);
	free(o);
}
