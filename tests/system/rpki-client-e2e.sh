#!/bin/sh
# End to end with a real relying party: rsyncswap syncs krill-sync-benchmark,
# rsyncd (rsyncd.conf.example + a [ta] module) serves it on 127.0.0.1:873
# (the TAL says rsync://localhost/ta/ta.cer, so the port cannot change), and
# rpki-client 8.2 validates it over rsync only (-R) at the repository's time
# (faketime 2023-02-14 00:00:00 UTC; without it every CRL has expired).
# Asserts: exit 0, exactly the 100 VRPs (ASN, prefix, maxlen) of the expected
# CSV, "Manifests: N (0 failed parse, 0 stale)", no warning on stderr (e.g.
# "rename ...: Permission denied", which rpki-client 8.2 prints when served
# directories are not writable by their owner), both modules fetched.
#
# rpki-client 8.2 runs, per repository:
#   rsync -rt --no-motd --max-size=4000000 --contimeout=15 --timeout=30
#     --include=*/ --include=*.cer ... --exclude=* [--compare-dest DIR] URI DIR
# and, started as root, drops privileges to _rpki-client: cache and output
# directories must be writable by that user.
# runs alone (it needs port 873)
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_root "rsyncd on port 873 (the TAL's rsync://localhost/ta/ta.cer) and rpki-client's privilege drop"
need_cmd rsync
need_cmd rpki-client
need_cmd faketime
need_cmd python3
id _rpki-client >/dev/null 2>&1 || skip "needs the _rpki-client user (Debian package rpki-client)"
if python3 -c "import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(('127.0.0.1',873)) == 0 else 1)"; then
	skip "something already listens on 127.0.0.1:873"
fi
need_rsyncswap

B=$DATA/krill-sync-benchmark
R=$T/rsync
"$RSYNCSWAP" sync -s "$T/state" -r "$R" --source-uri-base "$BENCH_SRC" "$BENCH_URI" \
	>"$T/sync.out" 2>"$T/sync.err" || fail "rsyncswap sync: $(cat "$T/sync.err")"
cat "$T/sync.out"
current_rev "$R" >/dev/null

mkdir -p "$T/ta" "$T/cache" "$T/out"
cp "$B/ta.cer" "$T/ta/"
cp "$B/ta.tal" "$T/ta.tal"
chmod 644 "$T/ta/ta.cer" "$T/ta.tal"
chown _rpki-client "$T/cache" "$T/out"

CONF=$T/rsyncd.conf
example_conf "$R" "$CONF"
printf '\n[ta]\n\tpath = %s\n' "$T/ta" >>"$CONF"
start_rsyncd "$CONF" 873

if (cd "$T" && TZ=UTC timeout 120 faketime '2023-02-14 00:00:00' \
	rpki-client -R -c -t "$T/ta.tal" -d "$T/cache" "$T/out" >"$T/rc.out" 2>"$T/rc.err"); then
	rc=0
else
	rc=$?
fi
cat "$T/rc.out"
[ "$rc" -eq 0 ] || fail "rpki-client exit $rc: $(tail -5 "$T/rc.err")"
[ -s "$T/rc.err" ] && fail "rpki-client warned: $(head -5 "$T/rc.err") ($(wc -l <"$T/rc.err") lines)"

grep -q 'rsync on ta/ta.cer from' "$CONF.log" || fail "rpki-client did not fetch the TA from our rsyncd"
grep -q 'rsync on repo/\{0,1\} from' "$CONF.log" || fail "rpki-client did not fetch module repo from our rsyncd"

grep -Eq '^Manifests: [1-9][0-9]* \(0 failed parse, 0 stale\)$' "$T/rc.out" ||
	fail "manifests: $(grep '^Manifests' "$T/rc.out" || echo 'no Manifests line')"
grep -Eq '^Route Origin Authorizations: 100 \(0 failed parse, 0 invalid\)$' "$T/rc.out" ||
	fail "ROAs: $(grep '^Route Origin' "$T/rc.out" || echo 'no ROA line')"
grep -Eq '^VRP Entries: 100 \(100 unique\)$' "$T/rc.out" ||
	fail "VRPs: $(grep '^VRP' "$T/rc.out" || echo 'no VRP line')"

[ -f "$T/out/csv" ] || fail "no csv output in $T/out: $(ls "$T/out")"
# Same set of ASN,prefix,maxlen (later columns: TA name, expiry, may differ).
tail -n +2 "$T/out/csv" | cut -d, -f1-3 | LC_ALL=C sort >"$T/vrps.got"
tail -n +2 "$B/expected-vrps-rpki-client-9.8-P1676332800.csv" | cut -d, -f1-3 | LC_ALL=C sort >"$T/vrps.expected"
[ "$(wc -l <"$T/vrps.got")" -eq 100 ] || fail "$(wc -l <"$T/vrps.got") VRPs, expected 100"
same_list "$T/vrps.got" "$T/vrps.expected" "VRPs vs expected-vrps-rpki-client-9.8-P1676332800.csv"
ok "rpki-client 8.2 over rsync: 100 VRPs as expected, 0 failed manifests"
