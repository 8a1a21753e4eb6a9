# --rrdp-dir: this node's own RRDP files. Every file validates against the
# RFC 8182 RelaxNG schema and the notification's hashes match; a second
# rsyncswap following the first over https (nginx) ends with the same tree,
# by deltas after its first run; deltas younger than 4 hours stay listed
# (BCP -07), older ones within --rrdp-max-deltas, all within the snapshot's
# size; the notification waits --rrdp-notify-delay; the sweep removes
# unlisted files two hours after they were unlisted.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd xmllint

SIM="$TOP/scripts/origin-sim"
RNG="$DATA/rrdp/dragonresearch-rpki.net/schemas/relaxng/rrdp.rng"
U=https://origin.example/rrdp/notification.xml
A=https://a.example/rrdp/
OUT="$T/www/rrdp"
mkdir -p "$T/www"

sim() {	# sim REVISIONS [options]: the origin after REVISIONS more serials
	"$SIM" --dir "$T/src" --objects 60 --changes 4 --revisions "$@" >/dev/null
}
sync_a() {
	"$RSYNCSWAP" sync -s "$T/a" --source-uri-base "$T/src" --rrdp-dir "$OUT" \
		--rrdp-base-uri "$A" "$@" $U >"$T/a.out" 2>"$T/a.err" ||
		{ cat "$T/a.out" "$T/a.err"; fail "sync A $*"; }
}
# check_output: every file validates; every listed hash matches its file.
check_output() {
	find "$OUT" -name '*.xml' | while read -r f; do
		xmllint --noout --relaxng "$RNG" "$f" 2>"$T/xmllint.err" ||
			{ cat "$T/xmllint.err"; fail "$f does not validate"; }
	done
	python3 - "$OUT" "$A" <<'PYEOF' || fail "notification hashes"
import hashlib, sys, xml.etree.ElementTree as ET
out, base = sys.argv[1], sys.argv[2]
n = ET.parse(out + "/notification.xml").getroot()
for el in n:
    rel = el.get("uri")[len(base):]
    h = hashlib.sha256(open(out + "/" + rel, "rb").read()).hexdigest()
    assert h == el.get("hash"), (rel, h, el.get("hash"))
PYEOF
}
listed_deltas() { grep -c '<delta ' "$OUT/notification.xml" || true; }

sim 0
sync_a
sim 2
sync_a
grep -q "deltas 2-3" "$T/a.out" || fail "A did not follow deltas: $(cat "$T/a.out")"
check_output
[ "$(listed_deltas)" = 2 ] || fail "want deltas 3 and 2 listed: $(cat "$OUT/notification.xml")"
ok "every file validates against the RelaxNG schema; hashes match"

# --- B follows A over https
start_nginx "$T/www"
B() {
	"$RSYNCSWAP" sync -s "$T/b" --ca-file "$T/pki/ca.pem" \
		--source-uri-base "https://127.0.0.1:$NGINX_PORT/rrdp/" \
		"${A}notification.xml" >"$T/b.out" 2>"$T/b.err" ||
		{ cat "$T/b.out" "$T/b.err"; fail "sync B"; }
}
B
grep -q "serial 3: snapshot" "$T/b.out" || fail "B first run: $(cat "$T/b.out")"
sim 4
sync_a
chmod -R a+rX "$T/www"
B
grep -q "serial 5: deltas 4-5" "$T/b.out" || fail "B second run did not follow deltas: $(cat "$T/b.out")"
[ -z "$(rsync -rtn --itemize-changes "$T/a/rsync/current/" "$T/b/rsync/current/")" ] ||
	fail "B's tree differs from A's"
[ "$(sorted_tree_list "$(current_rev "$T/a/rsync")")" = "$(sorted_tree_list "$(current_rev "$T/b/rsync")")" ] ||
	fail "B's files differ from A's"
ok "B follows A over https: snapshot, then deltas; identical trees and mtimes"

# --- age (BCP -07): deltas younger than 4 hours stay listed even beyond
# --rrdp-max-deltas; older ones only within it
before=$(listed_deltas)
find "$OUT" -name delta.xml -exec touch -d '3 hours ago' {} +
sim 5
sync_a --rrdp-max-deltas 1
[ "$(listed_deltas)" = $((before + 1)) ] || fail "deltas younger than 4 hours dropped: $(cat "$OUT/notification.xml")"
ok "deltas 3 hours old stay listed beyond --rrdp-max-deltas 1 (BCP -07: at least 4 hours)"
find "$OUT" -name delta.xml -exec touch -d '5 hours ago' {} +
sim 6
sync_a --rrdp-max-deltas 2
[ "$(listed_deltas)" = 2 ] || fail "--rrdp-max-deltas 2 over 5-hour-old deltas: $(listed_deltas) listed"
grep -q 'delta serial="7"' "$OUT/notification.xml" || fail "the new delta is not listed"
grep -q 'delta serial="6"' "$OUT/notification.xml" || fail "delta 6 is not listed"
check_output
ok "deltas older than 4 hours are listed only within --rrdp-max-deltas"
find "$OUT" -name delta.xml -exec touch -d '2 hours ago' {} +
sim 7
sync_a --rrdp-max-deltas 1 --rrdp-min-delta-age 3600
[ "$(listed_deltas)" = 1 ] || fail "--rrdp-min-delta-age 3600: $(listed_deltas) listed"
ok "--rrdp-min-delta-age"

