# scripts/loadtest's verifier is not vacuous: a short run (2 nodes, 6
# clients, 10 s) with --tamper-node 0, which overwrites one object of node
# 0's served revision in place (same size, same mtime, as a writer that
# modifies files under rsyncd would), must FAIL: fetches from node 0 are
# INCONSISTENT, those from node 1 consistent, the record check flags node 0.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes (as rsyncd.conf.example)"
need_cmd rsync
need_cmd haproxy

CD=$(mktemp -d /dev/shm/rsyncswap-lt-test.XXXXXX 2>/dev/null) || CD=$T/clients
timeout -k 5 100 "$TOP/scripts/loadtest" --nodes 2 --clients 6 --duration 10 \
	--period 2 --objects 300 --changes 5 --faults no --grace 10 --tamper-node 0 \
	--workdir "$T/w" --client-dir "$CD" --json "$T/lt.json" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
cat "$T/out"
rm -rf "$CD"
[ "$rc" = 1 ] || { tail -20 "$T/err"; fail "loadtest with a tampered node exited $rc, want 1"; }
grep -q "TAMPERED" "$T/err" || fail "no TAMPERED event"
python3 - "$T/lt.json" <<'PYEOF' || fail "the report does not show the tampered node"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["fetches"]
assert r["pass"] is False
assert f["inconsistent"] > 0, "no inconsistent fetch counted"
assert f["consistent"] > 0, "no consistent fetch from the intact node"
s = f["inconsistent_samples"][0]["nearest"]
assert s["missing"] == 1 and s["extra"] == 1, s
assert not r["determinism"]["ok"]
assert any(m["node"] == 0 for m in r["determinism"]["record_mismatches"]), r["determinism"]
assert not any(m["node"] == 1 for m in r["determinism"]["record_mismatches"]), r["determinism"]
print("ok: %d inconsistent, %d consistent" % (f["inconsistent"], f["consistent"]))
PYEOF
grep -q '^| RESULT  *| FAIL  *|$' "$T/out" || fail "no RESULT FAIL row"
sleep 0.5
left=$(ps -eo pid=,args= | grep -F "$T/w" | grep -v grep || true)
[ -z "$left" ] || fail "processes left: $left"
ok "a node that serves a modified file is caught"
