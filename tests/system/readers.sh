# Reader-aware cleanup with a real rsyncd in both `use chroot` settings:
# watch runs as root with --user nobody (the helper scans /proc). A dozen
# slow clients (--bwlimit) start across five swaps, so several replaced
# revisions have readers at once: every client exits 0 with exactly the
# revision it started on; each replaced revision is gone within a few
# seconds of its last reader's end, never before; a revision nobody reads
# is gone after --cleanup-after alone (whole seconds, as the state keeps
# them). Status and metrics show the readers.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_root "starts as root with --user nobody, rsyncd as root"
need_cmd pgrep
id nobody >/dev/null 2>&1 || skip "no user nobody"

SIM="$TOP/scripts/origin-sim"
U=https://origin.example/rrdp/notification.xml
OBJ=150

# now: the time in ms.
now() { date +%s%3N; }

# revisions_on_disk RSYNC_DIR: prints the serials of the revision directories.
revisions_on_disk() {
	for _d in "$1"/session_*; do
		[ -d "$_d" ] && echo "${_d##*_serial_}"
	done
	return 0
}

# monitor RSYNC_DIR OUT: every 0.1 s appends "ms serial..." to OUT.
monitor() {
	while :; do
		echo "$(now) $(revisions_on_disk "$1" | tr '\n' ' ')" >>"$2"
		sleep 0.1
	done
}

# inside REV: the number of processes whose root or cwd lies in REV.
inside() {
	_n=0
	for _p in $(pgrep -x rsync); do
		for _l in root cwd; do
			case $(readlink "/proc/$_p/$_l" 2>/dev/null) in
			"$1"|"$1"/*) _n=$((_n + 1)); break ;;
			esac
		done
	done
	echo $_n
}

# inside_at_least REV N: true when N processes are inside REV.
inside_at_least() { [ "$(inside "$1")" -ge "$2" ]; }

# on_disk_at_most RSYNC_DIR N: true when at most N revisions are on disk.
on_disk_at_most() { [ "$(revisions_on_disk "$1" | wc -l)" -le "$2" ]; }

# costs_known STATE_DIR: true when status knows every revision's cost.
costs_known() {
	"$RSYNCSWAP" status --json -s "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if all(r["bytes"] is not None for r in d["revisions"]) else 1)'
}

# clients_ended DIR N: true when N clients wrote their exit code.
clients_ended() { [ "$(ls "$1"/*.rc 2>/dev/null | wc -l)" = "$2" ]; }

# run_setting yes|no
run_setting() {
	ch=$1 D="$T/$1"
	SRC="$D/src" REC="$D/rec" ST="$D/st"
	mkdir -p "$D/clients" "$D/m" && chown nobody "$D/m"
	"$SIM" --dir "$SRC" --objects $OBJ --record "$REC" >/dev/null
	# rsyncd first: from the first sweep on, the scan sees it.
	P=$(free_port)
	mkdir -p "$ST/rsync"
	example_conf "$ST/rsync" "$D/r.conf"
	sed -i "s/^\([[:space:]]*use chroot[[:space:]]*=\).*/\1 $ch/" "$D/r.conf"
	grep -q "use chroot = $ch" "$D/r.conf" || fail "could not set use chroot = $ch"
	start_rsyncd "$D/r.conf" "$P"
	"$RSYNCSWAP" watch -v --user nobody -s "$ST" --cleanup-after 2 \
		--metrics-file "$D/m/metrics.prom" \
		--source-uri-base "$SRC" $U 2>"$D/watch.log" &
	W=$!
	PIDS="$PIDS $W"
	wait_for 20 current_is "$ST/rsync" 1 || { cat "$D/watch.log"; fail "serial 1 not live"; }
	monitor "$ST/rsync" "$D/mon" &
	M=$!
	PIDS="$PIDS $M"

	# Serials 1..5 get 3,3,2,2,2 clients; each swap follows once they read.
	k=0
	for s in 1 2 3 4 5; do
		rev=$(current_rev "$ST/rsync")
		case $rev in *_serial_$s) ;; *) fail "current is $rev, want serial $s" ;; esac
		n=2; [ $s -le 2 ] && n=3
		for _ in $(seq $n); do
			k=$((k + 1))
			echo $s >"$D/clients/$k.serial"
			( rsync -rt --bwlimit=40 "rsync://127.0.0.1:$P/repo/" \
				"$D/clients/$k/" >"$D/clients/$k.out" 2>&1
			  echo $? >"$D/clients/$k.rc"; now >"$D/clients/$k.end" ) &
		done
		wait_for 20 inside_at_least "$rev" $n ||
			fail "chroot $ch: $n clients not inside serial $s"
		"$SIM" --dir "$SRC" --objects $OBJ --revisions $s --record "$REC" >/dev/null
		wait_for 20 current_is "$ST/rsync" $((s + 1)) || fail "serial $((s + 1)) not live"
		now >"$D/replaced.$s"
	done
	# Serial 6 has no reader: replaced by serial 7.
	sleep 1
	"$SIM" --dir "$SRC" --objects $OBJ --revisions 6 --record "$REC" >/dev/null
	wait_for 20 current_is "$ST/rsync" 7 || fail "serial 7 not live"
	now >"$D/replaced.6"

	# status shows the costs the sweep after the swap measured.
	wait_for 10 costs_known "$ST" || fail "chroot $ch: no sweep measured serial 7"
	"$RSYNCSWAP" status -s "$ST" >"$D/status.txt" || true	# exit 4: expired test objects
	"$RSYNCSWAP" status --json -s "$ST" >"$D/status.json" || true
	cp "$D/m/metrics.prom" "$D/metrics.mid"

	# Every client ends with exit 0 and exactly its serial.
	wait_for 120 clients_ended "$D/clients" $k ||
		fail "chroot $ch: not every client ended"
	for i in $(seq $k); do
		rc=$(cat "$D/clients/$i.rc") s=$(cat "$D/clients/$i.serial")
		[ "$rc" = 0 ] || { cat "$D/clients/$i.out"; fail "chroot $ch: client $i (serial $s) exited $rc"; }
		sed 's|^\./repo/|./|' "$REC/$s.list" | LC_ALL=C sort >"$D/want"
		sorted_tree_list "$D/clients/$i" | cmp -s - "$D/want" ||
			fail "chroot $ch: client $i did not get exactly serial $s"
	done
	ok "chroot $ch: $k slow clients across 5 swaps: all exit 0, each with exactly its serial"

	wait_for 30 on_disk_at_most "$ST/rsync" 1 ||
		{ revisions_on_disk "$ST/rsync"; cat "$D/watch.log"; fail "chroot $ch: old revisions left"; }
	sleep 0.5	# the monitor's last samples
	kill $M; wait $M 2>/dev/null || true
	peak=$(awk '{ if (NF - 1 > m) m = NF - 1 } END { print m }' "$D/mon")
	[ "$peak" -ge 4 ] || fail "chroot $ch: at most $peak revisions at once: too few read at once"

	# gone SERIAL: the first monitor time (ms) without SERIAL after it was seen.
	gone() {
		awk -v s="$1" '{ has = 0; for (i = 2; i <= NF; i++) if ($i == s) has = 1 }
			has { seen = 1 } !has && seen { print $1; exit }' "$D/mon"
	}
	for s in 1 2 3 4 5; do
		last=0
		for i in $(seq $k); do
			[ "$(cat "$D/clients/$i.serial")" = $s ] || continue
			e=$(cat "$D/clients/$i.end")
			[ "$e" -gt "$last" ] && last=$e
		done
		g=$(gone $s)
		[ -n "$g" ] || fail "chroot $ch: serial $s never seen removed"
		[ "$g" -ge "$((last - 200))" ] || fail "chroot $ch: serial $s removed $((last - g)) ms before its last reader ended"
		d=$((g - last))
		[ "$d" -le 5000 ] || fail "chroot $ch: serial $s removed $d ms after its last reader ended"
		echo "serial $s: removed $d ms after its last reader's end"
	done
	ok "chroot $ch: each read revision removed within 5 s of its last reader's end"
	g=$(gone 6) r=$(cat "$D/replaced.6")
	[ -n "$g" ] || fail "chroot $ch: serial 6 not removed"
	d=$((g - r))
	[ "$d" -ge 900 ] && [ "$d" -le 5000 ] || fail "chroot $ch: unread serial 6 removed $d ms after its replacement (want --cleanup-after 2, in whole seconds: 1 s .. 5 s)"
	ok "chroot $ch: the unread revision removed $d ms after its replacement (--cleanup-after 2)"

	# While clients read: status and metrics showed readers of old revisions.
	grep -q "^cleanup: reader-aware" "$D/status.txt" || { cat "$D/status.txt"; fail "status: not reader-aware"; }
	grep -q "replaced .*readers [1-9].*own [0-9]* bytes, [0-9]* inodes" "$D/status.txt" ||
		{ cat "$D/status.txt"; fail "status: no replaced revision with readers and its cost"; }
	python3 - "$D/status.json" <<'PY' || fail "status --json: readers not shown"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cleanup"]["mode"] == "reader-aware", d["cleanup"]
