# watch killed (SIGKILL) during a sweep: while the unprivileged sweeper
# child is removing a replaced revision, the daemon is killed (alone, or
# with the child, as a service manager kills a whole group). Every time
# current resolves to the complete latest revision, and a restarted watch
# finishes the job: no temp dir, no replaced revision left, state readable.
[ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
SRC="$T/src"
"$SIM" --dir "$SRC" --objects 3000 --changes 50 --record "$T/rec" >/dev/null

start_watch() {
	"$RSYNCSWAP" watch -vv -s "$T/st" --source-uri-base "$SRC" --cleanup-after 0 \
		$U 2>>"$T/watch.log" &
	W=$!
}

# kill_in_sweep PID GROUP: waits (10 s at most) for PID's sweeper child,
# then SIGKILLs PID (and the child too when GROUP is 1). Returns 1 if no
# sweep was seen.
kill_in_sweep() {
	python3 - "$1" "$2" <<'PYEOF'
import os, signal, sys, time
pid, group = int(sys.argv[1]), sys.argv[2] == "1"
end = time.time() + 10
while time.time() < end:
    try:
        kids = open("/proc/%d/task/%d/children" % (pid, pid)).read().split()
    except OSError:
        sys.exit(1)
    if kids:
        os.kill(pid, signal.SIGKILL)
        if group:
            for k in kids:
                try:
                    os.kill(int(k), signal.SIGKILL)
                except OSError:
                    pass
        sys.exit(0)
    time.sleep(0.001)
sys.exit(1)
PYEOF
}

start_watch
wait_for 20 current_is "$T/st/rsync" 1 || { cat "$T/watch.log"; fail "serial 1 not live"; }
kills=0
for i in 1 2 3 4 5 6; do
	serial=$((i + 1))
	"$SIM" --dir "$SRC" --objects 3000 --changes 50 --revisions $i --record "$T/rec" >/dev/null &
	SP=$!
	if kill_in_sweep "$W" $((i % 2)); then kills=$((kills + 1)); fi
	wait $SP
	wait "$W" 2>/dev/null || true
	# Whatever was killed, current is one complete published revision.
	rev=$(current_rev "$T/st/rsync")
	n=$(basename "$rev" | sed 's/.*_serial_//')
	sorted_tree_list "$rev" >"$T/got"
	LC_ALL=C sort "$T/rec/$n.list" | cmp -s - "$T/got" ||
		fail "after kill $i current ($n) is not exactly serial $n"
	# A restarted watch finishes: latest serial, nothing left over.
	start_watch
	wait_for 20 current_is "$T/st/rsync" $serial || { tail "$T/watch.log"; fail "serial $serial not reached after restart"; }
	wait_for 20 sh -c "[ \$(ls -A '$T/st/rsync' | grep -v '^current\$' | wc -l) = 1 ]" ||
		fail "after restart $i: left $(ls -A "$T/st/rsync" | tr '\n' ' ')"
	"$RSYNCSWAP" status --json -s "$T/st" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["state"]=="ok", d' ||
		fail "state not readable after kill $i"
	grep -q "damaged\|does not describe" "$T/watch.log" && fail "state called damaged after kill $i"
done
kill -TERM "$W"; wait "$W" || fail "watch exit $?"
[ "$kills" -ge 3 ] || fail "only $kills of 6 kills landed during a sweep"
ok "$kills kills during sweeps (daemon alone or with its sweeper): current always complete, restart cleans up"
