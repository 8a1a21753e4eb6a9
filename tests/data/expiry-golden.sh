#!/bin/sh
# Regenerates tests/data/expiry-golden.txt: the expiry of every publication
# point of the Krill-made repository (krill-sync-benchmark), read with the
# openssl CLI, never with tsnorm, so that tests/system/expiry.sh checks the
# expiry watch against an independent reading. Run from the repository root:
#	sh tests/data/expiry-golden.sh > tests/data/expiry-golden.txt
# One line per publication point (a directory with a manifest), sorted by
# expiry then directory, times in seconds since the epoch:
#	DIR EXPIRY MANIFEST-NEXTUPDATE MANIFEST-EE-NOTAFTER CRL-NEXTUPDATE
# EXPIRY is the earliest of the three; CRL-NEXTUPDATE is the earliest of
# the directory's CRLs ("-" if none).
set -eu
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/expiry-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
tests/tools/rrdp-snapshot-to-tree \
    tests/data/krill-sync-benchmark/rrdp/*/3/*/snapshot.xml "$tmp/tree"

epoch() {
	[ -n "$1" ] || { echo "no time found" >&2; exit 1; }
	date -u -d "$1" +%s
}

# The manifest's eContent (nextUpdate is the 2nd GeneralizedTime of it).
mft_next() {
	epoch "$(openssl cms -verify -noverify -inform DER -in "$1" 2>/dev/null |
	    openssl asn1parse -inform DER |
	    sed -n 's/.*GENERALIZEDTIME *:\([0-9]*\)Z$/\1/p' | sed -n 2p |
	    sed 's/^\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)$/\1-\2-\3 \4:\5:\6 UTC/')"
}

# The EE certificate's notAfter.
mft_notafter() {
	epoch "$(openssl cms -inform DER -in "$1" -cmsout -print -noout |
	    sed -n 's/^ *notAfter: //p' | head -1)"
}

crl_next() {
	epoch "$(openssl crl -inform DER -in "$1" -noout -nextupdate |
	    sed 's/^nextUpdate=//')"
}

min() {
	if [ "$1" = - ]; then echo "$2"
	elif [ "$2" = - ] || [ "$1" -le "$2" ]; then echo "$1"
	else echo "$2"; fi
}

cd "$tmp/tree"
find . -name '*.mft' | sed 's|^\./||; s|/[^/]*$||' | sort -u | while read -r d; do
	mn=- na=- cn=-
	for f in "$d"/*.mft; do
		mn=$(min "$mn" "$(mft_next "$f")")
		na=$(min "$na" "$(mft_notafter "$f")")
	done
	for f in "$d"/*.crl; do
		[ -f "$f" ] || continue
		cn=$(min "$cn" "$(crl_next "$f")")
	done
	echo "$d $(min "$(min "$mn" "$na")" "$cn") $mn $na $cn"
done | sort -k2,2n -k1,1
