# Shared helpers for system tests: sourced, never run.
# Every test gets a scratch directory that is removed on exit, and every
# daemon it starts through these helpers is stopped on exit.
set -eu
TOP=${RSYNCSWAP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
RSYNCSWAP="$TOP/rsyncswap/rsyncswap"
TSNORM="$TOP/tsnorm/tsnorm"
DATA="$TOP/tests/data"
T=$(mktemp -d "${TMPDIR:-/tmp}/rsyncswap-t.XXXXXX")
# A sanitized build under faketime: the sanitizer runtime is not first in
# the preload list, which is fine here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
chmod 755 "$T"
PIDS=""
MOUNTS=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	for m in $MOUNTS; do
		# A process that just ended may hold the mount a moment longer.
		_i=0
		while ! umount "$m" 2>/dev/null; do
			_i=$((_i + 1)); [ $_i -lt 50 ] || { umount -l "$m" || true; break; }
			sleep 0.1
		done
		rm -f "$m.img"
	done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
ok() { echo "ok: $*"; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root: $*"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1 (make deps)"; }

# need_btrfs: skips unless this is root on a kernel with btrfs and
# mkfs.btrfs (btrfs-progs) is installed.
need_btrfs() {
	need_root "mounts a loop btrfs"
	if ! grep -qw btrfs /proc/filesystems 2>/dev/null; then
		modprobe btrfs 2>/dev/null || true
		grep -qw btrfs /proc/filesystems 2>/dev/null || skip "the kernel has no btrfs"
	fi
	need_cmd mkfs.btrfs
	need_cmd losetup
}

# mount_fs TYPE DIR [OPTIONS]: makes a file system of TYPE (btrfs, ext4) in
# the sparse loop file DIR.img and mounts it on DIR (made when missing)
# with OPTIONS; unmounted and removed on exit.
mount_fs() {
	mkdir -p "$2"
	truncate -s 2G "$2.img"
	case $1 in
	btrfs) mkfs.btrfs -q -f "$2.img" >/dev/null ;;
	ext4) mkfs.ext4 -q -F "$2.img" >/dev/null ;;
	*) fail "mount_fs: $1?" ;;
	esac
	mount -o "loop${3:+,$3}" "$2.img" "$2" || { rm -f "$2.img"; fail "cannot mount a loop $1 on $2"; }
	MOUNTS="$2 $MOUNTS"
	chmod 755 "$2"
}

# RSYNCSWAP_TEST_FS=btrfs (tests/system/btrfs-suite.sh): the scratch
# directory is a loop-mounted btrfs (user_subvol_rm_allowed), so that a
# test runs unchanged on the btrfs back end.
if [ "${RSYNCSWAP_TEST_FS:-}" = btrfs ]; then
	need_btrfs
	mount_fs btrfs "$T" user_subvol_rm_allowed
fi

