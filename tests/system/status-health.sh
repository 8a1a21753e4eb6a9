# status says in one line whether the node serves (serving, not serving,
# stale, expired, expiry unknown), apart from the state file's own
# condition, and exits
# with a documented code for each; --json names its schema, gives times as
# epoch seconds and null for what is not known, and holds the keys and
# types of the README's table; the metrics carry build_info and durations
# without float noise.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd faketime
need_cmd python3
export TZ=UTC

# status_at WHEN ARGS...: status under a faked clock; exit code in $rc.
status_at() {
	_when=$1; shift
	rc=0
	faketime "$_when" "$RSYNCSWAP" status "$@" >"$T/out" 2>"$T/err" || rc=$?
}
# expect RC WORD: the exit code and the health line's first word(s).
expect() {
	[ "$rc" = "$1" ] || { cat "$T/out" "$T/err"; fail "status exit $rc, wanted $1 ($2)"; }
	head -1 "$T/out" | grep -q "^health: $2" || { cat "$T/out"; fail "health line is not '$2'"; }
	if [ "$1" != 0 ]; then
		[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "exit $1 without exactly one stderr line"; }
	fi
}

# Nothing synced yet: the state directory exists, nothing is served.
mkdir -p "$T/st"
status_at '2023-02-14 12:00:00' -s "$T/st"
expect 3 "not serving"
grep -q "rsync: no such directory (no revision has been written)" "$T/out" || { cat "$T/out"; fail "not serving does not say why"; }
status_at '2023-02-14 12:00:00' -s "$T/st" --json
[ "$rc" = 3 ] || fail "status --json exit $rc, wanted 3"
cp "$T/out" "$T/json.none"
python3 - "$T/out" <<'PY' || fail "status --json before the first sync"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "rsyncswap-status/1", d["schema"]
assert d["health"] == "not serving", d["health"]
for k in ("current", "current_since", "session", "serial", "objects",
          "last_success", "last_failure", "last_error", "origin_last_change",
          "expiry", "state_error"):
    assert d[k] is None, (k, d[k])
assert d["state"] == "missing"
assert isinstance(d["now"], int) and isinstance(d["cleanup_after"], int)
PY
ok "before the first sync: not serving (exit 3), JSON nulls for the unknown"

# A sync at the data's date: serving.
faketime '2023-02-14 12:00:00' "$RSYNCSWAP" sync -q -s "$T/st" --metrics-file "$T/m.prom" \
	--source-uri-base "$BENCH_SRC" "$BENCH_URI"
status_at '2023-02-14 12:10:00' -s "$T/st"
expect 0 "serving"
[ ! -s "$T/err" ] || { cat "$T/err"; fail "stderr while serving"; }
status_at '2023-02-14 12:10:00' -s "$T/st" --json
[ "$rc" = 0 ] || fail "status --json exit $rc while serving"
cp "$T/out" "$T/json.serving"
python3 - "$T/out" <<'PY' || fail "status --json while serving"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["health"] == "serving" and d["health_reason"] is None
assert d["serial"] == 3 and d["objects"] == 135, (d["serial"], d["objects"])
assert isinstance(d["last_success"], int) and d["last_success"] > 1676372000
assert d["last_failure"] is None
cur = [r for r in d["revisions"] if r["current"]]
assert len(cur) == 1 and cur[0]["replaced"] is None and cur[0]["removable_after"] is None
assert d["origin_last_change"] == d["current_since"]
assert d["expiry"] is not None and d["expiry_error"] is None, d["expiry_error"]
PY
ok "after a sync: serving (exit 0)"

grep -q '^rsyncswap_build_info{version="[0-9.]*"} 1$' "$T/m.prom" || fail "no build_info metric"
line=$(grep '^rsyncswap_last_sync_duration_seconds ' "$T/m.prom")
echo "$line" | grep -Eq ' [0-9]+(\.[0-9]{1,3})?$' || fail "duration with float noise: $line"
check_prometheus "$T/m.prom"
ok "metrics: build_info, $line"

# A sync run once (cron) gives its own duration; a sweep's file keeps the
# last sync's bytes and duration (it made no sync) rather than zeroes.
metric() { sed -n "s/^rsyncswap_$1 //p" "$2"; }
"$RSYNCSWAP" sync -q -s "$T/st2" --metrics-file "$T/m2.prom" \
	--source-uri-base "$BENCH_SRC" "$BENCH_URI" ||
	fail "a sync without faketime"
