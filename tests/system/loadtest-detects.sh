# scripts/loadtest's verifier is not vacuous: a short run (2 nodes, 6
# clients, 10 s, each pausing 1 s after a fetch) with --tamper-node 0, which overwrites one object of node
# 0's served revision in place (same size, same mtime, as a writer that
# modifies files under rsyncd would), must FAIL: fetches from node 0 are
# INCONSISTENT, those from node 1 consistent, the record check flags node 0.
# Plain full fetches (--mix plain=1): an RP that keeps its copy, or fetches
# against it (--compare-dest), skips a file of the same size and mtime, as
# rsync always does, so it would not see the tampered bytes again.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes (as rsyncd.conf.example)"
need_cmd rsync
need_cmd haproxy

CD=$(mktemp -d /dev/shm/rsyncswap-lt-test.XXXXXX 2>/dev/null) || CD=$T/clients
timeout -k 5 100 "$TOP/scripts/loadtest" --nodes 2 --clients 6 --duration 10 \
	--period 2 --objects 300 --changes 5 --faults no --grace 10 --tamper-node 0 --mix plain=1 --pause 1 \
	--workdir "$T/w" --client-dir "$CD" --json "$T/lt.json" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
cat "$T/out"
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

# The relying parties' own command lines are verified too: with one node,
# every client's first fetch reads the tampered object; rpki-client (its
# include filters, then --compare-dest against its copy), FORT and
# Routinator (their copy updated in place with --delete) each count it
# INCONSISTENT.
timeout -k 5 100 "$TOP/scripts/loadtest" --nodes 1 --clients 3 --duration 6 \
	--period 2 --objects 300 --changes 5 --faults no --grace 10 --tamper-node 0 --pause 1 \
	--mix rpki-client=1,fort=1,routinator=1 \
	--workdir "$T/w2" --client-dir "$CD" --json "$T/lt2.json" >"$T/out2" 2>"$T/err2" && rc=0 || rc=$?
[ "$rc" = 1 ] || { tail -20 "$T/err2"; fail "mixed kinds with a tampered node: exit $rc, want 1"; }
python3 - "$T/lt2.json" <<'PYEOF' || fail "a client kind did not catch the tampered node"
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("rpki-client", "fort", "routinator"):
    b = r["by_kind"][k]
    assert b["failures"]["inconsistent"] >= 1, (k, b)
print("ok: inconsistent by kind:", {k: v["failures"]["inconsistent"] for k, v in r["by_kind"].items()})
PYEOF
rm -rf "$CD"
ok "rpki-client, FORT and Routinator command lines each catch it"
