/*
 * Internals of the RRDP parser, shared by the driver (rrdp.c), the three
 * document parsers (rrdp_notification.c, rrdp_snapshot.c, rrdp_delta.c)
 * and the publish/withdraw accumulator (rrdp_object.c). Not for other
 * modules: they use rrdp.h.
 */
#ifndef RSYNCSWAP_RRDP_LOCAL_H
#define RSYNCSWAP_RRDP_LOCAL_H

#include <stddef.h>

#include <libxml/parser.h>
#include <openssl/evp.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rrdp/rrdp.h"

#define RRDP_XMLNS	"http://www.ripe.net/rpki/rrdp"

/* One <publish> or <withdraw> of a snapshot or delta, while it is open. */
struct rrdp_object {
	char		 uri[MAX_URI_LENGTH + 1];
	unsigned char	 hash[RRDP_HASH_LEN];
	int		 has_hash;
	int		 withdraw;
	int		 b64_ended;	/* padding seen: only whitespace may follow */
	int		 b64_pad;	/* '=' in the open quantum */
	unsigned char	 b64_q[4];	/* characters of the open quantum */
	size_t		 b64_nq;
	unsigned char	*buf;		/* decoded bytes, at most max_object_size */
	size_t		 len;
	size_t		 cap;
};

/* Called by the driver for the root's children and the root itself. */
struct rrdp_doc_ops {
	void	(*start)(struct rrdp_parser *, const char *name,
		    const xmlChar **attrs, int nattrs);
	void	(*end)(struct rrdp_parser *, const char *name);
	void	(*text)(struct rrdp_parser *, const char *s, size_t len);
	/* Checks the finished document; calls rrdp_fail on a problem. */
	void	(*done)(struct rrdp_parser *);
};

/* First bytes of a document kept to name what a non-XML document is. */
#define RRDP_HEAD_LEN	24

struct rrdp_parser {
	enum rrdp_kind		 kind;
	const struct rrdp_doc_ops *ops;
	xmlParserCtxtPtr	 xml;
	EVP_MD_CTX		*md;
	unsigned long long	 nfed;		/* bytes fed so far */
	unsigned long long	 max_doc;	/* document size limit */
	char			 head[RRDP_HEAD_LEN + 1];	/* its first bytes */
	size_t			 nhead;
	int			 scope;		/* the document's own scope enum */
	int			 failed;
	int			 finished;
	char			 err[ERR_MAX];

	char			 expect_session[RRDP_SESSION_LEN + 1];
	long long		 expect_serial;
	size_t			 max_object_size;
	struct rrdp_handler	 h;

	/* notification */
	struct rrdp_notification nt;
	size_t			 deltas_cap;
	int			 have_snapshot;

	/* snapshot, delta */
	struct rrdp_object	 obj;
};

extern const struct rrdp_doc_ops rrdp_notification_ops;
extern const struct rrdp_doc_ops rrdp_snapshot_ops;
extern const struct rrdp_doc_ops rrdp_delta_ops;

/* rrdp.c */
void	rrdp_fail(struct rrdp_parser *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	rrdp_fail_noline(struct rrdp_parser *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* rrdp_util.c: attributes and the values RFC 8182 allows in them */
struct rrdp_attr {
	const char	*name;		/* in: the attribute's name */
	const char	*value;		/* out: NULL when absent; not NUL-ended */
	size_t		 len;
};
int	rrdp_attrs_get(struct rrdp_parser *, const char *elem,
	    const xmlChar **attrs, int nattrs, struct rrdp_attr *want,
	    size_t nwant);
int	rrdp_attr_require(struct rrdp_parser *, const char *elem,
	    const struct rrdp_attr *);
int	rrdp_root_attrs(struct rrdp_parser *, const char *elem,
	    const xmlChar **attrs, int nattrs, char *session,
	    long long *serial);
int	rrdp_check_root_expected(struct rrdp_parser *, const char *session,
	    long long serial);
int	rrdp_attr_serial(struct rrdp_parser *, const struct rrdp_attr *,
	    long long *);
int	rrdp_attr_hash(struct rrdp_parser *, const struct rrdp_attr *,
	    unsigned char *);
int	rrdp_attr_uri(struct rrdp_parser *, const struct rrdp_attr *,
	    char *, size_t);
int	rrdp_is_space(const char *, size_t);
void	rrdp_hex(const unsigned char *, size_t, char *);

/* rrdp_object.c: <publish> and <withdraw> shared by snapshot and delta */
int	rrdp_object_start(struct rrdp_parser *, const char *elem,
	    const xmlChar **attrs, int nattrs, int withdraw, int hash_allowed,
	    int hash_required);
void	rrdp_object_text(struct rrdp_parser *, const char *, size_t);
void	rrdp_object_end(struct rrdp_parser *);
void	rrdp_object_free(struct rrdp_object *);

#endif
