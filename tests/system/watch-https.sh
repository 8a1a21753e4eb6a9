# rsyncswap watch with an https back-end (nginx on loopback): verified TLS
# with --ca-file, a self-signed server with --insecure; an unchanged origin
# costs one 304 per interval; a new serial arrives as a delta.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
mkdir -p "$T/www/rrdp"
"$SIM" --dir "$T/www/rrdp" --objects 200 --record "$T/rec" >/dev/null
start_nginx "$T/www"
LOG="$T/nginx/access.log"

"$RSYNCSWAP" watch -v --interval 1 -s "$T/a" --ca-file "$T/pki/ca.pem" \
	--source-uri-base "https://127.0.0.1:$NGINX_PORT/rrdp/" $U 2>"$T/a.log" &
PIDS="$PIDS $!"
"$RSYNCSWAP" watch -v --interval 1 -s "$T/b" --insecure \
	--source-uri-base "https://127.0.0.1:$NGINX_SELF_PORT/rrdp/" $U 2>"$T/b.log" &
PIDS="$PIDS $!"
wait_for 10 current_is "$T/a/rsync" 1 || { cat "$T/a.log"; fail "verified TLS: serial 1 not live"; }
wait_for 10 current_is "$T/b/rsync" 1 || { cat "$T/b.log"; fail "--insecure: serial 1 not live"; }
ok "serial 1 over verified TLS (--ca-file) and self-signed TLS (--insecure)"

# Unchanged origin: only conditional GETs of the notification, answered 304.
sleep 3.5
n304=$(grep -c 'GET /rrdp/notification.xml HTTP/1.1" 304 ' "$LOG" || true)
nsnap=$(grep -c 'snapshot.xml HTTP/1.1" 200 ' "$LOG" || true)
[ "$n304" -ge 4 ] || { cat "$LOG" >&2; fail "only $n304 304 answers in 3.5 s at --interval 1 (two watchers)"; }
[ "$nsnap" = 2 ] || { cat "$LOG" >&2; fail "snapshot fetched $nsnap times, want 2 (once per watcher)"; }
total=$(wc -l <"$LOG")
[ "$total" -le $((n304 + 4 + 2)) ] || { cat "$LOG" >&2; fail "$total requests: more than the 304s, 2 snapshots and 2 first notifications"; }
ok "unchanged origin: $n304 conditional GETs answered 304, no other request"

# A new serial: a delta, no snapshot.
"$SIM" --dir "$T/www/rrdp" --objects 200 --revisions 1 --record "$T/rec" >/dev/null
chmod -R a+rX "$T/www"
wait_for 10 current_is "$T/a/rsync" 2 || { cat "$T/a.log"; fail "serial 2 not live"; }
wait_for 10 current_is "$T/b/rsync" 2 || { cat "$T/b.log"; fail "serial 2 not live (insecure)"; }
# The line is logged after the swap and the sweep that follows it.
wait_for 10 grep -q "serial 2: deltas" "$T/a.log" || { cat "$T/a.log"; fail "serial 2 not by delta"; }
nsnap=$(grep -c 'snapshot.xml HTTP/1.1" 200 ' "$LOG" || true)
[ "$nsnap" = 2 ] || fail "a snapshot was fetched for serial 2"
sorted_tree_list "$(current_rev "$T/a/rsync")" >"$T/got"
LC_ALL=C sort "$T/rec/2.list" | cmp -s - "$T/got" || fail "serial 2 tree differs from the origin's record"
ok "serial 2 by delta, exact tree"
