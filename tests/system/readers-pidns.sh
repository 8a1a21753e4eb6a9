# rsyncd and watch in different PID namespaces (unshare --pid --fork
# --mount-proc, as a container without a shared process namespace).
#
# hidden: watch runs in its own PID namespace, the rsyncd that serves its
# rsync directory outside it; inside, an rsyncd configured for another
# tree and for this one, which no client uses, is all the scan sees. The rsyncd log (--rsyncd-log) shows a session the scan cannot
# find: watch falls back to the time rule and says so once (log, status,
# metrics). That session's length tunes the time rule, so a second slow
# client whose revision is replaced meanwhile exits 0 with exactly its
# revision, which stays on disk after the client's end (time rule, not
# reader-aware).
#
# inner-rsyncd: rsyncd runs in its own PID namespace (its log has that
# namespace's pids), watch outside, which sees rsyncd's processes: the scan
# is trusted (a reader matches by its pid in its own namespace), and the
# read revision is removed after its reader's end.
#
# no-daemon: watch in its own PID namespace without --rsyncd-log, where only
# a client rsync is visible: no rsync daemon, so the time rule.
#
# elsewhere: watch in its own PID namespace beside an rsyncd whose modules
# all lie in another tree (another repository's, or a test's): it tells
# nothing of this directory's readers, so the time rule, said with why.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd as root, watch as root with --user nobody, unshare"
need_cmd unshare
id nobody >/dev/null 2>&1 || skip "no user nobody"
unshare --pid --fork --mount-proc true 2>"$T/unshare.err" ||
	skip "unshare --pid --fork --mount-proc is not permitted here: $(head -1 "$T/unshare.err")"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
OBJ=150

# setup NAME: origin, rsync directory and rsyncd config of case NAME.
setup() {
	D="$T/$1"
	mkdir -p "$D/st/rsync" "$D/m"
	chown nobody "$D/m"
	"$SIM" --dir "$D/src" --objects $OBJ --record "$D/rec" >/dev/null
	P=$(free_port)
	example_conf "$D/st/rsync" "$D/r.conf"
	RLOG="$D/r.conf.log" LOG="$D/watch.log"
}

# slow_client N SERIAL: fetches into $D/c$N in the background at a low
# rate, writing $D/c$N.rc at the end; sets C.
slow_client() {
	( set +e; rsync -rt --bwlimit=20 "rsync://127.0.0.1:$P/repo/" "$D/c$1/" >"$D/c$1.out" 2>&1
	  echo $? >"$D/c$1.rc" ) &
	C=$!
	echo "$2" >"$D/c$1.serial"
}

# client_exact N: the client ended with 0 and exactly its serial.
client_exact() {
	wait_for 120 test -s "$D/c$1.rc" || fail "$name: client $1 did not end"
	[ "$(cat "$D/c$1.rc")" = 0 ] || { cat "$D/c$1.out"; fail "$name: client $1 exit $(cat "$D/c$1.rc")"; }
	sed 's|^\./repo/|./|' "$D/rec/$(cat "$D/c$1.serial").list" | LC_ALL=C sort >"$D/want"
	sorted_tree_list "$D/c$1" | cmp -s - "$D/want" || fail "$name: client $1 did not get exactly serial $(cat "$D/c$1.serial")"
}

# on_disk SERIAL: true while a revision of SERIAL is on disk.
on_disk() { ls -d "$D/st/rsync/"*_serial_"$1" >/dev/null 2>&1; }

# inner UNSHARE-PID: sets W to the pid of the process unshare forked (in
# our namespace), stopped on exit: unshare itself ignores SIGTERM.
inner() {
	wait_for 10 pgrep -P "$1" || fail "nothing runs below unshare $1"
	W=$(pgrep -P "$1")
	PIDS="$W $PIDS"
}

# beside_other [OPTION...]: runs watch (with OPTION...) in a PID namespace
# of its own, beside an rsyncd of $D/other/r.conf started there first;
# sets UNS to unshare's pid.
beside_other() {
	OP=$(free_port)
	unshare --pid --fork --kill-child --mount-proc sh -c '
		rsync --daemon --no-detach --config="$1" --address=127.0.0.1 --port="$2" &
		while ! [ -s "$3" ]; do sleep 0.1; done
		shift 3
		exec "$@"' sh "$D/other/r.conf" "$OP" "$D/other/r.pid" \
		"$RSYNCSWAP" watch -v --user nobody -s "$D/st" --cleanup-after 2 \
		--metrics-file "$D/m/metrics.prom" --source-uri-base "$D/src" \
		"$@" $U 2>"$LOG" &
	UNS=$!
}

