# Nonsense is refused, and checks over nothing do not pass: each case
# exits non-zero with one line naming the input, and creates nothing.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
U=$BENCH_URI

refused() {	# refused EXIT WORD ARGS...: exit EXIT, one line that says WORD
	_want=$1 _word=$2; shift 2
	set +e
	"$RSYNCSWAP" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	set -e
	[ "$_rc" = "$_want" ] || { cat "$T/err"; fail "rsyncswap $*: exit $_rc, want $_want"; }
	[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "rsyncswap $*: want one line on stderr"; }
	grep -q -- "$_word" "$T/err" || { cat "$T/err"; fail "rsyncswap $*: stderr does not say '$_word'"; }
}
refused 2 "options go after" -s "$T/st" sync $U
refused 2 "exclude each other" sync -q -v -s "$T/st" $U
refused 2 "needs --rrdp-dir" sync --rrdp-notify-delay 5 -s "$T/st" $U
refused 2 "needs --rrdp-dir" watch --rrdp-max-deltas 5 -s "$T/st" $U
refused 2 "exclude each other" sync --flat --include-host -s "$T/st" $U
refused 2 "unknown command" help frobnicate
refused 2 "--state-dir: empty DIR" sync -s "" $U
refused 2 "--rsync-dir: empty DIR" sweep -r ""
refused 2 "--cleanup-max 60 is shorter than --cleanup-after 600" watch --cleanup-after 600 --cleanup-max 60 -s "$T/st" $U
refused 2 "--cleanup-max 60 is shorter than --cleanup-after 7200" sync --cleanup-max 60 -s "$T/st" $U
[ ! -e "$T/st" ] || fail "a refused command created the state directory"
ok "usage nonsense refused in one line, nothing created"

"$RSYNCSWAP" help >"$T/out" && grep -q "^usage: rsyncswap COMMAND" "$T/out" || fail "rsyncswap help"
"$RSYNCSWAP" help watch >"$T/out" && grep -q -- "--interval" "$T/out" || fail "rsyncswap help watch"
ok "rsyncswap help [COMMAND]"

# sweep creates no state directory (a typo in -s must not pass).
refused 1 "$T/typo" sweep -s "$T/typo"
[ ! -e "$T/typo" ] || fail "sweep created $T/typo"
ok "sweep -s with a typo: exit 1, nothing created"

# --cleanup-after 0 is allowed, and warned about.
"$RSYNCSWAP" sync -s "$T/st0" --cleanup-after 0 --source-uri-base "$BENCH_SRC" $U >/dev/null 2>"$T/err" ||
	fail "sync --cleanup-after 0"
grep -q "warning: --cleanup-after 0" "$T/err" || { cat "$T/err"; fail "no warning for --cleanup-after 0"; }
ok "--cleanup-after 0 warned about"

# Checks over nothing fail: expiry --check of an empty tree, report with a
# state directory that does not exist.
mkdir -p "$T/empty"
set +e
"$RSYNCSWAP" expiry --check "$T/empty" >/dev/null 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "no manifest found" "$T/err" || { cat "$T/err"; fail "expiry --check on an empty tree: exit $rc"; }
"$RSYNCSWAP" expiry --check "$T/st0/rsync/current/" >/dev/null 2>&1 && :	# a real tree: checked (expired here)
echo x >"$T/rsyncd.log"
refused 1 "$T/nostate" report --state-dir "$T/nostate" "$T/rsyncd.log"
ok "expiry --check on an empty tree and report --state-dir of nothing fail"

# --metrics-file where it cannot be written: one line at start, exit 1,
# before anything is synced (with --user: as that user).
set +e
"$RSYNCSWAP" sync -s "$T/stm" --metrics-file "$T/nodir/m.prom" --source-uri-base "$BENCH_SRC" $U \
	>/dev/null 2>"$T/err"; rc=$?