# copy_state SRC DST: a copy of the state directory SRC (its rsync directory
# inside) sharing the files: hard links; on btrfs each revision subvolume
# becomes a snapshot, as hard links do not cross subvolumes.
copy_state() {
	if [ "$(stat -f -c %T "$1")" != btrfs ]; then cp -al "$1" "$2"; return; fi
	mkdir "$2"
	for _f in "$1"/* "$1"/.[!.]*; do
		[ -e "$_f" ] || [ -L "$_f" ] || continue
		[ "$(basename "$_f")" = rsync ] || { cp -al "$_f" "$2/"; continue; }
		mkdir "$2/rsync"
		for _r in "$_f"/* "$_f"/.[!.]*; do
			[ -e "$_r" ] || [ -L "$_r" ] || continue
			if [ ! -L "$_r" ] && [ -d "$_r" ] && [ "$(stat -c %i "$_r")" = 256 ]; then
				btrfs subvolume snapshot "$_r" "$2/rsync/$(basename "$_r")" >/dev/null
			else
				cp -al "$_r" "$2/rsync/"
			fi
		done
	done
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bound_port FILE: a test's own server binds port 0 (the kernel picks a
# free one, so tests running side by side never race for it) and writes
# "port N" as its first line to FILE; waits up to 10 s for it, prints N.
bound_port() {
	_i=0
	until _p=$(sed -n '1s/^port \([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null) && [ -n "$_p" ]; do
		_i=$((_i + 1)); [ $_i -lt 100 ] || fail "no port in $1: $(head -3 "$1" 2>/dev/null)"
		sleep 0.1
	done
	echo "$_p"
}

# wait_port PORT [PID [LOG]]: waits up to 10 s until something listens on
# 127.0.0.1:PORT; fails at once, showing LOG, when the daemon PID has ended
# (e.g. the port was taken between free_port and its bind).
wait_port() {
	i=0
	while ! python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; do
		if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
			[ -z "${3:-}" ] || cat "$3" >&2
			fail "the daemon for port $1 (pid $2) ended before it listened"
		fi
		i=$((i + 1)); [ $i -lt 100 ] || fail "nothing listens on port $1"
		sleep 0.1
	done
	# Something listens; if it is not the daemon, the daemon has ended.
	if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
		[ -z "${3:-}" ] || cat "$3" >&2
		fail "the daemon for port $1 (pid $2) ended: another process has the port"
	fi
}

# start_rsyncd CONF PORT: runs rsync --daemon --no-detach on 127.0.0.1:PORT.
start_rsyncd() {
	rsync --daemon --no-detach --config="$1" --address=127.0.0.1 --port="$2" \
		>"$T/rsyncd.$2.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$2" $! "$T/rsyncd.$2.out"
}

# tree_list DIR: prints "path sha256" of every file under DIR, sorted.
tree_list() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum | awk '{print $2, $1}')
}

# notif_uri DIR: the public notification URI used with --source-uri-base DIR.

# ---- helpers for the rsyncd / rsync / RP system tests ----

# need_rsyncswap: the binary must be built (make); a test cannot pass without it.
need_rsyncswap() {
	[ -x "$RSYNCSWAP" ] || fail "$RSYNCSWAP not built (run make)"
}

# expiry_flat STATE: prints the expiry summary of the state directory STATE,
# its base file and the segments on it as one file (tests/tools/expiry_flat.c,
# built here once per test against $BUILD/librsyncswap.a).
expiry_flat() {
	if [ ! -x "$T/.expiry-flat" ]; then
		_b="$TOP/${BUILD:-build}"
		_san=""
		[ "${BUILD:-build}" = build-san ] && _san="-fsanitize=address,undefined"
		# shellcheck disable=SC2086
		${CC:-cc} $_san -I"$TOP" -o "$T/.expiry-flat" \
		    "$TOP/tests/tools/expiry_flat.c" "$_b/librsyncswap.a" \
		    "$_b/libtsnorm.a" $(make -s -C "$TOP" print-libs) ||
			fail "cannot build tests/tools/expiry_flat.c"
	fi
	rm -rf "$T/.flat" && mkdir "$T/.flat" &&
		"$T/.expiry-flat" "$1" "$T/.flat" && cat "$T/.flat/expiry"
}

# sorted_tree_list DIR: tree_list DIR in bytewise order (comparable with rrdp_list).
sorted_tree_list() {
	tree_list "$1" | LC_ALL=C sort
}

# rrdp_list SNAPSHOT [host]: an independent decode of an RRDP snapshot file
# (python3 xml.etree iterparse + base64, no rsyncswap code): prints
# "./<module>/<path> <sha256>" of every publish element, bytewise sorted;
# with "host": "./<host>/<module>/<path> <sha256>".
rrdp_list() {
	python3 - "$@" <<'PYEOF'
import sys, base64, hashlib, binascii
import xml.etree.ElementTree as ET
NS = "{http://www.ripe.net/rpki/rrdp}"
host = len(sys.argv) > 2 and sys.argv[2] == "host"
out = []
for ev, el in ET.iterparse(sys.argv[1]):
    if el.tag != NS + "publish":
        continue
    uri = el.get("uri")
    assert uri.startswith("rsync://"), uri
    h, rest = uri[len("rsync://"):].split("/", 1)
    data = base64.b64decode("".join((el.text or "").split()), validate=True)
    out.append(("./" + (h + "/" if host else "") + rest, hashlib.sha256(data).hexdigest()))
    el.clear()
for p, d in sorted(out, key=lambda x: (x[0] + " " + x[1]).encode()):
    print(p, d)
PYEOF
}

# RRDPGEN: the one writer of RRDP documents (scripts/rrdpgen.py): a
# command for the shell tests, a module for the Python generators
# (sys.path.insert(0, os.environ["RRDPGEN_DIR"]); import rrdpgen).
RRDPGEN="$TOP/scripts/rrdpgen.py"
RRDPGEN_DIR="$TOP/scripts"
export RRDPGEN_DIR

# make_notif DIR PUBLIC_BASE SESSION SERIAL SNAPSHOT_REL [DSERIAL DELTA_REL]...
# writes DIR/notification.xml for files that exist under DIR, with their real
# sha256; PUBLIC_BASE is the public URI of DIR ("https://host/rrdp/").
make_notif() {
	python3 "$RRDPGEN" notification "$@" || fail "make_notif $*"
}

# current_rev RSYNC_DIR: the absolute path of the revision `current` points to.
current_rev() {
	_l=$(readlink "$1/current") || fail "$1/current is not a symlink"
	case $_l in /*|*/*) fail "current -> $_l is not a relative name in $1" ;; esac
	echo "$1/$_l"
}

