# After deltas the expiry summary is not rewritten: a segment of the
# directories they touched goes on it (<state-dir>/expiry.d), and the
# segments are folded into a new base now and then. Through 11 revisions
# of a 400-object origin, one delta sync each, the summary read as one
# (base and segments) equals the one a fresh node reads from the tree at
# the same serial, and status shows it the same; the base stays as it was
# while segments are added, and is rewritten when they are folded. A
# segment left by an interrupted run, one that does not fit, and a
# damaged one are never taken for the served revision's.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd python3
need_cmd faketime
export TZ=UTC
FAKELIB=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime.so.1$' | head -1)
[ -n "$FAKELIB" ] || skip "libfaketime.so.1 not found"
# Under ASan the sanitizer runtime is not first in the preload list.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

SRC="$T/src"
B=https://rrdp.example.net/rrdp/
U=${B}notification.xml
N=12
python3 "$TOP/scripts/origin-sim" --dir "$SRC" --objects 400 --changes 4 \
	--revisions $((N - 1)) --interval 0 --keep-deltas $N --base-uri $B \
	--seed 7 >"$T/sim.log" 2>&1 || { cat "$T/sim.log"; fail "origin-sim"; }
S=$(sed -n 's/.*session_id="\([^"]*\)".*/\1/p' "$SRC/notification.xml")
[ -n "$S" ] || fail "no session in the origin's notification"

