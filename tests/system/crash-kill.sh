# Crash consistency: SIGKILL lands at random moments of `rsyncswap sync`
# (fetch+parse+build, commit: dir times/syncfs/rename, swap, sweep, state
# write) on a 2000-object snapshot and on a chain of 20 deltas of 200
# changes. After every kill: `current` is a complete revision, exactly the
# old or the new serial (path+sha256 list); the next run succeeds, leaves no
# .tmp-*/current.tmp, does not call the state damaged, and serves the new
# serial. Prints how many kills landed in which phase.
# CRASH_KILLS (default 50, half per scenario), CRASH_OBJECTS (2000) and
# CRASH_BUDGET (seconds for the kills, default 90, 50 under ASan: on a loaded machine
# fewer kills land and the summary says how many; skipped when one run
# takes over 20 s, as the kills could not be spread in the time bound).
# SIGKILL, unlike a power loss, needs no durable file system: tmpfs keeps
# each run short (the root file system here discards on every unlink).
# also on btrfs
# mostly waits on btrfs (on the file system's commits, not on the CPU)
[ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd python3
need_cmd flock

KILLS=${CRASH_KILLS:-50}
NOBJ=${CRASH_OBJECTS:-2000}
# The time bound keeps make check (run twice in CI) within its budget; a
# longer run: CRASH_BUDGET=600 CRASH_OBJECTS=12000.
case ${BUILD:-build} in
build-san) BUDGET=${CRASH_BUDGET:-50} ;;
*) BUDGET=${CRASH_BUDGET:-90} ;;
esac
S1=0d3a1f6e-4b7c-4e2a-9a55-6f0e3b1c2d4e
S2=7c4f0b2a-1d9e-4f3b-8a6c-2e5d9f0a1b3c
B=https://rpki.example.net/rrdp/
U=${B}notification.xml
SRC="$T/src"
start=$(date +%s)

# gen: the repositories. Session S1: snapshot 1 (NOBJ objects, real objects
# of tests/data/objects cycled under distinct names), deltas 2..21, snapshot
# 21; session S2: snapshot 1 with the content of S1 serial 1. Writes the
# expected "./repo/path sha256" lists list.1 and list.21 and notifications.
python3 - "$SRC" "$DATA/objects" "$NOBJ" 20 200 "$B" "$S1" "$S2" <<'EOF'
import sys, os, hashlib, random
sys.path.insert(0, os.environ["RRDPGEN_DIR"])
import rrdpgen
out, objdir, nobj, ndel, nchg, base, s1, s2 = sys.argv[1:9]
nobj, ndel, nchg = int(nobj), int(ndel), int(nchg)
rnd = random.Random(7)
pool = []
for d, _, fs in sorted(os.walk(objdir)):
    for f in sorted(fs):
        p = os.path.join(d, f)
        if 0 < os.path.getsize(p) < 4096:
            pool.append((f, open(p, "rb").read()))
HOST = "rsync://rpki.example.net/repo/"
def name(i):
    return "d%03d/%06d-%s" % (i % 200, i, pool[i % len(pool)][0])
