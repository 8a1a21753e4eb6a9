# Defects an adversarial review found, one regression test each:
#  - a damaged state and a lower serial of the same session: refused
#    against the served revision's name; current and its directory kept;
#  - replaced times in the future (the clock stepped back): clamped to now;
#  - watch --rsyncd-log on /dev/zero or a FIFO: refused in one line at
#    start, never spinning or blocking.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
U=$BENCH_URI
S=cd0c701d-ff09-4e95-8f2a-fa24de875fb5

"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$BENCH_SRC" $U || fail "first sync"
cur=$(readlink "$T/st/rsync/current")
[ "$cur" = "session_${S}_serial_3" ] || fail "current is $cur"
mkdir -p "$T/src2/x"
sed 's/serial="3"/serial="2"/' "$BENCH_SRC"/$S/3/*/snapshot.xml >"$T/src2/x/snapshot.xml"
make_notif "$T/src2" https://localhost:3000/rrdp/ $S 2 x/snapshot.xml
echo damaged >"$T/st/state"
set +e
"$RSYNCSWAP" sync -s "$T/st" --source-uri-base "$T/src2" $U >"$T/out" 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/out" "$T/err"; fail "serial 3 -> 2 with a damaged state: exit $rc, want 1"; }
grep -q "serial went back from 3" "$T/err" || { cat "$T/err"; fail "the refusal does not say why"; }
[ "$(readlink "$T/st/rsync/current")" = "$cur" ] && [ -d "$T/st/rsync/$cur" ] ||
	fail "current or its directory changed"
ok "damaged state, lower serial: refused against the served revision"

# The clock stepped back an hour: a revision replaced "in the future" is
# clamped to now and removed once the window has passed.
mkdir -p "$T/src3/x"
NS=1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b
sed "s|$S|$NS|" "$BENCH_SRC"/$S/3/*/snapshot.xml >"$T/src3/x/snapshot.xml"
make_notif "$T/src3" https://localhost:3000/rrdp/ $NS 3 x/snapshot.xml
"$RSYNCSWAP" sync -q -s "$T/st4" --source-uri-base "$BENCH_SRC" $U || fail "sync A"
"$RSYNCSWAP" sync -q -s "$T/st4" --source-uri-base "$T/src3" $U || fail "sync B"
future=$(( $(date +%s) + 3600 ))
sed -i "s/^\\(history session_${S}_serial_3\\) [0-9]* [0-9]* 0$/\\1 $future $future 0/" "$T/st4/state"
grep -q "^history session_${S}_serial_3 $future $future 0$" "$T/st4/state" || fail "could not plant a future time"
"$RSYNCSWAP" sweep -q -s "$T/st4" --cleanup-after 1 || fail "sweep"
sleep 2
"$RSYNCSWAP" sweep -q -s "$T/st4" --cleanup-after 1 || fail "sweep"
[ ! -e "$T/st4/rsync/session_${S}_serial_3" ] || fail "a replaced time in the future kept the revision"
ok "a replaced time in the future is clamped to now"

# --rsyncd-log must be a regular file (or not exist yet).
mkfifo "$T/fifo"
for bad in /dev/zero "$T/fifo"; do
	set +e
	timeout 10 "$RSYNCSWAP" watch -s "$T/st5" --rsyncd-log "$bad" --source-uri-base "$BENCH_SRC" $U \
		>/dev/null 2>"$T/err"; rc=$?
	set -e
	[ "$rc" = 1 ] || { cat "$T/err"; fail "--rsyncd-log $bad: exit $rc (124: it hung), want 1"; }
	grep -q "not a regular file" "$T/err" || { cat "$T/err"; fail "--rsyncd-log $bad: reason not given"; }
done
ok "--rsyncd-log on /dev/zero or a FIFO: refused at start"

# A file/directory clash in one snapshot (a/b and a/b/c, in either order)
# is refused, saying what clashes, not "published twice".
printf 'x\n' >"$T/obj"
CS=2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f
for order in "b b/c.cer" "b/c.cer b"; do
	rm -rf "$T/clash"; mkdir -p "$T/clash/s"
	set --
	for p in $order; do set -- "$@" "rsync://h.example/repo/a/$p" "$T/obj"; done
	python3 "$RRDPGEN" snapshot "$T/clash/s/1.xml" $CS 1 "$@"
	make_notif "$T/clash" https://rrdp.example.net/rrdp/ $CS 1 s/1.xml
	set +e
	"$RSYNCSWAP" sync -s "$T/st-clash" --source-uri-base "$T/clash" \
		https://rrdp.example.net/rrdp/notification.xml >/dev/null 2>"$T/err"; rc=$?
	set -e
	[ "$rc" = 1 ] || { cat "$T/err"; fail "clash ($order): exit $rc"; }
	grep -q "clashes with" "$T/err" || { cat "$T/err"; fail "clash ($order): not said what clashes"; }
	if grep -q "published twice" "$T/err"; then cat "$T/err"; fail "clash ($order): called published twice"; fi
done
ok "a file/directory clash is refused, naming the clash"

# Terminal control sequences in a log line (a vanished path) or in an
# error kept in the state never reach the terminal raw: report and status
# print '?' for every C0 and C1 control.
esc=$(printf '\033')
csi=$(printf '\302\233')
{
	echo "2026/11/25 15:43:46 [77] connect from localhost (127.0.0.1)"
	echo "2026/11/25 15:43:46 [77] rsync on repo/ from localhost (127.0.0.1)"
	echo "2026/11/25 15:43:48 [77] file has vanished: \"/a${esc}]0;pwned${esc}\\\\${csi}2J.roa\" (in repo)"
	echo "2026/11/25 15:43:49 [77] sent 100 bytes  received 20 bytes  total size 1000"
} >"$T/ctl.log"
"$RSYNCSWAP" report "$T/ctl.log" >"$T/report.out" || fail "report of the control-character log"
grep -q 'first "/a?\]0;pwned?' "$T/report.out" || { cat "$T/report.out"; fail "the vanished path is not reported scrubbed"; }
if LC_ALL=C grep -q "$esc" "$T/report.out" || LC_ALL=C grep -q "$csi" "$T/report.out"; then
	fail "report printed a raw control sequence"
fi
# The state keeps it percent-encoded; a C1 CSI (U+009B) decodes to bytes.
sed -i "s/^last-error .*/last-error x%C2%9B2Jy/" "$T/st4/state"
grep -q "^last-error x%C2%9B2Jy$" "$T/st4/state" || fail "could not plant the error"
"$RSYNCSWAP" status -s "$T/st4" >"$T/status.out" 2>&1 || :
grep -q "x??2Jy" "$T/status.out" || { cat "$T/status.out"; fail "status: the planted error is not shown scrubbed"; }
if LC_ALL=C grep -q "$csi" "$T/status.out"; then fail "status printed a raw CSI"; fi
ok "no raw control characters from inputs in report and status"
