/*
 * libFuzzer target for tsnorm: the first input octet picks the file name
 * (and so the rules tried), the rest is the object. Build:
 *	clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_tsnorm.c \
 *	    tsnorm/der.c tsnorm/tsnorm.c -lcrypto
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
	struct tsnorm_result	 res;
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

	/* The time parser alone, on the raw octets, under both tags. */
	e.val = data + 1;
	e.len = len - 1;
	e.tag = DER_UTCTIME;
	(void)der_time(&e, &t);
	e.tag = DER_GENTIME;
	(void)der_time(&e, &t);
	return 0;
}
