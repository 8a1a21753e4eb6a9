# The boundaries between the parts of rsyncswap/ (HACKING.md, "Boundaries"),
# read from the sources' #include lines and from the symbols of the objects
# of this build (nm): the RRDP parser includes and calls no file-system,
# network or state code; the sweeper links no parser or network code;
# tsnorm/ includes only itself, libc and OpenSSL and calls nothing of
# rsyncswap/; nothing outside cli/ includes a cli/ header or calls cli/
# (but opt_name() of the option table, which links nothing); nothing
# outside cli/ spells an option or names an exit code; the core sync
# (sync/, tree/) includes and calls nothing of the expiry summary or the
# RRDP output, which hook in through sync/sync_hook.h and tree/walk.h.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_cmd python3
need_cmd nm
build=${BUILD:-build}
[ -f "$TOP/$build/librsyncswap.a" ] || fail "$build/librsyncswap.a not built (run make check)"

python3 - "$TOP" "$build" <<'EOF' || fail "a boundary is broken (lines above)"
import glob, os, re, subprocess, sys

top, build = sys.argv[1], sys.argv[2]
os.chdir(top)
broken = []

def bad(rule, what):
    broken.append("%s: %s" % (rule, what))
    print("boundary %s: %s" % (rule, what), file=sys.stderr)

# The #include lines of every source: quoted ones (paths from the top of
# the tree) and system ones.
quoted, system = {}, {}
srcs = sorted(glob.glob("rsyncswap/*/*.[ch]") + glob.glob("tsnorm/*.[ch]"))
if len(srcs) < 50:
    bad("sources", "only %d files below rsyncswap/ and tsnorm/" % len(srcs))
for f in srcs:
    q, s = [], []
    for line in open(f, encoding="utf-8"):
        m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
        if m:
            (q if m.group(1) == '"' else s).append(m.group(2))
    quoted[f], system[f] = q, s
    for h in q:
        if not os.path.isfile(h):
            bad("include", "%s includes %s, which is no file from the top of the tree" % (f, h))

def closure(files):
    """Every file the given ones include, directly or through a header."""
    seen, todo = set(), list(files)
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        todo.extend(h for h in quoted.get(f, []) if h in quoted)
    return seen

def part(path):
    p = path.split("/")
    return p[0] + "/" + p[1] if p[0] == "rsyncswap" and len(p) > 2 else p[0]

# Symbols of the objects of this build.
defs, undefs = {}, {}
objs = sorted(glob.glob(build + "/rsyncswap/*/*.o") + glob.glob(build + "/tsnorm/*.o"))
for o in objs:
    out = subprocess.run(["nm", "-P", o], capture_output=True, text=True, check=True).stdout
    d, u = set(), set()
    for line in out.splitlines():
        w = line.split()
        if len(w) < 2:
            continue
        if w[1] == "U":
            u.add(w[0])
        elif w[1] in "TDBRCGSVW" and w[1].isupper():
            d.add(w[0])
    src = o[len(build) + 1:-2] + ".c"
    defs[src], undefs[src] = d, u
definer = {}
for src, d in defs.items():
    for sym in d:
        definer.setdefault(sym, src)

def linked(start):
    """The objects that linking start pulls in, and the symbols they need
    from outside (libc and the libraries)."""
    seen, todo, ext = set(), list(start), set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for sym in undefs.get(s, ()):
            if sym in definer:
                todo.append(definer[sym])
            else:
                ext.add(sym)
    return seen, ext

# File-system and network calls of libc; libcurl's and libxml2's prefixes.
FS_CALLS = set("""open open64 openat openat64 creat fopen fopen64 fdopen
    freopen opendir fdopendir mkdir mkdirat unlink unlinkat rmdir rename
    renameat renameat2 link linkat symlink symlinkat utimensat futimens
    chmod fchmod fchmodat chown fchown fchownat lchown write pwrite ftruncate
    truncate fsync fdatasync stat stat64 lstat fstat fstatat fstatat64
    statx readlink readlinkat mkostemp mkstemp""".split())
NET_CALLS = set("""socket connect bind listen accept accept4 getaddrinfo
    gethostbyname""".split())
NET_PREFIX = ("curl_",)
XML_PREFIX = ("xml", "htmlParse")
FS_HEADERS = {"fcntl.h", "dirent.h", "sys/stat.h", "unistd.h", "sys/socket.h",
    "netdb.h", "ftw.h", "fts.h"}

# 1. The RRDP parser: bytes in, callbacks out.
parser = [f for f in srcs if f.startswith("rsyncswap/rrdp/")]
if not parser:
    bad("parser", "no rsyncswap/rrdp/ sources")
