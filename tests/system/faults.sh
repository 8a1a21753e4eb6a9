# Faults of the local system, not of the input: a full file system (tmpfs in
# a private mount namespace), a damaged state file, leftovers and planted
# entries in the rsync directory, `current` as a real directory. Every
# symlink planted points at a canary outside, which must stay untouched.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

S=e9be21e7-c537-4564-b742-64700978c6b4
U=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/notification.xml
B=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
SRC="$T/src"
R2653=session_${S}_serial_2653
R2656=session_${S}_serial_2656
mkdir -p "$SRC" "$T/canary/dir"
echo keep >"$T/canary/file"
echo keep >"$T/canary/dir/file"
cp -r "$DATA/rrdp/krill-sync/rrdp-rev2656/$S" "$SRC/"
rrdp_list "$SRC/$S/2653/snapshot.xml" >"$T/list.2653"
rrdp_list "$SRC/$S/2656/snapshot.xml" >"$T/list.2656"
canary_list() { (cd "$T/canary" && find . -printf '%y %p %s %T@\n' | LC_ALL=C sort); }
canary_list >"$T/canary.list"
canary_ok() {
	canary_list >"$T/canary.now"
	cmp -s "$T/canary.list" "$T/canary.now" || fail "$1: the canary outside was touched"
}

run() {	# run EXPECTED_EXIT ARGS...: output in $T/out and $T/err
	_want=$1; shift
	set +e
	"$RSYNCSWAP" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	set -e
	[ "$_rc" = "$_want" ] || { cat "$T/out" "$T/err" >&2; fail "rsyncswap $*: exit $_rc, want $_want"; }
}
one_line() {
	[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err" >&2; fail "$1: want exactly one line on stderr"; }
	grep -q -- "$2" "$T/err" || { cat "$T/err" >&2; fail "$1: stderr does not say '$2'"; }
}
at() {	# at SERIAL: the notification of snapshot SERIAL (no deltas)
	make_notif "$SRC" "$B" $S "$1" "$S/$1/snapshot.xml"
}
deltas() {	# the notification of serial 2656 with deltas 2654..2656
	make_notif "$SRC" "$B" $S 2656 "$S/2656/snapshot.xml" \
		2654 "$S/2654/delta.xml" 2655 "$S/2655/delta.xml" 2656 "$S/2656/delta.xml"
}
# serves DIR LIST WHAT: current of rsync dir DIR is exactly LIST.
serves() {
	sorted_tree_list "$(current_rev "$1")" >"$T/now"
	same_list "$T/now" "$2" "$3"
}
no_tmp() {
	_l=$(ls -A "$1" | grep -E '^(\.tmp-|current\.tmp$)' || true)
	[ -z "$_l" ] || fail "$2: left in $1: $_l"
}

# --- damaged state files: a warning naming the state, then the snapshot
at 2653
run 0 sync -s "$T/st" --source-uri-base "$SRC" $U
for kind in truncated binary directory empty; do
	cp -r "$T/st" "$T/st-$kind"
	case $kind in
	truncated) head -c 200 "$T/st/state" >"$T/st-$kind/state" ;;
	binary) head -c 4096 /dev/urandom >"$T/st-$kind/state" ;;
	directory) rm "$T/st-$kind/state" && mkdir "$T/st-$kind/state" ;;
	empty) : >"$T/st-$kind/state" ;;
	esac
	deltas
	if [ $kind = directory ]; then
		# Not ours to remove, and no state can be written: the run
		# fails (exit 1) and leaves current where it was.
		was=$(readlink "$T/st-$kind/rsync/current")
		run 1 sync -s "$T/st-$kind" --source-uri-base "$SRC" $U
		grep -q "st-$kind/state: .*taking the snapshot" "$T/err" ||
			{ cat "$T/err" >&2; fail "$kind state: no warning that names it"; }
		grep -q "st-$kind/state: Is a directory; current put back" "$T/err" ||
			{ cat "$T/err" >&2; fail "directory state: failure not reported"; }
		[ "$(readlink "$T/st-$kind/rsync/current")" = "$was" ] ||
			fail "directory state: current moved although the run failed"
		continue
	fi
	run 0 sync -s "$T/st-$kind" --source-uri-base "$SRC" $U
	grep -q "st-$kind/state: .*taking the snapshot" "$T/err" ||
		{ cat "$T/err" >&2; fail "$kind state: no warning that names it"; }
	grep -q "serial 2656: snapshot" "$T/out" || fail "$kind state: $(cat "$T/out")"
	serves "$T/st-$kind/rsync" "$T/list.2656" "$kind state"
	run 0 sync -s "$T/st-$kind" --source-uri-base "$SRC" $U
	grep -q "up to date" "$T/out" || fail "$kind state: not rewritten: $(cat "$T/out" "$T/err")"
	[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "$kind state: still complained about"; }
