# A FIFO planted where rsyncswap reads a file (the state, the expiry
# summary, the RRDP output's notification, a local back-end's files) does
# not block a run with the lock held: it is not a regular file, and the run
# goes on or fails in one line, within seconds.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
U=$BENCH_URI

mkdir -p "$T/st"
mkfifo "$T/st/state"
timeout 20 "$RSYNCSWAP" sync -s "$T/st" --source-uri-base "$BENCH_SRC" $U >/dev/null 2>"$T/err" ||
	{ cat "$T/err"; fail "a FIFO as the state: exit $? (124: it blocked)"; }
grep -q "not a regular file" "$T/err" || { cat "$T/err"; fail "a FIFO as the state: not said"; }
ok "a FIFO as the state: not a regular file, snapshot taken"

rm -f "$T/st/expiry"; mkfifo "$T/st/expiry"
timeout 20 "$RSYNCSWAP" status -s "$T/st" >/dev/null 2>&1; rc=$?
[ "$rc" != 124 ] || fail "status blocked on a FIFO as the expiry summary"
ok "a FIFO as the expiry summary does not block status"

mkdir -p "$T/rrdp"
mkfifo "$T/rrdp/notification.xml"
set +e
timeout 20 "$RSYNCSWAP" sync -q -s "$T/st3" --rrdp-dir "$T/rrdp" --source-uri-base "$BENCH_SRC" $U \
	>/dev/null 2>"$T/err"; rc=$?
set -e
[ "$rc" != 124 ] || fail "a FIFO as the RRDP output's notification blocked the run"
ok "a FIFO as the RRDP output's notification does not block (exit $rc)"

mkdir -p "$T/src"
mkfifo "$T/src/notification.xml"
set +e
timeout 20 "$RSYNCSWAP" sync -s "$T/st4" --source-uri-base "$T/src" $U >/dev/null 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "not a regular file" "$T/err" ||
	{ cat "$T/err"; fail "a FIFO as the back-end's notification: exit $rc"; }
ok "a FIFO as the back-end's notification: exit 1, not a regular file"
