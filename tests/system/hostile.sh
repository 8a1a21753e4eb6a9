#!/bin/sh
# Hostile RRDP input after a good revision is current. For every case:
# exit 1, exactly one line on stderr that names the input (the file name in its
# URI) and matches the expected reason, `current` unchanged (readlink) and its
# tree unchanged, no new revision directory, no .tmp-* left, a canary
# directory next to the rsync dir untouched, nothing named "pwned" written
# anywhere, no /etc/passwd content echoed, and each run done within 20 s.
# At the end the good repository still syncs ("up to date": state intact).
#
# Uses: notif      the file is the notification (fetched from its own name)
#       notif-fixns  the notification with its namespace corrected to
#                  http://www.ripe.net/rpki/rrdp (HTTP://...), so that its
#                  other flaw is what must be reported
#       notif+F    ... and F (another data file) is served at the notification's
#                  snapshot URI
#       snap       the file is a snapshot; this test writes a notification that
#                  lists it with its real session, serial and sha256
#       snap-badhash  as snap, but the notification lists another sha256
#       made:X     a snapshot/delta written below (X says what is wrong)
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_cmd python3
need_rsyncswap

H=$DATA/rrdp
FV=fort-validator/test/resources/rrdp
R=$T/rsync
S=$T/state
CANARY=$T/canary

