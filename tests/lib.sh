# Shared helpers for system tests: sourced, never run.
# Every test gets a scratch directory that is removed on exit, and every
# daemon it starts through these helpers is stopped on exit.
set -eu
TOP=${RSYNCSWAP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
RSYNCSWAP="$TOP/rsyncswap/rsyncswap"
TSNORM="$TOP/tsnorm/tsnorm"
DATA="$TOP/tests/data"
T=$(mktemp -d "${TMPDIR:-/tmp}/rsyncswap-t.XXXXXX")
chmod 755 "$T"
PIDS=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
ok() { echo "ok: $*"; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root: $*"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1 (make deps)"; }

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: waits up to 10 s until something listens on 127.0.0.1:PORT.
wait_port() {
	i=0
	while ! python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || fail "nothing listens on port $1"
		sleep 0.1
	done
}

# start_rsyncd CONF PORT: runs rsync --daemon --no-detach on 127.0.0.1:PORT.
start_rsyncd() {
	rsync --daemon --no-detach --config="$1" --address=127.0.0.1 --port="$2" \
		>"$T/rsyncd.$2.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$2"
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

# make_notif DIR PUBLIC_BASE SESSION SERIAL SNAPSHOT_REL [DSERIAL DELTA_REL]...
# writes DIR/notification.xml for files that exist under DIR, with their real
# sha256; PUBLIC_BASE is the public URI of DIR ("https://host/rrdp/").
make_notif() {
	_d=$1 _b=$2 _s=$3 _n=$4 _snap=$5
	shift 5
	{
		echo "<notification xmlns=\"http://www.ripe.net/rpki/rrdp\" version=\"1\" session_id=\"$_s\" serial=\"$_n\">"
		echo "  <snapshot uri=\"$_b$_snap\" hash=\"$(sha256sum <"$_d/$_snap" | cut -d' ' -f1)\"/>"
		while [ $# -ge 2 ]; do
			echo "  <delta serial=\"$1\" uri=\"$_b$2\" hash=\"$(sha256sum <"$_d/$2" | cut -d' ' -f1)\"/>"
			shift 2
		done
		echo "</notification>"
	} >"$_d/notification.xml"
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