done
ok "truncated, binary and empty state: warning, snapshot; a directory as the state: exit 1, current kept"

# --- leftovers of someone else: current.tmp (symlink out, file, directory)
# and .tmp-* (symlink out, directory holding a symlink out)
for kind in symlink file directory; do
	rm -rf "$T/st-l" && cp -r "$T/st" "$T/st-l"
	case $kind in
	symlink) ln -s "$T/canary/dir" "$T/st-l/rsync/current.tmp" ;;
	file) echo x >"$T/st-l/rsync/current.tmp" ;;
	directory) mkdir "$T/st-l/rsync/current.tmp" && ln -s "$T/canary/file" "$T/st-l/rsync/current.tmp/f" ;;
	esac
	ln -s "$T/canary" "$T/st-l/rsync/.tmp-out"
	mkdir -p "$T/st-l/rsync/.tmp-dir/repo" && ln -s "$T/canary/dir" "$T/st-l/rsync/.tmp-dir/repo/x"
	deltas
	run 0 sync -s "$T/st-l" --source-uri-base "$SRC" $U
	grep -q "serial 2656: deltas" "$T/out" || { cat "$T/err" >&2; fail "current.tmp $kind: $(cat "$T/out")"; }
	serves "$T/st-l/rsync" "$T/list.2656" "current.tmp $kind"
	no_tmp "$T/st-l/rsync" "current.tmp $kind"
	canary_ok "current.tmp $kind"
done
ok "planted current.tmp (symlink, file, directory) and .tmp-*: replaced or swept, canary intact"

# --- what a kill in the short windows leaves (crash-kill.sh rarely lands
# there): the new serial's name already taken by a stale, incomplete
# directory (killed between rename and swap of an earlier attempt whose
# content then changed), and a half-written state temp file
rm -rf "$T/st-w" && cp -r "$T/st" "$T/st-w"
mkdir -p "$T/st-w/rsync/$R2656/repo" && echo stale >"$T/st-w/rsync/$R2656/repo/stale.roa"
echo "rsyncswap-state 1" >"$T/st-w/.state.AbC123"
deltas
run 0 sync -s "$T/st-w" --cleanup-after 0 --source-uri-base "$SRC" $U
grep -q "serial 2656: deltas" "$T/out" || { cat "$T/err" >&2; fail "stale $R2656: $(cat "$T/out")"; }
serves "$T/st-w/rsync" "$T/list.2656" "stale directory named like the new serial"
grep -v "warning: --cleanup-after 0" "$T/err" >"$T/err2" || true
[ ! -s "$T/err2" ] || { cat "$T/err2" >&2; fail "stale $R2656 / state temp file: complaints"; }
run 0 sync -s "$T/st-w" --cleanup-after 0 --source-uri-base "$SRC" $U
[ -z "$(ls -A "$T/st-w/rsync" | grep -v -x -e current -e "$R2656")" ] ||
	fail "stale $R2656: left $(ls -A "$T/st-w/rsync")"
ok "stale directory with the new serial's name: moved aside, swept; state temp file ignored"