# id | file (under tests/data/rrdp) | use | public notification URI | name in message | reason (ERE, any case)
TABLE=$(cat <<EOF
xxe|rpki-client-regress/xxe.xml|notif|https://rpki.example.com/xxe.xml|xxe.xml|entit|dtd|doctype
billion-laughs|rpki-client-regress/billion_lol.xml|notif|https://rpki.example.com/billion_lol.xml|billion_lol.xml|entit|dtd|doctype
lolz|rpki-rs/lolz-notification.xml|notif|https://rpki.example.com/lolz-notification.xml|lolz-notification.xml|entit|dtd|doctype
xmlns|rpki-client-regress/notification_xmlns.xml|notif|https://rpki.example.com/notification_xmlns.xml|notification_xmlns.xml|namespace|xmlns
xmlns-upper|rpki-validator-2/test1/notification1.xml|notif|https://repo.net/repo/notification1.xml|notification1.xml|namespace|xmlns
fort-xmlns|$FV/notif-bad-xmlns.xml|notif|https://host/9d-8/notif-bad-xmlns.xml|notif-bad-xmlns.xml|namespace|xmlns
fort-version|$FV/notif-bad-version.xml|notif|https://host/9d-8/notif-bad-version.xml|notif-bad-version.xml|version
fort-hash|$FV/notif-bad-hash.xml|notif|https://host/9d-8/notif-bad-hash.xml|notif-bad-hash.xml|hash
fort-serial|$FV/notif-bad-serial.xml|notif|https://host/9d-8/notif-bad-serial.xml|notif-bad-serial.xml|serial
fort-large-serial|$FV/notif-large-serial.xml|notif|https://host/9d-8/notif-large-serial.xml|notif-large-serial.xml|serial
fort-session|$FV/notif-bad-session-id.xml|notif|https://host/9d-8/notif-bad-session-id.xml|notif-bad-session-id.xml|session
fort-uri-1|$FV/notif-bad-uri-1.xml|notif|https://host/9d-8/notif-bad-uri-1.xml|notif-bad-uri-1.xml|uri
fort-uri-2|$FV/notif-bad-uri-2.xml|notif|https://host/9d-8/notif-bad-uri-2.xml|notif-bad-uri-2.xml|uri
fort-uri-3|$FV/notif-bad-uri-3.xml|notif|https://host/9d-8/notif-bad-uri-3.xml|notif-bad-uri-3.xml|uri
fort-uri-4|$FV/notif-bad-uri-4.xml|notif|https://host/9d-8/notif-bad-uri-4.xml|notif-bad-uri-4.xml|uri|host|outside|base
broken-xml|rpki-validator-2/test4/broken_notification1.xml|notif|https://repo.net/repo/broken_notification1.xml|broken_notification1.xml|namespace|xmlns|xml|pars|mismatch|tag
broken-xml-fixns|rpki-validator-2/test4/broken_notification1.xml|notif-fixns|https://repo.net/repo/broken_notification1.xml|broken_notification1.xml|xml|pars|mismatch|tag|end
relative-uris|rpki-validator-3/repo1/notification.xml|notif|https://rrdp.example.net/rrdp/repo1/notification.xml|notification.xml|namespace|uri|hash|serial
relative-uris-fixns|rpki-validator-3/repo1/notification.xml|notif-fixns|https://rrdp.example.net/rrdp/repo1/notification.xml|notification.xml|uri|hash|serial
duplicate-deltas|rpki-rs/ripe-notification-duplicates.xml|notif|https://rrdp.ripe.net/ripe-notification-duplicates.xml|ripe-notification-duplicates.xml|duplicate
collision|rpki-monitoring/ripe-notification-collision.xml|notif+rpki-monitoring/ripe-snapshot-collision.xml|https://rrdp.ripe.net/notification.xml|snapshot.xml|duplicate|collision|twice|already|exist
session-mismatch|rpki-monitoring/ripe-notification-session-mismatch.xml|notif+rpki-monitoring/ripe-snapshot-session-mismatch.xml|https://rrdp.ripe.net/notification.xml|snapshot.xml|session
serial-2|rpki-monitoring/ripe-notification-serial-2.xml|notif+rpki-monitoring/ripe-snapshot.xml|https://rrdp.ripe.net/notification.xml|snapshot.xml|serial
wrong-snapshot-hash|rpki-monitoring/ripe-notification-1742-hash2.xml|notif+rpki-monitoring/ripe-snapshot.xml|https://rrdp.ripe.net/notification.xml|snapshot.xml|hash|empty
bad-snapshot-hash|rpki-publication-server/valid-snapshot.xml|snap-badhash|https://rrdp.example.net/rrdp/notification.xml|valid-snapshot.xml|hash
invalid-tag|rpki-publication-server/snapshot-with-invalid-tag.xml|snap|https://rrdp.example.net/rrdp/notification.xml|snapshot-with-invalid-tag.xml|tag|element|unexpected|unknown
bad-base64|$FV/snapshot-bad-publish.xml|snap|https://rrdp.example.net/rrdp/notification.xml|snapshot-bad-publish.xml|base64
path-traversal|-|made:traversal|https://rrdp.example.net/rrdp/notification.xml|made-traversal.xml|uri|path|\.\.
empty-segment|-|made:empty-segment|https://rrdp.example.net/rrdp/notification.xml|made-empty-segment.xml|uri|path|empty
not-rsync|-|made:not-rsync|https://rrdp.example.net/rrdp/notification.xml|made-not-rsync.xml|uri|rsync|scheme
no-path|-|made:no-path|https://rrdp.example.net/rrdp/notification.xml|made-no-path.xml|uri|path
EOF
)

# A good revision (krill-sync-benchmark) and the canary.
"$RSYNCSWAP" sync -s "$S" -r "$R" --cleanup-after 3600 --source-uri-base "$BENCH_SRC" "$BENCH_URI" \
	>"$T/good.out" 2>"$T/good.err" || fail "good sync: $(cat "$T/good.err")"
CUR=$(readlink "$R/current")
sorted_tree_list "$R/current/" >"$T/tree.before"
ls -a "$R" >"$T/ls.before"
mkdir -p "$CANARY/sub"
echo "do not touch" >"$CANARY/file"
echo "nor this" >"$CANARY/sub/file"
touch -d '2001-01-01 00:00:00' "$CANARY/file" "$CANARY/sub/file" "$CANARY/sub" "$CANARY"
canary_state() { (cd "$CANARY" && find . -printf '%p %s %T@ %m %i\n' | LC_ALL=C sort); }
canary_state >"$T/canary.before"

