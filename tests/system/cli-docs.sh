# The command line as an operator meets it: every subcommand's --help lists
# its own options with their defaults, every option it lists is in the man
# page and in the README, -V works everywhere, a wrong option is named in
# the error, and the version is the same in the binaries and the package.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd mandoc

MAN8="$TOP/man/rsyncswap.8"
MAN1="$TOP/man/tsnorm.1"
[ -f "$MAN8" ] && [ -f "$MAN1" ] || fail "man pages missing"
mandoc -Tascii "$MAN8" | col -b >"$T/man8"
mandoc -Tascii "$MAN1" | col -b >"$T/man1"

# Lint clean (mandoc -Tlint prints nothing). Only what depends on which
# pages this machine has installed is left out: the cross-references to
# rsync(1), rpki-client(8) and to each other, and mandoc.db's age.
mandoc -Tlint -W all "$MAN8" "$MAN1" 2>&1 |
	grep -v -e "referenced manual not found" -e "outdated mandoc.db" >"$T/lint" || true
[ ! -s "$T/lint" ] || { cat "$T/lint" >&2; fail "mandoc -Tlint is not clean"; }
ok "mandoc -Tlint clean"

cmds="sync watch sweep status report expiry krill-sync accept-shrink verify"
for c in $cmds; do
	"$RSYNCSWAP" "$c" --help >"$T/help.$c" 2>&1 || fail "$c --help: exit $?"
	head -1 "$T/help.$c" | grep -q "^usage: rsyncswap $c " ||
		fail "$c --help does not start with its own usage line"
	grep -q -- "--help" "$T/help.$c" || fail "$c --help lists no options"
	# Each of its options, with the subcommand named in the man page.
	grep -o -- '--[a-z][a-z_-]*' "$T/help.$c" | sort -u >"$T/opts.$c"
	[ -s "$T/opts.$c" ] || fail "$c --help lists no long options"
	while read -r o; do
		grep -q -- "$o\\b" "$T/man8" || fail "rsyncswap.8 lacks $o (from $c --help)"
		grep -q -- "$o\\b" "$TOP/README.md" || fail "README.md lacks $o (from $c --help)"
	done <"$T/opts.$c"
	grep -q -- "$c" "$T/man8" || fail "rsyncswap.8 does not describe $c"
	v=$("$RSYNCSWAP" "$c" -V) || fail "$c -V: exit $?"
	[ "$v" = "$("$RSYNCSWAP" --version)" ] || fail "$c -V says \"$v\""
done
ok "each subcommand's --help options are in rsyncswap.8 and README.md"

# Defaults in --help are the ones in the code (a sample that matters).
grep -q -- "--cleanup-after SECS.*(default 7200)" "$T/help.sync" || fail "sync --help: cleanup default"
grep -q -- "--interval SECS.*(default 30)" "$T/help.watch" || fail "watch --help: interval default"
grep -q -- "default /var/lib/krill-sync" "$T/help.krill-sync" || fail "krill-sync --help: state default"
grep -q -- "--warn HOURS.*(default 6)" "$T/help.expiry" || fail "expiry --help: warn default"
if grep -q -- "--interval" "$T/help.sync"; then fail "sync --help lists watch's --interval"; fi
ok "defaults shown, options scoped"

# A wrong option is named; exit 2, one line.
for args in "sweep --source-uri-base x" "status --interval 5" "report --max-deltas 3 x" \
    "expiry --state-dir x y" "sync --frobnicate https://x/n.xml"; do
	set +e; "$RSYNCSWAP" $args >"$T/out" 2>"$T/err"; rc=$?; set -e
	[ "$rc" = 2 ] || fail "rsyncswap $args: exit $rc, want 2"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "rsyncswap $args: not one line"
	opt=$(echo "$args" | awk '{print $2}')
	grep -q -- "$opt" "$T/err" || { cat "$T/err"; fail "rsyncswap $args: error does not name $opt"; }
done
ok "a wrong option is named in one line, exit 2"

# tsnorm: -V, -h, and its man page names each flag.
"$TSNORM" -V | grep -q "^tsnorm " || fail "tsnorm -V"
"$TSNORM" -h >/dev/null || fail "tsnorm -h"
for f in -c -n -v -h -V; do grep -q -- "$f" "$T/man1" || fail "tsnorm.1 lacks $f"; done
ok "tsnorm -V, -h and tsnorm.1"

# One version everywhere: binaries, debian/changelog.
v=$("$RSYNCSWAP" -V | awk '{print $2}')
[ "$("$TSNORM" -V | awk '{print $2}')" = "$v" ] || fail "tsnorm and rsyncswap versions differ"
head -1 "$TOP/debian/changelog" | grep -q "^rsyncswap ($v)" || fail "debian/changelog is not at $v"
ok "version $v in rsyncswap, tsnorm and debian/changelog"
