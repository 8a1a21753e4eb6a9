# The expiry summary names the revision it describes. A run killed between
# the state write and the summary write leaves the previous revision's
# summary: status and the metrics never show it for the served revision,
# the next run reads the served revision again, and later deltas do not
# carry its lines forward (the result equals a summary read from the tree).
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

S=e9be21e7-c537-4564-b742-64700978c6b4
B=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
U=${B}notification.xml
cp -r "$DATA/rrdp/krill-sync/rrdp-rev2656" "$T/src"
cp "$T/src/notification.xml" "$T/notif2656"
make_notif "$T/src" $B $S 2653 "$S/2653/snapshot.xml"
"$RSYNCSWAP" sync -q -s "$T/d" --source-uri-base "$T/src" $U
head -2 "$T/d/expiry" | grep -qx "revision session_${S}_serial_2653" || { head -3 "$T/d/expiry"; fail "the summary does not name its revision"; }
cp "$T/d/expiry" "$T/expiry.2653"

# Serial 2655 by deltas; then put 2653's summary back, as a kill between
# the two writes leaves it (no segment for 2655 on it).
make_notif "$T/src" $B $S 2655 "$S/2653/snapshot.xml" 2654 "$S/2654/delta.xml" 2655 "$S/2655/delta.xml"
"$RSYNCSWAP" sync -s "$T/d" --source-uri-base "$T/src" $U | grep -q "deltas 2654-2655" || fail "2655 not by deltas"
cp "$T/expiry.2653" "$T/d/expiry"
rm -rf "$T/d/expiry.d"
"$RSYNCSWAP" status -s "$T/d" >"$T/status" 2>/dev/null || :
grep -q "expiry: not known (the summary is of session_${S}_serial_2653" "$T/status" ||
	{ cat "$T/status"; fail "status shows another revision's summary as the served one's"; }
"$RSYNCSWAP" sync -q -s "$T/d" --metrics-file "$T/m.prom" --source-uri-base "$T/src" $U
head -2 "$T/d/expiry" | grep -qx "revision session_${S}_serial_2655" || fail "an up-to-date run did not read the served revision again"
ok "a summary of the previous revision is not shown as the served one's and is read again"

# Again, then 2656 by a delta: the summary must equal one read from the
# tree (a second node that took the 2656 snapshot), not carry 2653's lines.
cp "$T/expiry.2653" "$T/d/expiry"
rm -rf "$T/d/expiry.d"
# (A run that only applies deltas, with the wrong summary in place.)
cp "$T/notif2656" "$T/src/notification.xml"
"$RSYNCSWAP" sync -s "$T/d" --source-uri-base "$T/src" $U | grep -q "serial 2656: delta 2656" || fail "2656 not by a delta"
"$RSYNCSWAP" sync -q -s "$T/e" --source-uri-base "$T/src" $U
expiry_flat "$T/d" | sort >"$T/d.sorted"
sort "$T/e/expiry" >"$T/e.sorted"
cmp -s "$T/d.sorted" "$T/e.sorted" || { diff "$T/d.sorted" "$T/e.sorted" | head; fail "a delta after a wrong summary carried its lines forward"; }
ok "a delta applied over another revision's summary gives the summary read from the tree"
