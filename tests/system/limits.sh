# No input makes rsyncswap hang or grow: an http back-end that sends the
# headers and then stalls is given up after --stall-timeout (3 s here,
# default 60), and a watch stuck in such a transfer stops within a second
# or two of SIGTERM; an object just under
# --max-object-size is accepted and one just over is refused; a snapshot of
# many large objects is streamed: peak RSS (/usr/bin/time -v) stays far
# below the snapshot size.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd python3
[ -x /usr/bin/time ] || skip "needs /usr/bin/time (make deps)"

B=https://rpki.example.net/rrdp/
U=${B}notification.xml
SESS=5a1c9e3f-2b7d-4c8a-9e6f-0d1b2c3a4f5e
san=0
case ${BUILD:-build} in *san*) san=1 ;; esac

# --- a back-end that stalls after the headers (background, ~3 s)
python3 - >"$T/stall.log" 2>&1 <<'EOF' &
import socket, sys, time, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))    # its own port, said on the first line
s.listen(8)
print("port", s.getsockname()[1], flush=True)
conns = []
def serve(c):
    c.recv(4096)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
              b"Content-Length: 100000\r\n\r\n<notification ")
    conns.append(c)         # never closed, never written again
    print("stalled", len(conns), flush=True)
s.settimeout(300)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
PIDS="$PIDS $!"
PORT=$(bound_port "$T/stall.log")
(
	t0=$(date +%s)
	set +e
	timeout -k 5 120 "$RSYNCSWAP" sync -s "$T/st-stall" --insecure --stall-timeout 3 \
		--source-uri-base "http://127.0.0.1:$PORT/rrdp/" $U >"$T/stall.out" 2>"$T/stall.err"
	echo "$? $(( $(date +%s) - t0 ))" >"$T/stall.rc"
) &
STALL=$!

run() {	# run EXPECTED_EXIT ARGS...: output in $T/out and $T/err, RSS in $T/rss
	_want=$1; shift
	set +e
	/usr/bin/time -f '%M' -o "$T/rss" "$RSYNCSWAP" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	set -e
	[ "$_rc" = "$_want" ] || { cat "$T/out" "$T/err" >&2; fail "rsyncswap $*: exit $_rc, want $_want"; }
}
rss_kb() { tail -1 "$T/rss"; }

# mk DIR SERIAL SIZE... : a snapshot of session SESS with one object of each
# SIZE (random bytes), and its notification.
mk() {
	python3 - "$@" "$B" "$SESS" <<'EOF'
import sys, os, random
sys.path.insert(0, os.environ["RRDPGEN_DIR"])
import rrdpgen
d, serial, sizes, base, sess = sys.argv[1], int(sys.argv[2]), sys.argv[3:-2], sys.argv[-2], sys.argv[-1]
rnd = random.Random(serial)
rel = "%s/%d/snapshot.xml" % (sess, serial)
# One object at a time, its base64 in lines of 76.
els = (rrdpgen.publish("rsync://h.example/repo/o%d.bin" % i, rnd.randbytes(int(n)), wrap=True)
       for i, n in enumerate(sizes))
h, _ = rrdpgen.write_document(os.path.join(d, rel), "snapshot", sess, serial, els)
rrdpgen.write_notification(os.path.join(d, "notification.xml"), sess, serial, (base + rel, h))
EOF
}
MAX=2000000

# --- baseline: a tiny snapshot
mk "$T/src" 1 100 200
run 0 sync -s "$T/st" --max-object-size $MAX --source-uri-base "$T/src" $U
base=$(rss_kb)
cur=$(readlink "$T/st/rsync/current")
ok "baseline: 2 small objects, peak RSS ${base} KB"

# --- an object of exactly --max-object-size: accepted
mk "$T/src" 2 100 $MAX 300
run 0 sync -s "$T/st" --max-object-size $MAX --source-uri-base "$T/src" $U
[ "$(stat -c %s "$T/st/rsync/current/repo/o1.bin")" = $MAX ] || fail "object of $MAX bytes not written whole"
at=$(rss_kb)
cur=$(readlink "$T/st/rsync/current")
ok "object of exactly $MAX bytes accepted, peak RSS ${at} KB"

