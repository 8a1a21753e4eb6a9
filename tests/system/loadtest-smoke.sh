# scripts/loadtest --smoke --duration 30: 3 nodes of rsyncswap watch +
# rsyncd behind haproxy, 20 clients of the default mix of relying-party
# command lines, each from its own address through the PROXY protocol, for
# 30 s (half of `make loadtest-smoke`'s 60 s: the faults at 30% and 60% of
# it, every client kind and some hundred fetches still fit), each client
# (and the rpki-client) pausing 3 s after a fetch as an RP between its
# runs (a quarter of the CPU of fetching again at once, the same
# concurrency), after one
# calibrating full fetch of each kind, one real rpki-client 8.2 (100 VRPs
# on every run) when port 873 is free, a kill -9 of one rsyncswap and a
# stop of one rsyncd during the run. Every fetch must be one published
# revision, no error may be unexplained, the nodes must be identical per
# serial, the whole run must take less than 120 s and leave no process and
# no client directory behind. It runs beside other tests: what it asserts
# is correctness, not speed (the capacity figures only need to exist).
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes (as rsyncd.conf.example)"
need_cmd rsync
need_cmd haproxy

CD=$(mktemp -d /dev/shm/rsyncswap-lt-test.XXXXXX 2>/dev/null) || CD=$T/clients
# One real rpki-client 8.2 validating the Krill repository through the
# fleet, when its TAL's port 873 is free (rpki-client-e2e.sh needs it too).
RPC=0
if command -v rpki-client >/dev/null && command -v faketime >/dev/null &&
	! python3 -c "import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(('127.0.0.1',873)) == 0 else 1)"; then
	RPC=1
fi
start=$(date +%s)
timeout -k 5 115 "$TOP/scripts/loadtest" --smoke --duration 30 --pause 3 --calibrate 1 --rpki-clients $RPC --workdir "$T/w" --client-dir "$CD" \
	--json "$T/lt.json" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
secs=$(( $(date +%s) - start ))
cat "$T/out"
[ "$rc" = 0 ] || { tail -40 "$T/err"; rm -rf "$CD"; fail "scripts/loadtest --smoke exited $rc after ${secs}s"; }
[ "$secs" -lt 120 ] || fail "took ${secs}s, more than 120 s"
ok "loadtest --smoke passed in ${secs}s"

python3 - "$T/lt.json" $RPC <<'PYEOF' || fail "the JSON report does not hold"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["fetches"]
assert r["pass"] is True, "pass is not true"
assert r["config"]["nodes"] == 3 and r["config"]["clients"] == 20 and r["config"]["duration"] == 30, r["config"]
assert f["inconsistent"] == 0, "inconsistent views: %d" % f["inconsistent"]
assert f["unexplained_errors"] == 0 and f["other_errors"] == 0, f["error_messages"]
assert f["vanished_exit24"] == 0, "exit 24 with the default --cleanup-after"
assert f["consistent"] >= 50, "only %d consistent fetches" % f["consistent"]
assert r["determinism"]["ok"] and r["determinism"]["pairs_compared"] >= 2, r["determinism"]
assert r["convergence"]["ok"], r["convergence"]
assert len(r["nodes"]) == 3 and all(n["rsyncd_log"]["connections"] > 0 for n in r["nodes"]), "a node served nothing"
w, d = r["faults"]["watch"], r["faults"]["rsyncd"]
assert len(w) == 1 and w[0]["caught_up"], w
assert len(d) == 1 and d[0]["marked_down"] and d[0]["marked_up"], d
for k in ("all", "fast", "slow"):
    assert r["fetch_seconds"][k]["n"] > 0 and r["fetch_seconds"][k]["p99"] is not None, k
assert r["rsyncd_memory"]["rss_kib_per_connection"]["p50"] > 0
assert r["staleness"]["serials"]["max"] is not None
# every client kind ran, from its own addresses, and each was calibrated
for k, b in r["by_kind"].items():
    assert b["consistent"] > 0, (k, b)
    assert r["calibration"][k]["ok"] == 1, (k, r["calibration"][k])
assert all(n > 1 for n in r["client_addresses"]["seen_by_rsyncd"]), r["client_addresses"]
cap = r["capacity"]
assert cap["nodes_needed_cpu"] >= 1 and cap["max_connections"] > 0, cap
if sys.argv[2] == "1":
    rc = r["rpki_client"]
    assert rc["runs"] >= 3 and rc["vrps_ok"] == rc["runs"], rc
    print("ok: rpki-client 8.2: %d runs, each 100 VRPs" % rc["runs"])
else:
    print("rpki-client part not run: port 873 taken or rpki-client/faketime missing")
print("ok: %d fetches, %d consistent, 0 inconsistent, %d cut by the rsyncd stop" %
      (f["completed"], f["consistent"], f["cut_by_fault"]))
PYEOF
grep -q '^| INCONSISTENT  *| 0  *|$' "$T/out" || fail "no summary table row INCONSISTENT 0"
grep -q '^| RESULT  *| PASS  *|$' "$T/out" || fail "no summary table row RESULT PASS"

# nothing left behind: no process mentions the work directory, no client dir
sleep 0.5
left=$(ps -eo pid=,args= | grep -F "$T/w" | grep -v grep || true)
[ -z "$left" ] || fail "processes left: $left"
[ -z "$(ls -A "$CD" 2>/dev/null)" ] || fail "client directories left in $CD"
rm -rf "$CD"
[ -z "$(ls -A "$T/w")" ] || fail "work directory not removed after a pass: $(ls "$T/w")"
ok "no process, client directory or work directory left"
