# Privileges: watch started as root with --user drops to that user with no
# capability (empty bounding set, no_new_privs); a helper forked before any
# input is read keeps only CAP_CHOWN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH,
# chowns current to root, so rsyncd works with `use chroot = no`, and dies
# with its parent. The sweeper has no capabilities at all and removes a
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
# status_field PID NAME: the value of NAME: in /proc/PID/status.
status_field() { sed -n "s/^$2:[[:space:]]*//p" /proc/$1/status; }
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	v=$(status_field $W $c)
	[ "$v" = 0000000000000000 ] || fail "watch $c is $v, want 0"
done
[ "$(status_field $W NoNewPrivs)" = 1 ] || fail "watch without no_new_privs"
[ "$(status_field $W Seccomp)" = 2 ] || fail "watch without a seccomp filter"
ok "root --user nobody: watch runs as nobody, CapPrm/CapEff/CapBnd 0, no_new_privs, seccomp filter"
H=$(pgrep -P $W -x rsyncswap-priv) || fail "no helper process (rsyncswap-priv) below watch"
[ "$(echo "$H" | wc -w)" = 1 ] || fail "more than one helper: $H"
grep -q '^Uid:[[:space:]]*65534' /proc/$H/status || fail "helper does not run as nobody"
# CAP_CHOWN (0), CAP_DAC_READ_SEARCH (2), CAP_SYS_PTRACE (19): 0x80005.
for c in CapPrm CapEff CapBnd; do
	v=$(status_field $H $c)
	[ "$v" = 0000000000080005 ] || fail "helper $c is $v, want 0000000000080005"
done
[ "$(status_field $H CapInh)" = 0000000000000000 ] || fail "helper inheritable caps"
[ "$(status_field $H NoNewPrivs)" = 1 ] || fail "helper without no_new_privs"
[ "$(status_field $H Seccomp)" = 2 ] || fail "helper without a seccomp filter"
ok "helper: nobody, only CAP_CHOWN, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE, no_new_privs, seccomp"

serve "$T/st/rsync" no || { cat "$T/client.err"; fail "use chroot = no refused a root-owned current"; }
ok "rsyncd with use chroot = no serves it"

# Plant a symlink to the outside inside revision 1, then replace it.
old=$(current_rev "$T/st/rsync")
ln -s "$T/outside" "$old/repo/evil"
"$SIM" --dir "$SRC" --objects 100 --revisions 1 >/dev/null
wait_for 10 current_is "$T/st/rsync" 2 || fail "serial 2 not live"
[ "$(stat -c %U "$T/st/rsync/current")" = root ] || fail "current not owned by root after a swap"
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
wait_for 5 test ! -d /proc/$H || fail "helper $H outlived watch (SIGTERM)"

# The helper dies with its parent, even one killed outright.
"$RSYNCSWAP" watch --user nobody -s "$T/st" --source-uri-base "$SRC" $U 2>"$T/watch3.log" &
W=$!
PIDS="$PIDS $W"
wait_for 10 pgrep -P $W -x rsyncswap-priv || fail "no helper for the second watch"
H=$(pgrep -P $W -x rsyncswap-priv)
kill -KILL "$W"; wait "$W" 2>/dev/null || true
wait_for 5 test ! -d /proc/$H || fail "helper $H outlived a watch killed by SIGKILL"
ok "helper ends with its parent (SIGTERM and SIGKILL)"

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
