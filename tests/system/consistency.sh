#!/bin/sh
# No phantom reads: a slow rsync client that connected before a swap receives
# exactly the old revision (exit 0), a client that connects after the swap
# receives exactly the new one. Real rsyncd (rsyncd.conf.example), real rsync.
#
# Data: krill-sync rrdp-rev2656. Revision A is snapshot 2653 (a notification
# written here lists only that snapshot, with its real sha256); revision B is
# the real notification 2656 (rsyncswap applies deltas 2654..2656).
# The slow client is throttled (--bwlimit) so that the ~1.1 MB transfer takes
# ~10 s; timestamps prove the swap completed while it was running.
# also on btrfs
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_root "rsyncd.conf.example uses chroot and uid = nobody"
need_cmd rsync
need_cmd python3
need_rsyncswap

KS=$DATA/rrdp/krill-sync/rrdp-rev2656
SESS=e9be21e7-c537-4564-b742-64700978c6b4
BASE=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
R=$T/rsync
S=$T/state
now() { date +%s.%N; }
lt() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$1" "$2"; }

# Revision A: snapshot 2653 only.
mkdir -p "$T/src2653/$SESS/2653"
cp "$KS/$SESS/2653/snapshot.xml" "$T/src2653/$SESS/2653/"
make_notif "$T/src2653" "$BASE" "$SESS" 2653 "$SESS/2653/snapshot.xml"
"$RSYNCSWAP" sync -s "$S" -r "$R" --cleanup-after 3600 --source-uri-base "$T/src2653" \
	"${BASE}notification.xml" >"$T/syncA.out" 2>"$T/syncA.err" || fail "sync 2653: $(cat "$T/syncA.err")"
REV_A=$(current_rev "$R")
[ "$(basename "$REV_A")" = "session_${SESS}_serial_2653" ] || fail "current -> $(basename "$REV_A") after sync 2653"

# Expected trees (module content, "./<path>"), decoded independently.
rrdp_list "$KS/$SESS/2653/snapshot.xml" | sed -n 's|^\./repo/|./|p' >"$T/exp.A"
rrdp_list "$KS/$SESS/2656/snapshot.xml" | sed -n 's|^\./repo/|./|p' >"$T/exp.B"
cmp -s "$T/exp.A" "$T/exp.B" && fail "snapshots 2653 and 2656 are identical: test would prove nothing"
ndiff=$(diff "$T/exp.A" "$T/exp.B" | grep -c '^[<>]' || true)
sorted_tree_list "$REV_A/repo" >"$T/revA"
same_list "$T/revA" "$T/exp.A" "revision 2653 vs decoded snapshot 2653"

CONF=$T/rsyncd.conf
example_conf "$R" "$CONF"
PORT=$(free_port)
start_rsyncd "$CONF" "$PORT"
URL=rsync://127.0.0.1:$PORT/repo/

# The slow client.
t_slow0=$(now)
timeout 50 rsync -rt --bwlimit=80 "$URL" "$T/slow/" >"$T/slow.out" 2>"$T/slow.err" &
SLOW=$!
PIDS="$PIDS $SLOW"
# Wait until it has received some files (it is connected and inside revision A).
i=0
while [ "$(find "$T/slow" -type f 2>/dev/null | wc -l)" -lt 5 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "slow client received nothing in 20 s: $(cat "$T/slow.err")"
	kill -0 "$SLOW" 2>/dev/null || fail "slow client ended early: $(cat "$T/slow.err")"
	sleep 0.1
done
got_before=$(find "$T/slow" -type f | wc -l)

# Swap to 2656 while it runs.
t_swap0=$(now)
"$RSYNCSWAP" sync -v -s "$S" -r "$R" --cleanup-after 3600 --source-uri-base "$KS" \
	"${BASE}notification.xml" >"$T/syncB.out" 2>"$T/syncB.err" || fail "sync 2656: $(cat "$T/syncB.err")"
t_swap1=$(now)
kill -0 "$SLOW" 2>/dev/null || fail "slow client finished before the swap completed: not a mid-transfer swap (raise data size or lower --bwlimit)"
got_at_swap=$(find "$T/slow" -type f | wc -l)
REV_B=$(current_rev "$R")
[ "$(basename "$REV_B")" = "session_${SESS}_serial_2656" ] || fail "current -> $(basename "$REV_B") after sync 2656"
[ -d "$REV_A" ] || fail "revision A was removed although --cleanup-after 3600"

# A client that connects after the swap: revision B.
timeout 50 rsync -rt "$URL" "$T/fast/" 2>"$T/fast.err" || fail "fast client: $(cat "$T/fast.err")"
sorted_tree_list "$T/fast" >"$T/got.fast"
same_list "$T/got.fast" "$T/exp.B" "client after swap vs decoded snapshot 2656"

# The slow client ends with exit 0 and exactly revision A.
if wait "$SLOW"; then rc=0; else rc=$?; fi
t_slow1=$(now)
[ "$rc" -eq 0 ] || fail "slow client exit $rc: $(cat "$T/slow.err")"
sorted_tree_list "$T/slow" >"$T/got.slow"
same_list "$T/got.slow" "$T/exp.A" "slow client (connected before swap) vs decoded snapshot 2653"
out=$(rsync -rtn --itemize-changes "$REV_A/repo/" "$T/slow/")
[ -z "$out" ] || fail "slow copy's mtimes differ from revision A: $(echo "$out" | head -3)"

lt "$t_slow0" "$t_swap0" || fail "swap started before the slow client"
lt "$t_swap1" "$t_slow1" || fail "slow client ended before the swap completed"
grep -q 'vanished' "$CONF.log" && fail "rsyncd log reports vanished files: $(grep vanished "$CONF.log" | head -2)"
ok "slow client $t_slow0..$t_slow1 ($got_before files at swap start, $got_at_swap at swap end), swap $t_swap0..$t_swap1"
ok "slow client got exactly 2653 ($(wc -l <"$T/got.slow") files), later client exactly 2656 ($(wc -l <"$T/got.fast") files); $ndiff lines differ between them"
