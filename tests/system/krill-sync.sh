# A drop-in for krill-sync: its cron line with only the command name
# changed, and its rsyncd.conf (README of NLnetLabs/krill-sync: module
# "repo", path = /var/lib/krill-sync/rsync/current/, module not in the
# tree), served by a real rsyncd to a real rsync client. Then the layout
# rules: --rsync-disable refused, --flat with two modules refused, and a
# layout change (or a lost state) replaces the same-named revision.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "rsyncd with its default use chroot = yes"
need_cmd rsync

KS="$T/krill-sync"	# stands for /var/lib/krill-sync
U=$BENCH_URI

# krill-sync's rsyncd.conf, verbatim but for the paths and a pid file.
cat >"$T/rsyncd.conf" <<EOT
uid = nobody
gid = nogroup
max connections = 50
socket options = SO_KEEPALIVE
pid file = $T/rsyncd.pid
log file = $T/rsyncd.log

[repo] ## <-- Use your public rsync module name here!
path = $KS/rsync/current/
comment = RPKI repository
read only = yes
EOT

# The cron line: "krill-sync --state-dir DIR --source_uri_base BASE/ URI"
# with the command name changed. krill-sync is silent on success.
cron() {
	"$RSYNCSWAP" krill-sync --state-dir "$KS" --source_uri_base "$BENCH_SRC/" $U \
		>"$T/cron.out" 2>&1
}
cron || { cat "$T/cron.out"; fail "cron line: exit $?"; }
[ ! -s "$T/cron.out" ] || { cat "$T/cron.out"; fail "cron line printed something (cron would mail it)"; }
cron || fail "second cron run"
[ ! -s "$T/cron.out" ] || { cat "$T/cron.out"; fail "second cron run printed something"; }
ok "krill-sync cron line: exit 0, silent, twice"

[ -L "$KS/rsync/current" ] || fail "no $KS/rsync/current"
[ ! -e "$KS/rsync/current/repo" ] || fail "the module is in the tree (krill-sync's layout has none)"
n=$(find "$KS/rsync/current/" -type f | wc -l)
[ "$n" = 135 ] || fail "current holds $n objects, want 135"
[ -f "$KS/rrdp/notification.xml" ] || fail "no RRDP output in STATE-DIR/rrdp (krill-sync's default)"
ok "flat layout, 135 objects, RRDP output in $KS/rrdp"

port=$(free_port)
start_rsyncd "$T/rsyncd.conf" "$port"
rsync -rt "rsync://127.0.0.1:$port/repo/" "$T/copy/" || fail "rsync client: exit $?"
# The same bytes and times as rsyncswap's own layout of the same serial.
"$RSYNCSWAP" sync -q -s "$T/own" --source-uri-base "$BENCH_SRC" $U || fail "own sync"
d=$(rsync -rtn --itemize-changes "$T/own/rsync/current/repo/" "$T/copy/")
[ -z "$d" ] || { echo "$d" | head; fail "served tree differs from the module tree"; }
ok "rsyncd with krill-sync's rsyncd.conf serves the repository (rsync -rtn: no difference)"

# -v gives the summary line.
"$RSYNCSWAP" krill-sync -v --state-dir "$KS" --source_uri_base "$BENCH_SRC/" $U >"$T/v.out" 2>&1
grep -q "up to date" "$T/v.out" || { cat "$T/v.out"; fail "krill-sync -v: no summary"; }
ok "krill-sync -v prints the summary"

# --rsync-disable (an RRDP-only krill-sync node): its cron line works, the
# RRDP output is there and lists the origin's session and serial.
before=$(readlink "$KS/rsync/current")
"$RSYNCSWAP" krill-sync --rsync-disable --state-dir "$T/rrdp-only" --source_uri_base "$BENCH_SRC/" $U \
	>"$T/out" 2>&1 || { cat "$T/out"; fail "--rsync-disable: exit $?"; }
[ ! -s "$T/out" ] || { cat "$T/out"; fail "--rsync-disable printed something"; }
grep -q 'session_id="cd0c701d-ff09-4e95-8f2a-fa24de875fb5" serial="3"' "$T/rrdp-only/rrdp/notification.xml" ||
	fail "--rsync-disable: no RRDP output of serial 3"
ok "--rsync-disable: RRDP output written, silent"

# Two modules and --flat: refused in one line, current untouched.
mkdir -p "$T/two/x"
NS=8c7ab5f0-1b0e-4bb5-a8d4-4a1d1d43a1a1	# a new session: the snapshot is read
sed -e 's|rsync://localhost/repo/benchmark-3/|rsync://localhost/other/benchmark-3/|' \
    -e "s|cd0c701d-ff09-4e95-8f2a-fa24de875fb5|$NS|" \
	"$BENCH_SRC"/*/3/*/snapshot.xml >"$T/two/x/snapshot.xml"
make_notif "$T/two" https://localhost:3000/rrdp/ $NS 3 x/snapshot.xml
set +e
"$RSYNCSWAP" krill-sync --state-dir "$KS" --source_uri_base "$T/two/" $U >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/err"; fail "two modules, flat: exit $rc, want 1"; }
[ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "--flat" "$T/err" || { cat "$T/err"; fail "two modules: not one line naming --flat"; }
[ "$(readlink "$KS/rsync/current")" = "$before" ] || fail "two modules: current changed"
ok "two modules with the flat layout refused; current untouched"
# With --rsync-include-host they have a tree each.
"$RSYNCSWAP" krill-sync --rsync-include-host --state-dir "$T/ks2" --source_uri_base "$T/two/" $U ||
	fail "two modules with --rsync-include-host"
[ -d "$T/ks2/rsync/current/localhost/other" ] && [ -d "$T/ks2/rsync/current/localhost/repo" ] ||
	fail "--rsync-include-host: not HOST/MODULE"
ok "--rsync-include-host: HOST/MODULE/PATH"

# Layout change on the same serial: the same-named revision is replaced,
# not kept (the state's layout no longer matches).
"$RSYNCSWAP" sync -q -s "$KS" --source-uri-base "$BENCH_SRC" $U || fail "module layout on krill-sync's state"
[ "$(readlink "$KS/rsync/current")" = "$before" ] || fail "layout change: another name"
[ -d "$KS/rsync/current/repo" ] || fail "layout change: current kept the flat tree"
"$RSYNCSWAP" sync -q --flat -s "$KS" --source-uri-base "$BENCH_SRC" $U || fail "back to flat"
[ ! -e "$KS/rsync/current/repo" ] && [ "$(find "$KS/rsync/current/" -type f | wc -l)" = 135 ] ||
	fail "back to flat: wrong tree"
ok "a layout change replaces the same-named revision"

# A lost state: the same-named current is not trusted; a damaged and a
# deleted object come back.
f=$(find "$KS/rsync/current/" -name '*.mft' | head -1)
g=$(find "$KS/rsync/current/" -name '*.roa' | head -1)
want=$(sha256sum <"$f")
echo damaged >"$f"
rm -f "$g"
rm -f "$KS/state"
"$RSYNCSWAP" sync -q --flat -s "$KS" --source-uri-base "$BENCH_SRC" $U || fail "re-sync after a lost state"
[ "$(sha256sum <"$f")" = "$want" ] || fail "lost state: the damaged manifest stayed"
[ -f "$g" ] || fail "lost state: the deleted ROA stayed deleted"
ok "lost state: the same-named revision is rebuilt, not trusted"
