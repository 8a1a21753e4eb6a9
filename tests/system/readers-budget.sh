# The disk budget with a real rsyncd: more swaps than --max-revisions 2
# allows, slow clients on serials 1 and 3: the unread revisions go at once,
# oldest first, long before --cleanup-after; the read ones stay (the
# shortfall is logged, in status and metrics) and both clients get exactly
# their serial; once they end, the oldest goes. --max-disk does the same
# by bytes.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "starts as root with --user nobody, rsyncd as root"
need_cmd pgrep
id nobody >/dev/null 2>&1 || skip "no user nobody"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
SRC="$T/src" REC="$T/rec" ST="$T/st"
OBJ=150

# on_disk: the serials of the revisions on disk, in one line.
on_disk() {
	for _d in "$ST"/rsync/session_*; do
		[ -d "$_d" ] && echo "${_d##*_serial_}"
	done | sort -n | tr '\n' ' ' | sed 's/ $//'
	return 0
}
# on_disk_is "SERIALS": true when exactly those are on disk.
on_disk_is() { [ "$(on_disk)" = "$1" ]; }
# inside REV: true when an rsync process has its root or cwd in REV.
inside() {
	for _p in $(pgrep -x rsync); do
		for _l in root cwd; do
			case $(readlink "/proc/$_p/$_l" 2>/dev/null) in
			"$1"|"$1"/*) return 0 ;;
			esac
		done
	done
	return 1
}
# slow_client NAME: a slow client of the served revision, until it reads.
slow_client() {
	_rev=$(current_rev "$ST/rsync")
	( rsync -rt --bwlimit=12 "rsync://127.0.0.1:$P/repo/" "$T/$1/" >"$T/$1.out" 2>&1
	  echo $? >"$T/$1.rc" ) &
	wait_for 20 inside "$_rev" || fail "client $1 does not read $_rev"
}
# swap_to SERIAL: publishes SERIAL and waits until it is served.
swap_to() {
	"$SIM" --dir "$SRC" --objects $OBJ --revisions $(($1 - 1)) --record "$REC" >/dev/null
	wait_for 20 current_is "$ST/rsync" "$1" || fail "serial $1 not live"
}

"$SIM" --dir "$SRC" --objects $OBJ --record "$REC" >/dev/null
P=$(free_port)
mkdir -p "$ST/rsync" "$T/m" && chown nobody "$T/m"
example_conf "$ST/rsync" "$T/r.conf"
start_rsyncd "$T/r.conf" "$P"
"$RSYNCSWAP" watch -v --user nobody -s "$ST" --cleanup-after 3600 \
	--max-revisions 2 --metrics-file "$T/m/metrics.prom" \
	--source-uri-base "$SRC" $U 2>"$T/watch.log" &
W=$!
PIDS="$PIDS $W"
wait_for 20 current_is "$ST/rsync" 1 || { cat "$T/watch.log"; fail "serial 1 not live"; }

slow_client a
swap_to 2
swap_to 3
slow_client b
for s in 4 5 6; do
	swap_to $s
	wait_for 10 on_disk_is "1 3 $s" || { cat "$T/watch.log"; fail "after serial $s: on disk $(on_disk), want 1 3 $s"; }
done
ok "over --max-revisions 2: unread 2, 4, 5 removed at once, oldest first; read 1 and 3 kept"
grep -q "sweep: over the disk budget by 1 revisions" "$T/watch.log" || fail "shortfall not logged"
"$RSYNCSWAP" status -s "$ST" >"$T/status.txt" || true	# exit 4: the test objects have expired
grep -q "^over the disk budget by 1 revisions" "$T/status.txt" || { cat "$T/status.txt"; fail "status: no shortfall"; }
wait_for 5 grep -q '^rsyncswap_budget_shortfall_revisions 1$' "$T/m/metrics.prom" || fail "metrics: no shortfall"
ok "the shortfall is logged, in status and in the metrics"

wait_for 90 test -e "$T/a.rc" -a -e "$T/b.rc" || fail "clients did not end"
for c in a:1 b:3; do
	n=${c%:*} s=${c#*:}
	[ "$(cat "$T/$n.rc")" = 0 ] || { cat "$T/$n.out"; fail "client $n exited $(cat "$T/$n.rc")"; }
	sed 's|^\./repo/|./|' "$REC/$s.list" | LC_ALL=C sort >"$T/want"
	sorted_tree_list "$T/$n" | cmp -s - "$T/want" || fail "client $n did not get exactly serial $s"
done
wait_for 10 on_disk_is "3 6" || fail "after the readers: on disk $(on_disk), want 3 6"
ok "both clients exit 0 with exactly their serial; then the oldest (1) goes, 3 stays within budget"
kill -TERM $W; wait $W || fail "watch exit $?"

# --max-disk, by bytes: a budget below one revision keeps only current.
"$RSYNCSWAP" sweep -v --user nobody -s "$ST" --cleanup-after 3600 --max-disk 1K >"$T/sweep.out" 2>&1 ||
	{ cat "$T/sweep.out"; fail "sweep --max-disk"; }
on_disk_is 6 || { cat "$T/sweep.out"; "$RSYNCSWAP" status -s "$ST"; fail "--max-disk 1K: on disk $(on_disk), want 6"; }
"$RSYNCSWAP" status --json -s "$ST" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["cleanup"]["budget_shortfall_bytes"] > 0, d["cleanup"]
' || fail "status: no byte shortfall"
"$RSYNCSWAP" sweep -s "$ST" --max-disk 1Q >/dev/null 2>"$T/err" && fail "--max-disk 1Q accepted"
grep -q -- "--max-disk: \"1Q\" is not a size" "$T/err" || { cat "$T/err"; fail "--max-disk 1Q: message"; }
ok "--max-disk 1K removes the unread revision 3 at once; the byte shortfall shown; a bad size refused"
