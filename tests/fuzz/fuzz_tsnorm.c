/*
 * libFuzzer target for tsnorm: the first input octet picks the file name
 * (and so the rules tried), the rest is the object. tsnorm_inspect() must
 * give tsnorm_time()'s mtime and a consistent expiry (manifests and CRLs).
 * Build:
 *	clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_tsnorm.c \
 *	    tsnorm/der.c tsnorm/manifest.c tsnorm/tsnorm.c -lcrypto
 * Seed corpus: tests/data/objects and tests/data/bbn-conformance (the
 * selector octet is then the object's first octet, 0x30: a .cer name).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tsnorm/der.h"
#include "tsnorm/tsnorm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char	*names[] = {
		"x.cer", "x.crl", "x.roa", "x.mft", "x.asa", "x.unknown", NULL,
	};
	struct tsnorm_result	 res, res2;
	struct tsnorm_expiry	 exp;
	struct der_elem		 e;
	int64_t			 t;
	const char		*name;

	if (len == 0)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	tsnorm_time(data + 1, len - 1, name, &res);
	if (res.rule != TSNORM_CERT_NOTBEFORE &&
	    res.rule != TSNORM_CRL_THISUPDATE &&
	    res.rule != TSNORM_CMS_SIGNINGTIME &&
	    res.rule != TSNORM_CMS_EE_NOTBEFORE &&
	    (res.time < TSNORM_HASH_BASE ||
	    res.time >= TSNORM_HASH_BASE + TSNORM_HASH_SPAN))
		abort();
	if (res.time < 0 || res.time >= TSNORM_TIME_MAX)
		abort();

	/* The same parse with the expiry: same mtime, consistent times. */
	tsnorm_inspect(data + 1, len - 1, name, &res2, &exp);
	if (res2.time != res.time || res2.rule != res.rule)
		abort();
	if (exp.kind == TSNORM_EXPIRY_NONE &&
	    (exp.status != TSNORM_EXPIRY_OK || exp.expiry != TSNORM_NO_TIME))
		abort();
	if (exp.kind != TSNORM_EXPIRY_NONE && exp.status == TSNORM_EXPIRY_OK &&
	    (exp.next_update == TSNORM_NO_TIME ||
	    exp.this_update == TSNORM_NO_TIME ||
	    exp.expiry != (exp.next_update < exp.not_after ?
	    exp.next_update : exp.not_after)))
		abort();
	if (exp.kind == TSNORM_EXPIRY_CRL && exp.not_after != TSNORM_NO_TIME)
		abort();
	if (exp.status != TSNORM_EXPIRY_OK && exp.expiry != TSNORM_NO_TIME)
		abort();

	/* The time parser alone, on the raw octets, under both tags. */
	e.val = data + 1;
	e.len = len - 1;
	e.tag = DER_UTCTIME;
	(void)der_time(&e, &t);
	e.tag = DER_GENTIME;
	(void)der_time(&e, &t);
	return 0;
}
