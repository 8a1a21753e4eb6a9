# rsyncd log tracking in watch: a slow real client reading a revision that a
# deliberately short cleanup removes gets "file has vanished" (exit 24);
# watch ties the session to that revision and its removal and raises the
# effective cleanup-after; the same scenario after tuning ends with exit 0
# and no vanished line.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes (as rsyncd.conf.example)"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
SRC="$T/src"
"$SIM" --dir "$SRC" --objects 300 --changes 20 --record "$T/rec" >/dev/null

# rsyncd first: its log file must exist for the watcher to follow it.
P=$(free_port)
example_conf "$T/st/rsync" "$T/rsyncd.conf"
mkdir -p "$T/st/rsync"
: >"$T/rsyncd.conf.log"
"$RSYNCSWAP" watch -v -s "$T/st" --source-uri-base "$SRC" --cleanup-after 2 --no-reader-scan \
	--cleanup-max 900 --rsyncd-log "$T/rsyncd.conf.log" \
	--metrics-file "$T/metrics.prom" $U 2>"$T/watch.log" &
PIDS="$PIDS $!"
wait_for 10 current_is "$T/st/rsync" 1 || { cat "$T/watch.log"; fail "serial 1 not live"; }
start_rsyncd "$T/rsyncd.conf" "$P"

# slow_fetch SERIAL: a slow client reading the served revision while the
# origin publishes SERIAL; prints the client's exit code.
slow_fetch() {
	rm -rf "$T/client"
	rsync -rt --bwlimit=60 "rsync://127.0.0.1:$P/repo/" "$T/client/" \
		>"$T/client.out" 2>&1 &
	_c=$!
	sleep 1.5
	"$SIM" --dir "$SRC" --objects 300 --changes 20 --revisions $(($1 - 1)) \
		--record "$T/rec" >/dev/null
	wait_for 10 current_is "$T/st/rsync" "$1" || fail "serial $1 not live"
	set +e
	wait $_c
	echo $?
	set -e
}

rc=$(slow_fetch 2)
[ "$rc" = 24 ] || { cat "$T/client.out"; fail "first slow client exited $rc, want 24 (vanished)"; }
grep -q "file has vanished" "$T/rsyncd.conf.log" || fail "no vanished line in the rsyncd log"
R1=$(sed -n 's/.*\(session_[0-9a-f-]*_serial_1\).*/\1/p' "$T/watch.log" | head -1)
wait_for 10 grep -q "connected at .* to $R1, replaced at .* and removed at" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "vanished session not attributed to serial 1"; }
grep "to $R1" "$T/watch.log" | head -1
wait_for 5 grep -q "cleanup-after 2 -> [0-9]* s: client 127.0.0.1" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "cleanup-after not raised"; }
tuned=$(sed -n 's/.*cleanup-after 2 -> \([0-9]*\) s.*/\1/p' "$T/watch.log" | head -1)
[ "$tuned" -ge 20 ] || fail "raised to only $tuned s"
grep "cleanup-after 2 ->" "$T/watch.log" | head -1
ok "vanished files attributed to serial 1 and its removal; cleanup-after raised to $tuned s"

wait_for 5 grep -q "^rsyncswap_cleanup_after_seconds $tuned\$" "$T/metrics.prom" ||
	fail "metrics do not show cleanup-after $tuned"
grep -q '^rsyncswap_vanished_files_attributed_total [1-9]' "$T/metrics.prom" ||
	fail "metrics do not count attributed vanished files"
"$RSYNCSWAP" status --json -s "$T/st" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['cleanup_after']==$tuned, d" ||
	fail "status does not show the tuned cleanup-after"
ok "metrics and status show the tuned value"

before=$(grep -c "file has vanished" "$T/rsyncd.conf.log")
rc=$(slow_fetch 3)
[ "$rc" = 0 ] || { cat "$T/client.out"; fail "after tuning the slow client exited $rc"; }
after=$(grep -c "file has vanished" "$T/rsyncd.conf.log")
[ "$before" = "$after" ] || fail "vanished lines after tuning: $before -> $after"
sed 's|^\./repo/|./|' "$T/rec/2.list" | LC_ALL=C sort >"$T/want2"
sorted_tree_list "$T/client" | cmp -s - "$T/want2" || fail "the slow client did not get exactly serial 2"
ok "after tuning: the slow client gets exactly serial 2, exit 0, no vanished line"
