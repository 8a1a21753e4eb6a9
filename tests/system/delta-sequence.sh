#!/bin/sh
# Deltas, session reset and the empty snapshot, with krill-sync data.
#  1. state at snapshot 2653 (a notification written here lists only that
#     snapshot), then the real notification 2656 (deltas 2652..2656 listed):
#     rsyncswap must apply deltas 2654..2656; the new revision equals exactly
#     snapshot 2656 (independent python3 decode, path + sha256); objects no
#     delta touched are hard links of revision 2653 (same inode), published
#     ones are new inodes; revision 2653 is left intact.
#  2. rrdp-rev2-session-reset after 2656: new session, so rsyncswap takes its
#     snapshot; the tree equals exactly that snapshot.
#  3. rrdp-empty-snapshot (another session, serial 1, no objects) after a
#     non-empty revision: exit 0, current points to an empty revision.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_cmd python3
need_rsyncswap

K=$DATA/rrdp/krill-sync
KS=$K/rrdp-rev2656
SESS=e9be21e7-c537-4564-b742-64700978c6b4
SESS2=bf64ea72-ebb8-462f-99fb-8cd06f418565
BASE=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
R=$T/rsync
S=$T/state

# sync NAME SRC NOTIF_NAME [OPTIONS...]: one rsyncswap run into $S/$R,
# output in $T/NAME.out / .err, exit code in $rc.
sync() {
	_n=$1 _src=$2 _notif=$3
	shift 3
	if "$RSYNCSWAP" sync -s "$S" -r "$R" --cleanup-after 3600 "$@" --source-uri-base "$_src" \
		"$BASE$_notif" >"$T/$_n.out" 2>"$T/$_n.err"; then rc=0; else rc=$?; fi
	sed "s/^/[$_n] /" "$T/$_n.out" "$T/$_n.err"
}

# 1. 2653 by snapshot, then 2654..2656 by deltas.
mkdir -p "$T/src2653/$SESS/2653"
cp "$KS/$SESS/2653/snapshot.xml" "$T/src2653/$SESS/2653/"
make_notif "$T/src2653" "$BASE" "$SESS" 2653 "$SESS/2653/snapshot.xml"
sync a "$T/src2653" notification.xml
[ "$rc" -eq 0 ] || fail "sync 2653: exit $rc"
REV_A=$(current_rev "$R")
[ "$(basename "$REV_A")" = "session_${SESS}_serial_2653" ] || fail "current -> $(basename "$REV_A")"
rrdp_list "$KS/$SESS/2653/snapshot.xml" >"$T/exp.A"
sorted_tree_list "$REV_A" >"$T/got.A"
same_list "$T/got.A" "$T/exp.A" "revision 2653 vs decoded snapshot 2653"

sync b "$KS" notification.xml -v
[ "$rc" -eq 0 ] || fail "sync 2656: exit $rc"
REV_B=$(current_rev "$R")
[ "$(basename "$REV_B")" = "session_${SESS}_serial_2656" ] || fail "current -> $(basename "$REV_B")"
grep -qi 'delta' "$T/b.out" "$T/b.err" || fail "sync 2656 did not report applying deltas (expected 2654..2656): $(cat "$T/b.out")"
grep -q "serial 2656: snapshot" "$T/b.out" && fail "sync 2656 took the snapshot although deltas 2654..2656 were available: $(cat "$T/b.out")"
rrdp_list "$KS/$SESS/2656/snapshot.xml" >"$T/exp.B"
sorted_tree_list "$REV_B" >"$T/got.B"
same_list "$T/got.B" "$T/exp.B" "revision 2656 (deltas) vs decoded snapshot 2656"
sorted_tree_list "$REV_A" >"$T/got.A2"
same_list "$T/got.A2" "$T/exp.A" "revision 2653 after the delta run (modified in place?)"

# Inodes: untouched objects are hard links of revision A, published ones not.
python3 - "$REV_A" "$REV_B" "$KS/$SESS/2654/delta.xml" "$KS/$SESS/2655/delta.xml" "$KS/$SESS/2656/delta.xml" <<'EOF' || fail "inode check"
import os, sys, xml.etree.ElementTree as ET
a, b, deltas = sys.argv[1], sys.argv[2], sys.argv[3:]
touched = set()
for d in deltas:
    for el in ET.parse(d).getroot():
        touched.add(el.get("uri").split("://", 1)[1].split("/", 1)[1])
same = new = 0
bad = []
for root, dirs, files in os.walk(b):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), b)
        ib = os.stat(os.path.join(b, rel)).st_ino
        pa = os.path.join(a, rel)
        ia = os.stat(pa).st_ino if os.path.exists(pa) else None
        if rel in touched:
            if ia == ib: bad.append("published but same inode as 2653: " + rel)
            new += 1
        else:
            if ia != ib: bad.append("untouched but not a hard link of 2653: " + rel)
            same += 1
for x in bad[:10]: print(x, file=sys.stderr)
print("ok: %d objects hard-linked from 2653, %d new inodes (published by deltas)" % (same, new))
sys.exit(1 if bad or same == 0 or new == 0 else 0)
EOF

# 2. Session reset after 2656: a new session, so its snapshot.
sync c "$K/rrdp-rev2-session-reset" notifyerthingy.xml -v
[ "$rc" -eq 0 ] || fail "session reset: exit $rc"
REV_R=$(current_rev "$R")
[ "$(basename "$REV_R")" = "session_${SESS2}_serial_2" ] || fail "current -> $(basename "$REV_R")"
grep -qi 'snapshot' "$T/c.out" "$T/c.err" || fail "session reset did not report a snapshot: $(cat "$T/c.out")"
rrdp_list "$K/rrdp-rev2-session-reset/$SESS2/2/snapshot.xml" >"$T/exp.R"
sorted_tree_list "$REV_R" >"$T/got.R"
same_list "$T/got.R" "$T/exp.R" "session reset revision vs decoded snapshot (new session, serial 2)"
[ -d "$REV_B" ] || fail "previous revision removed although --cleanup-after 3600"
ok "session reset -> snapshot of $SESS2 serial 2 ($(wc -l <"$T/got.R") objects)"

# 3. Empty snapshot after a non-empty revision (fresh state at 2653, then the
#    empty snapshot of another session): an empty revision becomes current.
R=$T/rsync-e
S=$T/state-e
sync d "$T/src2653" notification.xml
[ "$rc" -eq 0 ] || fail "sync 2653 (second state): exit $rc"
sync e "$K/rrdp-empty-snapshot" notification.xml
[ "$rc" -eq 1 ] && grep -q "refused: shrink" "$T/e.err" ||
	fail "empty snapshot passed the shrink guard: exit $rc"
sync e "$K/rrdp-empty-snapshot" notification.xml --max-shrink 100
[ "$rc" -eq 0 ] || fail "empty snapshot: exit $rc"
REV_E=$(current_rev "$R")
[ "$(basename "$REV_E")" = "session_${SESS2}_serial_1" ] || fail "current -> $(basename "$REV_E")"
[ -d "$REV_E" ] || fail "$REV_E is not a directory"
[ -z "$(find "$REV_E" -type f)" ] || fail "empty snapshot revision has files: $(find "$REV_E" -type f | head -3)"
ok "empty snapshot -> empty revision $(basename "$REV_E")"
ok "delta sequence"