# made_snapshot KIND DIR: a one-object snapshot whose URI is hostile.
made_snapshot() {
	case $1 in
	traversal) u='rsync://localhost/repo/../../canary/pwned' ;;
	empty-segment) u='rsync://localhost/repo//pwned.cer' ;;
	not-rsync) u='https://localhost/repo/pwned.cer' ;;
	no-path) u='rsync://localhost/pwned' ;;
	esac
	printf 'pwned\n' >"$2/made-$1.obj"
	python3 "$RRDPGEN" snapshot "$2/made-$1.xml" 0b6c4b1e-5d6a-4a55-9d55-3f0a4c0e7a01 7 "$u" "$2/made-$1.obj"
	rm -f "$2/made-$1.obj"
}

# (ripe-snapshot.xml also has two empty <publish> elements: a streaming
# parser may report those before it can compare the document hash at EOF.)

# wrap_snapshot FILE DIR BASE: notification DIR/notification.xml for snapshot FILE
# (its own session and serial), served as BASE<session>/<serial>/<name>.
wrap_snapshot() {
	_f=$1 _name=$(basename "$1")
	_sess=$(python3 -c 'import re,sys; print(re.search(r"<snapshot[^>]*\ssession_id=\"([^\"]*)\"", open(sys.argv[1]).read()).group(1))' "$_f")
	_ser=$(python3 -c 'import re,sys; print(re.search(r"<snapshot[^>]*\sserial=\"([^\"]*)\"", open(sys.argv[1]).read()).group(1))' "$_f")
	[ -n "$_sess" ] && [ -n "$_ser" ] || fail "cannot read session/serial of $_f"
	mkdir -p "$2/$_sess/$_ser"
	cp "$_f" "$2/$_sess/$_ser/$_name"
	make_notif "$2" "$3" "$_sess" "$_ser" "$_sess/$_ser/$_name"
}

# check_failed ID NAME REASON: the run in $T/ID.* failed as it must.
check_failed() {
	_id=$1 _name=$2 _reason=$3
	[ "$rc" -ne 124 ] || fail "$_id: still running after 20 s"
	[ "$rc" -eq 1 ] || fail "$_id: exit $rc, expected 1 (stderr: $(head -3 "$T/$_id.err"))"
	_lines=$(wc -l <"$T/$_id.err")
	if [ "${4:-}" = delta ]; then
		# A lying delta: rsyncswap warns (naming the delta) and falls back to
		# the snapshot, which here cannot be used either: one error line.
		_lines=$(grep -vc 'warning:' "$T/$_id.err" || true)
		grep -q 'error:' "$T/$_id.err" || fail "$_id: no error line: $(cat "$T/$_id.err")"
	fi
	[ "$_lines" -eq 1 ] || fail "$_id: $_lines lines on stderr, expected 1: $(head -5 "$T/$_id.err")"
	grep -qF "$_name" "$T/$_id.err" || fail "$_id: stderr does not name $_name: $(cat "$T/$_id.err")"
	grep -Eqi "$_reason" "$T/$_id.err" || fail "$_id: stderr does not match /$_reason/: $(cat "$T/$_id.err")"
	grep -q 'root:.*:0:0:' "$T/$_id.out" "$T/$_id.err" && fail "$_id: /etc/passwd content in the output"
	[ "$(readlink "$R/current")" = "$CUR" ] || fail "$_id: current -> $(readlink "$R/current"), was $CUR"
	sorted_tree_list "$R/current/" >"$T/tree.after"
	same_list "$T/tree.after" "$T/tree.before" "$_id: tree of current changed"
	ls -a "$R" >"$T/ls.after"
	same_list "$T/ls.after" "$T/ls.before" "$_id: entries of the rsync dir changed (new revision or .tmp-* left)"
	canary_state >"$T/canary.after"
	same_list "$T/canary.after" "$T/canary.before" "$_id: canary changed"
	_p=$(find "$T" "$(dirname "$T")" -maxdepth 4 -name pwned -print -quit 2>/dev/null || true)
	[ -z "$_p" ] || fail "$_id: wrote $_p"
	echo "ok: $_id: $(cat "$T/$_id.err")"
}