# --- one byte more: refused, one line, current unchanged, nothing left
mk "$T/src" 3 100 $((MAX + 1)) 300
run 1 sync -s "$T/st" --max-object-size $MAX --source-uri-base "$T/src" $U
[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err" >&2; fail "over the limit: not one line"; }
grep -q "o1.bin" "$T/err" || fail "over the limit: the object is not named: $(cat "$T/err")"
[ "$(readlink "$T/st/rsync/current")" = "$cur" ] || fail "over the limit: current changed"
[ -z "$(ls -A "$T/st/rsync" | grep '^\.tmp-')" ] || fail "over the limit: .tmp-* left"
over=$(rss_kb)
ok "object of $((MAX + 1)) bytes refused: '$(cat "$T/err")', peak RSS ${over} KB"

# --- far over the limit (60 MB in one publish): refused without buffering it
mk "$T/src" 4 60000000
run 1 sync -s "$T/st" --max-object-size $MAX --source-uri-base "$T/src" $U
huge=$(rss_kb)
ok "object of 60 MB refused, peak RSS ${huge} KB"

# --- streaming: 40 objects just under the limit (76 MB of XML)
set -- 
i=0; while [ $i -lt 40 ]; do set -- "$@" $((MAX - 1 - i)); i=$((i + 1)); done
mk "$T/src" 5 "$@"
run 0 sync -s "$T/st" --max-object-size $MAX --source-uri-base "$T/src" $U
grep -q "40 objects" "$T/out" || fail "streaming: $(cat "$T/out")"
many=$(rss_kb)
ok "40 objects of ~2 MB (80 MB): peak RSS ${many} KB"

if [ $san = 1 ]; then
	echo "ASan build: its allocator and quarantine dominate RSS; bounds not checked"
else
	# At most a few object buffers above the baseline (decoded object,
	# base64 text, libxml2's chunk), never the document.
	lim=$((base + 4 * MAX / 1024 + 8192))
	for v in "$at:exactly max" "$over:max+1" "$huge:60 MB object" "$many:80 MB snapshot"; do
		[ "${v%%:*}" -le $lim ] || fail "peak RSS ${v%%:*} KB for the ${v#*:} case is over $lim KB"
	done
	ok "peak RSS within baseline + 4 x --max-object-size + 8 MB ($lim KB) in every case"
fi

# --- the stalled back-end
wait $STALL
read rc secs <"$T/stall.rc"
[ "$rc" = 1 ] || { cat "$T/stall.err" >&2; fail "stalled back-end: exit $rc after ${secs}s, want 1 (124: still hanging after 120 s)"; }
[ "$(wc -l <"$T/stall.err")" = 1 ] || { cat "$T/stall.err" >&2; fail "stalled back-end: not one line"; }
[ ! -e "$T/st-stall/rsync/current" ] || fail "stalled back-end: current created"
[ "$secs" -lt 40 ] || fail "stalled back-end: --stall-timeout 3 took ${secs} s"
ok "back-end stalled after the headers: given up after ${secs}s: $(cat "$T/stall.err")"

# --- SIGTERM ends a stalled transfer of watch within about a second
"$RSYNCSWAP" watch -s "$T/st-term" --insecure --source-uri-base "http://127.0.0.1:$PORT/rrdp/" $U \
	>"$T/term.out" 2>"$T/term.err" &
W=$!
PIDS="$PIDS $W"
# The sync above was the first transfer stalled; the watch's is the next.
wait_for 20 grep -q "^stalled 2$" "$T/stall.log" || fail "watch did not reach the stalled back-end"
sleep 0.2
t0=$(date +%s%N)
kill -TERM $W
i=0
while kill -0 $W 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "watch still runs 10 s after SIGTERM in a stalled transfer"
	sleep 0.1
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2500 ] || fail "watch took ${ms} ms to stop in a stalled transfer"
ok "SIGTERM during a stalled transfer: watch stopped after ${ms} ms"

