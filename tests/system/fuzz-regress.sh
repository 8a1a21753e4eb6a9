# Every libFuzzer target of tests/fuzz still builds against the library of
# this build (plain, or ASan+UBSan with make SANITIZE=1), and replays once
# every input that crashed it (tests/data/fuzz-regress/<target>/) and its
# seeds (tests/data/fuzz-seeds/<target>/) without a crash or a finding.
. "$RSYNCSWAP_TOP/tests/lib.sh"
build=${BUILD:-build}
cc=${CC:-cc}
need_cmd "$cc"
need_cmd pkg-config
[ -f "$TOP/$build/librsyncswap.a" ] || fail "$build/librsyncswap.a not built (run make check)"
flags="-std=c11 -D_GNU_SOURCE -g -O1 -I$TOP $(make -s -C "$TOP" print-cflags)"
case $build in
*san*) flags="$flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" ;;
esac
libs="$TOP/$build/librsyncswap.a $TOP/$build/libtsnorm.a $(make -s -C "$TOP" print-libs)"
n=0 inputs=0
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	$cc $flags -o "$T/$name" "$src" "$TOP/tests/fuzz/replay.c" $libs \
		>"$T/$name.build" 2>&1 || { cat "$T/$name.build" >&2; fail "$name does not build"; }
	set --
	for d in "$DATA/fuzz-regress/$name" "$DATA/fuzz-seeds/$name"; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do [ -f "$f" ] && set -- "$@" "$f"; done
	done
	n=$((n + 1))
	[ $# -gt 0 ] || continue
	inputs=$((inputs + $#))
	(cd "$T" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$T/$name" "$@") \
		>"$T/$name.out" 2>&1 || { tail -30 "$T/$name.out" >&2; fail "$name: an input crashes it again"; }
done
[ $n -gt 0 ] || fail "no tests/fuzz/fuzz_*.c"
ok "$n fuzz targets build; $inputs regression and seed inputs replayed ($build)"
