# The PROXY protocol end to end: haproxy with scripts/haproxy-rsync.cfg
# (send-proxy, check-send-proxy) in front of an rsyncd with
# rsyncd.conf.example's "proxy protocol" lines enabled; only addresses are
# changed. Clients connect from distinct loopback addresses (127.0.0.2, .3,
# .4), and rsyncd's log, `rsyncswap report` and `watch --rsyncd-log` name
# each of them, and the right one (127.0.0.5) for a session that sees
# vanished files; a client that bypasses haproxy is refused.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes (as rsyncd.conf.example)"
need_cmd haproxy
need_cmd rsync

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
SRC="$T/src"
"$SIM" --dir "$SRC" --objects 300 --changes 20 >/dev/null

P=$(free_port)
H=$(free_port)
LOG="$T/rsyncd.conf.log"
example_conf "$T/st/rsync" "$T/rsyncd.conf"
sed -i -e 's/^#proxy protocol = yes$/proxy protocol = yes/' \
	-e 's/^#proxy protocol hosts = .*/proxy protocol hosts = 127.0.0.1/' "$T/rsyncd.conf"
grep -q '^proxy protocol = yes$' "$T/rsyncd.conf" &&
	grep -q '^proxy protocol hosts = 127.0.0.1$' "$T/rsyncd.conf" ||
	fail "rsyncd.conf.example has no '#proxy protocol' lines to enable"
sed -e "s/^    bind :873\$/    bind 127.0.0.1:$H/" \
	-e "s/^    server node1 .*/    server node1 127.0.0.1:$P check/" \
	-e '/^    server node2 /d' "$TOP/scripts/haproxy-rsync.cfg" >"$T/haproxy.cfg"
grep -q "bind 127.0.0.1:$H" "$T/haproxy.cfg" && grep -q "server node1 127.0.0.1:$P check" "$T/haproxy.cfg" ||
	fail "scripts/haproxy-rsync.cfg: no bind :873 / server node1 line to substitute"
haproxy -c -q -f "$T/haproxy.cfg" || fail "haproxy -c rejects scripts/haproxy-rsync.cfg"

mkdir -p "$T/st/rsync"
: >"$LOG"
"$RSYNCSWAP" watch -v -s "$T/st" --source-uri-base "$SRC" --cleanup-after 2 \
	--cleanup-max 2 --rsyncd-log "$LOG" $U 2>"$T/watch.log" &
PIDS="$PIDS $!"
wait_for 10 current_is "$T/st/rsync" 1 || { cat "$T/watch.log"; fail "serial 1 not live"; }
start_rsyncd "$T/rsyncd.conf" "$P"
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$H"
HU="rsync://127.0.0.1:$H/repo/"
# haproxy sends nothing to a node until its checks (with the header) pass.
wait_for 20 rsync --contimeout=2 "$HU" || { cat "$T/haproxy.log" "$LOG"; fail "node never became UP behind haproxy"; }

# --- three relying parties from their own addresses
for a in 2 3 4; do
	rsync -rt --address=127.0.0.$a "$HU" "$T/c$a/" 2>"$T/c$a.err" ||
		{ cat "$T/c$a.err"; fail "client 127.0.0.$a: exit $?"; }
	grep -q "rsync on repo/ from [^ ]* (127.0.0.$a)" "$LOG" ||
		{ tail -5 "$LOG"; fail "rsyncd did not log 127.0.0.$a"; }
done
ok "rsyncd logs each client's own address through haproxy (127.0.0.2, .3, .4)"

# A connection without the PROXY header (not through haproxy) is closed.
if rsync -rt --contimeout=5 --timeout=10 "rsync://127.0.0.1:$P/repo/" "$T/direct/" 2>"$T/direct.err"; then
	fail "a client bypassing haproxy was served"
fi
ok "a client without the PROXY header is refused"

# --- a slow client from 127.0.0.5 reads serial 1 while serial 2 replaces it
# and the 2-second cleanup (--cleanup-max 2: the tuner may not raise it)
# removes it: vanished, attributed to 127.0.0.5.
R1=$(readlink "$T/st/rsync/current")
rsync -rt --bwlimit=30 --address=127.0.0.5 "$HU" "$T/slow/" >"$T/slow.out" 2>&1 &
CS=$!
wait_for 10 grep -q "rsync on repo/ from [^ ]* (127.0.0.5)" "$LOG" || fail "slow client did not start"
sleep 1
"$SIM" --dir "$SRC" --objects 300 --changes 20 --revisions 1 >/dev/null
wait_for 10 current_is "$T/st/rsync" 2 || fail "serial 2 not live"
set +e; wait $CS; rc=$?; set -e
[ "$rc" = 24 ] || { cat "$T/slow.out" "$T/watch.log"; fail "slow client exited $rc, want 24 (vanished)"; }
wait_for 10 grep -q "rsyncd: client 127.0.0.5 (pid [0-9]*) connected at .* to $R1, replaced at .* and removed at" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "watch did not attribute the vanished session to 127.0.0.5"; }
grep "rsyncd: client 127.0.0.5" "$T/watch.log" | head -1
ok "watch --rsyncd-log attributes the vanished session to 127.0.0.5 and $R1"

# --- report: more than one client, the vanished session's own address
"$RSYNCSWAP" report --json --state-dir "$T/st" "$LOG" >"$T/r.json" || fail "report: exit $?"
python3 - "$T/r.json" "$R1" <<'PYEOF' || fail "report: $(cat "$T/r.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["clients"] >= 4, ("clients", j["clients"])
v = j["vanished_sessions"]
assert len(v) == 1, v
assert v[0]["ip"] == "127.0.0.5", v[0]
assert v[0]["revision"] == sys.argv[2], v[0]
print("report: %d clients, vanished session from %s on %s" % (j["clients"], v[0]["ip"], v[0]["revision"]))
PYEOF
ok "report counts the distinct clients and names 127.0.0.5 for the vanished session"
