# The shrink guard: a revision with more than --max-shrink percent fewer
# objects than the served one (an origin that "initialized an empty
# repository") is refused like --min-objects: exit 1, one line, current
# kept, status and metrics say "refused: shrink"; `rsyncswap accept-shrink`
# lets it through once, also while watch runs and holds the lock.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
M="$T/metrics.prom"
"$SIM" --dir "$T/a" --objects 100 --seed 1 >/dev/null
"$SIM" --dir "$T/b" --objects 30 --seed 2 >/dev/null
"$SIM" --dir "$T/c" --objects 5 --seed 3 >/dev/null

sync_from() {	# sync_from WANT-EXIT ORIGIN [options]
	_want=$1 _src=$2; shift 2
	if "$RSYNCSWAP" sync -s "$T/st" --source-uri-base "$T/$_src" \
	    --metrics-file "$M" "$@" $U >"$T/out" 2>"$T/err"; then _rc=0; else _rc=$?; fi
	[ "$_rc" = "$_want" ] || { cat "$T/out" "$T/err"; fail "sync from $_src $*: exit $_rc, want $_want"; }
}
metric() { sed -n "s/^rsyncswap_$1 //p" "$M"; }

sync_from 0 a
A=$(readlink "$T/st/rsync/current")
[ "$(metric refused_shrink)" = 0 ] || fail "refused_shrink not 0 after a good run"

# --- 100 -> 30 objects (70% fewer): refused
sync_from 1 b
[ "$(wc -l <"$T/err")" = 1 ] || fail "want one line on stderr: $(cat "$T/err")"
grep -q "refused: shrink: 30 objects, 70% fewer than the 100 of $A (--max-shrink 50" "$T/err" ||
	fail "refusal line: $(cat "$T/err")"
grep -q "$U" "$T/err" || fail "the line does not name the input: $(cat "$T/err")"
[ "$(readlink "$T/st/rsync/current")" = "$A" ] || fail "current moved"
[ -z "$(ls -A "$T/st/rsync" | grep -v -e '^current$' -e "^$A\$")" ] ||
	fail "left behind: $(ls -A "$T/st/rsync")"
[ "$(metric refused_shrink)" = 1 ] || fail "metric refused_shrink: $(metric refused_shrink)"
# Exit 0 serving, 5 once the generated manifests are past nextUpdate.
rc=0; "$RSYNCSWAP" status -s "$T/st" >"$T/status" 2>/dev/null || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 5 ] || fail "status: exit $rc"
grep -q "refused: shrink" "$T/status" || fail "status does not say refused: shrink: $(cat "$T/status")"
rc=0; "$RSYNCSWAP" status -s "$T/st" --json >"$T/status.json" 2>/dev/null || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 5 ] || fail "status --json: exit $rc"
grep -q '"last_error": ".*refused: shrink' "$T/status.json" || fail "status --json: $(cat "$T/status.json")"
ok "70% fewer objects refused: exit 1, one line, current kept, status and metrics say refused: shrink"

sync_from 1 b --max-shrink 69
ok "--max-shrink 69 refuses 70% too"

# --- accepted once, while watch runs (it holds the lock all along)
"$RSYNCSWAP" watch -s "$T/st" --source-uri-base "$T/b" --interval 1 \
	--metrics-file "$M" $U >"$T/watch.out" 2>"$T/watch.err" &
W=$!
PIDS="$PIDS $W"
wait_for 20 grep -q "refused: shrink" "$T/watch.err" || { cat "$T/watch.err"; fail "watch did not refuse"; }
[ "$(readlink "$T/st/rsync/current")" = "$A" ] || fail "watch swapped a refused revision"
"$RSYNCSWAP" accept-shrink -s "$T/st" >"$T/acc.out" 2>"$T/acc.err" || { cat "$T/acc.err"; fail "accept-shrink: exit $?"; }
grep -q "replaces $A (100 objects)" "$T/acc.out" || fail "accept-shrink says: $(cat "$T/acc.out")"
wait_for 30 sh -c "[ \"\$(readlink '$T/st/rsync/current')\" != '$A' ]" ||
	{ cat "$T/watch.err"; fail "watch did not serve the accepted revision"; }
grep -q "accepted once" "$T/watch.err" || fail "acceptance not logged: $(cat "$T/watch.err")"
B=$(readlink "$T/st/rsync/current")
wait_for 10 sh -c "[ ! -e '$T/st/accept-shrink' ]" || fail "the acceptance outlived its use"
wait_for 10 sh -c "grep -q '^rsyncswap_refused_shrink 0' '$M'" || fail "metric still says refused"
kill "$W"; wait "$W" || fail "watch exit $?"
ok "accept-shrink lets watch serve it once; the acceptance is consumed"

# --- once: the next big shrink is refused again (30 -> 5: 83%)
sync_from 1 c
grep -q "refused: shrink: 5 objects, 83% fewer than the 30 of $B" "$T/err" || fail "second shrink: $(cat "$T/err")"
# An acceptance is for the revision served when it was given.
"$RSYNCSWAP" accept-shrink -q -s "$T/st" || fail "accept-shrink -q"
sync_from 0 c
[ ! -e "$T/st/accept-shrink" ] || fail "acceptance not consumed by sync"
ok "the acceptance holds once; a later shrink is refused again, and accepted again by sync"

# --- 100: off; growth is never refused
sync_from 0 a --max-shrink 0
sync_from 0 c --max-shrink 100
ok "--max-shrink 100 turns the guard off; growing is never refused"
