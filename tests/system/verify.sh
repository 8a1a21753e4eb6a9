#!/bin/sh
# rsyncswap verify and the revision digest, with krill-sync data:
#  1. node A builds serial 2656 from snapshot 2653 and deltas 2654..2656,
#     node B from snapshot 2656, node C by deltas from a state without a
#     digest (an older state): all three record the same digest, which
#     status, status --json and the metrics show, and which the
#     independent script of the README computes from each tree.
#  2. verify passes on the untouched revision and fails (exit 1), naming
#     what it can, on: a changed byte (mtime kept), a changed mtime, an
#     extra file, a missing file, a file replaced by one of the same size,
#     a symlink, 30 extra files (20 listed, then the count); after each
#     is undone it passes again. --include-host: the host is in the paths.
#  3. no digest recorded (a state without one, a current the state does
#     not describe): "no digest recorded", exit 1, never a match; the next
#     run, up to date, records the digest of what its state describes.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_cmd python3
need_rsyncswap

K=$DATA/rrdp/krill-sync
KS=$K/rrdp-rev2656
SESS=e9be21e7-c537-4564-b742-64700978c6b4
BASE=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
NAME=session_${SESS}_serial_2656

# The README's script, as an operator would copy it.
sed -n '/^    # revision-digest.py/,/^[^ ]/p' "$TOP/README.md" | sed '$d' |
	sed 's/^    //' >"$T/revision-digest.py"
grep -q 'int.from_bytes' "$T/revision-digest.py" || fail "no digest script in README.md"

# node N SRC: one sync of node N from SRC, metrics in $T/N.prom.
node() {
	"$RSYNCSWAP" sync -q -s "$T/$1" --cleanup-after 3600 --metrics-file "$T/$1.prom" \
		--source-uri-base "$2" "${BASE}notification.xml" ||
		fail "node $1: sync from $2: exit $?"
}
# digest_of N: the digest the state of node N records for its revision.
digest_of() { sed -n 's/^digest \([0-9a-f]*\) [0-9]*$/\1/p' "$T/$1/state"; }
# verify_rc N [ARGS]: runs verify on node N, output in $T/v.out, v.err.
verify_rc() {
	_n=$1; shift
	if "$RSYNCSWAP" verify -s "$T/$_n" "$@" >"$T/v.out" 2>"$T/v.err"; then rc=0; else rc=$?; fi
}
must_pass() {
	verify_rc B
	[ "$rc" -eq 0 ] || { cat "$T/v.err" >&2; fail "verify after $1: exit $rc"; }
	grep -q "^$NAME: as written: 440 files, digest $DB\$" "$T/v.out" ||
		fail "verify after $1 printed: $(cat "$T/v.out")"
	[ ! -s "$T/v.err" ] || fail "verify after $1 said on stderr: $(cat "$T/v.err")"
}
# must_fail WHAT PATTERN: verify fails, and its stderr matches PATTERN.
must_fail() {
	verify_rc B
	[ "$rc" -eq 1 ] || fail "$1: verify exit $rc (want 1): $(cat "$T/v.out" "$T/v.err")"
	grep -q -- "$2" "$T/v.err" || { cat "$T/v.err" >&2; fail "$1: verify did not say \"$2\""; }
	grep -q "not as written" "$T/v.err" || fail "$1: no closing line"
	[ ! -s "$T/v.out" ] || fail "$1: stdout: $(cat "$T/v.out")"
	ok "$1 found: $(grep -m1 -- "$2" "$T/v.err" | cut -c1-160)"
}

# 1. Three ways to serial 2656.
mkdir -p "$T/src2653/$SESS/2653"
cp "$KS/$SESS/2653/snapshot.xml" "$T/src2653/$SESS/2653/"
make_notif "$T/src2653" "$BASE" "$SESS" 2653 "$SESS/2653/snapshot.xml"
node A "$T/src2653"
node A "$KS"
node B "$KS"
node C "$T/src2653"
grep -q '^digest ' "$T/C/state" || fail "no digest line in the state"
sed -i '/^digest /d' "$T/C/state"
"$RSYNCSWAP" sync -v -s "$T/C" --cleanup-after 3600 --source-uri-base "$KS" \
	"${BASE}notification.xml" >"$T/C.out" 2>"$T/C.err" || fail "node C: exit $?"