# --- unlisted documents are kept for the BCP's two hours counted from when
# they were unlisted, not from when they were written
sim 8
sync_a
old=$(find "$OUT" -path '*/9/*' -name snapshot.xml | head -1)
[ -n "$old" ] || fail "no serial 9 snapshot"
touch -d '3 hours ago' "$old" "$(dirname "$old")"
sim 9
sync_a
grep -q "$(dirname "$old" | sed "s|^$OUT/||")" "$OUT/notification.xml" &&
	fail "the serial 9 snapshot is still listed"
"$RSYNCSWAP" sweep -q -s "$T/a" --rrdp-dir "$OUT" --rrdp-base-uri "$A" --cleanup-after 3600
[ -e "$old" ] || fail "a snapshot written 3 hours ago and unlisted just now was swept"
"$RSYNCSWAP" sweep -q -s "$T/a" --rrdp-dir "$OUT" --rrdp-base-uri "$A" --cleanup-after 0 2>/dev/null
[ -e "$old" ] || fail "--cleanup-after 0 removed an RRDP file unlisted just now (BCP: two hours)"
touch -d '150 minutes ago' "$(dirname "$old")"
"$RSYNCSWAP" sweep -q -s "$T/a" --rrdp-dir "$OUT" --rrdp-base-uri "$A" --cleanup-after 0 2>/dev/null
[ ! -e "$old" ] || fail "a snapshot unlisted 150 minutes ago was kept"
check_output
ok "unlisted documents kept 2 hours from when they were unlisted, then swept"

# --- pruning by size: big deltas of a small repository
# Follow the origin serial by serial so that every delta is ours.
"$SIM" --dir "$T/src2" --objects 8 --changes 6 >/dev/null
"$RSYNCSWAP" sync -q -s "$T/c" --source-uri-base "$T/src2" --rrdp-dir "$T/out2" --rrdp-base-uri "$A" $U
for r in 1 2 3 4 5 6; do
	"$SIM" --dir "$T/src2" --objects 8 --changes 6 --revisions $r >/dev/null
	"$RSYNCSWAP" sync -q -s "$T/c" --source-uri-base "$T/src2" --rrdp-dir "$T/out2" --rrdp-base-uri "$A" $U
done
n=$(grep -c '<delta ' "$T/out2/notification.xml" || true)
python3 - "$T/out2" "$A" <<'PYEOF' || fail "delta sizes exceed the snapshot"
import os, sys, xml.etree.ElementTree as ET
out, base = sys.argv[1], sys.argv[2]
n = ET.parse(out + "/notification.xml").getroot()
size = lambda el: os.path.getsize(out + "/" + el.get("uri")[len(base):])
snap = [size(e) for e in n if e.tag.endswith("snapshot")][0]
deltas = [size(e) for e in n if e.tag.endswith("delta")]
assert sum(deltas) <= snap, (deltas, snap)
print("deltas", deltas, "snapshot", snap)
PYEOF
[ "$n" -ge 1 ] && [ "$n" -lt 6 ] || fail "size pruning: $n of 6 deltas listed"
ok "deltas that would outweigh the snapshot are dropped ($n of 6 listed)"

# --- notify delay: documents first, the notification 3 s later
sim 10
before=$(grep -o 'serial="[0-9]*"' "$OUT/notification.xml" | head -1)
t0=$(date +%s)
sync_a --rrdp-notify-delay 3 &
SP=$!
wait_for 5 sh -c "ls '$OUT'/*/11/*/delta.xml" || fail "delta 11 not written before the notification"
[ "$(grep -o 'serial="[0-9]*"' "$OUT/notification.xml" | head -1)" = "$before" ] ||
	fail "notification changed before the delay"
wait $SP
[ $(( $(date +%s) - t0 )) -ge 3 ] || fail "no delay"
grep -q 'serial="11"' "$OUT/notification.xml" || fail "notification not updated after the delay"
ok "--rrdp-notify-delay: documents first, notification after the delay"

# --- sweep: unlisted documents removed after the cleanup time
old=$(find "$OUT" -path '*/1/*' -name snapshot.xml | head -1)
[ -n "$old" ] || fail "no serial 1 snapshot to sweep"
touch -d '3 hours ago' "$(dirname "$old")"
"$RSYNCSWAP" sweep -q -s "$T/a" --rrdp-dir "$OUT" --rrdp-base-uri "$A" --cleanup-after 3600
[ ! -e "$old" ] || fail "unlisted old snapshot not swept"
check_output
ok "unlisted documents swept after the cleanup time; listed ones kept"