# Control: the wrapping itself works (valid-snapshot.xml, wrapped like the
# hostile snapshots, syncs in a separate state), so the failures below come
# from the hostile content.
mkdir -p "$T/src/control"
wrap_snapshot "$H/rpki-publication-server/valid-snapshot.xml" "$T/src/control" https://rrdp.example.net/rrdp/
"$RSYNCSWAP" sync -s "$T/state-control" -r "$T/rsync-control" --source-uri-base "$T/src/control" \
	https://rrdp.example.net/rrdp/notification.xml >"$T/control.out" 2>"$T/control.err" ||
	fail "control (valid-snapshot.xml wrapped): $(cat "$T/control.err")"
ok "control: wrapped valid-snapshot.xml syncs: $(cat "$T/control.out")"

n=0
echo "$TABLE" | {
while IFS='|' read -r id file use uri name reason; do
	src=$T/src/$id
	mkdir -p "$src"
	base=${uri%/*}/
	notif=${uri##*/}
	case $use in
	notif|notif+*|notif-fixns)
		[ -f "$H/$file" ] || fail "$id: missing test data tests/data/rrdp/$file"
		cp "$H/$file" "$src/$notif"
		[ "$use" = notif-fixns ] && sed -i 's|xmlns="HTTP://www.ripe.net/rpki/rrdp"|xmlns="http://www.ripe.net/rpki/rrdp"|' "$src/$notif"
		case $use in notif+*)
			extra=${use#notif+}
			[ -f "$H/$extra" ] || fail "$id: missing test data tests/data/rrdp/$extra"
			snapuri=$(sed -n 's/.*<snapshot[^>]*uri="\([^"]*\)".*/\1/p' "$src/$notif" | head -1)
			case $snapuri in "$base"*) ;; *) fail "$id: snapshot $snapuri not under $base" ;; esac
			mkdir -p "$src/$(dirname "${snapuri#"$base"}")"
			cp "$H/$extra" "$src/${snapuri#"$base"}"
		esac ;;
	snap|snap-badhash)
		[ -f "$H/$file" ] || fail "$id: missing test data tests/data/rrdp/$file"
		wrap_snapshot "$H/$file" "$src" "$base"
		if [ "$use" = snap-badhash ]; then
			good=$(sha256sum <"$H/$file" | cut -d' ' -f1)
			bad=$(echo "not $file" | sha256sum | cut -d' ' -f1)
			sed -i "s/$good/$bad/" "$src/notification.xml"
			grep -q "$bad" "$src/notification.xml" || fail "$id: could not change the hash"
		fi ;;
	made:*)
		made_snapshot "${use#made:}" "$T"
		wrap_snapshot "$T/made-${use#made:}.xml" "$src" "$base" ;;
	*) fail "$id: unknown use $use" ;;
	esac
	if timeout 20 "$RSYNCSWAP" sync -s "$S" -r "$R" --cleanup-after 3600 --source-uri-base "$src" "$uri" \
		>"$T/$id.out" 2>"$T/$id.err" </dev/null; then rc=0; else rc=$?; fi
	check_failed "$id" "$name" "$reason"
	n=$((n + 1))
done
echo "$n" >"$T/count"
}
n=$(cat "$T/count")

