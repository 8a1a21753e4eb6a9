# A served revision that a new tree of its own name replaces keeps its
# readers: rsyncd serves serial 1 to a slow client (--bwlimit) while a sync
# builds serial 1 again and exchanges it in, (lost) the state removed, and
# (module) an up-to-date node given a new --module. The old tree stays as
# .tmp-*-replaced while the client reads it, through sweeps past
# --cleanup-after; the client exits 0 with exactly serial 1, rsyncd logs no
# vanished file; a sweep after the client's end removes the old tree. The
# module case keeps the module an earlier --module added, and the shrink
# guard and the state still hold.
# mostly waits (on clients, daemons, timers or the disk, not on the CPU)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd as root (uid nobody, use chroot)"
id nobody >/dev/null 2>&1 || skip "no user nobody"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml

# sync_it ARGS...: one sync of the case's node, logging to $D/sync.log.
sync_it() {
	"$RSYNCSWAP" sync -v -s "$D/st" --cleanup-after 2 \
		--source-uri-base "$D/src" "$@" $U >>"$D/sync.log" 2>&1 ||
		{ cat "$D/sync.log"; fail "$name: sync $* failed"; }
}

# replaced: the name of the one replaced tree in the rsync directory, or "".
replaced() {
	ls -a "$D/st/rsync" | grep -- '^\.tmp-.*-replaced$' || :
}

# case_begin NAME ARGS...: serial 1 synced with ARGS, a slow client
# reading it; sets D, P, C.
case_begin() {
	name=$1 D="$T/$1"; shift
	mkdir -p "$D/st/rsync"
	"$SIM" --dir "$D/src" --objects 150 --record "$D/rec" >/dev/null
	P=$(free_port)
	example_conf "$D/st/rsync" "$D/r.conf"
	start_rsyncd "$D/r.conf" "$P"
	sync_it "$@"
	current_is "$D/st/rsync" 1 || fail "$name: serial 1 not live"
	( set +e; rsync -rt --bwlimit=10 "rsync://127.0.0.1:$P/repo/" "$D/client/" >"$D/client.out" 2>&1
	  echo $? >"$D/client.rc" ) &
	C=$!
	wait_for 10 grep -q "rsync on repo/ from" "$D/r.conf.log" || fail "$name: no session in the rsyncd log"
	sleep 1
}

# case_end: the rebuilt tree is current, the old one kept for its reader
# until it is done, then removed; the client got exactly serial 1.
case_end() {
	grep -q "rebuilt; the tree it replaced stays as \.tmp-.*-replaced until its readers are done" "$D/sync.log" ||
		{ cat "$D/sync.log"; fail "$name: the rebuild was not said"; }
	old=$(replaced)
	[ -n "$old" ] || { ls -a "$D/st/rsync"; fail "$name: the replaced tree was removed under its reader"; }
	sleep 3	# past --cleanup-after
	"$RSYNCSWAP" sweep -v -s "$D/st" --cleanup-after 2 >>"$D/sync.log" 2>&1 || fail "$name: sweep failed"
	[ "$(replaced)" = "$old" ] || { cat "$D/sync.log"; fail "$name: the replaced tree was removed while read"; }
	"$RSYNCSWAP" status -s "$D/st" >"$D/status.txt" 2>&1 || :
	grep -q -- "$old" "$D/status.txt" || { cat "$D/status.txt"; fail "$name: status does not list the replaced tree"; }
	wait_for 120 test -s "$D/client.rc" || fail "$name: the client did not end"
	[ "$(cat "$D/client.rc")" = 0 ] || { cat "$D/client.out"; fail "$name: client exit $(cat "$D/client.rc")"; }
	! grep -q 'file has vanished' "$D/r.conf.log" || { grep vanished "$D/r.conf.log" | head -3; fail "$name: rsyncd logged vanished files"; }
	sed 's|^\./repo/|./|' "$D/rec/1.list" | LC_ALL=C sort >"$D/want"
	sorted_tree_list "$D/client" | cmp -s - "$D/want" || fail "$name: the client did not get exactly serial 1"
	sleep 3	# its reader gone for --cleanup-after
	"$RSYNCSWAP" sweep -v -s "$D/st" --cleanup-after 2 >>"$D/sync.log" 2>&1 || fail "$name: sweep failed"
	[ -z "$(replaced)" ] || { cat "$D/sync.log"; fail "$name: the replaced tree outlived its reader"; }
	current_is "$D/st/rsync" 1 || fail "$name: current is not serial 1"
}

# ---- lost: the state removed, the same serial built again ----
case_begin lost
rm "$D/st/state"
: >"$D/sync.log"
sync_it
case_end
ok "lost: the state removed, serial 1 rebuilt: the old tree kept for its slow reader past --cleanup-after (exit 0, exactly serial 1, nothing vanished), removed after"

# ---- module: an up-to-date node given a new --module ----
case_begin module --module rsync://origin.example/a/
: >"$D/sync.log"
sync_it --module rsync://origin.example/b/
grep -q "snapshot, to add the directory of a --module" "$D/sync.log" || { cat "$D/sync.log"; fail "$name: the reason of the snapshot"; }
! grep -q "no local state" "$D/sync.log" || { cat "$D/sync.log"; fail "$name: the valid state was called none"; }
cur=$(current_rev "$D/st/rsync")
[ -d "$cur/a" ] && [ -d "$cur/b" ] && [ -d "$cur/repo" ] || { ls "$cur"; fail "$name: not every module kept (a, b, repo)"; }
case_end
ok "module: a new --module on an up-to-date node: the earlier one kept, the old tree kept for its slow reader, removed after"