b=$(metric last_sync_bytes "$T/m2.prom") d=$(metric last_sync_duration_seconds "$T/m2.prom")
[ "${b:-0}" -gt 0 ] || fail "last_sync_bytes after a snapshot: '$b'"
awk -v d="$d" 'BEGIN { exit !(d > 0 && d < 60) }' || fail "last_sync_duration_seconds of a run once: '$d'"
"$RSYNCSWAP" sweep -q -s "$T/st2" --metrics-file "$T/m2.prom" || fail "sweep exit $?"
[ "$(metric last_sync_bytes "$T/m2.prom")" = "$b" ] && [ "$(metric last_sync_duration_seconds "$T/m2.prom")" = "$d" ] ||
	{ grep last_sync "$T/m2.prom"; fail "a sweep's metrics lost the last sync's bytes $b and duration $d"; }
[ "$(metric sweeps_total "$T/m2.prom")" = 1 ] || fail "the sweep not counted"
ok "metrics of a sync run once: $b bytes in $d s, kept by a sweep's file"

# Two hours without a success: stale (the default --stale-after is 3600).
status_at '2023-02-14 14:05:00' -s "$T/st"
expect 4 "stale"
grep -q "more than --stale-after 3600 s" "$T/out" || { cat "$T/out"; fail "stale does not say why"; }
status_at '2023-02-14 14:05:00' -s "$T/st" --stale-after 86400
expect 0 "serving"
ok "no success for 2 h: stale (exit 4); --stale-after 86400: serving"

# Past the first manifest's nextUpdate (2023-02-14T14:20:29Z): expired.
status_at '2023-02-14 14:30:00' -s "$T/st" --stale-after 86400
expect 5 "expired"
grep -q "repo/benchmark-3/0" "$T/out" || { cat "$T/out"; fail "expired does not name the publication point"; }
status_at '2023-02-14 14:30:00' -s "$T/st" --stale-after 86400 --json
[ "$rc" = 5 ] || fail "status --json exit $rc, wanted 5"
cp "$T/out" "$T/json.expired"
ok "past a manifest's nextUpdate: expired (exit 5)"

# current pointing at nothing: not serving, whatever the state says.
rev=$(readlink "$T/st/rsync/current")
mv "$T/st/rsync/$rev" "$T/st/rsync/moved"
status_at '2023-02-14 12:10:00' -s "$T/st"
expect 3 "not serving"
grep -q "not a directory" "$T/out" || { cat "$T/out"; fail "dangling current not explained"; }
mv "$T/st/rsync/moved" "$T/st/rsync/$rev"

# The state file gone while serving: health serving, exit 1 for the state.
mv "$T/st/state" "$T/st/state.bak"
status_at '2023-02-14 12:10:00' -s "$T/st"
[ "$rc" = 1 ] || fail "status without a state file exit $rc, wanted 1"
head -1 "$T/out" | grep -q "^health: serving" || { cat "$T/out"; fail "health without a state"; }
grep -q "no state file" "$T/err" || { cat "$T/err"; fail "no stderr line for the missing state"; }
# No state directory at all: exit 1, and the reason names it.
status_at '2023-02-14 12:10:00' -s "$T/nope" --json
[ "$rc" = 1 ] || fail "status of a missing state directory exit $rc, wanted 1"
python3 - "$T/out" "$T/nope" <<'PY' || fail "status --json of a missing state directory"
import json, sys
d = json.load(open(sys.argv[1]))
want = sys.argv[2] + ": no such state directory (no sync has run with it)"
assert d["health"] == "not serving" and d["health_reason"] == want, d["health_reason"]
PY
ok "a dangling current: not serving (exit 3); no state file: exit 1, health apart; no state directory: exit 1, named"

# The expiry summary cannot be written (its name taken by a directory):
# the sync serves, the metric says the summary is not known, and status
# says "expiry unknown" (exit 6) once the run that made the revision
# current has had its minute to write it; stale still comes first.
mkdir -p "$T/nx/expiry"
faketime '2023-02-14 12:00:00' "$RSYNCSWAP" sync -s "$T/nx" --metrics-file "$T/nx.prom" \
	--source-uri-base "$BENCH_SRC" "$BENCH_URI" >/dev/null 2>"$T/nx.err" || { cat "$T/nx.err"; fail "sync with an unwritable summary failed"; }
# The failed write is logged once per run: by the run that made the
# revision, and by a later one that tries again.
n=$(grep -c "warning: expiry summary: " "$T/nx.err" || :)
[ "$n" = 1 ] || { cat "$T/nx.err"; fail "a failed summary write logged $n times in one run, wanted once"; }
faketime '2023-02-14 12:00:10' "$RSYNCSWAP" sync -s "$T/nx" \
	--source-uri-base "$BENCH_SRC" "$BENCH_URI" >/dev/null 2>"$T/nx.err" || { cat "$T/nx.err"; fail "a sync with nothing new failed"; }
