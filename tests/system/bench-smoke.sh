# The benchmark (scripts/bench) on a tiny origin: it must complete, print
# the table and PASS/MISS lines, and write JSON that parses. The numbers
# are not judged here (too small and too noisy to mean anything).
# runs alone (it measures time and load)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd xmllint
need_cmd python3
[ -x /usr/bin/time ] || skip "needs /usr/bin/time (make deps)"

start=$(date +%s)
BENCH_OBJECTS=2000 BENCH_REPEAT=1 BENCH_DIR="$T/bench" \
	BENCH_JSON="$T/bench.json" timeout -k 5 60 "$TOP/scripts/bench" \
	>"$T/out" 2>&1 && rc=0 || rc=$?
[ "$rc" = 0 ] || { cat "$T/out"; fail "scripts/bench failed (exit $rc)"; }
cat "$T/out"
secs=$(( $(date +%s) - start ))
[ "$secs" -lt 60 ] || fail "took ${secs}s, more than 60 s"

for row in "xmllint --stream --noout" "tar -x (tree)" "cp -al (tree)" \
    "rsyncswap full sync " "rsyncswap 100-change delta" \
    "rsyncswap no-change sync" "rsyncswap full sync, N/10" "tsnorm -n tree"; do
	grep -qF "| $row" "$T/out" || fail "no table row \"$row\""
done
n=$(grep -cE '^(PASS|MISS) ' "$T/out") || true
[ "$n" = 6 ] || fail "$n PASS/MISS lines, want 6"
python3 -m json.tool "$T/bench.json" >/dev/null || fail "bench.json does not parse"
python3 - "$T/bench.json" <<'PYEOF' || fail "bench.json lacks a field"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["objects"] == 2000 and j["objects_n10"] == 200
for k in ("full_sync_over_tar_x_plus_xmllint", "delta_sync_over_cp_al",
          "rss_n_over_rss_n10"):
    assert j["ratios"][k] > 0, k
assert j["peak_rss_mib_n"] > 0 and j["peak_rss_mib_n10"] > 0
assert len(j["targets"]) == 6
PYEOF
[ -z "$(ls -A "$T/bench" | grep '^work-' || true)" ] || fail "work trees left behind"
ok "bench completes in ${secs}s, table printed, JSON parses"
