#!/bin/sh
# rsyncswap report on the log of a real rsyncd (rsync 3.5.0) with real
# clients on 127.0.0.1:
#  - a fast client from 127.0.0.2, two slow ones (--bwlimit) whose files are
#    deleted mid-transfer (vanished), one refused by max connections, one
#    killed mid-transfer: the report has exactly the counts the test knows
#    (sessions, clients, vanished lines as the clients themselves printed
#    them, refusals, malformed lines);
#  - the same log split in three and partly gzip'd gives the same report;
#  - --json parses and has the documented keys; --svg is well-formed XML;
#  - unreadable input: exit 1 and one line; usage: exit 2;
#  - (root) with --state-dir: a slow client reading a revision that
#    `rsyncswap sync` replaced and `rsyncswap sweep --cleanup-after 0`
#    removed under it is attributed to that revision.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_cmd rsync
need_cmd python3
need_cmd xmllint
need_cmd gzip
need_rsyncswap

report() { "$RSYNCSWAP" report "$@"; }

# jget FILE EXPR: prints the python expression EXPR of the JSON in FILE (j).
jget() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# --- part 1: a plain rsyncd and known clients
mkdir -p "$T/tree"
for d in $(seq 100 129); do
	mkdir -p "$T/tree/d$d"
	for i in 1 2 3 4 5 6 7 8 9 10; do head -c 4000 /dev/urandom >"$T/tree/d$d/f$i.roa"; done
done
chmod -R a+rX "$T/tree"
LOG=$T/rsyncd.log
cat >"$T/rsyncd.conf" <<CONF
use chroot = no
max connections = 2
lock file = $T/rsyncd.lock
log file = $LOG
[repo]
	path = $T/tree
	read only = yes
CONF
PORT=$(free_port)
start_rsyncd "$T/rsyncd.conf" "$PORT"
U=rsync://127.0.0.1:$PORT/repo/

# nstarted: transfers the daemon has begun so far.
nstarted() { grep -c '\] rsync on ' "$LOG" || true; }

rsync -rt --address=127.0.0.2 "$U" "$T/a/" || fail "fast client failed"
rsync -rt --bwlimit=300 "$U" "$T/b/" 2>"$T/b.err" & CB=$!
rsync -rt --bwlimit=300 "$U" "$T/c/" 2>"$T/c.err" & CC=$!
wait_for 10 sh -c "[ \$(grep -c '\] rsync on ' '$LOG') -ge 3 ]" || fail "slow clients did not start"
if rsync -rt "$U" "$T/d/" 2>"$T/d.err"; then fail "third client was not refused"; fi
grep -q 'max connections (2) reached' "$T/d.err" || fail "refusal: $(cat "$T/d.err")"
rm -rf "$T"/tree/d12[5-9]
rcb=0; wait $CB || rcb=$?
rcc=0; wait $CC || rcc=$?
[ $rcb = 24 ] && [ $rcc = 24 ] || fail "slow clients exited $rcb and $rcc, want 24 (vanished)"
VANISHED=$(cat "$T/b.err" "$T/c.err" | grep -c 'has vanished: ')
# Client e, killed mid-transfer. The daemon frees the slots of b and c a
# little after they exit: a refusal meanwhile is counted and e retried.
REFUSED=1
for try in 1 2 3 4 5 6 7 8 9 10; do
	rsync -rt --bwlimit=30 "$U" "$T/e/" 2>"$T/e.err" & CE=$!
	wait_for 10 sh -c "[ \$(grep -c '\] rsync on ' '$LOG') -ge 4 ] || ! kill -0 $CE" ||
		fail "client e neither started nor ended"
	[ "$(nstarted)" -ge 4 ] && break
	wait $CE 2>/dev/null || true
	grep -q 'max connections' "$T/e.err" || fail "client e: $(cat "$T/e.err")"
	REFUSED=$((REFUSED + 1))
	sleep 0.5
done
[ "$(nstarted)" -ge 4 ] || fail "client e was refused 10 times"
sleep 1
kill -9 $CE; wait $CE 2>/dev/null || true
# The daemon logs the end of e's session once it notices.
wait_for 10 sh -c "[ \$(grep -c '\] sent ' '$LOG') -ge 4 ]" || fail "no end line for the killed client"
echo "clients: 4 sessions, $REFUSED refused, $VANISHED vanished lines"