# Deltas that lie, applied on top of krill-sync 2653 (a second state).
KS=$DATA/rrdp/krill-sync/rrdp-rev2656
SESS=e9be21e7-c537-4564-b742-64700978c6b4
KB=https://krill-ui-dev.do.nlnetlabs.nl/rrdp/
S=$T/state-k
R=$T/rsync-k
mkdir -p "$T/k2653/$SESS/2653"
cp "$KS/$SESS/2653/snapshot.xml" "$T/k2653/$SESS/2653/"
make_notif "$T/k2653" "$KB" "$SESS" 2653 "$SESS/2653/snapshot.xml"
"$RSYNCSWAP" sync -s "$S" -r "$R" --cleanup-after 3600 --source-uri-base "$T/k2653" "${KB}notification.xml" \
	>"$T/k.out" 2>"$T/k.err" || fail "sync 2653: $(cat "$T/k.err")"
CUR=$(readlink "$R/current")
sorted_tree_list "$R/current/" >"$T/tree.before"
ls -a "$R" >"$T/ls.before"

# delta_case ID PYTHON-EXPR REASON: delta 2654 rewritten by EXPR (on string d),
# listed in a notification for serial 2654 next to the 2653 snapshot (so a
# fallback to the snapshot fails too: serial 2653 != 2654). The delta must be
# named with the reason (a warning line is allowed before the one error line).
delta_case() {
	src=$T/src/$1
	mkdir -p "$src/$SESS/2653" "$src/$SESS/2654"
	cp "$KS/$SESS/2653/snapshot.xml" "$src/$SESS/2653/"
	python3 - "$KS/$SESS/2654/delta.xml" "$src/$SESS/2654/$1.xml" "$2" <<'EOF'
import sys, re
d = open(sys.argv[1]).read()
d2 = eval(sys.argv[3])
assert d2 != d, "expression changed nothing"
open(sys.argv[2], "w").write(d2)
EOF
	make_notif "$src" "$KB" "$SESS" 2654 "$SESS/2653/snapshot.xml" 2654 "$SESS/2654/$1.xml"
	if timeout 20 "$RSYNCSWAP" sync -s "$S" -r "$R" --cleanup-after 3600 --source-uri-base "$src" "${KB}notification.xml" \
		>"$T/$1.out" 2>"$T/$1.err" </dev/null; then rc=0; else rc=$?; fi
	check_failed "$1" "$1.xml" "$3" delta
	n=$((n + 1))
}
# The object a publish replaces does not have the hash the delta claims.
delta_case delta-wrong-hash \
	're.sub(r"(<publish [^>]*hash=\")[0-9a-fA-F]{64}", lambda m: m.group(1) + "0" * 64, d, count=1)' 'hash'
# A publish without hash for an object that exists (RFC 8182: must be a replace).
delta_case delta-no-hash \
	're.sub(r"(<publish [^>]*?) hash=\"[0-9a-fA-F]{64}\"", r"\1", d, count=1)' 'exist|hash'
# A withdraw of an object that is not there.
delta_case delta-withdraw-missing \
	'd.replace("</delta>", "<withdraw uri=\"rsync://krill-ui-dev.do.nlnetlabs.nl/repo/no-such-object.roa\" hash=\"" + "1" * 64 + "\"/>\n</delta>")' 'exist|not found|no such|missing|withdraw'
# The delta's serial is not the one the notification lists it under.
delta_case delta-wrong-serial \
	'd.replace("serial=\"2654\"", "serial=\"2655\"", 1)' 'serial'

# The good repository is still current and up to date.
S=$T/state
R=$T/rsync
"$RSYNCSWAP" sync -s "$S" -r "$R" --cleanup-after 3600 --source-uri-base "$BENCH_SRC" "$BENCH_URI" \
	>"$T/good2.out" 2>"$T/good2.err" || fail "good sync after hostile input: $(cat "$T/good2.err")"
grep -qi 'up to date' "$T/good2.out" || fail "good sync after hostile input did not say up to date: $(cat "$T/good2.out")"
ok "$n hostile inputs refused"
