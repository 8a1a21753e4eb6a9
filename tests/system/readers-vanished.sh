# A vanished file we caused is an error with reader-aware cleanup, a
# warning with the time rule. A real rsyncd logs to a file that watch
# follows (--rsyncd-log); a slow client (--bwlimit) reads serial 1 while
# serial 2 arrives. Reader-aware with --cleanup-max 4, the read revision
# is removed after 4 s under its reader: rsyncd logs "file has vanished",
# watch logs an error naming the client's pid (rsyncd's, as its log has
# it), address and the revision, and rsyncswap_vanished_files_attributed_total
# counts it. With --no-reader-scan (the time rule, --cleanup-after 2) the
# same event is a warning.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd as root, watch as root with --user nobody"
id nobody >/dev/null 2>&1 || skip "no user nobody"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml

# case_run NAME WATCH-OPTIONS...: a slow client of serial 1 loses it; sets
# D, LOG (watch's log), RLOG (rsyncd's), REV (serial 1's name).
case_run() {
	name=$1 D="$T/$1"; shift
	mkdir -p "$D/st/rsync" "$D/m"
	chown nobody "$D/m"
	"$SIM" --dir "$D/src" --objects 150 >/dev/null
	P=$(free_port)
	example_conf "$D/st/rsync" "$D/r.conf"
	RLOG="$D/r.conf.log" LOG="$D/watch.log"
	start_rsyncd "$D/r.conf" "$P"
	"$RSYNCSWAP" watch --user nobody -s "$D/st" --cleanup-after 2 \
		--rsyncd-log "$RLOG" --metrics-file "$D/m/metrics.prom" \
		--source-uri-base "$D/src" "$@" $U 2>"$LOG" &
	W=$!
	PIDS="$PIDS $W"
	wait_for 20 current_is "$D/st/rsync" 1 || { cat "$LOG"; fail "$name: serial 1 not live"; }
	REV=$(basename "$(current_rev "$D/st/rsync")")
	rsync -rt --bwlimit=10 "rsync://127.0.0.1:$P/repo/" "$D/client/" >"$D/client.out" 2>&1 &
	C=$!
	wait_for 10 grep -q "rsync on repo/ from" "$RLOG" || fail "$name: no session in the rsyncd log"
	sleep 1
	"$SIM" --dir "$D/src" --objects 150 --revisions 1 >/dev/null
	wait_for 20 current_is "$D/st/rsync" 2 || fail "$name: serial 2 not live"
	set +e
	wait $C
	rc=$?
	set -e
	echo "$name: slow client exit $rc"
	case $rc in 23|24) ;; *) cat "$D/client.out"; fail "$name: slow client exit $rc, want 23 or 24 (its revision removed)"; esac
	grep -q 'file has vanished' "$RLOG" || { cat "$RLOG"; fail "$name: rsyncd logged no \"file has vanished\""; }
	SPID=$(sed -n 's/.* \[\([0-9]*\)\] rsync on repo\/ from .*/\1/p' "$RLOG" | head -1)
	[ -n "$SPID" ] || fail "$name: no session pid in the rsyncd log"
	# The session's line, with the client's pid (rsyncd's), address and revision.
	LINE="rsyncd: client 127\.0\.0\.1 \(pid $SPID\) connected at [^ ]* [^ ]* to $REV, replaced at .* and removed at .*: [1-9][0-9]* vanished"
	wait_for 10 grep -Eq "$LINE" "$LOG" || { cat "$LOG"; fail "$name: watch did not log the session that lost its files"; }
	wait_for 10 grep -Eq '^rsyncswap_vanished_files_attributed_total [1-9]' "$D/m/metrics.prom" ||
		{ grep vanished "$D/m/metrics.prom"; fail "$name: metrics: no vanished file attributed to us"; }
	check_prometheus "$D/m/metrics.prom"
	kill -TERM $W; wait $W || fail "$name: watch exit $?"
}

case_run aware --cleanup-max 4
grep -Eq "^rsyncswap: error: $LINE" "$LOG" || { cat "$LOG"; fail "aware: the vanished session is not an error"; }
grep -E "^rsyncswap: error: rsyncd: client" "$LOG"
grep -Eq "sweep: $REV removed after --cleanup-max \(4 s\) while rsync pid [0-9]+ \(client 127\.0\.0\.1 port [0-9]+\) reads it" "$LOG" ||
	{ cat "$LOG"; fail "aware: the removal past --cleanup-max not logged"; }
grep -q '^rsyncswap_cleanup_reader_aware 1$' "$D/m/metrics.prom" || fail "aware: metrics: not reader-aware"
grep '^rsyncswap_vanished_files_attributed_total' "$D/m/metrics.prom"
ok "reader-aware: a revision removed past --cleanup-max under its reader: rsyncd's vanished lines are an error naming pid $SPID, 127.0.0.1 and $REV, and counted"

case_run off --no-reader-scan
grep -Eq "^rsyncswap: warning: $LINE" "$LOG" || { cat "$LOG"; fail "off: the vanished session is not a warning"; }
! grep -q "^rsyncswap: error: rsyncd:" "$LOG" || { cat "$LOG"; fail "off: the session was logged as an error"; }
grep -E "^rsyncswap: warning: rsyncd: client" "$LOG"
grep -q '^rsyncswap_cleanup_reader_aware 0$' "$D/m/metrics.prom" || fail "off: metrics: reader-aware"
ok "--no-reader-scan: the same event is a warning, and counted"
