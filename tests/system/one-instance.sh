# One instance per state directory, and one cleanup time: a running watch
# holds the lock for its whole life (a second watch and a cron sync exit
# 75 with one line naming its pid), and a cleanup time that watch tuned is
# kept by sync and sweep, which do not tune: they never remove a revision
# earlier, and never write their own default back.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

U=$BENCH_URI
S=cd0c701d-ff09-4e95-8f2a-fa24de875fb5

"$RSYNCSWAP" watch -s "$T/st" --source-uri-base "$BENCH_SRC" --interval 60 $U \
	2>"$T/watch.log" &
W=$!
PIDS="$PIDS $W"
wait_for 10 test -L "$T/st/rsync/current" || { cat "$T/watch.log"; fail "watch did not sync"; }

lock_refused() {	# lock_refused WHAT ARGS...: exit 75, one line with the pid
	_what=$1; shift
	set +e
	timeout 10 "$RSYNCSWAP" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	set -e
	[ "$_rc" = 75 ] || { cat "$T/err"; fail "$_what beside watch: exit $_rc, want 75"; }
	[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "$_what: want one line"; }
	grep -q "pid $W\\b" "$T/err" || { cat "$T/err"; fail "$_what: the line does not name pid $W"; }
}
lock_refused "a second watch" watch -s "$T/st" --source-uri-base "$BENCH_SRC" $U
lock_refused "sync" sync -s "$T/st" --source-uri-base "$BENCH_SRC" $U
lock_refused "sweep" sweep -s "$T/st"
kill -0 $W 2>/dev/null || fail "the first watch died"
ok "a second watch, a sync and a sweep beside watch: exit 75 naming pid $W"
kill $W; wait $W 2>/dev/null || true
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$BENCH_SRC" $U || fail "sync after watch stopped"
ok "the lock is free once watch stopped"

# A tuned cleanup time (as watch keeps it in the state) of a day.
mkdir -p "$T/src2/x"
NS=0e5f4c0a-6a52-4f53-9c56-4e0d7d6bb0a1
sed "s|$S|$NS|" "$BENCH_SRC"/$S/3/*/snapshot.xml >"$T/src2/x/snapshot.xml"
make_notif "$T/src2" https://localhost:3000/rrdp/ $NS 3 x/snapshot.xml
old=$(readlink "$T/st/rsync/current")
now=$(date +%s)
sed -i -e "s/^cleanup-after .*/cleanup-after 86400/" -e "s/^tune-changed .*/tune-changed $now/" \
	-e "s/^tune-longest .*/tune-longest 3000/" "$T/st/state"
# A new session replaces the old revision; two seconds later neither sync
# nor sweep with --cleanup-after 1 may remove it. The tuned time is the
# time rule's: --no-reader-scan, or an rsyncd of another test beside this
# one would make the cleanup reader-aware (where it is only a check).
"$RSYNCSWAP" sync -q -s "$T/st" --no-reader-scan --cleanup-after 1 --source-uri-base "$T/src2" $U || fail "sync to the new session"
sleep 2
"$RSYNCSWAP" sync -q -s "$T/st" --no-reader-scan --cleanup-after 1 --source-uri-base "$T/src2" $U || fail "sync, up to date"
[ -d "$T/st/rsync/$old" ] || fail "sync removed a revision the tuned cleanup time protects"
"$RSYNCSWAP" sweep -q -s "$T/st" --no-reader-scan --cleanup-after 1 || fail "sweep"
[ -d "$T/st/rsync/$old" ] || fail "sweep removed a revision the tuned cleanup time protects"
grep -q "^cleanup-after 86400$" "$T/st/state" || { grep cleanup "$T/st/state"; fail "the tuned value was overwritten"; }
"$RSYNCSWAP" status -s "$T/st" | grep -q "86400" || fail "status does not show the tuned 86400 s"
ok "sync and sweep keep the tuned cleanup time (86400 s) and the revision it protects"
