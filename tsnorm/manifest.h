/*
 * The times of a manifest's eContent (RFC 9286), read with the bounded DER
 * reader: internal to the tsnorm library.
 */
#ifndef TSNORM_MANIFEST_H
#define TSNORM_MANIFEST_H

#include <stdint.h>

#include "tsnorm/der.h"

/*
 * Reads the CMS encapContentInfo encap (the element itself, a SEQUENCE) of
 * a manifest: eContentType id-ct-rpkiManifest, eContent an OCTET STRING
 * (primitive, or BER constructed from primitive segments) holding a whole
 * Manifest. Returns 1 and sets *this_update and *next_update, or 0 if encap
 * is not such a manifest (also if the segments cannot be joined for lack
 * of memory).
 */
int	mft_econtent_times(const struct der_elem *encap, int64_t *this_update,
	    int64_t *next_update);

#endif