state = {name(i): pool[i % len(pool)][1] for i in range(nobj)}
hashes = {}
def write_snapshot(sess, serial, listname):
    rel = "%s/%d/snapshot.xml" % (sess, serial)
    hashes[rel], _ = rrdpgen.write_document(os.path.join(out, rel), "snapshot", sess, serial,
        (rrdpgen.publish(HOST + p, state[p]) for p in sorted(state)))
    lines = sorted(("./repo/%s %s" % (p, hashlib.sha256(state[p]).hexdigest())).encode()
                   for p in state)
    with open(os.path.join(out, listname), "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
write_snapshot(s1, 1, "list.1")
write_snapshot(s2, 1, "list.1")
nexti = nobj
for serial in range(2, ndel + 2):
    els = []
    victims = rnd.sample(sorted(state), nchg * 2 // 3)
    for k, p in enumerate(victims):
        h = hashlib.sha256(state[p]).hexdigest()
        if k % 2 == 0:
            els.append(rrdpgen.withdraw(HOST + p, h))
            del state[p]
        else:
            new = next(x[1] for x in rnd.sample(pool, 3) if x[1] != state[p])
            els.append(rrdpgen.publish(HOST + p, new, h))
            state[p] = new
    for k in range(nchg - len(victims)):
        p = name(nexti)
        nexti += 1
        state[p] = pool[nexti % len(pool)][1]
        els.append(rrdpgen.publish(HOST + p, state[p]))
    rel = "%s/%d/delta.xml" % (s1, serial)
    hashes[rel], _ = rrdpgen.write_document(os.path.join(out, rel), "delta", s1, serial, els)
last = ndel + 1
write_snapshot(s1, last, "list.%d" % last)
def notif(fn, sess, serial, deltas):
    rel = "%s/%d/snapshot.xml" % (sess, serial)
    drels = [(s, "%s/%d/delta.xml" % (sess, s)) for s in deltas]
    rrdpgen.write_notification(os.path.join(out, fn), sess, serial, (base + rel, hashes[rel]),
                               [(s, base + r, hashes[r]) for s, r in drels])
notif("notif-s1-1.xml", s1, 1, [])
notif("notif-s1-21-snapshot.xml", s1, last, [])
notif("notif-s1-21-deltas.xml", s1, last, range(2, last + 1))
notif("notif-s2-1.xml", s2, 1, [])
EOF
REV1=session_${S1}_serial_1
REV21=session_${S1}_serial_21
REVS2=session_${S2}_serial_1
ok "generated $NOBJ objects, 20 deltas ($(du -sm "$SRC" | cut -f1) MB) in $(( $(date +%s) - start ))s"

# sync ST NOTIF [OPTS]: one run to completion; output in $T/out, $T/err.
sync() {
	_st=$1 _n=$2; shift 2
	cp "$SRC/$_n" "$SRC/notification.xml"
	"$RSYNCSWAP" sync -s "$_st" --source-uri-base "$SRC" "$@" $U >"$T/out" 2>"$T/err"
}
now_ms() { date +%s%3N; }
# full_list ST: the path+sha256 list of the revision current points to.
full_list() { sorted_tree_list "$(current_rev "$1/rsync")"; }
# phase ST OLD NEW: where the kill landed, judged from what is on disk.
phase() {
	_st=$1 _r="$1/rsync"
	_cur=$(readlink "$_r/current")
	if ! flock -n "$_st/lock" true; then
		echo "sweep (child still removing)"
	elif ls "$_st"/.tmp-state-* >/dev/null 2>&1; then
		echo "state write"
	elif [ "$_cur" = "$3" ]; then
		if grep -q "^revision $3\$" "$_st/state"; then echo "after state write"
		else echo "swap done, sweep/state not written"; fi
	elif [ -L "$_r/current.tmp" ]; then
		echo "swap"
	elif [ -d "$_r/$3" ]; then
		echo "renamed, before swap"
	else
		_tmp=$(ls -d "$_r"/.tmp-* 2>/dev/null | head -1)
		if [ -z "$_tmp" ]; then echo "start (lock, notification, decision)"
		elif [ "$(stat -c %Y "$_tmp")" = 946684800 ]; then echo "commit (syncfs, rename)"
		else echo "fetch/parse/build"; fi
	fi
}

# trial NAME ST NOTIF OLD NEW OLDLIST NEWLIST DELAY: one killed run, checks.
# Returns 1 (no kill: the run had finished) or 0.
trial() {
	_name=$1 _st=$2 _n=$3 _old=$4 _new=$5 _ol=$6 _nl=$7 _d=$8
	cp "$SRC/$_n" "$SRC/notification.xml"
	"$RSYNCSWAP" sync -q -s "$_st" --cleanup-after 0 --source-uri-base "$SRC" $U \
		>"$T/kout" 2>&1 &
	_pid=$!
	sleep "$_d"
	kill -KILL $_pid 2>/dev/null || true
	_rc=0
	{ wait $_pid; } 2>/dev/null || _rc=$?
	[ "$_rc" = 137 ] || {
		[ "$_rc" = 0 ] || { cat "$T/kout" >&2; fail "$_name: unkilled run exit $_rc"; }
		return 1
	}
	_ph=$(phase "$_st" "$_old" "$_new")
	flock "$_st/lock" true		# an orphaned sweep child finishes
	_cur=$(readlink "$_st/rsync/current") || fail "$_name ($_ph): no current"
	full_list "$_st" >"$T/list"
	case $_cur in
	"$_old") same_list "$T/list" "$SRC/$_ol" "$_name ($_ph): current -> old $_cur" ;;
	"$_new") same_list "$T/list" "$SRC/$_nl" "$_name ($_ph): current -> new $_cur" ;;
	*) fail "$_name ($_ph): current -> $_cur" ;;
	esac
	echo "$_ph" >>"$T/phases.$_name"
	[ -n "$(ls -A "$_st"/.tmp-state-* 2>/dev/null)" ] && echo x >>"$T/statetmp.$_name"
	# The next run: succeeds, serves the new serial, leaves no temporary.
	sync "$_st" "$_n" --cleanup-after 0 ||
		{ cat "$T/err" >&2; fail "$_name ($_ph): next run exit $?"; }
	! grep -q -i -E 'damaged|unreadable|state: ' "$T/err" ||
		{ cat "$T/err" >&2; fail "$_name ($_ph): next run found the state damaged"; }
	grep -q 'does not describe' "$T/err" && echo "$_ph" >>"$T/nomatch.$_name"
	[ "$(readlink "$_st/rsync/current")" = "$_new" ] ||
		fail "$_name ($_ph): next run: current -> $(readlink "$_st/rsync/current")"
	_left=$(ls -A "$_st/rsync" | grep -v -x -e current -e "$_new" || true)
	[ -z "$_left" ] || fail "$_name ($_ph): left after the next run's sweep: $_left"
	# The full list after recovery every fifth kill, the object count always.
	if [ $((kills % 5)) = 0 ]; then
		full_list "$_st" >"$T/list"
		same_list "$T/list" "$SRC/$_nl" "$_name ($_ph): after the next run"
	else
		[ "$(find "$_st/rsync/$_new/" -type f | wc -l)" = "$(wc -l <"$SRC/$_nl")" ] ||
			fail "$_name ($_ph): next run: incomplete $_new"
	fi
	return 0
}

