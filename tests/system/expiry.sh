#!/bin/sh
# Expiry watch (`rsyncswap expiry`): on the Krill-made repository every
# publication point's expiry equals the golden file made with the openssl
# CLI (tests/data/expiry-golden.sh), both on a tree decoded from the
# snapshot and on a revision written by `rsyncswap sync` (through the
# `current` symlink); under faketime the earliest PP is "expiring" within
# an 8-hour window on 2023-02-14 12:00 UTC and "expired" on 2023-02-15;
# damaged manifests and CRLs are listed, never crash the walk, and nothing
# below the top is followed through a symlink.
#
# The command is `rsyncswap expiry`; a binary without it (an older main.c)
# is replaced by a small driver (tests/tools/expiry_driver.c) linked
# against $BUILD/librsyncswap.a.
. "$(dirname "$0")/../lib.sh"
need_cmd python3
need_cmd faketime
need_rsyncswap

BUILD=${BUILD:-build}
lib="$TOP/$BUILD"
[ -f "$lib/librsyncswap.a" ] || fail "$lib/librsyncswap.a not built (make)"
san=""
[ "$BUILD" = build-san ] && san="-fsanitize=address,undefined"
# shellcheck disable=SC2086
${CC:-cc} $san -I"$TOP" -o "$T/expiry" "$TOP/tests/tools/expiry_driver.c" \
    "$lib/librsyncswap.a" "$lib/libtsnorm.a" \
    $(make -s -C "$TOP" print-libs) ||
    fail "cannot build the expiry driver"
# ASan wants to be first in the library list; faketime is preloaded.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
export TZ=UTC
EXPIRY="$T/expiry expiry"
if "$RSYNCSWAP" expiry --help >/dev/null 2>&1; then
	EXPIRY="$RSYNCSWAP expiry"
fi

# check_golden JSON: every PP of the report equals the golden line.
check_golden() {
	python3 - "$1" "$DATA/expiry-golden.txt" <<'EOF' || fail "$1 differs from the golden file"
import json, sys, calendar, time
rep = json.load(open(sys.argv[1]))
def ep(s):
    return None if s is None else calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
got = [(p["dir"], p["expiry_epoch"], ep(p["manifest_next_update"]),
        ep(p["manifest_ee_not_after"]), ep(p["crl_next_update"]))
       for p in rep["expired_list"] + rep["closest"]]
want = []
for line in open(sys.argv[2]):
    d, e, m, n, c = line.split()
    want.append((d, int(e), int(m), int(n), None if c == "-" else int(c)))
if got != want or rep["publication_points"] != len(want) or rep["damaged"] != 0:
    print("got ", got, "\nwant", want)
    sys.exit(1)
print("golden: %d publication points" % len(want))
EOF
}

# 1. A tree decoded from the snapshot, read "now" (all expired since 2023).
"$TOP/tests/tools/rrdp-snapshot-to-tree" \
    "$DATA"/krill-sync-benchmark/rrdp/*/3/*/snapshot.xml "$T/tree"
$EXPIRY --json "$T/tree" >"$T/now.json" || fail "expiry --json failed"
check_golden "$T/now.json"
ok "decoded tree matches the golden file"

# 2. The same repository synced by rsyncswap, through current -> revision.
"$RSYNCSWAP" sync -q -s "$T/st" \
    --source-uri-base "$DATA/krill-sync-benchmark/rrdp" \
    https://localhost:3000/rrdp/notification.xml || fail "sync failed"
$EXPIRY --json "$T/st/rsync/current" >"$T/cur.json" ||
    fail "expiry on current failed"
check_golden "$T/cur.json"
ok "synced revision matches the golden file"

# 3. 2023-02-14 12:00 UTC, 8-hour window: the earliest PP (nextUpdate
# 14:20:29) is expiring, none has expired; --check exits 1.
# at TIME ARGS...: runs the expiry command with the clock frozen at TIME.
at() { t=$1; shift; faketime -f "$t" $EXPIRY "$@"; }
at '2023-02-14 12:00:00' --json --warn 8 "$T/tree" >"$T/w.json" ||
    fail "expiry --warn 8 failed"
python3 - "$T/w.json" <<'EOF' || fail "2023-02-14 12:00: wrong judgement"
import json, sys
r = json.load(open(sys.argv[1]))
e = r["earliest"]
assert r["now"] == "2023-02-14T12:00:00Z", r["now"]
assert e["dir"] == "repo/benchmark-3/0" and e["expiry"] == "2023-02-14T14:20:29Z", e
assert e["state"] == "expiring" and e["seconds_left"] == 8429, e
assert r["expired"] == 0 and r["expiring"] == 11, r
assert [p["dir"] for p in r["closest"]][:2] == ["repo/benchmark-3/0", "repo/benchmark-6/0"]
EOF
at '2023-02-14 12:00:00' --warn 8 "$T/tree" >"$T/w.txt" || fail "text failed"
grep -q '^earliest expiry: 2023-02-14T14:20:29Z (in 2h20m) repo/benchmark-3/0 (manifest-nextupdate)$' "$T/w.txt" ||
    { cat "$T/w.txt"; fail "text: no earliest line"; }
