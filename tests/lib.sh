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