# delays N MS SEED: N random delays, as seconds: half uniform over the
# measured run time MS, half in its last 40% and a little beyond, where the
# short phases are (commit, swap, sweep, state write).
delays() {
	awk -v n="$1" -v ms="$2" -v seed="$3" 'BEGIN { srand(seed);
	    for (i = 0; i < n; i++) {
		f = rand() < 0.5 ? rand() : 0.6 + 0.45 * rand()
		printf "%.3f\n", f * ms / 1000 } }'
}
seed=${CRASH_SEED:-$(date +%s)}
echo "seed $seed (CRASH_SEED=$seed reproduces the delays)"

# summary NAME: the phases its kills landed in.
summary() {
	echo "$1: $(wc -l <"$T/phases.$1") kills:"
	sort "$T/phases.$1" | uniq -c | sed 's/^/   /'
	[ -f "$T/nomatch.$1" ] && echo "   next run took the snapshot (state older than current) after: $(sort "$T/nomatch.$1" | uniq -c | tr -s ' \n' ' ')"
	[ -f "$T/statetmp.$1" ] && echo "   a .tmp-state-XXXXXX temp file was left $(wc -l <"$T/statetmp.$1") times"
	return 0
}

# --- snapshot: the two sessions alternate, every run is a full snapshot
# plus a sweep of the old one (--cleanup-after 0)
ST="$T/snap"
sync "$ST" notif-s1-21-snapshot.xml || { cat "$T/err" >&2; fail "first snapshot"; }
t0=$(now_ms)
sync "$ST" notif-s2-1.xml --cleanup-after 0 || { cat "$T/err" >&2; fail "snapshot S2"; }
snap_ms=$(( $(now_ms) - t0 ))
ok "one snapshot run of $NOBJ objects (with the sweep of the old one): ${snap_ms} ms"
[ "$snap_ms" -lt 20000 ] || skip "machine too slow or loaded: one snapshot run of $NOBJ objects took ${snap_ms} ms"
: >"$T/phases.snapshot"
kills=0 tries=0 cur=$REVS2 until=$(( $(date +%s) + BUDGET / 2 ))
for d in $(delays $((KILLS * 3)) "$snap_ms" "$seed"); do
	[ $kills -lt $((KILLS / 2)) ] && [ "$(date +%s)" -lt $until ] || break
	tries=$((tries + 1))
	if [ "$cur" = "$REVS2" ]; then
		set -- notif-s1-21-snapshot.xml "$REVS2" "$REV21" list.1 list.21
	else
		set -- notif-s2-1.xml "$REV21" "$REVS2" list.21 list.1
	fi
	if trial snapshot "$ST" "$@" "$d"; then kills=$((kills + 1)); fi
	cur=$(readlink "$ST/rsync/current")
done
[ $kills -gt 0 ] || skip "snapshot: no run was killed in the time budget ($tries runs)"
summary snapshot

# --- deltas: 20 deltas onto serial 1, from a hard-linked copy of a
# pristine state each time (rsyncswap never modifies a file in place, so the
# copies share inodes safely; a change in place would show in later trials)
sync "$T/base" notif-s1-1.xml || { cat "$T/err" >&2; fail "base snapshot"; }
copy_state "$T/base" "$T/d"
t0=$(now_ms)
sync "$T/d" notif-s1-21-deltas.xml --cleanup-after 0 || { cat "$T/err" >&2; fail "deltas"; }
delta_ms=$(( $(now_ms) - t0 ))
grep -q "deltas 2-21" "$T/out" || fail "deltas not applied: $(cat "$T/out")"
same_list "$SRC/list.21" "$(full_list "$T/d" >"$T/list"; echo "$T/list")" "deltas 2-21"
ok "one run of 20 deltas x 200 changes onto $NOBJ objects: ${delta_ms} ms"
: >"$T/phases.deltas"
kills=0 tries=0 until=$(( $(date +%s) + BUDGET / 2 ))
for d in $(delays $((KILLS * 3)) "$delta_ms" "$((seed + 1))"); do
	[ $kills -lt $((KILLS - KILLS / 2)) ] && [ "$(date +%s)" -lt $until ] || break
	tries=$((tries + 1))
	rm -rf "$T/d"
	copy_state "$T/base" "$T/d"
	if trial deltas "$T/d" notif-s1-21-deltas.xml "$REV1" "$REV21" list.1 list.21 "$d"; then
		kills=$((kills + 1))
	fi
done
[ $kills -gt 0 ] || skip "deltas: no run was killed in the time budget ($tries runs)"
summary deltas
total=$(cat "$T"/phases.* | wc -l)
[ "$total" -ge "$KILLS" ] || echo "note: the ${BUDGET}s budget ran out after $total of $KILLS kills (a slow or loaded machine)"
ok "$total kills, every time a complete old or new revision; $(( $(date +%s) - start ))s"