old = [r for r in d["revisions"] if not r["current"]]
assert any(r["readers"] > 0 and r["kept_because"].endswith(("reader", "readers")) for r in old), old
# Own bytes may be 0 (its files all shared, and a tmpfs gives directories
# no blocks), never unknown; own inodes are at least its directories.
assert all(r["bytes"] is not None and r["bytes"] >= 0 and r["inodes"] > 0 for r in d["revisions"]), d["revisions"]
assert any(r["bytes"] > 0 for r in d["revisions"]), d["revisions"]
PY
	check_prometheus "$D/metrics.mid"
	grep -q '^rsyncswap_cleanup_reader_aware 1$' "$D/metrics.mid" || fail "metrics: not reader-aware"
	grep -q '^rsyncswap_revision_readers{revision="session_[^"]*",current="false"} [1-9]' "$D/metrics.mid" ||
		{ grep readers "$D/metrics.mid"; fail "metrics: no old revision with readers"; }
	wait_for 10 grep -q '^rsyncswap_revisions_removed_total [6-9]' "$D/m/metrics.prom" ||
		{ grep removal "$D/m/metrics.prom"; fail "metrics: removals not counted"; }
	grep -q '^rsyncswap_reader_scan_failures_total 0$' "$D/m/metrics.prom" || fail "metrics: scan failures"
	ok "chroot $ch: status and metrics show readers per revision, costs, removals"
	kill -TERM $W; wait $W || fail "watch exit $?"
	[ "$(grep -c 'cleanup: reader-aware' "$D/watch.log")" = 1 ] || fail "mode not logged once"
}

run_setting yes
run_setting no
