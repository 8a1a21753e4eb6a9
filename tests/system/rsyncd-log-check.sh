# watch --rsyncd-log says when it cannot tune: a log that does not exist
# yet is named at start, a log not in rsyncd's own format (syslog) is named
# once its first lines are read, and the metrics count lines read and
# malformed, so a dashboard sees a tuner that reads nothing.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

L="$T/rsyncd.log"
"$RSYNCSWAP" watch -s "$T/st" --rsyncd-log "$L" --cleanup-after 2 --metrics-file "$T/m.prom" \
	--source-uri-base "$BENCH_SRC" $BENCH_URI 2>"$T/watch.log" &
W=$!
PIDS="$PIDS $W"
wait_for 10 grep -q "does not exist (yet)" "$T/watch.log" ||
	{ cat "$T/watch.log"; fail "no word that the rsyncd log does not exist"; }
ok "a missing rsyncd log is named at start"

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
ok "a syslog-format rsyncd log is named once; the metrics count lines and malformed lines"
