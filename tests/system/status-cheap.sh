# status never walks a revision tree, whatever the repository's size: a
# revision's cost comes from what the last sweep measured (its
# <state-dir>/cleanup), and where none is known status says "cost not
# measured yet" (JSON null). Checked with strace: status opens no revision
# directory and nothing below one, with costs measured, not measured, and
# for a revision the last sweep has not seen.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd strace
need_cmd python3
strace -f -qq -e trace=openat -o /dev/null true 2>/dev/null ||
	skip "strace cannot trace here (ptrace denied)"

# traced_status ARGS...: status under strace into $T/out, its opens in
# $T/trace; the exit code (5: the sample's objects expired) in $rc.
traced_status() {
	rc=0
	# (LeakSanitizer of a sanitized build cannot run under ptrace.)
	ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
	strace -f -qq -e trace=open,openat,openat2 -o "$T/trace" \
		"$RSYNCSWAP" status "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 5 ] || { cat "$T/out" "$T/err"; fail "status exit $rc"; }
}

# no_walk WHAT: fails when status opened a revision or a name inside one.
no_walk() {
	_inside=$(find "$T/st/rsync/$rev" -mindepth 1 -maxdepth 2 -printf '%f\n' | sort -u)
	[ -n "$_inside" ] || fail "the revision holds nothing to check against"
	if grep -E '"([^"]*/)?session_[^"]*"' "$T/trace"; then
		fail "$1: status opened a revision directory"
	fi
	for _n in $_inside; do
		if grep -F "\"$_n\"" "$T/trace" | grep -v 'AT_FDCWD, "/'; then
			fail "$1: status opened $_n below a revision"
		fi
	done
	grep -q 'openat(AT_FDCWD, "[^"]*/st/state"' "$T/trace" ||
		fail "$1: the trace shows no open of the state file (strace saw nothing?)"
}

# A sync without --metrics-file or --max-disk: the sweep measures no cost.
mkdir -p "$T/st"
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$BENCH_SRC" "$BENCH_URI"
rev=$(readlink "$T/st/rsync/current")
traced_status -s "$T/st"
no_walk "costs not measured"
grep -q "^  $rev  current.*, cost not measured (a sweep with --metrics-file or --max-disk measures it)$" "$T/out" ||
	{ cat "$T/out"; fail "unmeasured cost: status does not say 'cost not measured' and what measures it"; }
traced_status -s "$T/st" --json
no_walk "costs not measured, --json"
python3 - "$T/out" <<'PY' || fail "status --json: an unmeasured cost is not null"
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["revisions"]:
    assert r["bytes"] is None and r["inodes"] is None and r["share_bytes"] is None, r
PY
ok "costs not measured: 'cost not measured' and by what (JSON null), no revision opened"

# A sweep with --metrics-file measures: status shows what it wrote.
"$RSYNCSWAP" sweep -q -s "$T/st" --metrics-file "$T/m.prom"
traced_status -s "$T/st"
no_walk "costs measured"
grep -q "^  $rev  current.*, own [1-9][0-9]* bytes, [1-9][0-9]* inodes$" "$T/out" ||
	{ cat "$T/out"; fail "measured cost not shown"; }
ok "costs measured by the sweep: shown, no revision opened"

# A revision the last sweep did not see: not measured, not walked.
new=${rev%_serial_*}_serial_2
cp -al "$T/st/rsync/$rev" "$T/st/rsync/$new"
traced_status -s "$T/st" --json
no_walk "a revision the sweep did not see"
python3 - "$T/out" "$rev" "$new" <<'PY' || fail "status --json: costs of a revision the sweep did not see"
import json, sys
d = json.load(open(sys.argv[1]))
by = {r["name"]: r for r in d["revisions"]}
assert by[sys.argv[2]]["bytes"] > 0 and by[sys.argv[2]]["inodes"] > 0, by
n = by[sys.argv[3]]
assert n["bytes"] is None and n["inodes"] is None and n["share_bytes"] is None, n
PY
ok "a revision the last sweep did not see: null cost, not walked"
