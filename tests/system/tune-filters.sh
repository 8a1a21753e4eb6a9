# The tuner trusts only sessions it can believe: one of a module this node
# does not serve (a 250 s session on "debian") and one whose times lie
# outside the time the log was followed (a 1970 connect time) change
# nothing; a like session on the served module "repo" raises cleanup-after.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

L="$T/rsyncd.log"
: >"$L"
"$RSYNCSWAP" watch -v -s "$T/st" --rsyncd-log "$L" --cleanup-after 60 --metrics-file "$T/m.prom" \
	--source-uri-base "$BENCH_SRC" $BENCH_URI 2>"$T/watch.log" &
PIDS="$PIDS $!"
wait_for 10 test -L "$T/st/rsync/current" || { cat "$T/watch.log"; fail "watch did not sync"; }
sleep 1

at() { date -d "@$1" +'%Y/%m/%d %H:%M:%S'; }
session() {	# session PID MODULE START END
	echo "$(at $3) [$1] connect from client.example (192.0.2.9)"
	echo "$(at $3) [$1] rsync on $2/ from client.example (192.0.2.9)"
	echo "$(at $4) [$1] sent 1000 bytes  received 100 bytes  total size 50000"
}
now=$(date +%s)
{ session 901 debian $((now - 250)) $now; session 902 repo 10 $now; } >>"$L"
wait_for 10 grep -q "pid 902) ignored: its times lie outside" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "the 1970 session is not said to be ignored"; }
sleep 2
grep -q "^rsyncswap_cleanup_after_seconds 60$" "$T/m.prom" ||
	{ grep cleanup "$T/m.prom" "$T/watch.log"; fail "an unserved module or a bogus session changed cleanup-after"; }
ok "a session of another module and a 1970 session leave cleanup-after at 60 s"

now=$(date +%s)
session 903 repo $((now - 250)) $now >>"$L"
wait_for 10 grep -q "cleanup-after 60 -> 5[0-9][0-9] s: a session of client 192.0.2.9 (pid 903)" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "a 250 s session on the served module did not raise cleanup-after"; }
ok "a like session on the served module raises it"
