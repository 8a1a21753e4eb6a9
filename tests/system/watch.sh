# rsyncswap watch with a local back-end: a new notification is live for an
# rsync client within 2 s; ten notifications in quick succession end in the
# last serial with no temp dirs; SIGTERM during a large snapshot build stops
# cleanly; metrics and status --json parse.
# also on btrfs
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with use chroot = yes (as rsyncd.conf.example)"
need_cmd rsync

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
SRC="$T/src"

# --- serial 1 now, serial 2 four seconds later
"$SIM" --dir "$SRC" --objects 300 --changes 5 --revisions 1 --interval 4 \
	--record "$T/rec" >"$T/origin.log" &
PIDS="$PIDS $!"
wait_for 10 test -f "$SRC/notification.xml" || fail "origin-sim wrote nothing"

"$RSYNCSWAP" watch -v -s "$T/st" --source-uri-base "$SRC" --cleanup-after 1 \
	--metrics-file "$T/metrics.prom" $U 2>"$T/watch.log" &
WATCH=$!
PIDS="$PIDS $WATCH"
wait_for 10 current_is "$T/st/rsync" 1 || { cat "$T/watch.log"; fail "serial 1 not live"; }

P=$(free_port)
example_conf "$T/st/rsync" "$T/rsyncd.conf"
start_rsyncd "$T/rsyncd.conf" "$P"

wait_for 10 grep -q "serial 2" "$T/origin.log" || fail "origin-sim did not write serial 2"
t0=$(date +%s%N)
sed 's|^\./repo/|./|' "$T/rec/2.list" | LC_ALL=C sort >"$T/want2"
seen=""
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ]; do
	rm -rf "$T/client"
	rsync -rt "rsync://127.0.0.1:$P/repo/" "$T/client/" 2>/dev/null || true
	if [ -d "$T/client" ] && sorted_tree_list "$T/client" | cmp -s - "$T/want2"; then
		seen=$(( ($(date +%s%N) - t0) / 1000000 ))
		break
	fi
	sleep 0.1
done
[ -n "$seen" ] || { cat "$T/watch.log"; fail "serial 2 not seen by an rsync client within 3 s"; }
[ "$seen" -le 2000 ] || fail "serial 2 seen after $seen ms (more than 2 s)"
ok "new notification live for an rsync client after $seen ms"

# --- ten notifications in quick succession (a new session)
"$SIM" --dir "$SRC" --objects 300 --changes 5 --revisions 9 --interval 0.05 \
	--seed 2 --record "$T/rec2" >"$T/origin2.log"
S2=$(sed -n 's/.*session_id="\([^"]*\)".*/\1/p' "$SRC/notification.xml" | head -1)
wait_for 10 current_is "$T/st/rsync" 10 || { tail "$T/watch.log"; fail "serial 10 not reached"; }
case $(readlink "$T/st/rsync/current") in *"$S2"*) ;; *) fail "not the new session" ;; esac
sleep 0.5
[ -z "$(ls -A "$T/st/rsync" | grep '^\.tmp-')" ] || fail "temp dirs left: $(ls -A "$T/st/rsync")"
sorted_tree_list "$(current_rev "$T/st/rsync")" >"$T/got10"
LC_ALL=C sort "$T/rec2/10.list" | cmp -s - "$T/got10" || fail "serial 10 tree differs from the origin's record"
ok "ten notifications: serial 10, exact tree, no temp dirs"

# --- metrics and status
wait_for 5 grep -q '^rsyncswap_serial 10$' "$T/metrics.prom" || fail "metrics do not say serial 10"
check_prometheus "$T/metrics.prom"
grep -q '^rsyncswap_revisions_on_disk ' "$T/metrics.prom" || fail "no revisions_on_disk"
# Exit 0 serving, 5 when the generated objects' manifests are past
# nextUpdate: both serve.
rc=0; "$RSYNCSWAP" status --json -s "$T/st" >"$T/status.json" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 5 ] || fail "status --json exit $rc"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["serial"]==10 and d["current"].endswith("_serial_10"), d' \
	"$T/status.json" || fail "status --json"
"$RSYNCSWAP" status -s "$T/st" | grep -q "^current: session_${S2}_serial_10" || fail "status text"
ok "metrics parse as Prometheus text; status --json parses"

# --- SIGTERM: clean stop, exit 0
kill -TERM "$WATCH"
wait "$WATCH" || fail "watch exited $? on SIGTERM"
ok "SIGTERM when idle: exit 0"

# --- SIGTERM during a large snapshot build (another new session)
before=$(readlink "$T/st/rsync/current")
"$SIM" --dir "$T/big" --objects 30000 --seed 3 --base-uri https://origin.example/rrdp/ >/dev/null
"$RSYNCSWAP" watch -v -s "$T/st" --source-uri-base "$T/big" $U 2>"$T/watch2.log" &
WATCH=$!
PIDS="$PIDS $WATCH"
# At once: on a tmpfs the whole build takes about a second.
wait_for 20 sh -c "ls -A '$T/st/rsync' | grep -q '^\.tmp-'" || fail "no build started"
kill -TERM "$WATCH"
wait "$WATCH" || { cat "$T/watch2.log"; fail "watch exited $? on SIGTERM during a build"; }
[ "$(readlink "$T/st/rsync/current")" = "$before" ] || fail "current changed"
grep -q "interrupted" "$T/watch2.log" || { cat "$T/watch2.log"; fail "the build was not interrupted (too fast?)"; }
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$SRC" $U || fail "next start failed"
[ -z "$(ls -A "$T/st/rsync" | grep '^\.tmp-')" ] || fail "temp dirs after the next start"
ok "SIGTERM during a snapshot build: exit 0, current intact, no temp dirs"
