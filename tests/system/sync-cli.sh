# rsyncswap sync / sweep: usage errors, the lock, limits, the decision
# (deltas, snapshot fallback, refusal), damaged state, hosts, and the sweep.
# also on btrfs
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

S=e9be21e7-c537-4564-b742-64700978c6b4
U=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/notification.xml
B=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
SRC="$T/src"
mkdir -p "$SRC" "$T/canary"
echo keep >"$T/canary/file"
cp -r "$DATA/rrdp/krill-sync/rrdp-rev2656/$S" "$SRC/"

# run EXPECTED_EXIT ARGS...: runs rsyncswap, output in $T/out and $T/err.
run() {
	_want=$1; shift
	set +e
	"$RSYNCSWAP" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	set -e
	[ "$_rc" = "$_want" ] || { cat "$T/out" "$T/err" >&2; fail "rsyncswap $*: exit $_rc, want $_want"; }
}
one_line() {
	[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err" >&2; fail "$1: want exactly one line on stderr"; }
	grep -q -- "$2" "$T/err" || { cat "$T/err" >&2; fail "$1: stderr does not say '$2'"; }
}
sync_at() {	# sync_at SERIAL [OPTIONS...]: notification of snapshot SERIAL
	_n=$1; shift
	make_notif "$SRC" "$B" $S "$_n" "$S/$_n/snapshot.xml"
	run 0 sync -s "$T/st" --source-uri-base "$SRC" "$@" $U
}

# --- usage errors: exit 2, nothing created
run 2
run 2 frobnicate
run 2 sync
run 2 sync --bogus $U
run 2 sync http://example.net/notification.xml
run 2 sync --source-uri-base "$T/nonexistent" $U
run 2 sweep --max-deltas 3
run 2 sync --cleanup-after -5 $U
run 0 --help
grep -q 'rsyncswap sync' "$T/out" || fail "--help does not describe sync"
run 0 sync --help
run 0 -V
[ ! -e "$T/st" ] || fail "usage errors created the state dir"
ok "usage errors exit 2"

# --- first sync: snapshot 2653
sync_at 2653
grep -q "serial 2653: snapshot, 440 objects" "$T/out" || fail "summary: $(cat "$T/out")"
R2653=$(readlink "$T/st/rsync/current")
ok "snapshot 2653"

# --- the lock: exit 75 while another process holds it
flock -o "$T/st/lock" sleep 60 &
L=$!
wait_for 10 sh -c "! flock -n '$T/st/lock' true" || fail "the lock was not taken"
run 75 sync -s "$T/st" --source-uri-base "$SRC" $U
one_line "lock" "another rsyncswap"
pkill -P $L sleep || true
wait $L || true
ok "lock held: exit 75"

# --- --max-deltas 2: three deltas needed, so the snapshot is taken
cp "$DATA/rrdp/krill-sync/rrdp-rev2656/notification.xml" "$SRC/"
cp -r "$T/st" "$T/st-max"
run 0 sync -s "$T/st-max" --max-deltas 2 --source-uri-base "$SRC" $U
grep -q "serial 2656: snapshot" "$T/out" || fail "max-deltas: $(cat "$T/out")"
ok "more than --max-deltas: snapshot"

# --- a delta that does not apply: falls back to the snapshot
cp -r "$T/st" "$T/st-bad"
f=$(find "$T/st-bad/rsync/$R2653" -name '*.mft' | head -1)
cp "$f" "$T/mft" && rm "$f" && cp "$T/mft" "$f" && echo x >>"$f"
run 0 sync -v -s "$T/st-bad" --source-uri-base "$SRC" $U
grep -q "serial 2656: snapshot" "$T/out" || fail "fallback: $(cat "$T/out" "$T/err")"
grep -q "taking the snapshot" "$T/err" || fail "fallback not logged: $(cat "$T/err")"
ok "delta that does not apply: snapshot"

# --- deltas 2654..2656 onto 2653, with a leftover temp dir and a planted
# symlink to the canary, both removed by the sweep without touching the canary
mkdir -p "$T/st/rsync/.tmp-crashed/repo" && echo x >"$T/st/rsync/.tmp-crashed/repo/f"
ln -s "$T/canary" "$T/st/rsync/.tmp-evil"
run 0 sync -s "$T/st" --cleanup-after 2 --source-uri-base "$SRC" $U
grep -q "serial 2656: deltas 2654-2656, 440 objects" "$T/out" || fail "deltas: $(cat "$T/out")"
[ ! -e "$T/st/rsync/.tmp-crashed" ] || fail "leftover .tmp-crashed not swept"
[ ! -L "$T/st/rsync/.tmp-evil" ] || fail "planted .tmp-evil symlink not swept"
[ "$(cat "$T/canary/file")" = keep ] || fail "canary touched"
[ -d "$T/st/rsync/$R2653" ] || fail "2653 removed before --cleanup-after"
ok "deltas; leftovers swept; canary intact"

# --- refusal: the same session going back to 2653
make_notif "$SRC" "$B" $S 2653 "$S/2653/snapshot.xml"
cur=$(readlink "$T/st/rsync/current")
run 1 sync -s "$T/st" --source-uri-base "$SRC" $U
one_line "serial regression" "notification.xml"
[ "$(readlink "$T/st/rsync/current")" = "$cur" ] || fail "current changed on refusal"
ok "lower serial refused"

# --- the sweep removes 2653 once --cleanup-after has passed; never current
sleep 3
run 0 sweep -s "$T/st" --cleanup-after 2
[ ! -e "$T/st/rsync/$R2653" ] || fail "2653 not swept after --cleanup-after"
[ -d "$T/st/rsync/$cur" ] || fail "current revision swept"
run 0 sweep -s "$T/st" --cleanup-after 0
[ -d "$T/st/rsync/$cur" ] || fail "current revision swept with --cleanup-after 0"
ok "sweep after --cleanup-after, current kept"

# --- --min-objects: a snapshot with fewer objects is refused
cp "$DATA/rrdp/krill-sync/rrdp-rev2656/notification.xml" "$SRC/"
run 1 sync -s "$T/st-min" --min-objects 1000 --source-uri-base "$SRC" $U
one_line "min-objects" "fewer than --min-objects"
[ ! -e "$T/st-min/rsync/current" ] || fail "min-objects: current created"
[ -z "$(ls -A "$T/st-min/rsync")" ] || fail "min-objects: left $(ls -A "$T/st-min/rsync")"
ok "--min-objects"

# --- a damaged state file: a warning, then the snapshot
echo garbage >"$T/st/state"
run 0 sync -s "$T/st" --source-uri-base "$SRC" $U
grep -q "state" "$T/err" || fail "damaged state not reported"
grep -q "snapshot" "$T/out" || fail "damaged state: no snapshot: $(cat "$T/out")"
run 0 sync -s "$T/st" --source-uri-base "$SRC" $U
grep -q "up to date" "$T/out" || fail "second run not up to date: $(cat "$T/out")"
ok "damaged state: snapshot, then up to date"

# --- two hosts: refused without --include-host, host/module/path with it
BS="$DATA/krill-sync-benchmark/rrdp"
mkdir -p "$T/two/x"
sed 's|rsync://localhost/repo/benchmark-3/|rsync://other.example/repo/benchmark-3/|' \
	"$BS"/*/3/*/snapshot.xml >"$T/two/x/snapshot.xml"
make_notif "$T/two" https://localhost:3000/rrdp/ cd0c701d-ff09-4e95-8f2a-fa24de875fb5 3 x/snapshot.xml
run 1 sync -s "$T/st-two" --source-uri-base "$T/two" https://localhost:3000/rrdp/notification.xml
one_line "two hosts" "include-host"
run 0 sync -s "$T/st-two" --include-host --source-uri-base "$T/two" https://localhost:3000/rrdp/notification.xml
[ -d "$T/st-two/rsync/current/other.example/repo/benchmark-3" ] || fail "--include-host: no other.example"
[ -d "$T/st-two/rsync/current/localhost/repo" ] || fail "--include-host: no localhost"
ok "--include-host"
