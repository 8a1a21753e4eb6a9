#!/bin/sh
# Re-creates the logs of this directory with the local rsync (3.5.0 for the
# committed ones) on 127.0.0.1: run as root from anywhere, writes
# chroot.log and nochroot.log into the current directory. Real daemons, real
# clients: a refused one (max connections), vanished files and directories
# (deleted from the served tree under a --bwlimit client), a module list, an
# unknown module, a client killed mid-transfer.
set -eu
out=$(pwd)
w=$(mktemp -d); trap 'kill $d1 $d2 2>/dev/null; rm -rf "$w"' EXIT
cd "$w"
mk() {	# mk DIR NDIRS NFILES SIZE
	for d in $(seq 100 $((99 + $2))); do
		mkdir -p "$1/d$d"
		for i in $(seq 1 "$3"); do head -c "$4" /dev/urandom >"$1/d$d/f$i.roa"; done
	done
}
mk t1 30 10 4000; mk t2 200 8 2000
chmod -R a+rX "$w"
p1=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
p2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'use chroot = no\nmax connections = 2\nlock file = %s/l1\nlog file = %s/nochroot.log\n[repo]\n\tpath = %s/t1\n' "$w" "$w" "$w" >c1
printf 'uid = nobody\ngid = nogroup\nuse chroot = yes\nmax connections = 1\nlock file = %s/l2\nlog file = %s/chroot.log\n[repo]\n\tpath = %s/t2\n' "$w" "$w" "$w" >c2
rsync --daemon --no-detach --config=c1 --address=127.0.0.1 --port=$p1 & d1=$!
rsync --daemon --no-detach --config=c2 --address=127.0.0.1 --port=$p2 & d2=$!
sleep 1
u1=rsync://127.0.0.1:$p1 u2=rsync://127.0.0.1:$p2
rsync $u1/ >/dev/null
rsync -rt $u1/nosuch/ x0/ 2>/dev/null || true
rsync -rt $u1/repo/ x1/
rsync -rt $u1/repo/d100/f1.roa x2/
rsync -rt --bwlimit=300 $u1/repo/ x3/ 2>/dev/null & a=$!
sleep 0.5
rsync -rt --bwlimit=300 $u1/repo/ x4/ 2>/dev/null & b=$!
sleep 0.5
rsync -rt $u1/repo/ x5/ 2>/dev/null || true		# refused
rm -rf t1/d12[5-9]
wait $a || true; wait $b || true
rsync -rt --bwlimit=50 $u1/repo/ x6/ 2>/dev/null & a=$!
sleep 2; kill -9 $a || true; sleep 1
rsync -rt --bwlimit=200 $u2/repo/ y1/ 2>/dev/null & a=$!
sleep 1
rsync -rt $u2/repo/ y2/ 2>/dev/null || true		# refused
sleep 0.5
rm -rf t2/d2[5-9]*
wait $a || true
sleep 1
rsync -rt --bwlimit=50 $u2/repo/ y3/ 2>/dev/null & a=$!
sleep 2; kill -TERM $a || true; sleep 1
kill $d1 $d2; wait $d1 $d2 || true
cp nochroot.log chroot.log "$out/"
