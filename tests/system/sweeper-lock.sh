# The sweeper child holds nothing of its parent's: not the run lock, no
# other inherited descriptor but what it works on. A sweeper stopped in the
# middle of a large removal, its parent killed, must not make later runs
# exit 75 ("locked"); the run after it sweeps what is left.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd python3
need_cmd pgrep

"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$BENCH_SRC" "$BENCH_URI"
# An old revision of 100000 names: removing it takes a while. Hard links
# (1000 to one empty file per directory) are made in a fraction of the
# time 100000 new inodes take; each is one unlink for the sweeper all the
# same.
OLD=session_00000000-0000-4000-8000-000000000000_serial_1
python3 - "$T/st/rsync/$OLD" <<'PY'
import os, sys
top = sys.argv[1]
for d in range(100):
    p = os.path.join(top, "repo", "d%03d" % d)
    os.makedirs(p)
    first = os.path.join(p, "f0000.roa")
    open(first, "w").close()
    for i in range(1, 1000):
        os.link(first, os.path.join(p, "f%04d.roa" % i))
PY

"$RSYNCSWAP" sweep -v -s "$T/st" --cleanup-after 0 2>"$T/sweep.err" &
P=$!
child=""
i=0
while [ -z "$child" ] && [ $i -lt 200 ]; do
	child=$(pgrep -P $P | head -1 || true)
	[ -n "$child" ] || sleep 0.02
	i=$((i + 1))
done
[ -n "$child" ] || { wait $P; cat "$T/sweep.err"; skip "the sweep ended before its child could be caught"; }
kill -STOP "$child"
PIDS="$PIDS $child"
lock=$(cd "$T/st" && pwd)/lock
for fd in /proc/"$child"/fd/*; do
	t=$(readlink "$fd" 2>/dev/null || true)
	[ "$t" != "$lock" ] || fail "the sweeper holds the run lock ($fd)"
done
n=$(ls /proc/"$child"/fd | wc -l)
echo "sweeper $child holds $n descriptors: $(for fd in /proc/$child/fd/*; do readlink "$fd"; done | tr '\n' ' ')"
ok "the sweeper does not hold the run lock"

# Its parent dies; the stopped sweeper stays.
kill -9 $P; wait $P 2>/dev/null || true
rc=0
timeout 60 "$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$BENCH_SRC" "$BENCH_URI" 2>"$T/sync.err" || rc=$?
[ "$rc" = 0 ] || { cat "$T/sync.err"; fail "a sync beside an orphaned, stopped sweeper: exit $rc"; }
ok "an orphaned, stopped sweeper does not lock later runs out"

kill -CONT "$child" 2>/dev/null || true
kill -9 "$child" 2>/dev/null || true
timeout 120 "$RSYNCSWAP" sweep -q -s "$T/st" --cleanup-after 0 || fail "the sweep after it"
[ ! -e "$T/st/rsync/$OLD" ] || fail "what the killed sweeper left was not removed"
ok "the next sweep removes what it left"
