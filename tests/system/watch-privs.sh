# Privileges: watch started as root with --user drops to that user keeping
# only CAP_CHOWN, so current is owned by root and rsyncd works with
# `use chroot = no`; its sweeper has no capabilities at all and removes a
# revision holding a planted symlink without touching the outside. Started
# without the means, it says which rsyncd setting works, and both rsyncd
# settings behave as it says.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "starts as root and drops to nobody"
need_cmd setpriv
id nobody >/dev/null 2>&1 || skip "no user nobody"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
SRC="$T/src"
"$SIM" --dir "$SRC" --objects 100 >/dev/null
mkdir -p "$T/outside" && echo keep >"$T/outside/file"

# serve RSYNC_DIR yes|no: serves RSYNC_DIR through a config made from
# rsyncd.conf.example with `use chroot` set as given, fetches module repo
# and returns rsync's exit code.
serve() {
	_p=$(free_port)
	example_conf "$1" "$T/r$_p.conf"
	sed -i "s/^\([[:space:]]*use chroot[[:space:]]*=\).*/\1 $2/" "$T/r$_p.conf"
	grep -q "use chroot = $2" "$T/r$_p.conf" || fail "could not set use chroot = $2"
	start_rsyncd "$T/r$_p.conf" "$_p"
	rm -rf "$T/client"
	set +e
	rsync -rt "rsync://127.0.0.1:$_p/repo/" "$T/client/" 2>"$T/client.err"
	_rc=$?
	set -e
	return $_rc
}

# --- root with --user nobody
"$RSYNCSWAP" watch -vv --user nobody -s "$T/st" --cleanup-after 1 \
	--source-uri-base "$SRC" $U 2>"$T/watch.log" &
W=$!
PIDS="$PIDS $W"
wait_for 10 current_is "$T/st/rsync" 1 || { cat "$T/watch.log"; fail "serial 1 not live"; }
[ "$(stat -c %U "$T/st/rsync/current")" = root ] || fail "current not owned by root"
[ "$(stat -c %U "$(current_rev "$T/st/rsync")")" = nobody ] || fail "revision not owned by nobody"
grep -q '^Uid:[[:space:]]*65534' /proc/$W/status || fail "watch does not run as nobody"
eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/$W/status)
[ "$eff" = 0000000000000001 ] || fail "watch keeps capabilities $eff, want CAP_CHOWN only"
ok "root --user nobody: runs as nobody with CAP_CHOWN only; current owned by root"

serve "$T/st/rsync" no || { cat "$T/client.err"; fail "use chroot = no refused a root-owned current"; }
ok "rsyncd with use chroot = no serves it"

# Plant a symlink to the outside inside revision 1, then replace it.
old=$(current_rev "$T/st/rsync")
ln -s "$T/outside" "$old/repo/evil"
"$SIM" --dir "$SRC" --objects 100 --revisions 1 >/dev/null
wait_for 10 current_is "$T/st/rsync" 2 || fail "serial 2 not live"
wait_for 10 test ! -e "$old" || { cat "$T/watch.log"; fail "revision 1 not swept"; }
[ "$(cat "$T/outside/file")" = keep ] || fail "the outside was touched"
ok "revision with a planted symlink swept, outside untouched"

line=$(grep 'sweeper: Uid' "$T/watch.log" | tail -1)
[ -n "$line" ] || { cat "$T/watch.log"; fail "no sweeper status logged at -vv"; }
echo "$line"
echo "$line" | grep -q 'Uid: 65534 65534 65534 65534' || fail "sweeper not nobody"
for c in CapInh CapPrm CapEff CapAmb; do
	echo "$line" | grep -q "$c: 0000000000000000" || fail "sweeper $c not 0"
done
echo "$line" | grep -q 'NoNewPrivs: 1' || fail "sweeper without no_new_privs"
ok "sweeper: uid nobody, CapInh/CapPrm/CapEff/CapAmb 0, no_new_privs"
kill -TERM "$W"; wait "$W" || fail "watch exit $?"

# --- without the means: started as nobody, no capabilities
mkdir -p "$T/st2" && chown nobody "$T/st2"
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$RSYNCSWAP" watch -s "$T/st2" --source-uri-base "$SRC" $U 2>"$T/watch2.log" &
W=$!
PIDS="$PIDS $W"
wait_for 10 current_is "$T/st2/rsync" 2 || { cat "$T/watch2.log"; fail "unprivileged: not live"; }
kill -TERM "$W"; wait "$W" || fail "watch exit $?"
[ "$(grep -c 'use chroot = yes' "$T/watch2.log")" = 1 ] ||
	{ cat "$T/watch2.log"; fail "no one-line advice on use chroot"; }
[ "$(stat -c %U "$T/st2/rsync/current")" = nobody ] || fail "current should be nobody's"
if serve "$T/st2/rsync" no; then fail "use chroot = no served a symlink owned by nobody"; fi
grep -q "chdir failed" "$T/client.err" || { cat "$T/client.err"; fail "unexpected refusal"; }
serve "$T/st2/rsync" yes || { cat "$T/client.err"; fail "use chroot = yes refused"; }
ok "without the means: advice logged; chroot = no refuses, chroot = yes serves"
