# Log lines carry journald priorities when stderr is the journal: systemd
# sets JOURNAL_STREAM to stderr's device:inode, and each line then starts
# with its sd-daemon prefix (<3> error, <4> warning, <6> info), so that
# `journalctl -p warning` shows warnings. Elsewhere no prefix.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

# A warning and an error: a damaged state file, then a bad origin.
mkdir -p "$T/st" "$T/src"
echo garbage >"$T/st/state"
U=https://rrdp.example.net/rrdp/notification.xml
echo '<notification/>' >"$T/src/notification.xml"

: >"$T/err"
set -- $(stat -c '%d %i' "$T/err")
set +e
JOURNAL_STREAM="$1:$2" "$RSYNCSWAP" sync -v -s "$T/st" --source-uri-base "$T/src" $U \
	>/dev/null 2>>"$T/err"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/err"; fail "want exit 1, got $rc"; }
grep -q '^<4>rsyncswap: warning: ' "$T/err" || { cat "$T/err"; fail "no <4> warning line"; }
grep -q '^<3>rsyncswap: error: ' "$T/err" || { cat "$T/err"; fail "no <3> error line"; }
if grep -v '^<[3-7]>' "$T/err" | grep -q .; then cat "$T/err"; fail "a line without priority"; fi
ok "journal: <4> warnings and <3> errors"

# A usage error too.
: >"$T/err2"
set -- $(stat -c '%d %i' "$T/err2")
set +e; JOURNAL_STREAM="$1:$2" "$RSYNCSWAP" sync --frobnicate 2>>"$T/err2"; set -e
grep -q '^<3>rsyncswap sync: unknown option' "$T/err2" || { cat "$T/err2"; fail "usage error without <3>"; }
ok "journal: usage errors at <3>"

# Not the journal (JOURNAL_STREAM names another file): no prefix.
set +e
JOURNAL_STREAM="1:1" "$RSYNCSWAP" sync -s "$T/st" --source-uri-base "$T/src" $U \
	>/dev/null 2>"$T/plain"
set -e
grep -q '^rsyncswap: error: ' "$T/plain" || { cat "$T/plain"; fail "plain stderr has a prefix"; }
ok "plain stderr: no prefix"
