#!/bin/sh
# Regenerates tests/data/tsnorm-golden.txt: "path expected_epoch rule" for a
# representative set of objects. The times come from the openssl CLI and
# sha256, never from tsnorm, so that test_tsnorm checks tsnorm against an
# independent reading. Run from the repository root:
#	sh tests/data/tsnorm-golden.sh > tests/data/tsnorm-golden.txt
# The kind of each object (cert, crl, cms, hash) is chosen by hand below.
set -eu

O=tests/data/objects
B=tests/data/bbn-conformance/root

# Hash rule, as documented in tsnorm/tsnorm.h: 2000-01-01 plus the first 7
# octets of the SHA-256 of the content modulo 10 years (315619200 s).
HASH_BASE=946684800
HASH_SPAN=315619200

epoch() {
	[ -n "$1" ] || { echo "no time found" >&2; exit 1; }
	date -u -d "$1" +%s
}

cert() {
	epoch "$(openssl x509 -inform DER -in "$1" -noout -startdate |
	    sed 's/^notBefore=//')"
}

crl() {
	epoch "$(openssl crl -inform DER -in "$1" -noout -lastupdate |
	    sed 's/^lastUpdate=//')"
}

# cms FILE: prints "EPOCH RULE": the signing-time signed attribute, else the
# first (EE) certificate's notBefore.
cms() {
	out=$(openssl cms -inform DER -in "$1" -cmsout -print -noout)
	st=$(printf '%s\n' "$out" | sed -n '/object: signingTime/{n;n;p;q;}' |
	    sed 's/^ *[A-Z]*TIME://')
	if [ -n "$st" ]; then
		echo "$(epoch "$st") cms-signingtime"
	else
		nb=$(printf '%s\n' "$out" | sed -n 's/^ *notBefore: //p' |
		    head -1)
		echo "$(epoch "$nb") cms-ee-notbefore"
	fi
}

hash() {
	h=$(openssl dgst -sha256 -r "$1" | cut -c1-14)
	echo $((HASH_BASE + 0x$h % HASH_SPAN))
}

line() {
	kind=$1 f=$2 rule=${3:-}
	case $kind in
	cert)	echo "$f $(cert "$f") cert-notbefore" ;;
	crl)	echo "$f $(crl "$f") crl-thisupdate" ;;
	cms)	echo "$f $(cms "$f")" ;;
	hash)	echo "$f $(hash "$f") $rule" ;;
	esac
}

# CA, TA and BGPsec router certificates
line cert $O/rpki-client-regress/ta/ripe-ncc-ta.cer
line cert $O/rpki-client-regress/ta/AfriNIC.cer
line cert $O/rpki-client-regress/cer/arin-to-afrinic.cer
line cert $O/rpki-client-regress/bgpsec/Vr46VDCUfrRNL9yZAy4mxfEAspQ.cer
line cert $O/rpki-commons/router/router_certificate.cer
line cert $O/rpki-prover/big_cert.cer
line cert $O/rpki-rs/repository/router.cer
line cert $O/rpkitouch/t7xg6ZtXdcYhy-YGTMk_ONTD31E.cer
line cert tests/data/bbn-conformance/root.cer
# CRLs, including one without the OPTIONAL version
line crl $O/rpki-rs/repository/ta.crl
line crl $O/rpki-rrdp-tools-py/ripe-ncc-ta.crl
line crl $O/rpkitouch/yqgF26w2R0m5sRVZCrbvD5cM29g.crl
line crl $B/CRLNoVersion/badCRLNoVersion.crl
line crl $B/CRLVersion2/badCRLVersion2.crl
# manifests (RIPE's are BER with indefinite lengths)
line cms $O/rpkitouch/yqgF26w2R0m5sRVZCrbvD5cM29g.mft
line cms $O/rpki-client-regress/mft/ripe-ncc-ta.mft
line cms $O/rpki-rs/repository/ca1.mft
line cms $O/rpki-prover/afrinic_mft1.mft
# ROAs
line cms $O/rpkitouch/5EjPZ8Kw2_h5hRqKpwmjdnq7Tq8.roa
line cms $O/rpki-rs/repository/example-ripe.roa
line cms $O/rpki-validator-3/g11HohjaKcA9vAJV9LrYPq1bKZQ.roa
line cms $B/goodROAASIDZero.roa
# ASPA, one without signing-time (EE notBefore)
line cms $O/rpkitouch/FjSf5hX1GmGhKMu9AG7WVIl8m1M.asa
line cms $O/rpki-rs/repository/aspa-bm.asa
line cms $O/rpki-commons/interop/aspa/BAD-profile-13-no-signingtime-aspa-rpkimancer.asa
# GBR, TAK, SPL, RSC
line cms $O/rpki-client-regress/gbr/jkpjwLmZhnrotSqF7o9qqEzSOXs.gbr
line cms $O/rpki-client-regress/tak/05F53BCE4DAA11EDB9AC0C5B9E174E93.tak
line cms $O/rpkitouch/9X0AhXWTJDl8lJhfOwvnac-42CA.spl
line cms $O/rpki-rs/rsc/koen.sig
line cms $O/rpki-client-regress/rsc/checklist-08.sig
# CMS content under an unknown extension still counts as CMS
line cms $O/rpki-prover/checklist.sig.1
line cms $O/rpki-rs/repository/ta.mft.bad-filename
# no signing-time: EE notBefore
line cms $B/badCMSSigInfoNoAttrs.roa
# malformed or not an object: hash rules
line hash $O/rpki-validator-3/empty-file.cer hash-unparseable
line hash $O/rpki-monitoring/repository/corrupted_5GzpWH5N-vMm_nh7A93VwzaW4zk.gbr hash-unparseable
line hash $O/rpki-rrdp-tools-py/AS203635.asa hash-unparseable
line hash $B/badCMSSigInfoAttrsSigTime0Val.roa hash-unparseable
line hash $O/rpki-rs/repository/aspa-content.der hash-unknown
line hash $O/rpkitouch/test.ccr hash-unknown
line hash tests/data/bbn-conformance/README hash-unknown
