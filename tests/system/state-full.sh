# A state that cannot be written (its file system full) fails the run:
# exit 1, one line that says why, and current put back where it was, so
# that "exit 1: current untouched" holds; the next run, with space again,
# publishes the new revision.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "mounts a small tmpfs"
mkdir -p "$T/st"
mount -t tmpfs -o size=64k tmpfs "$T/st" || skip "cannot mount a tmpfs here"
trap 'umount "$T/st" 2>/dev/null; cleanup' EXIT INT TERM

U=$BENCH_URI
S=cd0c701d-ff09-4e95-8f2a-fa24de875fb5
"$RSYNCSWAP" sync -q -s "$T/st" -r "$T/rsync" --source-uri-base "$BENCH_SRC" $U || fail "first sync"
before=$(readlink "$T/rsync/current")

# A new session, while the state's file system is full.
mkdir -p "$T/src2/x"
NS=7a0c2f55-9f43-4a4e-8d7e-3b1f6d2c9e01
sed "s|$S|$NS|" "$BENCH_SRC"/$S/3/*/snapshot.xml >"$T/src2/x/snapshot.xml"
make_notif "$T/src2" https://localhost:3000/rrdp/ $NS 3 x/snapshot.xml
dd if=/dev/zero of="$T/st/fill" bs=1k count=1024 2>/dev/null || true
set +e
"$RSYNCSWAP" sync -q -s "$T/st" -r "$T/rsync" --source-uri-base "$T/src2" $U >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/err"; fail "state write failed, exit $rc (want 1)"; }
grep -q "No space left" "$T/err" || { cat "$T/err"; fail "the reason is not given"; }
grep -q "current put back" "$T/err" || { cat "$T/err"; fail "does not say current was put back"; }
[ "$(readlink "$T/rsync/current")" = "$before" ] || fail "current moved although the run failed"
ok "full state file system: exit 1, current put back"

rm -f "$T/st/fill"
"$RSYNCSWAP" sync -q -s "$T/st" -r "$T/rsync" --source-uri-base "$T/src2" $U || fail "sync with space again"
[ "$(readlink "$T/rsync/current")" = "session_${NS}_serial_3" ] || fail "the new revision is not current"
ok "with space again the new revision is published"
