# Fetching over https from nginx on loopback: TLS verified against a test CA
# (--ca-file), refused without it, a self-signed server with --insecure, and
# the conditional GET: an unchanged notification costs a 304.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd nginx
need_cmd openssl

mkdir -p "$T/www/rrdp"
cp -r "$BENCH_SRC"/. "$T/www/rrdp/"
start_nginx "$T/www"
P1=$NGINX_PORT
P2=$NGINX_SELF_PORT

run() {	# run EXPECTED_EXIT ARGS...
	_want=$1; shift
	set +e
	"$RSYNCSWAP" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	set -e
	[ "$_rc" = "$_want" ] || { cat "$T/out" "$T/err" >&2; fail "rsyncswap $*: exit $_rc, want $_want"; }
}

# Not trusted: the test CA is not in the system store.
run 1 sync -s "$T/a" --source-uri-base "https://127.0.0.1:$P1/rrdp/" "$BENCH_URI"
[ "$(wc -l <"$T/err")" = 1 ] || fail "untrusted: not one line: $(cat "$T/err")"
grep -qi "certificate" "$T/err" || fail "untrusted: reason not given: $(cat "$T/err")"
[ ! -e "$T/a/rsync/current" ] || fail "untrusted: current created"
ok "unverified TLS refused"

# Verified with --ca-file.
run 0 sync -s "$T/a" --ca-file "$T/pki/ca.pem" --source-uri-base "https://127.0.0.1:$P1/rrdp/" "$BENCH_URI"
grep -q "serial 3: snapshot, 135 objects" "$T/out" || fail "ca-file: $(cat "$T/out")"
grep -q '^etag "' "$T/a/state" || fail "no ETag kept in the state"
ok "verified TLS with --ca-file"

# Unchanged: the conditional GET gets a 304 and nothing else is fetched.
n=$(wc -l <"$T/nginx/access.log")
run 0 sync -s "$T/a" --ca-file "$T/pki/ca.pem" --source-uri-base "https://127.0.0.1:$P1/rrdp/" "$BENCH_URI"
grep -q "up to date" "$T/out" || fail "second run: $(cat "$T/out")"
tail -n +$((n + 1)) "$T/nginx/access.log" >"$T/new.log"
[ "$(wc -l <"$T/new.log")" = 1 ] || { cat "$T/new.log" >&2; fail "unchanged origin cost more than one request"; }
grep -q 'GET /rrdp/notification.xml HTTP/1.1" 304 ' "$T/new.log" || { cat "$T/new.log" >&2; fail "no 304"; }
ok "unchanged origin: one request, 304"

# Self-signed: refused, then accepted with --insecure.
run 1 sync -s "$T/b" --source-uri-base "https://127.0.0.1:$P2/rrdp/" "$BENCH_URI"
run 0 sync -s "$T/b" --insecure --source-uri-base "https://127.0.0.1:$P2/rrdp/" "$BENCH_URI"
grep -q "serial 3: snapshot" "$T/out" || fail "insecure: $(cat "$T/out")"
ok "self-signed with --insecure"

# The two revisions are identical, mtimes included.
[ -z "$(rsync -rtn --itemize-changes "$T/a/rsync/current/" "$T/b/rsync/current/")" ] ||
	fail "two fetches of the same serial differ"
ok "same tree over both servers"
