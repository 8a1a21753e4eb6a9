#!/bin/sh
# The shipped rsyncd.conf.example, with only its paths and the port changed,
# serves a revision written by `rsyncswap sync` to a real rsync client:
#  - the client's copy equals the revision (tree_list) AND an independent
#    python3 decode of snapshot.xml (path + sha256), nothing more, nothing less;
#  - mtimes survive (rsync -rtn --itemize-changes prints nothing, both ways);
#  - the module works through a `current` symlink owned by a non-root user
#    (use chroot = yes), clients with -z/--delete (Routinator) work, --checksum
#    is refused as the example says;
#  - use chroot = no: rsync 3.5.0 refuses the symlink when it is owned by a
#    non-root user ("refusing to follow a symlink owned by an untrusted user")
#    and follows it when owned by root -- the finding documented in the example.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_root "use chroot = yes, uid = nobody and chown -h of the current symlink"
need_cmd rsync
need_cmd python3
need_rsyncswap

R=$T/rsync
"$RSYNCSWAP" sync -s "$T/state" -r "$R" --source-uri-base "$BENCH_SRC" "$BENCH_URI" \
	>"$T/sync.out" 2>"$T/sync.err" || fail "rsyncswap sync: $(cat "$T/sync.err")"
cat "$T/sync.out"
REV=$(current_rev "$R")
case $(basename "$REV") in
session_cd0c701d-ff09-4e95-8f2a-fa24de875fb5_serial_3) ;;
*) fail "current -> $(basename "$REV"), expected session_cd0c701d-ff09-4e95-8f2a-fa24de875fb5_serial_3" ;;
esac

# The expected tree, twice: from the revision and from an independent decode.
SNAP=$(find "$BENCH_SRC" -name snapshot.xml)
rrdp_list "$SNAP" | sed -n 's|^\./repo/|./|p' >"$T/expect.decoded"
[ "$(wc -l <"$T/expect.decoded")" -eq 135 ] || fail "decoded snapshot has $(wc -l <"$T/expect.decoded") repo objects, expected 135"
rrdp_list "$SNAP" | grep -v '^\./repo/' >"$T/not-repo" || true
[ -s "$T/not-repo" ] && fail "snapshot has objects outside module repo: $(head -1 "$T/not-repo")"
sorted_tree_list "$REV/repo" >"$T/expect.rev"
same_list "$T/expect.rev" "$T/expect.decoded" "revision vs decoded snapshot"

# The config: the example with only paths substituted.
CONF=$T/rsyncd.conf
example_conf "$R" "$CONF"
ndiff=$(diff "$TOP/rsyncd.conf.example" "$CONF" | grep -c '^>' || true)
[ "$ndiff" -le 4 ] || fail "example_conf changed $ndiff lines, expected only paths"
grep -q '^use chroot = yes$' "$CONF" || fail "rsyncd.conf.example does not say 'use chroot = yes'"

PORT=$(free_port)
start_rsyncd "$CONF" "$PORT"
URL=rsync://127.0.0.1:$PORT/repo/

# The module is listed.
rsync "rsync://127.0.0.1:$PORT/" >"$T/list" 2>&1 || fail "listing modules: $(cat "$T/list")"
grep -q '^repo[[:space:]]' "$T/list" || fail "module repo not listed: $(cat "$T/list")"

# Fetch, compare exactly.
timeout 60 rsync -rt "$URL" "$T/dest/" 2>"$T/rsync.err" || fail "rsync -rt $URL: $(cat "$T/rsync.err")"
sorted_tree_list "$T/dest" >"$T/got"
same_list "$T/got" "$T/expect.rev" "served copy vs revision"
same_list "$T/got" "$T/expect.decoded" "served copy vs decoded snapshot.xml"
ok "served copy == revision == decoded snapshot ($(wc -l <"$T/got") files)"