# sessions_started N: true when the rsyncd log has N transfers begun.
sessions_started() { [ "$(grep -c 'rsync on repo/ from' "$RLOG" 2>/dev/null)" -ge "$1" ]; }

# ---- hidden: watch inside, rsyncd outside ----
name=hidden
setup $name
start_rsyncd "$D/r.conf" "$P"
# An rsyncd of another tree and of this one, inside watch's namespace.
mkdir -p "$D/other/mod"
printf 'uid = nobody\ngid = nogroup\nuse chroot = yes\npid file = %s\n[other]\npath = %s\n[repo]\npath = %s\n' \
	"$D/other/r.pid" "$D/other/mod" "$D/st/rsync/current/repo" >"$D/other/r.conf"
beside_other --rsyncd-log "$RLOG"
PIDS="$PIDS $UNS"
inner $UNS
wait_for 20 current_is "$D/st/rsync" 1 || { cat "$LOG"; fail "$name: serial 1 not live"; }
wait_for 10 grep -q "cleanup: reader-aware" "$LOG" || { cat "$LOG"; fail "$name: the other rsyncd is not seen"; }
# Client 1 reads serial 1 with no swap: the log shows its session.
slow_client 1 1
wait_for 10 sessions_started 1 || fail "$name: no session in the rsyncd log"
SPID=$(sed -n 's/.* \[\([0-9]*\)\] rsync on repo\/ from .*/\1/p' "$RLOG" | head -1)
wait_for 10 grep -q "cleanup: readers cannot be seen: the rsyncd log shows client 127\.0\.0\.1 (pid $SPID)" "$LOG" ||
	{ cat "$LOG"; fail "$name: the session the scan cannot see was not noticed"; }
grep "cleanup: readers cannot be seen" "$LOG"
"$RSYNCSWAP" status -s "$D/st" >"$D/status.txt" || true	# exit 4: expired test objects
grep -q "^cleanup: time rule (fallback): the rsyncd log shows client 127\.0\.0\.1 (pid $SPID)" "$D/status.txt" ||
	{ cat "$D/status.txt"; fail "$name: status does not show the fallback"; }
wait_for 10 grep -q '^rsyncswap_cleanup_fallback 1$' "$D/m/metrics.prom" || fail "$name: metrics: no fallback"
grep -q '^rsyncswap_cleanup_reader_aware 0$' "$D/m/metrics.prom" || fail "$name: metrics: reader-aware"
grep -q '^rsyncswap_reader_scan_failures_total [1-9]' "$D/m/metrics.prom" || fail "$name: metrics: no scan failures"
check_prometheus "$D/m/metrics.prom"
wait $C || true
client_exact 1
# Its length tunes the time rule.
wait_for 10 grep -q "cleanup-after 2 -> [0-9]* s: .* 127\.0\.0\.1 (pid $SPID)" "$LOG" ||
	{ cat "$LOG"; fail "$name: client 1's session did not tune the time rule"; }
# Client 2 reads serial 1 while serial 2 replaces it.
slow_client 2 1
wait_for 10 sessions_started 2 || fail "$name: no second session"
sleep 1
"$SIM" --dir "$D/src" --objects $OBJ --revisions 1 --record "$D/rec" >/dev/null
wait_for 20 current_is "$D/st/rsync" 2 || fail "$name: serial 2 not live"
wait $C || true
client_exact 2
sleep 3	# reader-aware would remove it now
on_disk 1 || { cat "$LOG"; fail "$name: serial 1 removed: not the (tuned) time rule"; }
[ "$(grep -c 'cleanup: readers cannot be seen' "$LOG")" = 1 ] || { cat "$LOG"; fail "$name: fallback not said once"; }
kill -TERM "$W"; wait $UNS || fail "$name: watch exit $?"
ok "$name: rsyncd out of the scan's sight: fallback said once (log, status, metrics), the tuned time rule kept the read revision, both clients exit 0 exact"

# ---- inner-rsyncd: rsyncd inside, watch outside ----
name=inner-rsyncd
setup $name
unshare --pid --fork --kill-child --mount-proc rsync --daemon --no-detach --config="$D/r.conf" \
	--address=127.0.0.1 --port="$P" >"$D/rsyncd.out" 2>&1 &