# --- current is a real directory (a plain layout): refused, nothing touched
mkdir -p "$T/plain/rsync/current/repo" "$T/plain-st"
cp "$T/canary/file" "$T/plain/rsync/current/repo/"
ln -s "$T/canary" "$T/plain/rsync/current/repo/link"
(cd "$T/plain" && find . -printf '%y %p %s %T@\n' | LC_ALL=C sort) >"$T/plain.list"
at 2653
run 1 sync -s "$T/plain-st" -r "$T/plain/rsync" --source-uri-base "$SRC" $U
one_line "current directory" "current is not a symlink"
(cd "$T/plain" && find . -printf '%y %p %s %T@\n' | LC_ALL=C sort) >"$T/plain.now"
same_list "$T/plain.now" "$T/plain.list" "current directory: rsync dir changed"
run 1 sweep -s "$T/plain-st" -r "$T/plain/rsync" --cleanup-after 0
(cd "$T/plain" && find . -printf '%y %p %s %T@\n' | LC_ALL=C sort) >"$T/plain.now"
same_list "$T/plain.now" "$T/plain.list" "current directory: sweep changed the rsync dir"
ok "current as a directory: exit 1, one line, nothing touched"

# --- symlinks planted as revisions and inside the current revision
rm -rf "$T/st-p" && cp -r "$T/st" "$T/st-p"
P="$T/st-p/rsync"
ln -s "$T/canary/dir" "$P/session_${S}_serial_1"		# unknown revision
ln -s "$T/canary/dir" "$P/$R2656"			# the name the sync builds
ln -s "$T/canary/dir" "$P/$R2653/repo/evil"		# inside current
ln -s "$T/canary/file" "$P/$R2653/repo/evil-file"
deltas
run 0 sync -s "$T/st-p" --cleanup-after 0 --source-uri-base "$SRC" $U
grep -q "serial 2656: deltas" "$T/out" || { cat "$T/err" >&2; fail "planted: $(cat "$T/out")"; }
serves "$P" "$T/list.2656" "planted symlinks"
[ -d "$P/$R2656" ] && [ ! -L "$P/$R2656" ] || fail "planted: $R2656 is not a directory"
[ -z "$(find "$P/$R2656" -type l)" ] || fail "planted: a symlink was copied into the new revision"
canary_ok "planted symlinks, first run"
run 0 sync -s "$T/st-p" --cleanup-after 0 --source-uri-base "$SRC" $U
[ ! -e "$P/session_${S}_serial_1" ] && [ ! -L "$P/session_${S}_serial_1" ] ||
	fail "planted revision symlink not swept"
[ -z "$(ls -A "$P" | grep -v -x -e current -e "$R2656")" ] || fail "planted: left $(ls -A "$P")"
canary_ok "planted symlinks, sweep"
# current -> a planted symlink with the very name of the notification's
# serial: the revision must become a real directory, not stay the symlink.
rm -rf "$T/st-q" && mkdir -p "$T/st-q/rsync" && cp -r "$SRC/$S/2653" "$T/canary/dir/q"
canary_list >"$T/canary.list"
ln -s "$T/canary/dir" "$T/st-q/rsync/$R2653"
ln -s "$R2653" "$T/st-q/rsync/current"
at 2653
run 0 sync -s "$T/st-q" --cleanup-after 0 --source-uri-base "$SRC" $U
[ -d "$T/st-q/rsync/$R2653" ] && [ ! -L "$T/st-q/rsync/$R2653" ] ||
	fail "current -> planted symlink $R2653 still served"
serves "$T/st-q/rsync" "$T/list.2653" "current -> planted symlink"
canary_ok "current -> planted symlink"
ok "planted symlinks (revision names, inside current): never followed, replaced, swept"

# --- a full file system: the rsync dir on a 2 MB tmpfs in a private mount
# namespace. The second snapshot does not fit: exit 1, one line, current
# intact, the partial revision removed.
if [ "$(id -u)" != 0 ]; then
	echo "skipped the full file system part: needs root (mount)"