set -e
[ "$rc" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "--metrics-file $T/nodir/m.prom" "$T/err" ||
	{ cat "$T/err"; fail "--metrics-file in a missing directory: exit $rc"; }
[ ! -e "$T/stm/rsync/current" ] || fail "--metrics-file refused, but synced anyway"
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	mkdir -p "$T/rootonly"; chmod 755 "$T/rootonly"
	set +e
	"$RSYNCSWAP" sync -s "$T/stn" --user nobody --metrics-file "$T/rootonly/m.prom" \
		--source-uri-base "$BENCH_SRC" $U >/dev/null 2>"$T/err"; rc=$?
	set -e
	[ "$rc" = 1 ] && grep -q "Permission denied (uid $(id -u nobody))" "$T/err" ||
		{ cat "$T/err"; fail "--metrics-file not writable by --user: exit $rc"; }
fi
ok "--metrics-file that cannot be written: one line at start"

# A read-only rsync directory: the line names it and the real cause.
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	mkdir -p "$T/ro/st" "$T/ro/rsync" "$T/ro/src"
	cp -r "$BENCH_SRC"/. "$T/ro/src/"
	chown nobody "$T/ro/st"
	chmod -R a+rX "$T/ro"
	set +e
	su nobody -s /bin/sh -c "'$RSYNCSWAP' sync -s '$T/ro/st' -r '$T/ro/rsync' --source-uri-base '$T/ro/src' $U" \
		>/dev/null 2>"$T/err"; rc=$?
	set -e
	[ "$rc" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
	    grep -q "$T/ro/rsync: cannot create a revision directory .*Permission denied" "$T/err" ||
		{ cat "$T/err"; fail "read-only rsync dir: exit $rc, not the directory and the cause"; }
	ok "a read-only rsync directory: one line with the directory and Permission denied"
fi

# The state remembers its rsync directory: sweep and status without -r
# use it; sweep with another -r refuses, naming both.
"$RSYNCSWAP" sync -q -s "$T/sr" -r "$T/elsewhere" --source-uri-base "$BENCH_SRC" $U || fail "sync -r elsewhere"
# (The 2023 sample has expired by now: exit 5, the node serves it.)
rc=0; "$RSYNCSWAP" status -s "$T/sr" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 5 ] || { cat "$T/err"; fail "status without -r: exit $rc"; }
grep -q "session_" "$T/out" || { cat "$T/out"; fail "status without -r does not show the revision in $T/elsewhere"; }
"$RSYNCSWAP" sweep -q -s "$T/sr" || fail "sweep without -r"
[ ! -e "$T/sr/rsync" ] || fail "sweep without -r used STATE-DIR/rsync, not the state's rsync dir"
mkdir -p "$T/other"
refused 1 "describes the revisions in $T/elsewhere" sweep -s "$T/sr" -r "$T/other"
ok "sweep and status find the state's rsync directory; another -r is refused"

# status on a state directory that is not there, or has no state: exit 1
# and one line on stderr that says which.
refused 1 "$T/nostatus: No such file or directory" status -s "$T/nostatus"
mkdir -p "$T/emptystate"
refused 3 "not serving: $T/emptystate/rsync: no such directory" status -s "$T/emptystate"
mkdir -p "$T/emptystate/rsync/session_00000000-0000-4000-8000-000000000000_serial_1"
ln -s session_00000000-0000-4000-8000-000000000000_serial_1 "$T/emptystate/rsync/current"
refused 1 "no state file" status -s "$T/emptystate"
ok "status without a state: exit 1 (3 when nothing is served) and one line that says why"

# A notification that is not XML at all is named as such, with its first
# bytes, not as libxml2's "Document is empty".
mkdir -p "$T/notxml"
printf '{"error": "gateway"}\n' >"$T/notxml/notification.xml"
refused 1 "not an XML document: it begins \"{'error': 'gateway'}" sync -s "$T/nx" --source-uri-base "$T/notxml" $U
ok "a non-XML notification: named with its first bytes"

# A sync without -r uses the directory the state records, a failed one
# moves nothing, and one with another -r (a typo that names an existing
# directory, or none) refuses in one line naming both, before it writes
# anything; so do watch and sweep. Moving takes removing the state. A sweep
# without a state file refuses and creates nothing.
"$RSYNCSWAP" sync -q -s "$T/mv" -r "$T/mv-rsync" --source-uri-base "$BENCH_SRC" $U || fail "sync -r mv-rsync"
"$RSYNCSWAP" sync -q -s "$T/mv" --source-uri-base "$BENCH_SRC" https://localhost:3000/rrdp/notifcation.xml 2>/dev/null &&
	fail "a sync of a mistyped URI succeeded"
[ ! -e "$T/mv/rsync" ] || fail "a failed sync without -r made STATE-DIR/rsync"
grep -q "^rsync-dir $T/mv-rsync\$" "$T/mv/state" || { cat "$T/mv/state"; fail "a failed sync moved the state's rsync dir"; }
"$RSYNCSWAP" sync -q -s "$T/mv" --source-uri-base "$BENCH_SRC" $U || fail "sync without -r"
[ ! -e "$T/mv/rsync" ] || fail "a sync without -r did not use the state's rsync dir"
mkdir -p "$T/mv-other"
cp "$T/mv/state" "$T/mv.state"
cur=$(readlink "$T/mv-rsync/current")
refused 1 "^rsyncswap: error: -r $T/mv-other: the state in $T/mv describes the revisions in $T/mv-rsync (give that -r" \
	sync -s "$T/mv" -r "$T/mv-other" --source-uri-base "$BENCH_SRC" $U
[ -z "$(ls -A "$T/mv-other")" ] || { ls -A "$T/mv-other"; fail "a sync with another -r wrote there"; }
cmp -s "$T/mv/state" "$T/mv.state" || fail "a sync with another -r changed the state"
[ "$(readlink "$T/mv-rsync/current")" = "$cur" ] || fail "a sync with another -r touched current"
refused 1 "describes the revisions in $T/mv-rsync" sync -s "$T/mv" -r "$T/mv-typo" --source-uri-base "$BENCH_SRC" $U
[ ! -e "$T/mv-typo" ] || fail "a sync with another -r made it"
refused 1 "describes the revisions in $T/mv-rsync" watch -s "$T/mv" -r "$T/mv-other" --source-uri-base "$BENCH_SRC" $U
refused 1 "describes the revisions in $T/mv-rsync" sweep -s "$T/mv" -r "$T/mv-other"
[ -z "$(ls -A "$T/mv-other")" ] && cmp -s "$T/mv/state" "$T/mv.state" || fail "watch or sweep with another -r wrote"
rm "$T/mv/state"
"$RSYNCSWAP" sync -q -s "$T/mv" -r "$T/mv-other" --source-uri-base "$BENCH_SRC" $U || fail "sync -r mv-other without a state"
grep -q "^rsync-dir $T/mv-other\$" "$T/mv/state" || { cat "$T/mv/state"; fail "the state does not record the new rsync dir"; }
rm "$T/mv/state"
refused 1 "$T/mv-nonexist: no such directory" sweep -s "$T/mv" -r "$T/mv-nonexist"
[ ! -e "$T/mv-nonexist" ] || fail "a sweep made its -r"
ok "the state's rsync dir: used by a sync without -r, kept by a failed run; another -r refused by sync, watch and sweep, nothing written; moved once the state is removed; a sweep makes no rsync dir"