parser_ok_base = {"rsyncswap/base/limits.h", "rsyncswap/base/hex.h",
    "rsyncswap/base/uuid.h",
    "rsyncswap/base/number.h", "rsyncswap/base/errbuf.h", "rsyncswap/base/log.h"}
for f in parser:
    for h in quoted[f]:
        if not h.startswith("rsyncswap/rrdp/") and h not in parser_ok_base:
            bad("parser", "%s includes %s" % (f, h))
    for h in system[f]:
        if h in FS_HEADERS or h.startswith(("curl/", "netinet/", "arpa/")):
            bad("parser", "%s includes <%s>" % (f, h))
for f in closure(parser):
    if part(f) not in ("rsyncswap/rrdp", "rsyncswap/base"):
        bad("parser", "%s is reached from the parser's headers" % f)
objs_p, ext_p = linked([f for f in parser if f.endswith(".c")])
for o in sorted(objs_p):
    if part(o) not in ("rsyncswap/rrdp", "rsyncswap/base") or o == "rsyncswap/base/fsutil.c":
        bad("parser", "the parser links %s" % o)
for sym in sorted(ext_p):
    if sym in FS_CALLS or sym in NET_CALLS or sym.startswith(NET_PREFIX):
        bad("parser", "the parser (or what it links) calls %s" % sym)

# The option table: the one object of cli/ that the parts below may link
# (for opt_name(), base/optname.h). It links nothing of ours.
OPT_TABLE = "rsyncswap/cli/opts.c"
OPT_TABLE_CALLS = {"opt_name"}
if OPT_TABLE not in defs:
    bad("cli", "no %s object" % OPT_TABLE)
for sym in sorted(undefs.get(OPT_TABLE, ())):
    if sym in definer:
        bad("cli", "%s calls %s of %s" % (OPT_TABLE, sym, definer[sym]))

# 2. The sweeper: no parser, no network.
sweeper = [f for f in srcs if f.startswith("rsyncswap/sweep/") and f.endswith(".c")]
if "rsyncswap/sweep/sweep.c" not in sweeper:
    bad("sweeper", "no rsyncswap/sweep/sweep.c")
for f in [f for f in srcs if f.startswith("rsyncswap/sweep/")]:
    for h in quoted[f]:
        if part(h) in ("rsyncswap/rrdp", "rsyncswap/fetch", "rsyncswap/sync"):
            bad("sweeper", "%s includes %s" % (f, h))
    for h in system[f]:
        if h.startswith(("curl/", "libxml/")):
            bad("sweeper", "%s includes <%s>" % (f, h))
for f in sorted(closure([f for f in srcs if f.startswith("rsyncswap/sweep/")])):
    if part(f) in ("rsyncswap/rrdp", "rsyncswap/fetch", "rsyncswap/sync"):
        bad("sweeper", "%s is reached from the sweeper's headers" % f)
objs_s, ext_s = linked(sweeper)
for o in sorted(objs_s):
    if part(o) in ("rsyncswap/rrdp", "rsyncswap/fetch", "rsyncswap/sync",
                   "rsyncswap/republish", "rsyncswap/cli") and o != OPT_TABLE:
        bad("sweeper", "the sweeper links %s" % o)
for sym in sorted(ext_s):
    if sym.startswith(NET_PREFIX + XML_PREFIX) or sym in NET_CALLS:
        bad("sweeper", "the sweeper (or what it links) calls %s" % sym)

# 3. tsnorm/: itself, libc and OpenSSL.
LIBC = set("""assert.h ctype.h dirent.h err.h errno.h fcntl.h float.h
    inttypes.h limits.h locale.h math.h signal.h stdarg.h stdbool.h stddef.h
    stdint.h stdio.h stdlib.h string.h strings.h time.h unistd.h""".split())
for f in [f for f in srcs if f.startswith("tsnorm/")]:
    for h in quoted[f]:
        if not h.startswith("tsnorm/"):
            bad("tsnorm", "%s includes %s" % (f, h))
    for h in system[f]:
        if h not in LIBC and not h.startswith(("openssl/", "sys/")):
            bad("tsnorm", "%s includes <%s>" % (f, h))
objs_t, ext_t = linked([s for s in defs if s.startswith("tsnorm/")])
for o in sorted(objs_t):
    if not o.startswith("tsnorm/"):
        bad("tsnorm", "tsnorm links %s" % o)
for sym in sorted(ext_t):
    if sym.startswith(NET_PREFIX + XML_PREFIX + ("seccomp_", "cap_")):
        bad("tsnorm", "tsnorm calls %s" % sym)

