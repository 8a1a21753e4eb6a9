# Reader-aware cleanup that cannot run, or is turned off: the time rule
# applies. And --cleanup-max: a revision still read is removed then, and
# its reader logged by pid and address. Started as nobody (no helper) next to an rsyncd run by root, the
# scan is denied: watch says so once at start, status and metrics say so,
# and a slow client of a revision replaced for longer than --cleanup-after
# loses it (rsync exit 23 or 24), as the time rule does. With
# --no-reader-scan the same, reported as turned off.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd as root, watch as nobody"
need_cmd setpriv
id nobody >/dev/null 2>&1 || skip "no user nobody"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml

# case_run NAME AWARE WATCH-COMMAND...: a watch with a slow client on
# serial 1 while serial 2 arrives; the client must lose its revision (exit
# 23 or 24) and the metrics say reader-aware AWARE (0 or 1).
case_run() {
	name=$1 D="$T/$1" aware=$2; shift 2
	mkdir -p "$D/st/rsync" "$D/m"
	chown nobody "$D/st" "$D/st/rsync" "$D/m"
	"$SIM" --dir "$D/src" --objects 150 >/dev/null
	P=$(free_port)
	example_conf "$D/st/rsync" "$D/r.conf"
	start_rsyncd "$D/r.conf" "$P"
	"$@" -s "$D/st" --cleanup-after 2 --metrics-file "$D/m/metrics.prom" \
		--source-uri-base "$D/src" $U 2>"$D/watch.log" &
	W=$!
	PIDS="$PIDS $W"
	wait_for 20 current_is "$D/st/rsync" 1 || { cat "$D/watch.log"; fail "$name: serial 1 not live"; }
	rsync -rt --bwlimit=20 "rsync://127.0.0.1:$P/repo/" "$D/client/" >"$D/client.out" 2>&1 &
	C=$!
	sleep 1.5
	"$SIM" --dir "$D/src" --objects 150 --revisions 1 >/dev/null
	wait_for 20 current_is "$D/st/rsync" 2 || fail "$name: serial 2 not live"
	set +e
	wait $C
	rc=$?
	set -e
	echo "$name: slow client exit $rc"
	case $rc in 23|24) ;; *) cat "$D/client.out"; fail "$name: slow client exit $rc, want 23 or 24 (time rule)";; esac
	"$RSYNCSWAP" status -s "$D/st" >"$D/status.txt" || true	# exit 4: expired test objects
	wait_for 10 grep -q "^rsyncswap_cleanup_reader_aware $aware\$" "$D/m/metrics.prom" ||
		{ cat "$D/m/metrics.prom"; fail "$name: metrics: reader-aware is not $aware"; }
	check_prometheus "$D/m/metrics.prom"
	kill -TERM $W; wait $W || fail "$name: watch exit $?"
}

case_run denied 0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=-all "$RSYNCSWAP" watch
n=$(grep -c "cleanup: readers cannot be seen: .* cannot be inspected" "$T/denied/watch.log" || true)
[ "$n" = 1 ] || { cat "$T/denied/watch.log"; fail "denied: fallback logged $n times, want once"; }
grep "cleanup: readers cannot be seen" "$T/denied/watch.log"
grep -q "^cleanup: time rule (fallback): .*cannot be inspected" "$T/denied/status.txt" ||
	{ cat "$T/denied/status.txt"; fail "denied: status does not show the fallback"; }
grep -q '^rsyncswap_cleanup_fallback 1$' "$T/denied/m/metrics.prom" || fail "denied: metrics: no fallback"
grep -q '^rsyncswap_reader_scan_failures_total [1-9]' "$T/denied/m/metrics.prom" || fail "denied: metrics: no scan failures"
ok "scan denied: time rule applied; fallback said once at start, in status and metrics"

case_run off 0 "$RSYNCSWAP" watch -v --user nobody --no-reader-scan
grep -q "cleanup: --no-reader-scan" "$T/off/watch.log" || fail "off: not logged"
grep -q "^cleanup: time rule (--no-reader-scan)" "$T/off/status.txt" ||
	{ cat "$T/off/status.txt"; fail "off: status does not show the time rule"; }
grep -q '^rsyncswap_cleanup_fallback 0$' "$T/off/m/metrics.prom" || fail "off: metrics: fallback"
grep -q '^rsyncswap_reader_scans_total 0$' "$T/off/m/metrics.prom" || fail "off: metrics: scans ran"
ok "--no-reader-scan: time rule applied, shown in status and metrics"

# --cleanup-max 4: the revision is read for longer, and removed then.
case_run max 1 "$RSYNCSWAP" watch --user nobody --cleanup-max 4
grep -E "sweep: session_[^ ]*_serial_1 removed after --cleanup-max \(4 s\) while rsync pid [0-9]+ \(client 127\.0\.0\.1 port [0-9]+\) reads it" \
	"$T/max/watch.log" || { cat "$T/max/watch.log"; fail "max: the hurt reader not logged by pid and address"; }
grep -q '^rsyncswap_readers_hurt_total [1-9]' "$T/max/m/metrics.prom" || fail "max: metrics: no hurt reader"
ok "--cleanup-max: a read revision removed after 4 s, its reader logged by pid and address, counted"
