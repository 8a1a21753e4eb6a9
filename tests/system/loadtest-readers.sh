# scripts/loadtest --cleanup-compare: two nodes under the same load, one
# reader-aware, one by the time rule alone, with a --cleanup-after (2 s)
# shorter than the slow clients' fetches, each client pausing 1 s after a
# fetch (a third of the CPU of fetching again at once). The reader-aware node's rsyncd
# log shows 0 vanished files, no view is inconsistent, and the report puts
# both nodes' peak revisions on disk side by side (the time rule node
# removes revisions under their readers, mostly with vanished files: the
# cleanup time breaks it, as it should).
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes (as rsyncd.conf.example)"
need_cmd rsync
need_cmd haproxy

CD=$(mktemp -d /dev/shm/rsyncswap-lt-test.XXXXXX 2>/dev/null) || CD=$T/clients
timeout -k 5 170 "$TOP/scripts/loadtest" --cleanup-compare --nodes 2 --clients 12 \
	--duration 40 --period 2 --changes 10 --objects 300 --cleanup-after 2 \
	--slow-share 0.5 --slow-bwlimit 60 --faults no --grace 40 --pause 1 \
	--workdir "$T/w" --client-dir "$CD" --json "$T/lt.json" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
rm -rf "$CD"
cat "$T/out"
[ "$rc" = 0 ] || { tail -40 "$T/err"; fail "scripts/loadtest --cleanup-compare exited $rc"; }
python3 - "$T/lt.json" <<'PYEOF' || fail "the JSON report does not hold"
import json, sys
r = json.load(open(sys.argv[1]))
c, f = r["cleanup_compare"], r["fetches"]
assert r["pass"] is True
assert f["inconsistent"] == 0, f
assert c["reader-aware"]["nodes"] == [0] and c["time rule"]["nodes"] == [1], c
assert c["reader-aware"]["vanished_log_lines"] == 0, c
# The time rule removes revisions under their readers; whether rsyncd then
# logs a vanished file depends on what the reader still had to send.
assert c["time rule"]["vanished_log_lines"] > 0 or \
    c["time rule"]["removed_while_read"] > 0, "the time rule was not broken: %s" % c
assert c["reader-aware"]["peak_revisions_on_disk"] >= 2, c
# The harness's own view from /proc: no revision removed under a reader on
# the reader-aware node; revisions read after their replacement go soon
# after the last reader ends.
ra = c["reader-aware"]
assert ra["removed_while_read"] == 0, ra
la = ra["after_last_reader_seconds"]
assert la["n"] > 0 and la["max"] < 10, "reader-aware removal after the last reader: %s" % la
assert all(isinstance(v[1], int) for v in r["nodes"][0]["revisions_series"]), "no series"
print("reader-aware: last reader's end -> removal p50 %.2f s, max %.2f s (%d revisions)" % (
    la["p50"], la["max"], la["n"]))
print("reader-aware: 0 vanished, peak %d revisions; time rule: %d vanished, peak %d revisions" % (
    c["reader-aware"]["peak_revisions_on_disk"], c["time rule"]["vanished_log_lines"],
    c["time rule"]["peak_revisions_on_disk"]))
PYEOF
ok "loadtest --cleanup-compare: reader-aware 0 vanished, 0 inconsistent, beside the time rule"
