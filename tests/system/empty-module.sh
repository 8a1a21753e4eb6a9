# A repository that becomes empty (krill-sync #62; a hosted Krill that
# "initialized an empty repository") still has its module directory in
# every revision, so rsyncd serves an empty module instead of answering
# "chdir failed"; deltas that withdraw a module's last object keep it too.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes"
need_cmd rsync

S=4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d
B=https://rrdp.example.net/rrdp/
U=${B}notification.xml
SRC="$T/src"
mkdir -p "$SRC/s"
obj=$(printf 'object\n' | base64 -w0)
h=$(printf 'object\n' | sha256sum | cut -d' ' -f1)
printf '<snapshot xmlns="http://www.ripe.net/rpki/rrdp" version="1" session_id="%s" serial="1"><publish uri="rsync://rpki.example.net/repo/a/o.cer">%s</publish></snapshot>\n' $S "$obj" >"$SRC/s/1.xml"
make_notif "$SRC" "$B" $S 1 s/1.xml
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$SRC" $U || fail "serial 1"

# Serial 2 by a delta that withdraws the only object; serial 3 an empty
# snapshot of a new session.
printf '<delta xmlns="http://www.ripe.net/rpki/rrdp" version="1" session_id="%s" serial="2"><withdraw uri="rsync://rpki.example.net/repo/a/o.cer" hash="%s"/></delta>\n' $S "$h" >"$SRC/s/d2.xml"
printf '<snapshot xmlns="http://www.ripe.net/rpki/rrdp" version="1" session_id="%s" serial="2"></snapshot>\n' $S >"$SRC/s/2.xml"
make_notif "$SRC" "$B" $S 2 s/2.xml 2 s/d2.xml
# The shrink guard refuses an emptied repository by default (100% fewer).
"$RSYNCSWAP" sync -s "$T/st" --source-uri-base "$SRC" $U >"$T/out" 2>"$T/err" &&
	fail "serial 2: an emptied repository passed the shrink guard"
grep -q "refused: shrink: 0 objects, 100% fewer" "$T/err" || fail "serial 2: $(cat "$T/err")"
"$RSYNCSWAP" sync -s "$T/st" --max-shrink 100 --source-uri-base "$SRC" $U >"$T/out" || fail "serial 2"
grep -q "deltas 2-2" "$T/out" || fail "serial 2 was not a delta: $(cat "$T/out")"
[ -d "$T/st/rsync/current/repo" ] || fail "the delta that emptied the module removed its directory"
printf '<snapshot xmlns="http://www.ripe.net/rpki/rrdp" version="1" session_id="%s" serial="3"></snapshot>\n' $S >"$SRC/s/3.xml"
make_notif "$SRC" "$B" $S 3 s/3.xml
"$RSYNCSWAP" sync -s "$T/st" --source-uri-base "$SRC" $U >"$T/out" || fail "serial 3"
grep -q "snapshot, 0 objects" "$T/out" || fail "serial 3: $(cat "$T/out")"
[ -d "$T/st/rsync/current/repo" ] || fail "an empty snapshot has no module directory"
ok "an emptied repository keeps its module directory (delta and snapshot)"

P=$(free_port)
example_conf "$T/st/rsync" "$T/rsyncd.conf"
start_rsyncd "$T/rsyncd.conf" "$P"
rsync -rt "rsync://127.0.0.1:$P/repo/" "$T/copy/" 2>"$T/rsync.err" ||
	{ cat "$T/rsync.err"; fail "rsync of the empty module: exit $?"; }
[ -z "$(find "$T/copy" -type f)" ] || fail "the empty module served files"
ok "rsyncd serves the empty module (no chdir failed)"