# mtimes survive: nothing to update in either direction, from the daemon too.
out=$(rsync -rtn --itemize-changes "$T/dest/" "$REV/repo/")
[ -z "$out" ] || fail "mtimes differ (copy -> revision): $(echo "$out" | head -3)"
out=$(rsync -rtn --itemize-changes "$REV/repo/" "$T/dest/")
[ -z "$out" ] || fail "mtimes differ (revision -> copy): $(echo "$out" | head -3)"
out=$(timeout 60 rsync -rtn --itemize-changes "$URL" "$T/dest/")
[ -z "$out" ] || fail "daemon would resend: $(echo "$out" | head -3)"
ok "mtimes survive (itemize-changes empty)"

# Revision files are not stamped with the wall clock: every object's mtime is
# at least a day old (the benchmark objects are from 2023).
now=$(date +%s)
young=$(find "$T/dest" -type f -newermt "@$((now - 86400))" | head -1)
[ -z "$young" ] || fail "$young has a recent mtime: not a deterministic object time"

# Routinator-style client (-rltz --delete) works; --checksum is refused.
timeout 60 rsync -rltz --delete "$URL" "$T/dest-z/" 2>"$T/z.err" || fail "rsync -rltz --delete: $(cat "$T/z.err")"
sorted_tree_list "$T/dest-z" >"$T/got-z"
same_list "$T/got-z" "$T/expect.rev" "-z copy"
if timeout 60 rsync -rtc "$URL" "$T/dest-c/" 2>"$T/c.err"; then
	fail "rsync --checksum was accepted; the example refuses it"
fi
grep -q 'refuse --checksum' "$T/c.err" || fail "unexpected --checksum error: $(cat "$T/c.err")"
ok "-rltz --delete works, --checksum refused"

# use chroot = yes works whoever owns the symlink.
chown -h nobody "$R/current"
rm -rf "$T/dest2"
timeout 60 rsync -rt "$URL" "$T/dest2/" 2>"$T/rsync2.err" || fail "use chroot = yes, symlink owned by nobody: $(cat "$T/rsync2.err")"
sorted_tree_list "$T/dest2" >"$T/got2"
same_list "$T/got2" "$T/expect.rev" "chroot=yes, nobody-owned symlink"
ok "use chroot = yes: symlink owned by nobody is followed"

# use chroot = no: the rsync 3.5.0 behaviour documented in the example.
CONF2=$T/rsyncd-nochroot.conf
example_conf "$R" "$CONF2"
sed -i 's/^use chroot = yes$/use chroot = no/' "$CONF2"
grep -q '^use chroot = no$' "$CONF2" || fail "could not switch use chroot"
PORT2=$(free_port)
start_rsyncd "$CONF2" "$PORT2"
URL2=rsync://127.0.0.1:$PORT2/repo/
if timeout 60 rsync -rt "$URL2" "$T/dest3/" 2>"$T/rsync3.err"; then rc=0; else rc=$?; fi
[ "$rc" -ne 0 ] || fail "use chroot = no followed a symlink owned by nobody (rsync $(rsync --version | sed -n '1s/.*version \([^ ]*\).*/\1/p'))"
grep -q 'refusing to follow a symlink owned by an untrusted user' "$CONF2.log" ||
	fail "no 'refusing to follow a symlink owned by an untrusted user' in the rsyncd log: $(tail -3 "$CONF2.log")"
ok "use chroot = no, symlink owned by nobody: refused (client exit $rc: $(head -1 "$T/rsync3.err"))"

chown -h root "$R/current"
rm -rf "$T/dest4"
timeout 60 rsync -rt "$URL2" "$T/dest4/" 2>"$T/rsync4.err" || fail "use chroot = no, symlink owned by root: $(cat "$T/rsync4.err")"
sorted_tree_list "$T/dest4" >"$T/got4"
same_list "$T/got4" "$T/expect.rev" "chroot=no, root-owned symlink"
ok "use chroot = no, symlink owned by root: followed"

# Second sync: up to date, current unchanged.
"$RSYNCSWAP" sync -s "$T/state" -r "$R" --source-uri-base "$BENCH_SRC" "$BENCH_URI" \
	>"$T/sync2.out" 2>"$T/sync2.err" || fail "second rsyncswap sync: $(cat "$T/sync2.err")"
[ "$(current_rev "$R")" = "$REV" ] || fail "second sync moved current"
ok "rsyncd example"
