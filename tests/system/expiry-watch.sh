# Expiry in the daemon: watch (under faketime) warns when a publication
# point of the served revision expires within --expiry-warn, logs an error
# once it has expired, and points at a stuck origin with --origin-quiet;
# status and metrics show the same; the summary of a revision built from
# deltas equals that of the same serial built from the snapshot.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd faketime
export TZ=UTC

FAKELIB=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime.so.1$' | head -1)
[ -n "$FAKELIB" ] || skip "libfaketime.so.1 not found"
# Under ASan the sanitizer runtime is not first in the preload list.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# run_watch WHEN STATE ARGS...: watch with a faked clock (libfaketime
# preloaded, so that the signal reaches rsyncswap itself) until its first
# sync and expiry check are done; its log in STATE.log.
run_watch() {
	_when=$1 _st=$2; shift 2
	LD_PRELOAD="$FAKELIB" FAKETIME="@$_when" "$RSYNCSWAP" watch -v -s "$_st" \
		--source-uri-base "$BENCH_SRC" --metrics-file "$_st.prom" "$@" \
		"$BENCH_URI" 2>"$_st.log" &
	_w=$!
	PIDS="$PIDS $_w"
	# The metrics file is written after the first sync, just before the
	# expiry check; a second after it the check has logged what it says.
	wait_for 30 test -s "$_st.prom" || { cat "$_st.log"; fail "no metrics file after 30 s"; }
	sleep 1
	kill -TERM $_w 2>/dev/null || { cat "$_st.log"; fail "watch died"; }
	wait $_w || { cat "$_st.log"; fail "watch exited $?"; }
}

run_watch '2023-02-14 12:00:00' "$T/a" --expiry-warn 8
grep -q "warning: .*repo/benchmark-3/0" "$T/a.log" || { cat "$T/a.log"; fail "no expiry warning for repo/benchmark-3/0"; }
grep "warning: .*repo/benchmark-3/0" "$T/a.log" | head -1
! grep -q "error:" "$T/a.log" || { cat "$T/a.log"; fail "errors logged at 12:00"; }
grep -q '^rsyncswap_earliest_expiry_timestamp_seconds 1676384429$' "$T/a.prom" ||
	fail "metrics: earliest expiry is not 2023-02-14T14:20:29Z"
grep -q '^rsyncswap_expiring_publication_points [1-9]' "$T/a.prom" || fail "metrics: nothing expiring"
grep -q '^rsyncswap_expired_publication_points 0$' "$T/a.prom" || fail "metrics: something expired"
grep -q '^rsyncswap_origin_last_change_timestamp_seconds 16763' "$T/a.prom" ||
	fail "metrics: origin last change is not the faked sync time"
check_prometheus "$T/a.prom"
faketime '2023-02-14 12:00:00' "$RSYNCSWAP" status -s "$T/a" >"$T/status"
grep -q "2023-02-14T14:20:29Z .*repo/benchmark-3/0" "$T/status" || { cat "$T/status"; fail "status"; }
faketime '2023-02-14 12:00:00' "$RSYNCSWAP" status --json -s "$T/a" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); e=d["expiry"]; assert e["earliest"]["dir"]=="repo/benchmark-3/0", e["earliest"]' ||
	fail "status --json expiry"
ok "12:00 UTC: benchmark-3 expiring within 8 h warned; metrics and status agree"

run_watch '2023-02-14 12:00:00' "$T/b" --expiry-warn 1
! grep -q "repo/benchmark-3/0" "$T/b.log" || { cat "$T/b.log"; fail "warned with a 1 h window"; }
ok "12:00 UTC with a 1 h window: quiet"

run_watch '2023-02-15 00:00:00' "$T/c" --origin-quiet 0
grep -q "error: .*expired" "$T/c.log" || { cat "$T/c.log"; fail "no error for expired publication points"; }
grep -q "origin has not changed" "$T/c.log" || { cat "$T/c.log"; fail "no stuck-origin hint"; }
grep "error: .*expired" "$T/c.log" | head -1
ok "2023-02-15: expired publication points logged as an error, with the stuck-origin hint"

# The delta-built revision's summary equals the snapshot-built one.
S=e9be21e7-c537-4564-b742-64700978c6b4
U=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/notification.xml
cp -r "$DATA/rrdp/krill-sync/rrdp-rev2656" "$T/src"
cp "$T/src/notification.xml" "$T/notif2656"
make_notif "$T/src" https://krill-ui-dev.do.nlnetlabs.nl/rrdp/ $S 2653 "$S/2653/snapshot.xml"
"$RSYNCSWAP" sync -q -s "$T/d" --source-uri-base "$T/src" $U
# f: the same, but its expiry file is of an older format (unreadable).
cp -a "$T/d" "$T/f"
printf 'rsyncswap-expiry 1\nobjects 0\ndamaged 0\ndropped 0\nnewest-update -\nend\n' >"$T/f/expiry"
cp "$T/notif2656" "$T/src/notification.xml"
"$RSYNCSWAP" sync -s "$T/d" --source-uri-base "$T/src" $U | grep -q "deltas 2654-2656" || fail "not by deltas"
"$RSYNCSWAP" sync -s "$T/f" --source-uri-base "$T/src" $U | grep -q "deltas 2654-2656" || fail "f not by deltas"
"$RSYNCSWAP" sync -q -s "$T/e" --source-uri-base "$T/src" $U
# Its lines come in the order the tree was read: compare them sorted (d's
# base and the segment on it as one), and what status makes of them.
expiry_flat "$T/d" | sort >"$T/d.sorted"
sort "$T/e/expiry" >"$T/e.sorted"
cmp "$T/d.sorted" "$T/e.sorted" || { diff "$T/d.sorted" "$T/e.sorted" | head; fail "delta-built expiry summary differs"; }
[ "$(grep -c '^pp ' "$T/d.sorted")" -gt 1 ] || fail "no publication points in the summary"
expiry_flat "$T/f" | sort | cmp - "$T/e.sorted" || fail "a delta after an unreadable expiry file: summary not read again from the tree"
LD_PRELOAD="$FAKELIB" FAKETIME="@2023-02-14 12:00:00" "$RSYNCSWAP" status --json -s "$T/d" | sed -n '/"expiry"/,$p' >"$T/d.status" || true
LD_PRELOAD="$FAKELIB" FAKETIME="@2023-02-14 12:00:00" "$RSYNCSWAP" status --json -s "$T/e" | sed -n '/"expiry"/,$p' >"$T/e.status" || true
[ -s "$T/d.status" ] && cmp "$T/d.status" "$T/e.status" || { diff "$T/d.status" "$T/e.status" | head; fail "status shows the two summaries differently"; }
ok "expiry summary of a delta-built revision equals the snapshot-built one, also after an unreadable one"
