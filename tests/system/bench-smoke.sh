# The benchmark (scripts/bench) on a tiny origin: it must complete, print
# the table and PASS/MISS lines, and write JSON that parses; as root also
# per file system (ext4 and btrfs in loop files, tmpfs), made and removed
# again. The numbers are not judged here (too small and too noisy to mean
# anything).
# Its work trees and loop files go to tmpfs: the numbers are not judged,
# and a disk that other tests write to would make each sync -f wait.
[ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd xmllint
need_cmd python3
[ -x /usr/bin/time ] || skip "needs /usr/bin/time (make deps)"

start=$(date +%s)
BENCH_FS=dir BENCH_OBJECTS=2000 BENCH_REPEAT=1 BENCH_DIR="$T/bench" \
	BENCH_JSON="$T/bench.json" timeout -k 5 120 "$TOP/scripts/bench" \
	>"$T/out" 2>&1 && rc=0 || rc=$?
[ "$rc" = 0 ] || { cat "$T/out"; fail "scripts/bench failed (exit $rc)"; }
cat "$T/out"
secs=$(( $(date +%s) - start ))
# 20-40 s on a quiet 2-core machine; the bound is for a hung run.
[ "$secs" -lt 120 ] || fail "took ${secs}s, more than 120 s"

for row in "xmllint --stream --noout" "tar -x (tree)" "cp -al (tree)" \
    "tar -x + sync -f (tree)" "cp -al + sync -f (tree)" \
    "rsyncswap full sync " "rsyncswap full sync, no order" "tar -x + sync -f, no order" \
    "rsyncswap 100-change delta" \
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
          "full_sync_over_tar_x_sync_plus_xmllint",
          "delta_sync_over_cp_al_sync", "rss_n_over_rss_n10",
          "full_sync_unordered_over_tar_x_sync_plus_xmllint"):
    assert j["ratios"][k] > 0, k
assert j["peak_rss_mib_n"] > 0 and j["peak_rss_mib_n10"] > 0
assert len(j["targets"]) == 6
PYEOF
[ -z "$(ls -A "$T/bench" | grep '^work-' || true)" ] || fail "work trees left behind"
ok "bench completes in ${secs}s, table printed, JSON parses"

# Per file system, as root with btrfs: three tables, the btrfs target, and
# no mount or loop file left.
if [ "$(id -u)" = 0 ] && grep -qw btrfs /proc/filesystems && command -v mkfs.btrfs >/dev/null &&
    command -v mkfs.ext4 >/dev/null; then
	start=$(date +%s)
	BENCH_OBJECTS=500 BENCH_REPEAT=1 BENCH_DIR="$T/fs" BENCH_JSON="$T/fs.json" \
		timeout -k 5 120 "$TOP/scripts/bench" >"$T/out" 2>&1 && rc=0 || rc=$?
	[ "$rc" = 0 ] || { cat "$T/out"; fail "scripts/bench per file system failed (exit $rc)"; }
	for fs in ext4 btrfs tmpfs; do
		grep -q "^$fs ($T/fs/fs-$fs)\$" "$T/out" || fail "no $fs table"
	done
	grep -q "^\(PASS\|MISS\) btrfs: 100-change delta <= 0.1 s" "$T/out" || fail "no btrfs delta target"
	grep -qF "| snapshot+tar -x+rm+sync -f" "$T/out" || fail "no btrfs floor row"
	grep -q "^delta / the same changes by snapshot, tar -x, rm and sync -f: [0-9.]* (what the file system itself takes: [0-9.]* s)" "$T/out" ||
		fail "no btrfs floor ratio"
	n=$(grep -cE '^(PASS|MISS) ' "$T/out") || true
	[ "$n" = 7 ] || fail "$n PASS/MISS lines per file system, want 7"
	grep -q "$T/fs" /proc/mounts && fail "a bench file system is still mounted"
	ls "$T/fs" | grep -q '^fs-' && fail "bench file systems left: $(ls "$T/fs")"
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert sorted(j["filesystems"]) == ["btrfs","ext4","tmpfs"], j["filesystems"].keys(); assert j["main_filesystem"] == "ext4"' "$T/fs.json" ||
		fail "fs.json lacks the file systems"
	ok "bench per file system (ext4, btrfs, tmpfs) in $(( $(date +%s) - start ))s"
fi
