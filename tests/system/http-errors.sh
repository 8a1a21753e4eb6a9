# What the origin answers decides the message, before the XML parser: an
# error page is an HTTP status, an empty answer is empty, a redirect is
# named (and not followed), a 304 to a request without validators is an
# error, a truncated document is a hash mismatch; every line names the URL
# that was really fetched (the back-end's, not only the public URI).
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd nginx

W="$T/www"
mkdir -p "$W/rrdp" "$W/trunc" "$T/nginx"
cp -r "$BENCH_SRC"/. "$W/rrdp/"
cp -r "$BENCH_SRC"/. "$W/trunc/"
snap=$(cd "$W/trunc" && ls */3/*/snapshot.xml)
size=$(stat -c %s "$W/trunc/$snap")
truncate -s $((size / 2)) "$W/trunc/$snap"
chmod -R a+rX "$W"
P=$(free_port)
cat >"$T/nginx/site.conf" <<CONF
server {
	listen 127.0.0.1:$P;
	root $W;
	location /busy/ { return 503; }
	location = /empty/notification.xml { return 200 ""; }
	location /moved/ { return 301 http://127.0.0.1:$P/rrdp/notification.xml; }
	location = /n304/notification.xml { return 304; }
}
CONF
run_nginx "$T/nginx/site.conf" "$P"

U=$BENCH_URI
case_of() {	# case_of NAME BASE WORD: exit 1, one line with WORD and the URL
	_name=$1 _base=$2 _word=$3
	set +e
	"$RSYNCSWAP" sync -s "$T/st-$_name" --insecure --source-uri-base "$_base" $U \
		>"$T/out" 2>"$T/err"
	_rc=$?
	set -e
	[ "$_rc" = 1 ] || { cat "$T/err"; fail "$_name: exit $_rc, want 1"; }
	[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "$_name: want one line"; }
	grep -q -- "$_word" "$T/err" || { cat "$T/err"; fail "$_name: does not say '$_word'"; }
	grep -q -- "$_base" "$T/err" || { cat "$T/err"; fail "$_name: does not name the fetched URL $_base"; }
	if grep -q -i "namespace\|Document is empty" "$T/err" ||
	    { [ "$_name" != truncated ] && grep -q "Extra content" "$T/err"; }; then
		cat "$T/err"; fail "$_name: the XML parser spoke instead of the cause"
	fi
	[ ! -e "$T/st-$_name/rsync/current" ] || fail "$_name: current was created"
}
case_of 404 "http://127.0.0.1:$P/none/" "HTTP status 404"
case_of 503 "http://127.0.0.1:$P/busy/" "HTTP status 503"
case_of empty "http://127.0.0.1:$P/empty/" "empty response"
case_of redirect "http://127.0.0.1:$P/moved/" "redirect to http://127.0.0.1:$P/rrdp/notification.xml"
case_of 304 "http://127.0.0.1:$P/n304/" "304 to a request without validators"
ok "error pages, empty answers, redirects and a bare 304: the HTTP status speaks, naming the URL"

case_of truncated "http://127.0.0.1:$P/trunc/" ": hash mismatch: expected"
ok "a truncated snapshot is a hash mismatch"

# Local back-end: an empty notification file is empty, not "Document is empty".
mkdir -p "$T/local"
: >"$T/local/notification.xml"
case_of local-empty "$T/local" "empty file"
ok "an empty local file: empty file"

# And the good path still works on the same server.
"$RSYNCSWAP" sync -q -s "$T/st-ok" --insecure --source-uri-base "http://127.0.0.1:$P/rrdp/" $U ||
	fail "the good origin"
ok "the good origin syncs"
