# watch --rsyncd-log says when it cannot tune: a log that does not exist
# yet is named at start, a log not in rsyncd's own format (syslog) is named
# once its first lines are read, and the metrics count lines read and
# malformed, so a dashboard sees a tuner that reads nothing; status says
# the same, and "not followed" when no watch follows a log.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

L="$T/rsyncd.log"
"$RSYNCSWAP" watch -s "$T/st" --rsyncd-log "$L" --cleanup-after 2 --metrics-file "$T/m.prom" \
	--source-uri-base "$BENCH_SRC" $BENCH_URI 2>"$T/watch.log" &
W=$!
PIDS="$PIDS $W"
wait_for 10 grep -q "does not exist (yet)" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "no word that the rsyncd log does not exist"; }
# status_says WORDS: status's rsyncd log line says WORDS within 10 s.
status_says() {
	wait_for 10 sh -c "'$RSYNCSWAP' status -s '$T/st' 2>/dev/null | grep -q \"^rsyncd log: .*$1\"" ||
		{ "$RSYNCSWAP" status -s "$T/st"; fail "status does not say '$1'"; }
}
status_says "does not exist (yet): no cleanup tuning"
ok "a missing rsyncd log is named at start and in status"

i=0
while [ $i -lt 25 ]; do
	echo "Dec  1 12:00:0$((i % 10)) node rsyncd[4$i]: connect from client.example (192.0.2.$i)" >>"$L"
	i=$((i + 1))
done
wait_for 10 grep -q "none of the first .* lines is in rsyncd's log format" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "a syslog-format log is not named"; }
wait_for 10 grep -q "^rsyncswap_rsyncd_log_malformed_lines_total 2[0-9]" "$T/m.prom" ||
	{ cat "$T/m.prom"; fail "the metrics do not count the malformed lines"; }
grep -q "^rsyncswap_rsyncd_log_lines_total 2[0-9]" "$T/m.prom" || fail "the metrics do not count the lines"
[ "$(grep -c "rsyncd's log format" "$T/watch.log")" = 1 ] || fail "the format warning is not given once"
status_says "none of 2[0-9] lines is in rsyncd's log format"
"$RSYNCSWAP" status --json -s "$T/st" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); assert "log format" in d["rsyncd_log"], d["rsyncd_log"]' ||
	fail "status --json rsyncd_log"
ok "a syslog-format rsyncd log is named once; the metrics count lines and malformed lines; status says so"

kill -TERM $W; wait $W || fail "watch exit $?"
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$BENCH_SRC" $BENCH_URI
status_says "not followed"
ok "after a sync without watch, status says no log is followed"
