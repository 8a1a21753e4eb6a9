# The btrfs back end, on loop-mounted file systems made here: with the rsync
# directory on btrfs every revision is a subvolume and one built from deltas
# is a writable snapshot of the current one (its Parent UUID); the revision
# it was made from keeps its files; btrfs-built revisions (snapshot and
# deltas) and an ext4-built one of the same serial are identical to rsync;
# --btrfs no / yes / nonsense; the sweep deletes subvolumes as an
# unprivileged sweeper, in one step with user_subvol_rm_allowed, else
# emptied and removed with rmdir, saying in one line which mount option
# would help; a killed run's subvolume is swept as a leftover.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd rsync
need_btrfs
id nobody >/dev/null 2>&1 || skip "no user nobody"

S=e9be21e7-c537-4564-b742-64700978c6b4
U=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/notification.xml
cp -r "$DATA/rrdp/krill-sync/rrdp-rev2656" "$T/src"
cp "$T/src/notification.xml" "$T/notif2656"
notif2653() { make_notif "$T/src" https://krill-ui-dev.do.nlnetlabs.nl/rrdp/ $S 2653 "$S/2653/snapshot.xml"; }
R3=session_${S}_serial_2653
R6=session_${S}_serial_2656

mount_fs btrfs "$T/b" user_subvol_rm_allowed
mount_fs btrfs "$T/n"
mount_fs ext4 "$T/e"

# is_subvol DIR: DIR is the root of a btrfs subvolume.
is_subvol() { [ "$(stat -c %i "$1")" = 256 ] && btrfs subvolume show "$1" >/dev/null 2>&1; }
uuid_of() { btrfs subvolume show "$1" | sed -n 's/^[[:space:]]*UUID:[[:space:]]*//p'; }
parent_of() { btrfs subvolume show "$1" | sed -n 's/^[[:space:]]*Parent UUID:[[:space:]]*//p'; }
same_tree() {
	_d=$(rsync -rtn --itemize-changes "$1/" "$2/"; rsync -rtn --itemize-changes "$2/" "$1/")
	[ -z "$_d" ] || { echo "$_d" | head; fail "$3"; }
	[ "$(find "$1/" -type f | wc -l)" -gt 400 ] || fail "$3: tree too small"
}

# --- 2653 from the snapshot, then 2656 from deltas, on btrfs
notif2653
"$RSYNCSWAP" sync -q -s "$T/b/st" --source-uri-base "$T/src" $U
is_subvol "$T/b/st/rsync/$R3" || fail "a snapshot-built revision on btrfs is not a subvolume"
tree_list "$T/b/st/rsync/$R3" >"$T/list2653"
cp "$T/notif2656" "$T/src/notification.xml"
"$RSYNCSWAP" sync -s "$T/b/st" --source-uri-base "$T/src" $U | grep -q "deltas 2654-2656" ||
	fail "2656 not built from deltas"
is_subvol "$T/b/st/rsync/$R6" || fail "a delta-built revision on btrfs is not a subvolume"
[ "$(parent_of "$T/b/st/rsync/$R6")" = "$(uuid_of "$T/b/st/rsync/$R3")" ] ||
	fail "2656 is not a snapshot of 2653 (Parent UUID)"
tree_list "$T/b/st/rsync/$R3" >"$T/list2653b"
same_list "$T/list2653" "$T/list2653b" "2653 changed while 2656 was built from it"
[ "$(readlink "$T/b/st/rsync/current")" = "$R6" ] || fail "current is not 2656"
ok "btrfs: snapshot -> subvolume, deltas -> writable snapshot of the current subvolume; the old revision unchanged"

# --- the same serial built three ways is the same tree
"$RSYNCSWAP" sync -q -s "$T/b/st2" --source-uri-base "$T/src" $U
notif2653
"$RSYNCSWAP" sync -q -s "$T/e/st" --source-uri-base "$T/src" $U
cp "$T/notif2656" "$T/src/notification.xml"
"$RSYNCSWAP" sync -s "$T/e/st" --source-uri-base "$T/src" $U | grep -q "deltas 2654-2656" ||
	fail "2656 on ext4 not built from deltas"
[ "$(stat -c %i "$T/e/st/rsync/$R6")" != 256 ] || true
same_tree "$T/b/st/rsync/$R6" "$T/b/st2/rsync/$R6" "btrfs: delta-built and snapshot-built 2656 differ"
same_tree "$T/b/st/rsync/$R6" "$T/e/st/rsync/$R6" "btrfs-built and ext4-built 2656 differ"
ok "2656 from a btrfs snapshot + deltas, from the RRDP snapshot on btrfs, and from deltas on ext4: rsync -rtn --itemize-changes prints nothing"

# --- --btrfs yes / no / nonsense
if "$RSYNCSWAP" sync -q --btrfs yes -s "$T/e/st" --source-uri-base "$T/src" $U 2>"$T/err"; then
	fail "--btrfs yes on ext4 succeeded"
else
	[ $? = 1 ] || fail "--btrfs yes on ext4: exit not 1"
fi
[ "$(wc -l <"$T/err")" = 1 ] && grep -q "$T/e/st/rsync: --btrfs yes, but it is not on a btrfs file system" "$T/err" ||
	{ cat "$T/err"; fail "--btrfs yes on ext4: not one line naming the directory"; }
[ "$(readlink "$T/e/st/rsync/current")" = "$R6" ] || fail "--btrfs yes on ext4 touched current"
notif2653
"$RSYNCSWAP" sync -q --btrfs no -s "$T/b/st3" --source-uri-base "$T/src" $U
cp "$T/notif2656" "$T/src/notification.xml"
"$RSYNCSWAP" sync -q --btrfs no -s "$T/b/st3" --source-uri-base "$T/src" $U
for r in $R3 $R6; do
	[ "$(stat -c %i "$T/b/st3/rsync/$r")" != 256 ] || fail "--btrfs no made a subvolume"
done
[ "$(stat -c %h "$T/b/st3/rsync/$R6/repo/0/0/0.roa" 2>/dev/null || find "$T/b/st3/rsync/$R6" -type f -links +1 | head -1)" ] ||
	fail "--btrfs no: no hard links between the revisions"
same_tree "$T/b/st3/rsync/$R6" "$T/b/st/rsync/$R6" "--btrfs no and btrfs 2656 differ"
# A linked current on btrfs: the next delta links again (no EXDEV).
if "$RSYNCSWAP" sync -q --btrfs nonsense -s "$T/b/st3" --source-uri-base "$T/src" $U 2>"$T/err"; then
	fail "--btrfs nonsense accepted"
else
	[ $? = 2 ] || fail "--btrfs nonsense: exit not 2"
fi
grep -q 'btrfs: "nonsense" is not auto, yes or no' "$T/err" || fail "--btrfs nonsense: $(cat "$T/err")"
ok "--btrfs yes on ext4: exit 1, one line, current untouched; --btrfs no on btrfs: directories and hard links; nonsense: usage error"

# --- a delta from a linked (non-subvolume) current with btrfs on: links
notif2653
"$RSYNCSWAP" sync -q --btrfs no -s "$T/b/st4" --source-uri-base "$T/src" $U
cp "$T/notif2656" "$T/src/notification.xml"
"$RSYNCSWAP" sync -s "$T/b/st4" --source-uri-base "$T/src" $U | grep -q "deltas 2654-2656" ||
	fail "delta from a linked current on btrfs failed"
same_tree "$T/b/st4/rsync/$R6" "$T/b/st/rsync/$R6" "2656 from a linked 2653 on btrfs differs"
ok "btrfs, current not a subvolume: the delta revision is linked from it"

# --- sweep, unprivileged: user_subvol_rm_allowed deletes in one step
"$RSYNCSWAP" sweep -v -s "$T/b/st" --cleanup-after 0 2>"$T/sweep.err" || { cat "$T/sweep.err"; fail "sweep failed"; }
[ ! -e "$T/b/st/rsync/$R3" ] || fail "sweep left the replaced subvolume"
grep -q user_subvol_rm_allowed "$T/sweep.err" && fail "sweep warned with user_subvol_rm_allowed set"
btrfs subvolume list "$T/b" | grep -q "$R3" && fail "the subvolume of $R3 is still listed"
[ -d "$T/b/st/rsync/$R6/repo" ] || fail "sweep touched current"
ok "sweep as an unprivileged child, user_subvol_rm_allowed: subvolume deleted in one step, no warning"

# --- without user_subvol_rm_allowed: emptied, rmdir, one line; as --user nobody too
for who in root nobody; do
	mkdir -p "$T/n/$who"
	u=""
	[ $who = nobody ] && { chown nobody "$T/n/$who"; u="--user nobody"; }
	notif2653
	"$RSYNCSWAP" sync -q $u -s "$T/n/$who/st" --source-uri-base "$T/src" $U
	cp "$T/notif2656" "$T/src/notification.xml"
	"$RSYNCSWAP" sync -q $u -s "$T/n/$who/st" --source-uri-base "$T/src" $U
	is_subvol "$T/n/$who/st/rsync/$R3" || fail "$who: 2653 not a subvolume"
	[ "$(parent_of "$T/n/$who/st/rsync/$R6")" = "$(uuid_of "$T/n/$who/st/rsync/$R3")" ] ||
		fail "$who: 2656 is not a snapshot of 2653"
	"$RSYNCSWAP" sweep $u -s "$T/n/$who/st" --cleanup-after 0 2>"$T/sweep.err" ||
		{ cat "$T/sweep.err"; fail "$who: sweep failed without user_subvol_rm_allowed"; }
	[ ! -e "$T/n/$who/st/rsync/$R3" ] || fail "$who: sweep left the replaced subvolume"
	[ "$(grep -c user_subvol_rm_allowed "$T/sweep.err")" = 1 ] ||
		{ cat "$T/sweep.err"; fail "$who: no one line about user_subvol_rm_allowed"; }
	btrfs subvolume list "$T/n" | grep -q "$who/st/rsync/$R3" && fail "$who: the subvolume of $R3 is still listed"
	[ -d "$T/n/$who/st/rsync/$R6/repo" ] || fail "$who: sweep touched current"
done
ok "without user_subvol_rm_allowed: the sweeper (no CAP_SYS_ADMIN; root and --user nobody) empties the subvolume and removes it with rmdir, and says so in one line"

# --- a killed run leaves a .tmp- subvolume; the next run sweeps it
notif2653
"$RSYNCSWAP" sync -q -s "$T/b/st" --source-uri-base "$T/src" $U --cleanup-after 0 2>/dev/null || true
btrfs subvolume create "$T/b/st/rsync/.tmp-0123456789ab" >/dev/null
echo x >"$T/b/st/rsync/.tmp-0123456789ab/f"
btrfs subvolume snapshot "$T/b/st/rsync/$(readlink "$T/b/st/rsync/current")" "$T/b/st/rsync/.tmp-ba9876543210" >/dev/null
"$RSYNCSWAP" sweep -s "$T/b/st" --cleanup-after 0
ls -a "$T/b/st/rsync" | grep -q '^\.tmp-' && fail "leftover subvolumes not swept"
ok "leftover .tmp- subvolumes (a killed run) are swept"