report "$LOG" >"$T/r.txt" 2>"$T/r.err" || fail "report: $(cat "$T/r.err")"
cat "$T/r.txt"
[ ! -s "$T/r.err" ] || fail "report wrote to stderr: $(cat "$T/r.err")"
report --json --svg "$T/r.svg" "$LOG" >"$T/r.json" || fail "report --json"
jget "$T/r.json" 'j["schema"]' | grep -qx 'rsyncswap-report/1' || fail "schema"
# Connections: 4 sessions, the refusals, and the probe of wait_port.
for kv in "sessions 4" "sessions_finished 4" "connections $((5 + REFUSED))" \
    "refusals $REFUSED" "clients 2" "malformed_lines 0"; do
	set -- $kv
	got=$(jget "$T/r.json" "j['$1']")
	[ "$got" = "$2" ] || fail "$1: $got, want $2"
done
[ "$(jget "$T/r.json" 'j["vanished"]["lines"]')" = "$VANISHED" ] ||
	fail "vanished lines: $(jget "$T/r.json" 'j["vanished"]["lines"]'), the clients printed $VANISHED"
[ "$(jget "$T/r.json" 'j["vanished"]["sessions"]')" = 2 ] || fail "vanished sessions"
[ "$(jget "$T/r.json" 'j["vanished"]["clients"]')" = 1 ] || fail "vanished clients"
[ "$(jget "$T/r.json" 'len(j["vanished_sessions"])')" = 2 ] || fail "vanished_sessions list"
[ "$(jget "$T/r.json" 'j["recommended_cleanup_after"]')" = 7200 ] || fail "recommendation"
grep -q "^refusals (max connections): $REFUSED$" "$T/r.txt" || fail "text: refusals"
grep -q "^vanished lines: $VANISHED " "$T/r.txt" || fail "text: vanished lines"
grep -q "^sessions: 4 (4 finished, 0 unfinished)$" "$T/r.txt" || fail "text: sessions"
# Every documented key is there (README.md, "rsyncswap report").
python3 - "$T/r.json" <<'PY' || fail "--json lacks documented keys"
import json, sys
j = json.load(open(sys.argv[1]))
top = ["schema", "logs", "lines", "malformed_lines", "first", "last",
       "connections", "sessions", "sessions_finished", "sessions_unfinished",
       "sessions_evicted", "refusals", "clients", "clients_exact",
       "duration_seconds", "bytes_sent", "bytes_received", "vanished", "hours",
       "recommended_cleanup_after", "recommendation", "vanished_sessions",
       "vanished_sessions_not_listed"]
missing = [k for k in top if k not in j]
missing += [k for k in ["p50", "p90", "p99", "p999", "max"] if k not in j["duration_seconds"]]
missing += [k for k in ["lines", "files", "directories", "sessions", "clients"] if k not in j["vanished"]]
for h in j["hours"]:
    missing += [k for k in ["start", "sessions", "vanished", "refusals", "max_duration"] if k not in h]
for v in j["vanished_sessions"]:
    missing += [k for k in ["pid", "ip", "module", "connected", "ended", "files", "directories",
                            "first_path", "revision", "replaced", "removed", "ambiguous"] if k not in v]
assert sum(h["sessions"] for h in j["hours"]) == j["sessions"]
assert sum(h["refusals"] for h in j["hours"]) == j["refusals"]
assert not missing, missing
PY
xmllint --noout "$T/r.svg" || fail "SVG is not well-formed XML"
grep -q '<svg' "$T/r.svg" || fail "no <svg> element"
ok "report counts: 4 sessions, 2 clients, $VANISHED vanished lines, $REFUSED refusals"

# The same log rotated in three parts, the older two gzip'd, read oldest first.
n=$(wc -l <"$LOG")
head -n $((n / 3)) "$LOG" | gzip >"$T/rsyncd.log.2.gz"
sed -n "$((n / 3 + 1)),$((2 * n / 3))p" "$LOG" | gzip >"$T/rsyncd.log.1.gz"
tail -n +$((2 * n / 3 + 1)) "$LOG" >"$T/rsyncd.log.0"
report "$T/rsyncd.log.2.gz" "$T/rsyncd.log.1.gz" "$T/rsyncd.log.0" >"$T/r3.txt" ||
	fail "report on split logs"
tail -n +2 "$T/r.txt" >"$T/r1.body"
tail -n +2 "$T/r3.txt" >"$T/r3.body"
same_list "$T/r1.body" "$T/r3.body" "report of one log vs the same log split and gzip'd"
ok "split and gzip'd logs: same report"

