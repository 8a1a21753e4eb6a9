# scripts/nginx-rrdp.conf as shipped (paths and the listener changed only):
# the notification is cached 60 s, a snapshot or delta that exists for a
# day, and a 404 not at all, so that a CDN that asks a node which has not
# synced yet does not keep the error for a day.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_cmd nginx
need_cmd curl

P=$(free_port)
mkdir -p "$T/rrdp/s/1/h" "$T/nginx"
echo '<notification/>' >"$T/rrdp/notification.xml"
echo '<snapshot/>' >"$T/rrdp/s/1/h/snapshot.xml"
chmod -R a+rX "$T/rrdp"
sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$P;|" -e '/listen \[::\]:443/d' -e '/ssl_certificate/d' \
    -e "s|/var/lib/rsyncswap/rrdp|$T/rrdp|g" "$TOP/scripts/nginx-rrdp.conf" >"$T/nginx/site.conf"
grep -q "127.0.0.1:$P" "$T/nginx/site.conf" || fail "could not adapt the listener"
run_nginx "$T/nginx/site.conf" "$P"

hdr() { curl -s -o /dev/null -D - "http://127.0.0.1:$P$1" | tr -d '\r'; }
hdr /rrdp/notification.xml >"$T/h1"
grep -q "^HTTP/1.1 200" "$T/h1" && grep -qi "^Cache-Control: max-age=60, public" "$T/h1" ||
	{ cat "$T/h1"; fail "notification: not 200 with max-age=60"; }
hdr /rrdp/s/1/h/snapshot.xml >"$T/h2"
grep -q "^HTTP/1.1 200" "$T/h2" && grep -qi "^Cache-Control: max-age=86400, public, immutable" "$T/h2" ||
	{ cat "$T/h2"; fail "snapshot: not 200, immutable for a day"; }
hdr /rrdp/s/2/h/snapshot.xml >"$T/h3"
grep -q "^HTTP/1.1 404" "$T/h3" || { cat "$T/h3"; fail "missing file: not 404"; }
if grep -qi "max-age=86400" "$T/h3"; then cat "$T/h3"; fail "a 404 is cached for a day"; fi
grep -qi "^Cache-Control: no-store" "$T/h3" || { cat "$T/h3"; fail "a 404 without no-store"; }
ok "nginx example: notification 60 s, files a day, 404 not cached"
