# A node whose revisions were written as root and then swept with --user
# (or the other way round): the sweeper cannot remove them, and says why
# in one line per revision (whose files, which uid it runs as, what to do),
# instead of a bare "Permission denied"; the revision stays, nothing else
# is touched.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "revisions written as root, a sweeper as nobody"
id nobody >/dev/null 2>&1 || skip "no user nobody"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
NB=$(id -u nobody)
"$SIM" --dir "$T/src" --objects 20 >/dev/null
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$T/src" $U
OLD=$(basename "$(current_rev "$T/st/rsync")")
"$SIM" --dir "$T/src" --objects 20 --revisions 1 >/dev/null
"$RSYNCSWAP" sync -q -s "$T/st" --cleanup-after 1 --no-reader-scan --source-uri-base "$T/src" $U
[ -d "$T/st/rsync/$OLD" ] || fail "the replaced revision is already gone"
# refused WARNING OPTION...: a sweep with OPTION... keeps $OLD and warns
# WARNING (a fixed string) for it.
refused() {
	_want=$1; shift
	"$RSYNCSWAP" sweep -s "$T/st" --cleanup-after 1 --no-reader-scan "$@" 2>"$T/err" ||
		{ cat "$T/err"; fail "sweep $*: exit $?"; }
	cat "$T/err"
	grep -qxF "rsyncswap: warning: sweep: $OLD: Permission denied: $_want" "$T/err" ||
		fail "sweep $*: the refused removal is not said as: $_want"
	[ -d "$T/st/rsync/$OLD" ] || fail "sweep $*: the revision went"
}
sleep 2
refused "it is owned by uid 0 and the sweeper runs as uid $NB (made before a change of --user?): remove it by hand, or chown -R it to uid $NB" --user nobody
ok "revisions written as root, swept as nobody: the refusal names the owner, the sweeper's uid and what to do"

# Back to root: the --user sweep made the rsync directory nobody's.
[ "$(stat -c %u "$T/st/rsync")" = "$NB" ] || fail "the rsync directory is not nobody's after sweep --user nobody"
refused "the rsync directory is owned by uid $NB and the sweeper runs as uid 0 (a change of --user?): chown it and what is in it to the sweeper's user"
ok "then swept as root: the refusal names the rsync directory's owner"