elif ! unshare -m true 2>/dev/null; then
	echo "skipped the full file system part: unshare -m not permitted here"
else
	python3 - "$T/big" "$DATA/objects" "$B" <<'EOF'
import sys, os
sys.path.insert(0, os.environ["RRDPGEN_DIR"])
import rrdpgen
out, objdir, base = sys.argv[1:4]
sess = "3b0f3a8e-5c1d-4f7e-9a2b-6d4c8e1f0a57"
pool = []
for d, _, fs in sorted(os.walk(objdir)):
    for f in sorted(fs):
        p = os.path.join(d, f)
        if os.path.getsize(p) > 0:
            pool.append((f, open(p, "rb").read()))
def snap(serial, n):
    rel = "%s/%d/snapshot.xml" % (sess, serial)
    els = (rrdpgen.publish("rsync://h.example/repo/%d-%s" % (i, pool[i % len(pool)][0]),
                           pool[i % len(pool)][1]) for i in range(n))
    h, _ = rrdpgen.write_document(os.path.join(out, rel), "snapshot", sess, serial, els)
    rrdpgen.write_notification(os.path.join(out, "notif-%d.xml" % serial), sess, serial,
                               (base + rel, h))
snap(1, 40)     # ~250 KB: fits
snap(2, 1500)   # ~9 MB: does not
EOF
	mkdir -p "$T/small"
	cat >"$T/full.sh" <<EOF
set -e
mount -t tmpfs -o size=2m,mode=755 tmpfs "$T/small" || { echo "cannot mount a tmpfs"; exit 77; }
cp "$T/big/notif-1.xml" "$T/big/notification.xml"
"$RSYNCSWAP" sync -q -s "$T/st-full" -r "$T/small/rsync" --source-uri-base "$T/big" $U
cur=\$(readlink "$T/small/rsync/current")
sorted_list() { (cd "\$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum | awk '{print \$2, \$1}' | LC_ALL=C sort); }
sorted_list "$T/small/rsync/\$cur" >"$T/full.before"
cp "$T/big/notif-2.xml" "$T/big/notification.xml"
set +e
"$RSYNCSWAP" sync -s "$T/st-full" -r "$T/small/rsync" --source-uri-base "$T/big" $U >"$T/out" 2>"$T/err"
echo \$? >"$T/full.rc"
set -e
readlink "$T/small/rsync/current" >"$T/full.cur"
sorted_list "$T/small/rsync/\$cur" >"$T/full.after"
ls -A "$T/small/rsync" >"$T/full.ls"
df -k "$T/small" | tail -1 >"$T/full.df"
EOF
	rc=0
	unshare -m --propagation private sh "$T/full.sh" || rc=$?
	[ $rc = 77 ] && { echo "skipped the full file system part: cannot mount a tmpfs"; rc=0; }
	[ $rc = 0 ] || fail "full file system: setup failed (exit $rc)"
	if [ -f "$T/full.rc" ]; then
		[ "$(cat "$T/full.rc")" = 1 ] || { cat "$T/err" >&2; fail "full file system: exit $(cat "$T/full.rc"), want 1"; }
		one_line "full file system" "No space left on device"
		[ "$(cat "$T/full.cur")" = session_3b0f3a8e-5c1d-4f7e-9a2b-6d4c8e1f0a57_serial_1 ] ||
			fail "full file system: current -> $(cat "$T/full.cur")"
		same_list "$T/full.after" "$T/full.before" "full file system: current changed"
		[ -z "$(grep -E '^(\.tmp-|current\.tmp$)' "$T/full.ls")" ] ||
			fail "full file system: left $(cat "$T/full.ls")"
		grep -q 'serial_2' "$T/full.ls" && fail "full file system: a serial 2 revision exists"
		ok "full file system: exit 1, '$(cat "$T/err")', current intact, nothing left ($(awk '{print $3}' "$T/full.df") KB used)"
	fi
fi
canary_ok "end"
ok "canary untouched"