# Errors: unreadable input (one line, exit 1), damaged gzip, usage (exit 2).
rc=0; report "$T/nonexistent.log" >/dev/null 2>"$T/e1" || rc=$?
[ $rc = 1 ] || fail "missing log: exit $rc, want 1"
[ "$(wc -l <"$T/e1")" = 1 ] && grep -q nonexistent.log "$T/e1" || fail "missing log: $(cat "$T/e1")"
head -c 100 "$T/rsyncd.log.2.gz" >"$T/cut.gz"
rc=0; report "$T/cut.gz" >/dev/null 2>"$T/e2" || rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$T/e2")" = 1 ] || fail "truncated gzip: exit $rc: $(cat "$T/e2")"
rc=0; report >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "no LOG: exit $rc, want 2"
rc=0; report --bogus "$LOG" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "unknown option: exit $rc, want 2"
printf 'garbage\n2026/11/25 14:50:52 [1] connect from h (1.2.3.4)\n\000\001\n' >"$T/bad.log"
report --json "$T/bad.log" >"$T/bad.json" || fail "malformed lines must not be fatal"
[ "$(jget "$T/bad.json" 'j["malformed_lines"]')" = 2 ] || fail "malformed count"
# A log with no line in rsyncd's format (syslog, or the wrong file) is no
# report: exit 1 and one line, not a recommendation made of nothing.
head -5 /etc/passwd >"$T/notrsyncd.log"
rc=0; report "$T/notrsyncd.log" >"$T/o3" 2>"$T/e3" || rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$T/e3")" = 1 ] && grep -q "none of 5 lines is in rsyncd's log format" "$T/e3" ||
	fail "a log of no rsyncd line: exit $rc: $(cat "$T/e3")"
ok "errors: exit 1 with one line, usage exit 2, malformed lines counted, a log of none refused"

# --- part 2: attribution to revisions (needs root: rsyncd.conf.example chroots)
[ "$(id -u)" = 0 ] || skip "needs root for part 2 (use chroot = yes); part 1 passed"
S=e9be21e7-c537-4564-b742-64700978c6b4
NU=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/notification.xml
NB=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
SRC=$T/src
mkdir -p "$SRC"
cp -r "$DATA/rrdp/krill-sync/rrdp-rev2656/$S" "$SRC/"
R=$T/rsync
make_notif "$SRC" "$NB" $S 2653 "$S/2653/snapshot.xml"
"$RSYNCSWAP" sync -q -s "$T/state" -r "$R" --source-uri-base "$SRC" "$NU" ||
	fail "sync 2653"
REV1=session_${S}_serial_2653
[ "$(readlink "$R/current")" = "$REV1" ] || fail "current is not $REV1"
CONF=$T/rsyncd-ex.conf
example_conf "$R" "$CONF"
PORT2=$(free_port)
start_rsyncd "$CONF" "$PORT2"
rsync -rt --bwlimit=20 "rsync://127.0.0.1:$PORT2/repo/" "$T/slow/" 2>"$T/slow.err" & CS=$!
wait_for 10 grep -q 'building file list' "$CONF.log" || fail "slow client did not start"
sleep 1
make_notif "$SRC" "$NB" $S 2656 "$S/2656/snapshot.xml"
"$RSYNCSWAP" sync -q -s "$T/state" -r "$R" --source-uri-base "$SRC" "$NU" ||
	fail "sync 2656"
"$RSYNCSWAP" sweep -q -s "$T/state" -r "$R" --cleanup-after 0 --no-reader-scan || fail "sweep"
[ ! -e "$R/$REV1" ] || fail "the sweep left $REV1"
rc=0; wait $CS || rc=$?
[ $rc = 24 ] || fail "slow client: exit $rc, want 24: $(tail -2 "$T/slow.err")"
wait_for 10 grep -q '\] sent ' "$CONF.log" || fail "no end line"
report --json --state-dir "$T/state" "$CONF.log" >"$T/s.json" || fail "report --state-dir"
report --state-dir "$T/state" "$CONF.log" >"$T/s.txt" || fail "report --state-dir (text)"
sed -n '/^sessions with vanished/,$p' "$T/s.txt"
[ "$(jget "$T/s.json" 'len(j["vanished_sessions"])')" = 1 ] || fail "one vanished session expected"
[ "$(jget "$T/s.json" 'j["vanished_sessions"][0]["revision"]')" = "$REV1" ] ||
	fail "attributed to $(jget "$T/s.json" 'j["vanished_sessions"][0]["revision"]'), want $REV1"
[ "$(jget "$T/s.json" 'j["vanished_sessions"][0]["replaced"] is not None and j["vanished_sessions"][0]["removed"] is not None')" = True ] ||
	fail "replaced/removed times missing"
[ "$(jget "$T/s.json" 'j["vanished"]["lines"]')" = "$(grep -c 'has vanished: ' "$T/slow.err")" ] ||
	fail "vanished lines differ from the client's"
grep -q "to $REV1 (replaced [0-9:]*, removed [0-9:]*): [0-9]* vanished file" "$T/s.txt" ||
	fail "text attribution line missing"
ok "vanished session attributed to $REV1"
