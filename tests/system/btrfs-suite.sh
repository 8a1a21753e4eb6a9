# Existing system tests, unchanged, on the btrfs back end: each runs with
# its scratch directory on a loop-mounted btrfs of its own
# (RSYNCSWAP_TEST_FS=btrfs, tests/lib.sh), so revisions are subvolumes and
# deltas snapshots. The tests are those whose header says "# also on
# btrfs"; BTRFS_SUITE overrides the list. tests/run runs each of them as
# NAME@btrfs beside the other tests instead of this script, one after
# another.
# runs in parts
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_btrfs

LIST=${BTRFS_SUITE:-$(grep -l '^# also on btrfs' "$TOP"/tests/system/*.sh | sed 's|.*/||; s|\.sh$||')}
failed="" n=0
for t in $LIST; do
	start=$(date +%s)
	if RSYNCSWAP_TEST_FS=btrfs timeout -k 10 300 sh "$TOP/tests/system/$t.sh" >"$T/$t.out" 2>&1; then
		r=0
	else
		r=$?
	fi
	secs=$(( $(date +%s) - start ))
	case $r in
	0) n=$((n + 1)); ok "$t on btrfs (${secs}s)" ;;
	77) echo "skip: $t on btrfs: $(tail -1 "$T/$t.out")" ;;
	*) failed="$failed $t"; echo "FAIL: $t on btrfs (exit $r):"; tail -15 "$T/$t.out" | sed 's/^/    /' ;;
	esac
done
[ -z "$failed" ] || fail "on btrfs:$failed"
[ $n -gt 0 ] || skip "every test skipped on btrfs"
ok "$n tests pass with the rsync directory on btrfs"