# same_list A B WHAT: fails (showing the first differences) unless files A and B
# are identical.
same_list() {
	cmp -s "$1" "$2" && return 0
	diff "$1" "$2" | head -20 >&2
	fail "$3: $(wc -l <"$1") vs $(wc -l <"$2") lines differ"
}

# example_conf RSYNC_DIR CONF: writes CONF from rsyncd.conf.example, changing
# only paths: the rsync dir, and the log/pid/lock files (CONF.log, .pid, .lock).
example_conf() {
	sed -e "/^[[:space:]]*#/!s|/var/lib/rsyncswap/rsync|$1|g" \
	    -e "/^[[:space:]]*#/!s|/var/log/rsyncd.log|$2.log|" \
	    -e "/^[[:space:]]*#/!s|/run/rsyncd.pid|$2.pid|" \
	    -e "/^[[:space:]]*#/!s|/run/rsyncd.lock|$2.lock|" \
	    "$TOP/rsyncd.conf.example" >"$2"
	grep -q "^[[:space:]]*path = $1/current/repo\$" "$2" ||
		fail "rsyncd.conf.example: no 'path = /var/lib/rsyncswap/rsync/current/repo' to substitute"
}

# BENCH_URI / BENCH_SRC: the krill-sync-benchmark repository as rsyncswap input.
BENCH_URI=https://localhost:3000/rrdp/notification.xml
BENCH_SRC="$DATA/krill-sync-benchmark/rrdp"

# ---- helpers for watch tests ----

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds; fails
# after SECONDS.
wait_for() {
	_n=$(($1 * 10)); shift
	while ! "$@" >/dev/null 2>&1; do
		_n=$((_n - 1)); [ $_n -gt 0 ] || return 1
		sleep 0.1
	done
}

# current_is RSYNC_DIR SERIAL: true when current points to serial SERIAL.
current_is() {
	case $(readlink "$1/current" 2>/dev/null) in *_serial_"$2") return 0 ;; esac
	return 1
}

# check_prometheus FILE: fails unless FILE is Prometheus text format
# (every sample's family declared by a TYPE line first, values numeric).
check_prometheus() {
	python3 - "$1" <<'PYEOF' || fail "$1 is not Prometheus text format"
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
sample = re.compile(r"^(%s)(\{(%s=\"([^\"\\]|\\.)*\")(,%s=\"([^\"\\]|\\.)*\")*\})? (\S+)$" % (name, name, name))
types, n = {}, 0
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        continue
    if line.startswith("# TYPE "):
        _, _, m, t = line.split(" ", 3)
        assert t in ("counter", "gauge", "untyped", "histogram", "summary"), line
        assert m not in types, "duplicate TYPE " + m
        types[m] = t
        continue
    m = sample.match(line)
    assert m, "bad line: " + line
    assert m.group(1) in types, "no TYPE for " + m.group(1)
    float(m.group(7))
    n += 1
assert n > 0, "no samples"
PYEOF
}

# start_nginx ROOT: serves ROOT over https on 127.0.0.1 twice: $NGINX_PORT
# with a certificate of a test CA ($T/pki/ca.pem), $NGINX_SELF_PORT with a
# self-signed one. The access log is $T/nginx/access.log.
start_nginx() {
	need_cmd nginx
	need_cmd openssl
	mkdir -p "$T/pki" "$T/nginx"
	chmod -R a+rX "$1"
	(
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
	)
	NGINX_PORT=$(free_port)
	NGINX_SELF_PORT=$(free_port)
	cat >"$T/nginx/servers.conf" <<CONF
	server {
		listen 127.0.0.1:$NGINX_PORT ssl;
		ssl_certificate $T/pki/srv.pem;
		ssl_certificate_key $T/pki/srv.key;
		root $1;
	}
	server {
		listen 127.0.0.1:$NGINX_SELF_PORT ssl;
		ssl_certificate $T/pki/self.pem;
		ssl_certificate_key $T/pki/self.key;
		root $1;
	}
CONF
	run_nginx "$T/nginx/servers.conf" "$NGINX_PORT"
	wait_port "$NGINX_SELF_PORT"
}

# run_nginx SERVERS PORT: runs nginx in the foreground with the server
# blocks of the file SERVERS, everything it writes below $T/nginx, and
# waits until 127.0.0.1:PORT listens.
run_nginx() {
	mkdir -p "$T/nginx"
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
	include $1;
}
CONF
	nginx -c "$T/nginx/nginx.conf" -g 'daemon off;' 2>"$T/nginx/stderr" &
	PIDS="$PIDS $!"
	wait_port "$2" $! "$T/nginx/stderr"
}