grep -q "no digest recorded; computed from its" "$T/C.err" || fail "node C: $(cat "$T/C.err")"
for n in A B C; do
	[ "$(basename "$(current_rev "$T/$n/rsync")")" = "$NAME" ] || fail "node $n: current is not $NAME"
done
grep -q "serial 2656: deltas 2654-2656" "$T/C.out" || fail "node C did not apply deltas: $(cat "$T/C.out")"
DA=$(digest_of A) DB=$(digest_of B) DC=$(digest_of C)
[ ${#DB} -eq 64 ] || fail "node B: digest \"$DB\""
[ "$DA" = "$DB" ] || fail "snapshot and deltas give other digests: $DA (A, deltas) vs $DB (B, snapshot)"
[ "$DC" = "$DB" ] || fail "deltas from a state without a digest: $DC vs $DB"
for n in A B C; do
	py=$(python3 "$T/revision-digest.py" "$(current_rev "$T/$n/rsync")")
	[ "$py" = "$DB" ] || fail "node $n: the README's script gives $py, the state $DB"
	# (The krill-sync data expired long ago: status says so, exit 5.)
	"$RSYNCSWAP" status -s "$T/$n" >"$T/st.$n" 2>&1 || [ $? -eq 5 ] || fail "status $n: exit $?"
	grep -q "^digest: $DB\$" "$T/st.$n" || fail "status $n: $(grep digest "$T/st.$n")"
	"$RSYNCSWAP" status --json -s "$T/$n" 2>/dev/null | python3 -c '
import json, sys; d = json.load(sys.stdin); sys.exit(d["digest"] != sys.argv[1])' "$DB" ||
		fail "status --json $n: not digest $DB"
done
for n in A B; do
	grep -q "^rsyncswap_revision_info{session=\"$SESS\",serial=\"2656\",digest=\"$DB\"} 1\$" "$T/$n.prom" ||
		fail "metrics of node $n: $(grep revision_info "$T/$n.prom")"
done
ok "serial 2656 by snapshot, by deltas and by deltas from a digest-less state: digest $DB on all three, = the README's script"

# With --include-host the paths, and so the digest, carry the host.
"$RSYNCSWAP" sync -q -s "$T/H" --include-host --source-uri-base "$KS" "${BASE}notification.xml" ||
	fail "node H (--include-host): exit $?"
DH=$(digest_of H)
[ -n "$DH" ] && [ "$DH" != "$DB" ] || fail "--include-host: digest \"$DH\" (module layout: $DB)"
[ "$(python3 "$T/revision-digest.py" "$(current_rev "$T/H/rsync")")" = "$DH" ] ||
	fail "--include-host: the README's script disagrees"
"$RSYNCSWAP" verify -q -s "$T/H" || fail "verify --include-host revision: exit $?"
ok "--include-host: digest $DH, = the README's script, verified"

# 2. The untouched revision passes; each tampering fails and is undone.
REV=$(current_rev "$T/B/rsync")
must_pass "the sync"
"$RSYNCSWAP" verify -q -s "$T/B" >"$T/q.out" 2>&1 || fail "verify -q: exit $?"
[ ! -s "$T/q.out" ] || fail "verify -q printed: $(cat "$T/q.out")"
F=$(cd "$REV" && find . -name '*.roa' -size +1k | sort | head -1 | cut -c3-)
[ -n "$F" ] || fail "no ROA in $REV"
D=$(dirname "$REV/$F")
cp -p "$REV/$F" "$T/saved"

# A byte of the signature (the end of the object) changed in place, mtime kept.
size=$(stat -c %s "$REV/$F")
printf 'X' | dd of="$REV/$F" bs=1 seek=$((size - 2)) conv=notrunc 2>/dev/null
cmp -s "$REV/$F" "$T/saved" && fail "the byte did not change"
touch -r "$T/saved" "$REV/$F"
must_fail "a changed byte" "files give digest"
cp -p "$T/saved" "$REV/$F"; touch -r "$T/saved" "$REV/$F"
must_pass "the byte put back"

touch -d 2020-01-02T03:04:05Z "$REV/$F"
must_fail "a changed mtime" "$F: mtime 2020-01-02T03:04:05Z, but its content gives"
touch -r "$T/saved" "$REV/$F"
must_pass "the mtime put back"

echo extra >"$D/extra.roa"
must_fail "an extra file" "directory mtime"
grep -q "its 441 files give" "$T/v.err" || fail "extra file: count not 441: $(cat "$T/v.err")"
rm "$D/extra.roa"; touch -d @946684800 "$D"
must_pass "the extra file removed"

mv "$REV/$F" "$T/moved"
must_fail "a missing file" "$(dirname "$F"): directory mtime"
grep -q "its 439 files give" "$T/v.err" || fail "missing file: count not 439"
mv "$T/moved" "$REV/$F"; touch -d @946684800 "$D"
must_pass "the missing file back"

# The same size, a new inode, the old mtime, even the directory's time reset.
head -c "$size" /dev/urandom >"$D/new.tmp"
touch -r "$T/saved" "$D/new.tmp"
mv "$D/new.tmp" "$REV/$F"; touch -d @946684800 "$D"
[ "$(stat -c %s "$REV/$F")" -eq "$size" ] || fail "not the same size"
must_fail "a file replaced by one of the same size" "files give digest"
cp -p "$T/saved" "$REV/$F"; touch -d @946684800 "$D"
must_pass "the replaced file put back"

# Many differences: 20 lines, then their count.
for i in $(seq 1 30); do echo "$i" >"$REV/repo/extra$i"; done
must_fail "30 extra files" "more differences not listed"
# 31: each file's mtime, and the time of repo/; 20 listed, the count, the digest.
[ "$(wc -l <"$T/v.err")" -eq 22 ] || fail "30 extra files: $(wc -l <"$T/v.err") lines, not 22"
grep -q ": 11 more differences not listed" "$T/v.err" || fail "30 extra files: $(tail -2 "$T/v.err")"
rm "$REV"/repo/extra*; touch -d @946684800 "$REV/repo"
must_pass "the extra files removed"

ln -s /etc/passwd "$D/link.roa"
must_fail "a symlink" "link.roa: a symlink, not a file"
rm "$D/link.roa"; touch -d @946684800 "$D"
must_pass "the symlink removed"

# 3. No digest recorded: never a match.
cp "$T/B/state" "$T/state.saved"
sed -i '/^digest /d' "$T/B/state"
verify_rc B
[ "$rc" -eq 1 ] || fail "no digest: exit $rc"
grep -q "$NAME: no digest recorded for it in $T/B/state (built before digests were recorded); its 440 files give $DB" "$T/v.err" ||
	fail "no digest: $(cat "$T/v.err")"
"$RSYNCSWAP" status -s "$T/B" 2>/dev/null | grep -q "^digest: none recorded" || fail "status without a digest"
"$RSYNCSWAP" status --json -s "$T/B" 2>/dev/null | grep -q '"digest": null' || fail "status --json without a digest"
# An up-to-date run records the digest of what the state describes.
"$RSYNCSWAP" sync -v -s "$T/B" --cleanup-after 3600 --source-uri-base "$KS" \
	"${BASE}notification.xml" >"$T/B.out" 2>"$T/B.err" || fail "up-to-date sync: exit $?"
grep -q "up to date" "$T/B.out" || fail "not up to date: $(cat "$T/B.out")"
grep -q "no digest recorded; computed from its 440 files" "$T/B.err" || fail "up to date: $(cat "$T/B.err")"
[ "$(digest_of B)" = "$DB" ] || fail "up to date: recorded $(digest_of B), not $DB"
must_pass "an up-to-date run on a state without a digest"
cp -a "$REV" "$T/B/rsync/session_${SESS}_serial_2657"
ln -sfn "session_${SESS}_serial_2657" "$T/B/rsync/current.new"
mv -T "$T/B/rsync/current.new" "$T/B/rsync/current"
verify_rc B
[ "$rc" -eq 1 ] || fail "current not described by the state: exit $rc"
grep -q "no digest recorded for it in .*the state describes $NAME" "$T/v.err" ||
	fail "current not described by the state: $(cat "$T/v.err")"
ok "no digest recorded: exit 1 with the reason, status says none"

# Errors name their input.
verify_rc nonexistent
[ "$rc" -eq 1 ] && grep -q "$T/nonexistent/state: no state file" "$T/v.err" || fail "missing state: $rc $(cat "$T/v.err")"
"$RSYNCSWAP" verify -s "$T/B" extra >/dev/null 2>&1 && fail "verify with an argument"
ok "verify"