grep -q '^  expiring 2023-02-14T14:20:29Z' "$T/w.txt" || fail "text: not expiring"
grep -q '^expired: 0, expiring within 8h0m: 11$' "$T/w.txt" || fail "text: counts"
if at '2023-02-14 12:00:00' --check --warn 8 "$T/tree" >/dev/null 2>"$T/err"; then
	fail "--check within the window exited 0"
fi
grep -q 'expire within 8 h; earliest repo/benchmark-3/0' "$T/err" ||
    fail "--check: $(cat "$T/err")"
# A 2-hour window: nothing to say.
at '2023-02-14 12:00:00' --check --warn 2 "$T/tree" >/dev/null ||
    fail "--check --warn 2 exited non-zero"
ok "2023-02-14 12:00: expiring within 8 h, quiet within 2 h"

# 4. 2023-02-15: expired.
at '2023-02-15 00:00:00' --json --warn 8 "$T/tree" >"$T/x.json" || fail "x"
python3 - "$T/x.json" <<'EOF' || fail "2023-02-15: wrong judgement"
import json, sys
r = json.load(open(sys.argv[1]))
e = r["earliest"]
assert e["dir"] == "repo/benchmark-3/0" and e["state"] == "expired", e
assert r["expired"] == 11 and r["expiring"] == 0, r
assert r["expired_list"][0]["dir"] == "repo/benchmark-3/0"
assert [p["dir"] for p in r["closest"]] == ["repo"], r["closest"]
EOF
at '2023-02-15 00:00:00' --check "$T/tree" >"$T/x.txt" 2>"$T/err" &&
    fail "--check with expired PPs exited 0"
grep -q '11 publication points expired' "$T/err" || fail "$(cat "$T/err")"
grep -q '^  expired  2023-02-14T14:20:29Z' "$T/x.txt" || fail "text: not expired"
ok "2023-02-15: expired"

# 5. Damaged manifests and CRLs of the conformance sets: listed, no crash.
for d in objects bbn-conformance; do
	$EXPIRY --json "$DATA/$d" >"$T/$d.json" || fail "expiry on $d failed"
done
python3 - "$T/bbn-conformance.json" <<'EOF' || fail "bbn-conformance: damaged not listed"
import json, sys
r = json.load(open(sys.argv[1]))
bad = {b["path"]: b["reason"] for b in r["damaged_list"]}
for p in ["root/MFTNextUpdUTC/badMFTNextUpdUTC.mft",
          "root/MFTThisUpdUTC/badMFTThisUpdUTC.mft",
          "root/MFTWrongType/badMFTWrongType.mft"]:
    assert bad.get(p) == "unreadable", (p, bad)
assert r["damaged"] == len(bad) and r["publication_points"] >= 50, r["damaged"]
EOF
ok "conformance sets: damaged manifests listed"

# 6. A hostile tree: truncated, empty and garbage objects, a CRL without
# nextUpdate is covered by the unit tests; a symlink to a good manifest and
# a FIFO are skipped, a tree deeper than the bound is not entered.
H="$T/hostile/m/pp"
mkdir -p "$H" "$T/outside"
mft=$(find "$T/tree/repo/benchmark-3" -name '*.mft')
crl=$(find "$T/tree/repo/benchmark-3" -name '*.crl')
head -c 300 "$mft" >"$H/trunc.mft"
: >"$H/empty.crl"
head -c 4096 /dev/urandom >"$H/garbage.mft"
cp "$crl" "$H/good.crl"
cp "$mft" "$T/outside/far.mft"
ln -s "$T/outside/far.mft" "$H/link.mft"
ln -s "$T/outside" "$T/hostile/m/linkdir"
mkfifo "$H/fifo.mft"
deep="$T/hostile/m"
i=0
while [ $i -lt 40 ]; do deep="$deep/d"; i=$((i + 1)); done
mkdir -p "$deep"
cp "$mft" "$deep/deep.mft"
timeout 20 $EXPIRY --json "$T/hostile" >"$T/h.json" || fail "hostile tree: exit $?"
python3 - "$T/h.json" <<'EOF' || fail "hostile tree: wrong report"
import json, sys
r = json.load(open(sys.argv[1]))
bad = {b["path"]: b["reason"] for b in r["damaged_list"]}
assert bad == {"m/pp/trunc.mft": "unreadable", "m/pp/empty.crl": "unreadable",
               "m/pp/garbage.mft": "unreadable"}, bad
assert r["publication_points"] == 0, r   # no readable manifest followed
assert r["objects"] == 4, r              # 3 damaged + good.crl
EOF
$EXPIRY "$T/hostile" | grep -q '^skipped: 4 entries' || fail "skipped count"
ok "hostile tree: damaged listed, symlinks, FIFO and too deep skipped"

# 7. Usage.
rc=0; $EXPIRY >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "no DIR: exit $rc"
rc=0; $EXPIRY --warn x "$T/tree" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "--warn x: exit $rc"
rc=0; $EXPIRY "$T/nonexistent" >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "missing DIR: exit $rc"
ok "usage errors"