n=$(grep -c "warning: expiry summary: " "$T/nx.err" || :)
[ "$n" = 1 ] || { cat "$T/nx.err"; fail "a sync with nothing new logged the failed summary write $n times, wanted once"; }
grep -q '^rsyncswap_expiry_summary_known 0$' "$T/nx.prom" || { grep expiry "$T/nx.prom" || :; fail "metrics: the unknown summary not said"; }
grep -q '^rsyncswap_expiry_summary_known 1$' "$T/m.prom" || { grep expiry "$T/m.prom" || :; fail "metrics: a known summary not said"; }
! grep -q '^rsyncswap_earliest_expiry' "$T/nx.prom" || fail "metrics: an earliest expiry without a summary"
status_at '2023-02-14 12:00:30' -s "$T/nx"
expect 0 "serving"
grep -q "^expiry: not known (" "$T/out" || { cat "$T/out"; fail "the unknown summary not shown"; }
status_at '2023-02-14 12:10:00' -s "$T/nx"
expect 6 "expiry unknown: the served revision's expiry summary cannot be read ($T/nx/expiry: "
grep -q "^rsyncswap status: expiry unknown: " "$T/err" || { cat "$T/err"; fail "no stderr line for the unknown expiry"; }
status_at '2023-02-14 12:10:00' -s "$T/nx" --json
[ "$rc" = 6 ] || fail "status --json exit $rc, wanted 6"
cp "$T/out" "$T/json.unknown"
python3 - "$T/out" "$T/nx" <<'PY' || fail "status --json with the summary unknown"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["health"] == "expiry unknown" and d["expiry"] is None, (d["health"], d["expiry"])
assert "cannot be read" not in d["expiry_error"] and d["expiry_error"].startswith(sys.argv[2] + "/expiry: "), d["expiry_error"]
assert "is watched for expiry" in d["health_reason"], d["health_reason"]
PY
status_at '2023-02-14 14:05:00' -s "$T/nx"
expect 4 "stale"
ok "summary not writable: logged once a run, metric 0, serving for a minute, then expiry unknown (exit 6); stale first"

# The summary removed: unknown; the next sync reads the revision again.
rmdir "$T/nx/expiry"
status_at '2023-02-14 12:10:00' -s "$T/nx"
expect 6 "expiry unknown: the served revision has no expiry summary (no $T/nx/expiry)"
faketime '2023-02-14 12:11:00' "$RSYNCSWAP" sync -q -s "$T/nx" --metrics-file "$T/nx.prom" \
	--source-uri-base "$BENCH_SRC" "$BENCH_URI"
grep -q '^rsyncswap_expiry_summary_known 1$' "$T/nx.prom" || fail "metrics: the summary still not known after a sync"
status_at '2023-02-14 12:12:00' -s "$T/nx"
expect 0 "serving"
ok "summary missing: expiry unknown (exit 6) until the next sync writes it"

# The README's table of status --json is what the JSON holds: every key
# status printed above is listed with the types it had, every top-level
# key listed is printed, and the man page names each key.
python3 - "$TOP/README.md" "$TOP/man/rsyncswap.8" "$T"/json.* <<'PY' || fail "README's status --json table and the JSON differ"
import json, re, sys
readme = open(sys.argv[1]).read()
man = open(sys.argv[2]).read()
table = readme[readme.index("| key | type | meaning |",
                            readme.index("`status --json` prints one object")):]
table = table[:table.index("\n\n")]
doc = {}
for line in table.splitlines()[2:]:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    for k in re.findall(r"`([^`]+)`", cells[0]):
        doc[k] = set(cells[1].split(" or "))
kind = {str: "string", int: "integer", bool: "boolean", dict: "object",
        list: "array", type(None): "null"}
# Publication points in closest and expired_list have earliest's keys.
same = {"expiry.closest[]": "expiry.earliest",
        "expiry.expired_list[]": "expiry.earliest"}
seen = {}
def walk(path, v):
    path = same.get(path, path)
    if path and not path.endswith("[]"):
        seen.setdefault(path, set()).add(kind[type(v)])
    if isinstance(v, dict):
        for k, x in v.items():
            walk(path + "." + k if path else k, x)
    elif isinstance(v, list):
        for x in v:
            walk(path + "[]", x)
for f in sys.argv[3:]:
    walk("", json.load(open(f)))
bad = [p for p in seen if p not in doc]
assert not bad, ("keys not in the README", bad)
bad = [(p, seen[p], doc[p]) for p in seen if not seen[p] <= doc[p]]
assert not bad, ("types not as the README says", bad)
bad = [k for k in doc if "." not in k and k not in seen]
assert not bad, ("README keys status does not print", bad)
bad = [k for k in doc if not re.search(r"\b%s\b" % re.escape(re.split(r"[.\]\[]+", k)[-1] or k), man)]
assert not bad, ("keys the man page does not name", bad)
print("%d keys documented, %d seen" % (len(doc), len(seen)))
PY
ok "README's table of status --json: every key printed, with its types; the man page names them"
