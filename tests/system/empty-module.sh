# A repository that becomes empty (krill-sync #62; a hosted Krill that
# "initialized an empty repository") still has its module directory in
# every revision, so rsyncd serves an empty module instead of answering
# "chdir failed"; deltas that withdraw a module's last object keep it too.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes"
need_cmd rsync

S=4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d
B=https://rrdp.example.net/rrdp/
U=${B}notification.xml
SRC="$T/src"
mkdir -p "$SRC/s"
printf 'object\n' >"$T/obj"
h=$(sha256sum <"$T/obj" | cut -d' ' -f1)
python3 "$RRDPGEN" snapshot "$SRC/s/1.xml" $S 1 rsync://rpki.example.net/repo/a/o.cer "$T/obj"
make_notif "$SRC" "$B" $S 1 s/1.xml
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$SRC" $U || fail "serial 1"

# Serial 2 by a delta that withdraws the only object; serial 3 an empty
# snapshot of a new session.
python3 "$RRDPGEN" delta "$SRC/s/d2.xml" $S 2 withdraw rsync://rpki.example.net/repo/a/o.cer "$h"
python3 "$RRDPGEN" snapshot "$SRC/s/2.xml" $S 2
make_notif "$SRC" "$B" $S 2 s/2.xml 2 s/d2.xml
# The shrink guard refuses an emptied repository by default (100% fewer).
"$RSYNCSWAP" sync -s "$T/st" --source-uri-base "$SRC" $U >"$T/out" 2>"$T/err" &&
	fail "serial 2: an emptied repository passed the shrink guard"
grep -q "refused: shrink: 0 objects, 100% fewer" "$T/err" || fail "serial 2: $(cat "$T/err")"
"$RSYNCSWAP" sync -s "$T/st" --max-shrink 100 --source-uri-base "$SRC" $U >"$T/out" || fail "serial 2"
grep -q "serial 2: delta 2, 0 objects" "$T/out" || fail "serial 2 was not a delta: $(cat "$T/out")"
[ -d "$T/st/rsync/current/repo" ] || fail "the delta that emptied the module removed its directory"
python3 "$RRDPGEN" snapshot "$SRC/s/3.xml" $S 3
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

# A repository that starts empty: no revision had the module yet, so
# --module names it; rsyncd serves it empty from the first sync on. Without
# --module the module does not exist (nothing says it should).
S2=5c6d7e8f-9012-4b3c-8d4e-5f6a7b8c9d0e
python3 "$RRDPGEN" snapshot "$SRC/s/new1.xml" $S2 1
make_notif "$SRC" "$B" $S2 1 s/new1.xml
"$RSYNCSWAP" sync -q -s "$T/new0" --source-uri-base "$SRC" $U || fail "empty start without --module"
[ ! -e "$T/new0/rsync/current/repo" ] || fail "a module directory appeared from nowhere"
"$RSYNCSWAP" sync -q -s "$T/new" --module rsync://rpki.example.net/repo/ --module rsync://rpki.example.net/ta \
	--source-uri-base "$SRC" $U || fail "empty start with --module"
[ -d "$T/new/rsync/current/repo" ] && [ -d "$T/new/rsync/current/ta" ] ||
	fail "--module did not make the module directories"
"$RSYNCSWAP" sync -q -s "$T/newh" --include-host --module rsync://RPKI.example.net:873/repo/ \
	--source-uri-base "$SRC" $U || fail "empty start with --module --include-host"
[ -d "$T/newh/rsync/current/rpki.example.net/repo" ] || fail "--module with --include-host: no host/module directory"
example_conf "$T/new/rsync" "$T/rsyncd2.conf"
P2=$(free_port)
start_rsyncd "$T/rsyncd2.conf" "$P2"
rsync -rt "rsync://127.0.0.1:$P2/repo/" "$T/copy2/" 2>"$T/rsync2.err" ||
	{ cat "$T/rsync2.err"; fail "rsync of the module named by --module: exit $?"; }
ok "a repository that starts empty: --module makes its module directories, rsyncd serves them"

# --module given later, while the node is up to date: the served revision
# lacks the module, so the snapshot is taken and exchanged for it.
"$RSYNCSWAP" sync -s "$T/new" --module rsync://rpki.example.net/repo/ --module rsync://rpki.example.net/ta \
	--module rsync://rpki.example.net/late/ --source-uri-base "$SRC" $U >"$T/late.out" 2>"$T/late.err" ||
	{ cat "$T/late.err"; fail "--module added later"; }
grep -q "late/: .* has no late; taking the snapshot to add it" "$T/late.err" || { cat "$T/late.err"; fail "no word why the snapshot is taken"; }
[ -d "$T/new/rsync/current/late" ] || fail "a --module added later was not made"
ok "a --module added to an up-to-date node is made at once (the snapshot, exchanged)"

# A repository whose objects have a host: --module of another host fails.
refused_module() {	# refused_module WORD ARGS...
	_w=$1; shift
	rc=0; "$RSYNCSWAP" sync -q "$@" 2>"$T/err" || rc=$?
	[ "$rc" = 1 ] && grep -q -- "$_w" "$T/err" || { cat "$T/err"; fail "--module: exit $rc, wanted 1 with '$_w'"; }
}
make_notif "$SRC" "$B" $S 1 s/1.xml
refused_module "host otherhost.example is not the repository's host rpki.example.net" \
	-s "$T/hosts" --module rsync://otherhost.example/ta/ --source-uri-base "$SRC" $U
[ ! -e "$T/hosts/rsync/current" ] || fail "a refused --module served something"
ok "--module of another host than the repository's fails the run, naming both"

for bad in "rsync://rpki.example.net/" "rsync://rpki.example.net" "rsync://rpki.example.net/repo/a/b" "https://rpki.example.net/repo/" "rsync://rpki.example.net/../"; do
	rc=0; "$RSYNCSWAP" sync -q -s "$T/bad" --module "$bad" --source-uri-base "$SRC" $U 2>"$T/err" || rc=$?
	[ "$rc" = 2 ] && grep -q -- "--module \"$bad\"" "$T/err" || { cat "$T/err"; fail "--module $bad: exit $rc"; }
done
[ ! -e "$T/bad" ] || fail "a refused --module created the state"
ok "--module refuses what is not rsync://HOST/MODULE/, naming it"
