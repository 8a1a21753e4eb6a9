# tsnorm CLI: -n output, set then -c, -c after touch, symlinks not
# followed, usage errors, unreadable files.
. "$RSYNCSWAP_TOP/tests/lib.sh"

[ -x "$TSNORM" ] || fail "$TSNORM not built"

mkdir -p "$T/tree/sub/deeper" "$T/outside"
cp "$DATA/objects/rpkitouch/yqgF26w2R0m5sRVZCrbvD5cM29g.crl" \
    "$DATA/objects/rpkitouch/yqgF26w2R0m5sRVZCrbvD5cM29g.mft" "$T/tree/"
cp "$DATA/objects/rpki-client-regress/ta/ripe-ncc-ta.cer" "$T/tree/sub/"
cp "$DATA/objects/rpkitouch/5EjPZ8Kw2_h5hRqKpwmjdnq7Tq8.roa" \
    "$T/tree/sub/deeper/"
printf 'not an object\n' >"$T/tree/sub/notes.txt"
cp "$DATA/objects/rpki-rs/repository/ta.cer" "$T/outside/target.cer"
touch -d '2021-06-01 12:00:00.5' "$T/outside/target.cer"
before=$(stat -c %Y.%y "$T/outside/target.cer")
ln -s "$T/outside/target.cer" "$T/tree/sub/link.cer"
ln -s "$T/outside" "$T/tree/linkdir"

# -n: "TIME RULE PATH", sorted names, directories after their contents.
"$TSNORM" -n "$T/tree" >"$T/n.out" || fail "-n exited $?"
h=$(awk '$3 ~ /notes.txt$/ {print $1, $2}' "$T/n.out")
case $h in 200[0-9]-*" hash-unknown") ;; *) fail "notes.txt: $h" ;; esac
cat >"$T/n.want" <<EOF
2023-01-04T11:02:41Z cms-signingtime $T/tree/sub/deeper/5EjPZ8Kw2_h5hRqKpwmjdnq7Tq8.roa
2000-01-01T00:00:00Z dir $T/tree/sub/deeper
$h $T/tree/sub/notes.txt
2017-11-28T14:39:55Z cert-notbefore $T/tree/sub/ripe-ncc-ta.cer
2000-01-01T00:00:00Z dir $T/tree/sub
2023-05-19T06:03:08Z crl-thisupdate $T/tree/yqgF26w2R0m5sRVZCrbvD5cM29g.crl
2023-05-19T06:03:08Z cms-signingtime $T/tree/yqgF26w2R0m5sRVZCrbvD5cM29g.mft
2000-01-01T00:00:00Z dir $T/tree
EOF
diff "$T/n.want" "$T/n.out" || fail "-n output differs"
! grep -q 'link' "$T/n.out" || fail "-n lists a symlink"
ok "-n output"

# -n changes nothing; -c reports every path as differing.
if "$TSNORM" -c "$T/tree" >"$T/c.out"; then fail "-c passed before set"; fi
[ "$(wc -l <"$T/c.out")" -eq 8 ] || fail "-c listed $(wc -l <"$T/c.out")"
ok "-c before set: exit 1"

"$TSNORM" -v "$T/tree" >"$T/v.out" || fail "set exited $?"
[ "$(wc -l <"$T/v.out")" -eq 8 ] || fail "-v printed $(wc -l <"$T/v.out")"
[ "$(stat -c %Y "$T/tree/sub/ripe-ncc-ta.cer")" = 1511879995 ] ||
    fail "cert mtime $(stat -c %Y "$T/tree/sub/ripe-ncc-ta.cer")"
case $(stat -c %y "$T/tree/sub/ripe-ncc-ta.cer") in
*:55.000000000*) ;; *) fail "sub-second mtime" ;; esac
[ "$(stat -c %Y "$T/tree/sub")" = 946684800 ] || fail "dir mtime"
"$TSNORM" -c "$T/tree" >"$T/c.out" || fail "-c after set: $(cat "$T/c.out")"
[ ! -s "$T/c.out" ] || fail "-c printed paths after set"
"$TSNORM" -v "$T/tree" >"$T/v.out" || fail "second set exited $?"
[ ! -s "$T/v.out" ] || fail "second set changed something"
ok "set, then -c exits 0"

# Symlinks are not followed: the target outside keeps its mtime.
[ "$(stat -c %Y.%y "$T/outside/target.cer")" = "$before" ] ||
    fail "symlink target changed"
ok "symlinks not followed"

# A copy with rsync -t style times checks clean too: same on every node.
cp -a "$T/tree" "$T/copy"
"$TSNORM" -c "$T/copy" >/dev/null || fail "copy differs"

touch "$T/tree/sub/deeper/5EjPZ8Kw2_h5hRqKpwmjdnq7Tq8.roa"
if "$TSNORM" -c "$T/tree" >"$T/c.out"; then fail "-c passed after touch"; fi
[ "$(cat "$T/c.out")" = "$T/tree/sub/deeper/5EjPZ8Kw2_h5hRqKpwmjdnq7Tq8.roa" ] ||
    fail "-c after touch printed: $(cat "$T/c.out")"
ok "-c after touch: exit 1, names the file"

# Usage errors exit 2; -h exits 0.
for args in "" "-x $T/tree" "-n -c $T/tree"; do
	if "$TSNORM" $args >/dev/null 2>&1; then r=0; else r=$?; fi
	[ "$r" = 2 ] || fail "tsnorm $args: exit $r, want 2"
done
"$TSNORM" -h | grep -q usage || fail "-h"
ok "usage errors"

# A missing or unreadable file: one line on stderr naming it, exit 1.
if "$TSNORM" -n "$T/missing" "$T/tree/sub" >"$T/m.out" 2>"$T/m.err"; then
	fail "missing path: exit 0"
fi
[ "$(wc -l <"$T/m.err")" = 1 ] && grep -q "$T/missing" "$T/m.err" ||
    fail "stderr: $(cat "$T/m.err")"
grep -q ripe-ncc-ta.cer "$T/m.out" || fail "other paths not handled"
if [ "$(id -u)" != 0 ]; then
	chmod 000 "$T/tree/sub/notes.txt"
	if "$TSNORM" -n "$T/tree" >/dev/null 2>"$T/m.err"; then
		fail "unreadable file: exit 0"
	fi
	grep -q notes.txt "$T/m.err" || fail "unreadable: $(cat "$T/m.err")"
	chmod 644 "$T/tree/sub/notes.txt"
fi
ok "unreadable paths"

# An operand that is a symlink is followed (find -H): `tsnorm -c
# rsync/current` checks the revision instead of passing on nothing.
ln -s tree "$T/current"
touch "$T/tree/sub/ripe-ncc-ta.cer"
if "$TSNORM" -c "$T/current" >"$T/c.out"; then fail "-c on a symlink operand passed on nothing"; fi
grep -q "ripe-ncc-ta.cer" "$T/c.out" || fail "-c via the symlink did not name the touched file"
"$TSNORM" "$T/current" || fail "set via the symlink operand"
"$TSNORM" -c "$T/current" >"$T/c.out" || fail "-c via the symlink after set: $(cat "$T/c.out")"
ok "a symlink operand is followed, nothing below it"
# A special file as operand is a failure, not a silent pass.
mkfifo "$T/fifo"
if "$TSNORM" -c "$T/fifo" 2>/dev/null; then fail "-c on a fifo passed"; fi
ok "a special file operand fails"