# notif K: the notification of serial K with its snapshot and delta K.
notif() {
	snap=$(cd "$SRC" && ls "$S/$1"/*/snapshot.xml)
	if [ "$1" -gt 1 ]; then
		make_notif "$SRC" $B "$S" "$1" "$snap" "$1" "$(dirname "$snap")/delta.xml"
	else
		make_notif "$SRC" $B "$S" "$1" "$snap"
	fi
}

# same_summary K: node d's summary (base and segments as one) equals the
# one fresh node e/K read from serial K's tree.
same_summary() {
	"$RSYNCSWAP" sync -q -s "$T/e$1" --source-uri-base "$SRC" $U ||
		fail "fresh node at serial $1"
	expiry_flat "$T/d" | sort >"$T/d.sorted" || fail "serial $1: no summary on d"
	sort "$T/e$1/expiry" >"$T/e.sorted"
	cmp -s "$T/d.sorted" "$T/e.sorted" || { diff "$T/d.sorted" "$T/e.sorted" | head; fail "serial $1: the summary after deltas differs from the one read from the tree"; }
	grep -qx "revision session_${S}_serial_$1" "$T/d.sorted" || fail "serial $1: the summary names another revision"
}

notif 1
"$RSYNCSWAP" sync -q -s "$T/d" -r "$T/r" --source-uri-base "$SRC" $U || fail "serial 1"
same_summary 1
segs=0 folds=0 maxsegs=0
base_rev=$(sed -n 2p "$T/d/expiry")
for k in $(seq 2 $N); do
	notif "$k"
	before=$(stat -c %Y.%i "$T/d/expiry")
	"$RSYNCSWAP" sync -s "$T/d" -r "$T/r" --source-uri-base "$SRC" $U >"$T/out" 2>&1 || { cat "$T/out"; fail "serial $k"; }
	grep -q "serial $k: delta $k" "$T/out" || { cat "$T/out"; fail "serial $k not by its delta"; }
	n=$(ls "$T/d/expiry.d" 2>/dev/null | grep -c '^[0-9]\{6\}$' || true)
	if [ "$n" -gt 0 ]; then
		segs=$((segs + 1))
		[ "$n" -gt "$maxsegs" ] && maxsegs=$n
		[ "$(stat -c %Y.%i "$T/d/expiry")" = "$before" ] || [ "$n" = 1 ] ||
			fail "serial $k: the base was rewritten beside $n segments"
		[ "$(sed -n 2p "$T/d/expiry")" = "$base_rev" ] || [ "$n" = 1 ] ||
			fail "serial $k: the base names another revision under its segments"
	else
		folds=$((folds + 1))
		sed -n 2p "$T/d/expiry" | grep -qx "revision session_${S}_serial_$k" ||
			fail "serial $k: folded base names another revision"
	fi
	base_rev=$(sed -n 2p "$T/d/expiry")
	same_summary "$k"
	[ "$k" = $N ] || rm -rf "$T/e$k"
done
[ "$maxsegs" -ge 3 ] || fail "never more than $maxsegs segments: the journal is not used"
[ "$folds" -ge 1 ] || fail "the segments were never folded into a new base"
[ "$n" -ge 2 ] || fail "serial $N: $n segments, the cases below want 2 or more"
ok "$((N - 1)) delta syncs: $segs with segments (up to $maxsegs), $folds folded; each summary equals the tree's"

LD_PRELOAD="$FAKELIB" FAKETIME="@2019-04-13 12:00:00" "$RSYNCSWAP" status --json -s "$T/d" -r "$T/r" | sed -n '/"expiry"/,$p' >"$T/d.status" || true
LD_PRELOAD="$FAKELIB" FAKETIME="@2019-04-13 12:00:00" "$RSYNCSWAP" status --json -s "$T/e$N" | sed -n '/"expiry"/,$p' >"$T/e.status" || true
[ -s "$T/d.status" ] && cmp -s "$T/d.status" "$T/e.status" || { diff "$T/d.status" "$T/e.status" | head; fail "status shows the two summaries differently"; }
ok "status shows the summary with segments as the one read from the tree"

# A run killed after the state and before its segment: the summary is of
# the revision before, and says so; the next run reads the served one.
cp -a "$T/d" "$T/d.seg"
cp "$T/e.sorted" "$T/e.seg"
K=$N
"$RSYNCSWAP" status -s "$T/d" -r "$T/r" >"$T/status" 2>/dev/null || :
grep -q "expiry: not known" "$T/status" && { cat "$T/status"; fail "status: summary not known before the test"; }
last=$(ls "$T/d/expiry.d" | grep '^[0-9]\{6\}$' | tail -1)
rm "$T/d/expiry.d/$last"
"$RSYNCSWAP" status -s "$T/d" -r "$T/r" >"$T/status" 2>/dev/null || :
grep -q "expiry: not known (the summary is of session_${S}_serial_$((K - 1))" "$T/status" ||
	{ cat "$T/status"; fail "status shows the summary of serial $((K - 1)) as the served one's"; }
"$RSYNCSWAP" sync -q -s "$T/d" -r "$T/r" --source-uri-base "$SRC" $U || fail "up-to-date run"
expiry_flat "$T/d" | sort | cmp -s - "$T/e.seg" || fail "an up-to-date run did not read the served revision again"
ok "a missing last segment: the summary is of the revision before, and is read again"

# A segment that does not fit the chain (another prev, or a gap) is not
# read.
rm -rf "$T/d" && cp -a "$T/d.seg" "$T/d"
next=$(printf '%06d' $(( $(ls "$T/d/expiry.d" | grep -c '^[0-9]\{6\}$') + 1 )))
printf 'rsyncswap-expiry-segment 1\nbase %s\nprev session_%s_serial_1\nrevision session_%s_serial_99\ntouched repo\nobjects 0\ndamaged 0\ndropped 0\nnewest-update -\nend\n' \
	"$(sed -n 2p "$T/d/expiry" | cut -d' ' -f2)" "$S" "$S" >"$T/d/expiry.d/$next"
printf 'rsyncswap-expiry-segment 1\nbase x\nprev x\nrevision x\nend\n' >"$T/d/expiry.d/000999"
expiry_flat "$T/d" | sort | cmp -s - "$T/e.seg" || fail "a segment that does not fit was read"
"$RSYNCSWAP" status -s "$T/d" -r "$T/r" >"$T/status" 2>/dev/null || :
grep -q "expiry: not known" "$T/status" && { cat "$T/status"; fail "a segment that does not fit hid the summary"; }
ok "segments that do not fit the chain are not read"

# A damaged segment that fits is an error; the next run reads the tree.
rm -rf "$T/d" && cp -a "$T/d.seg" "$T/d"
last=$(ls "$T/d/expiry.d" | grep '^[0-9]\{6\}$' | tail -1)
sed -i '$d' "$T/d/expiry.d/$last"
expiry_flat "$T/d" >/dev/null 2>"$T/err" && fail "a truncated segment was read"
grep -q "truncated" "$T/err" || { cat "$T/err"; fail "no word of the truncated segment"; }
"$RSYNCSWAP" status -s "$T/d" -r "$T/r" >"$T/status" 2>/dev/null || :
grep -q "expiry: not known (.*truncated" "$T/status" || { cat "$T/status"; fail "status does not say the summary is damaged"; }
"$RSYNCSWAP" sync -q -s "$T/d" -r "$T/r" --source-uri-base "$SRC" $U || fail "run after a damaged segment"
expiry_flat "$T/d" | sort | cmp -s - "$T/e.seg" || fail "a run after a damaged segment did not read the served revision again"
[ -z "$(ls "$T/d/expiry.d" 2>/dev/null)" ] || fail "the damaged chain's segments were left beside the new base"
ok "a damaged segment: status says so, the next run reads the tree again"

# The base file truncated: status says so, and the next (up-to-date) run
# reads the served revision again. Damaged inside, it shows only when read
# whole: status says to remove it, and once it is gone the next run reads
# the served revision again.
rm -rf "$T/d" && cp -a "$T/d.seg" "$T/d"
sed -i '$d' "$T/d/expiry"
"$RSYNCSWAP" status -s "$T/d" -r "$T/r" >"$T/status" 2>/dev/null || :
grep -q "expiry: not known (.*expiry: truncated.*; the next sync reads" "$T/status" || { cat "$T/status"; fail "status does not say the base is truncated"; }
"$RSYNCSWAP" sync -q -s "$T/d" -r "$T/r" --source-uri-base "$SRC" $U || fail "run after a truncated base"
expiry_flat "$T/d" | sort | cmp -s - "$T/e.seg" || fail "a run after a truncated base did not read the served revision again"
rm -rf "$T/d" && cp -a "$T/d.seg" "$T/d"
sed -i '3s/^pp [0-9]*/pp x/' "$T/d/expiry"
"$RSYNCSWAP" status -s "$T/d" -r "$T/r" >"$T/status" 2>/dev/null || :
grep -q "expiry: not known (.*line 3: damaged; remove it, and the next sync reads" "$T/status" || { cat "$T/status"; fail "status does not say to remove a base damaged inside"; }
rm "$T/d/expiry"
"$RSYNCSWAP" sync -q -s "$T/d" -r "$T/r" --source-uri-base "$SRC" $U || fail "run after a removed base"
expiry_flat "$T/d" | sort | cmp -s - "$T/e.seg" || fail "a run after a removed base did not read the served revision again"
ok "a truncated base is read again by the next run; one damaged inside, once removed"

# What is wrong with the head is said as it is: another version's file,
# an empty one, one that is no summary at all.
for c in version empty other; do
	rm -rf "$T/d" && cp -a "$T/d.seg" "$T/d"
	case $c in
	version) sed -i '1s/.*/rsyncswap-expiry 2/' "$T/d/expiry"
		 want='expiry: written by another version of rsyncswap ("rsyncswap-expiry 2"; this one reads "rsyncswap-expiry 3")' ;;
	empty)	 : >"$T/d/expiry"; want="expiry: empty" ;;
	other)	 echo garbage >"$T/d/expiry"; want='expiry: not an expiry summary (its first line is not "rsyncswap-expiry 3")' ;;
	esac
	"$RSYNCSWAP" status -s "$T/d" -r "$T/r" >"$T/status" 2>/dev/null || :
	grep -qF "$want" "$T/status" || { cat "$T/status"; fail "$c: status does not say: $want"; }
	"$RSYNCSWAP" sync -q -s "$T/d" -r "$T/r" --source-uri-base "$SRC" $U || fail "$c: run after it"
	expiry_flat "$T/d" | sort | cmp -s - "$T/e.seg" || fail "$c: the next run did not read the served revision again"
done
ok "a summary of another version, an empty one, one of no summary: each said as it is, and replaced by the next run"