UNS=$!
PIDS="$PIDS $UNS"
inner $UNS
wait_port "$P"
"$RSYNCSWAP" watch -v --user nobody -s "$D/st" --cleanup-after 2 \
	--rsyncd-log "$RLOG" --metrics-file "$D/m/metrics.prom" \
	--source-uri-base "$D/src" $U 2>"$LOG" &
W=$!
PIDS="$PIDS $W"
wait_for 20 current_is "$D/st/rsync" 1 || { cat "$LOG"; fail "$name: serial 1 not live"; }
slow_client 1 1
wait_for 10 sessions_started 1 || fail "$name: no session in the rsyncd log"
sleep 1
"$SIM" --dir "$D/src" --objects $OBJ --revisions 1 --record "$D/rec" >/dev/null
wait_for 20 current_is "$D/st/rsync" 2 || fail "$name: serial 2 not live"
wait $C || true
client_exact 1
wait_for 6 sh -c "! ls -d '$D/st/rsync/'*_serial_1" || { cat "$LOG"; fail "$name: serial 1 not removed after its reader"; }
! grep -q "cleanup: readers cannot be seen" "$LOG" || { cat "$LOG"; fail "$name: fallback"; }
grep -q '^rsyncswap_cleanup_reader_aware 1$' "$D/m/metrics.prom" || fail "$name: metrics: not reader-aware"
kill -TERM $W; wait $W || fail "$name: watch exit $?"
ok "$name: rsyncd in its own PID namespace is seen: reader-aware, its session matched by its inner pid, the read revision removed after its end"

# ---- no-daemon: watch inside without --rsyncd-log, a client beside it ----
name=no-daemon
setup $name
start_rsyncd "$D/r.conf" "$P"
unshare --pid --fork --kill-child --mount-proc sh -c '
	rsync -rt --bwlimit=20 "rsync://127.0.0.1:$1/repo/" "$2/" >"$2.out" 2>&1 &
	shift 2
	exec "$@"' sh "$P" "$D/c0" \
	"$RSYNCSWAP" watch -v --user nobody -s "$D/st" --cleanup-after 2 \
	--metrics-file "$D/m/metrics.prom" --source-uri-base "$D/src" $U 2>"$LOG" &
UNS=$!
PIDS="$PIDS $UNS"
inner $UNS
wait_for 20 grep -q "cleanup: readers cannot be seen: no rsync daemon is visible, only 1 other rsync process" "$LOG" ||
	{ cat "$LOG"; fail "$name: the fallback was not said"; }
wait_for 10 grep -q '^rsyncswap_cleanup_fallback 1$' "$D/m/metrics.prom" || fail "$name: metrics: no fallback"
kill -TERM "$W"; wait $UNS || fail "$name: watch exit $?"
ok "$name: only a client rsync visible: no rsync daemon, the time rule"

# ---- elsewhere: watch inside beside an rsyncd of another tree only ----
name=elsewhere
setup $name
start_rsyncd "$D/r.conf" "$P"
mkdir -p "$D/other/mod"
printf 'uid = nobody\ngid = nogroup\npid file = %s\n[other]\n\tpath = %s\n' \
	"$D/other/r.pid" "$D/other/mod" >"$D/other/r.conf"
beside_other
PIDS="$PIDS $UNS"
inner $UNS
wait_for 20 grep -q "cleanup: readers cannot be seen: no rsync daemon configured for this rsync directory is visible: the module paths of the 1 rsync daemon process seen lie elsewhere" "$LOG" ||
	{ cat "$LOG"; fail "$name: an rsyncd of another tree was taken for this one's"; }
! grep -q "cleanup: reader-aware" "$LOG" || { cat "$LOG"; fail "$name: reader-aware"; }
wait_for 10 grep -q '^rsyncswap_cleanup_fallback 1$' "$D/m/metrics.prom" || fail "$name: metrics: no fallback"
"$RSYNCSWAP" status -s "$D/st" >"$D/status.txt" || true	# exit 4: expired test objects
grep -q "^cleanup: time rule (fallback): no rsync daemon configured for this rsync directory" "$D/status.txt" ||
	{ cat "$D/status.txt"; fail "$name: status does not say why"; }
kill -TERM "$W"; wait $UNS || fail "$name: watch exit $?"
ok "$name: only an rsyncd of another tree visible: not taken for this one's, the time rule, said with why"