# 4. cli/ is the top: nothing below includes or calls it.
for f in srcs:
    if f.startswith("rsyncswap/cli/"):
        continue
    for h in quoted[f]:
        if h.startswith("rsyncswap/cli/"):
            bad("cli", "%s includes %s" % (f, h))
for src, u in sorted(undefs.items()):
    if src.startswith("rsyncswap/cli/"):
        continue
    for sym in sorted(u):
        d = definer.get(sym, "")
        if d.startswith("rsyncswap/cli/") and not (d == OPT_TABLE and
                                                   sym in OPT_TABLE_CALLS):
            bad("cli", "%s calls %s of %s" % (src, sym, d))

# 5. Option spellings and exit codes are cli/'s: outside it no C string
# literal holds "--" and a letter (comments may), and no identifier
# EXIT_* or STATUS_EXIT_* is defined or used. An exception names its file
# and literal here.
NOT_OURS = {
    # rsync's own argv (`rsync --daemon`), not an option of ours.
    ("rsyncswap/readers/readers.c", "--daemon"),
    # rsync's own argv (`rsync --daemon --config=FILE`): its file.
    ("rsyncswap/readers/rsyncdconf.c", "--config"),
}

def tokens(text):
    """The string literals of C source text, each with its line, and the
    text with comments and literals blanked (lines kept)."""
    lits, code, i, n, line = [], [], 0, len(text), 1
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            code.append("\n" * text.count("\n", i, end))
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
        elif c in "\"'":
            end = i + 1
            while end < n and text[end] not in (c, "\n"):
                end += 2 if text[end] == "\\" else 1
            if c == '"':
                lits.append((line, text[i + 1:end]))
            end += 1
            code.append(" ")
        else:
            end = i + 1
            code.append(c)
        line += text.count("\n", i, end)
        i = end
    return lits, "".join(code)

# The scan sees the spellings where they are.
spelled = [l for _, l in tokens(open(OPT_TABLE, encoding="utf-8").read())[0]
           if re.match(r"--[a-z]", l)]
if len(spelled) < 40:
    bad("cli", "only %d option spellings found in %s" % (len(spelled), OPT_TABLE))
exits = re.compile(r"\b(?:STATUS_)?EXIT_\w+")
for f in srcs:
    if not f.startswith("rsyncswap/") or f.startswith("rsyncswap/cli/"):
        continue
    lits, code = tokens(open(f, encoding="utf-8").read())
    for line, lit in lits:
        if re.search(r"--[A-Za-z]", lit) and (f, lit) not in NOT_OURS:
            bad("cli", '%s:%d: "%s" spells an option (name it by its id, '
                'opt_name())' % (f, line, lit))
    for no, text in enumerate(code.split("\n"), 1):
        for m in exits.finditer(text):
            bad("cli", "%s:%d: %s: exit codes are cli/'s (return a result)"
                % (f, no, m.group(0)))

# 5. The core sync knows nothing of expiry/ or republish/: they implement
# its hooks (sync/sync_hook.h, tree/walk.h), and cli/ wires them in.
core = [f for f in srcs if part(f) in ("rsyncswap/sync", "rsyncswap/tree")]
features = ("rsyncswap/expiry", "rsyncswap/republish")
if not any(f.startswith("rsyncswap/sync/") for f in core) or \
   not any(f.startswith("rsyncswap/tree/") for f in core):
    bad("core", "no rsyncswap/sync/ or rsyncswap/tree/ sources")
for f in core:
    for h in quoted[f]:
        if part(h) in features:
            bad("core", "%s includes %s" % (f, h))
for f in sorted(closure(core)):
    if part(f) in features:
        bad("core", "%s is reached from the headers of sync/ and tree/" % f)
for src, u in sorted(undefs.items()):
    if part(src) not in ("rsyncswap/sync", "rsyncswap/tree"):
        continue
    for sym in sorted(u):
        if part(definer.get(sym, "")) in features:
            bad("core", "%s calls %s of %s" % (src, sym, definer[sym]))

if os.environ.get("BOUNDARIES_VERBOSE"):
    print("sweeper links:", " ".join(sorted(objs_s)))
print("%d sources, %d objects; parser links %d objects, sweeper %d, tsnorm %d"
      % (len(srcs), len(objs), len(objs_p), len(objs_s), len(objs_t)))
sys.exit(1 if broken else 0)
EOF
ok "parser, sweeper, tsnorm, cli and core sync boundaries hold, option spellings and exit codes only in cli/ ($build)"
