# Deterministic mtimes: the same RRDP synced into two rsync directories one
# second apart gives identical trees, mtimes included; so does a revision
# built from deltas and one built from the snapshot of the same serial.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd rsync

S=e9be21e7-c537-4564-b742-64700978c6b4
U=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/notification.xml
cp -r "$DATA/rrdp/krill-sync/rrdp-rev2656" "$T/src"
cp "$T/src/notification.xml" "$T/notif2656"

# same_tree A B WHAT: rsync sees nothing to do between A and B either way.
same_tree() {
	_d=$(rsync -rtn --itemize-changes "$1/" "$2/"; rsync -rtn --itemize-changes "$2/" "$1/")
	[ -z "$_d" ] || { echo "$_d" | head; fail "$3"; }
	[ "$(find "$1/" -type f | wc -l)" -gt 400 ] || fail "$3: tree too small"
}

"$RSYNCSWAP" sync -q -s "$T/a" --source-uri-base "$T/src" $U
sleep 1
"$RSYNCSWAP" sync -q -s "$T/b" --source-uri-base "$T/src" $U
same_tree "$T/a/rsync/current" "$T/b/rsync/current" "two syncs one second apart differ"
ok "two syncs of serial 2656 one second apart: identical trees and mtimes"

make_notif "$T/src" https://krill-ui-dev.do.nlnetlabs.nl/rrdp/ $S 2653 "$S/2653/snapshot.xml"
"$RSYNCSWAP" sync -q -s "$T/c" --source-uri-base "$T/src" $U
sleep 1
cp "$T/notif2656" "$T/src/notification.xml"
"$RSYNCSWAP" sync -s "$T/c" --source-uri-base "$T/src" $U | grep -q "deltas 2654-2656" ||
	fail "2656 not built from deltas"
same_tree "$T/c/rsync/current" "$T/a/rsync/current" "delta-built and snapshot-built 2656 differ"
ok "delta-built and snapshot-built revisions of serial 2656: identical trees and mtimes"
