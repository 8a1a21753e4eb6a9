# Fetching over https from nginx on loopback: TLS verified against a test CA
# (--ca-file), refused without it, a self-signed server with --insecure, and
# the conditional GET: an unchanged notification costs a 304.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd nginx
need_cmd openssl

mkdir -p "$T/www/rrdp" "$T/pki" "$T/nginx"
cp -r "$BENCH_SRC"/. "$T/www/rrdp/"
chmod -R a+rX "$T/www"

# A test CA, a server certificate for 127.0.0.1 signed by it, and a
# self-signed one.
cd "$T/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rsyncswap test CA" \
	-keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-days 2 -extfile ext -out srv.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout self.key -out self.pem 2>/dev/null
chmod a+r ./*
cd - >/dev/null

P1=$(free_port)
P2=$(free_port)
cat >"$T/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	server {
		listen 127.0.0.1:$P1 ssl;
		ssl_certificate $T/pki/srv.pem;
		ssl_certificate_key $T/pki/srv.key;
		root $T/www;
	}
	server {
		listen 127.0.0.1:$P2 ssl;
		ssl_certificate $T/pki/self.pem;
		ssl_certificate_key $T/pki/self.key;
		root $T/www;
	}
}
CONF
nginx -c "$T/nginx/nginx.conf" -g 'daemon off;' 2>"$T/nginx/stderr" &
PIDS="$PIDS $!"
wait_port "$P1"
wait_port "$P2"

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
