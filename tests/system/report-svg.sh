# report over a week of rsyncd log: each vanished-session line carries its
# date; the SVG has no tick label twice and none outside the picture, a
# log-scale duration axis with round ticks (1 s, 10 s, ...), sessions on one
# point drawn once with their count, the recommended and (with
# --state-dir) the effective cleanup-after as lines, and a legend; it
# renders (rsvg-convert) to a PNG of the declared size.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd python3
need_cmd rsvg-convert
export TZ=UTC

# A week, a session every 20 minutes (1-40 s), twelve identical sessions at
# one moment, one 900 s session, and the same clock time with vanished
# files on each of seven days.
python3 - "$T/week.log" <<'PY'
import sys, datetime
t0 = datetime.datetime(2026, 11, 20, 0, 0, 0)
ev = []
pid = 1000
def session(start, dur, vanished=0):
    global pid
    pid += 1
    s = start
    ev.append((s, f"[{pid}] connect from rp.example (192.0.2.{pid % 250})"))
    ev.append((s, f"[{pid}] rsync allowed access on module repo from rp.example (192.0.2.{pid % 250})"))
    ev.append((s, f"[{pid}] rsync on repo/ from rp.example (192.0.2.{pid % 250})"))
    ev.append((s, f"[{pid}] building file list"))
    e = s + datetime.timedelta(seconds=dur)
    for i in range(vanished):
        ev.append((e, f'[{pid}] file has vanished: "ca/f{i}.roa" (in repo)'))
    ev.append((e, f"[{pid}] sent 12345 bytes  received 678 bytes  total size 99999"))
for m in range(0, 7 * 24 * 60, 20):
    session(t0 + datetime.timedelta(minutes=m), 1 + (m // 20 * 7) % 40)
for k in range(12):
    session(t0 + datetime.timedelta(days=2, hours=5), 7)
session(t0 + datetime.timedelta(days=3, hours=1), 900)
for d in range(7):
    session(t0 + datetime.timedelta(days=d, hours=20, minutes=32, seconds=54), 30, vanished=2)
ev.sort(key=lambda x: x[0])
with open(sys.argv[1], "w") as f:
    for t, line in ev:
        f.write(t.strftime("%Y/%m/%d %H:%M:%S ") + line + "\n")
PY

"$RSYNCSWAP" report --svg "$T/r.svg" "$T/week.log" >"$T/r.txt" || fail "report"
n=$(grep -c "connected 2026-11-2[0-6] 20:32:54" "$T/r.txt" || true)
[ "$n" = 7 ] || { sed -n '/vanished files:/,$p' "$T/r.txt"; fail "vanished-session lines without their dates ($n of 7)"; }
ok "seven vanished sessions at 20:32:54 on seven days: each line has its date"

# check_svg FILE EFFECTIVE COUNT: the structure of the chart (COUNT: a point
# must carry a count of at least 12).
check_svg() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys, re
import xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
want_eff = sys.argv[2] == "1"
W, H = int(root.get("width")), int(root.get("height"))
assert root.get("viewBox") == f"0 0 {W} {H}"
def group(cls):
    g = root.findall(f".//s:g[@class='{cls}']", ns)
    assert len(g) == 1, (cls, len(g))
    return g[0]
def texts(el):
    return [t for t in el.iter("{http://www.w3.org/2000/svg}text")]
for cls in ("xticks", "yticks"):
    labels = [t.text for t in texts(group(cls))]
    assert len(labels) >= 3, (cls, labels)
    assert len(labels) == len(set(labels)), (cls, "a label drawn twice", labels)
ylab = [t.text for t in texts(group("yticks"))]
assert ylab[:3] == ["1 s", "10 s", "100 s"], ylab
assert all(re.fullmatch(r"1(0)* s", l) for l in ylab), ylab
# Every text lies inside the picture (estimated 6.5 px per character at
# 11 px; anchors middle and end taken into account).
for t in root.iter("{http://www.w3.org/2000/svg}text"):
    if t.get("transform"):
        continue
    x, y = float(t.get("x")), float(t.get("y"))
    w = 6.5 * len(t.text or "")
    anchor = t.get("text-anchor")
    if anchor is None:
        for g in root.iter("{http://www.w3.org/2000/svg}g"):
            if t in list(g):
                anchor = g.get("text-anchor")
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    assert 0 <= x0 and x0 + w <= W and 10 <= y <= H, ("clipped", t.text, x0, x0 + w, y)
counts = [int(t.text) for t in texts(group("counts"))]
if sys.argv[3] == "1":
    assert any(c >= 12 for c in counts), ("no count for 12 sessions at one point", counts)
circles = group("sessions").findall("s:circle", ns)
assert 0 < len(circles) < 7 * 72 + 12, len(circles)
rec = group("cleanup-recommended")
assert rec.find("s:line", ns) is not None and "recommended" in texts(rec)[0].text
eff = root.findall(".//s:g[@class='cleanup-effective']", ns)
assert (len(eff) == 1) == want_eff, ("effective line", len(eff))
leg = [t.text for t in texts(group("legend"))]
for word in ("session", "vanished files", "refusal", "recommended cleanup-after"):
    assert any(word in l for l in leg), (word, leg)
print("svg ok:", len(circles), "points,", "counts", sorted(counts)[-3:], "y ticks", ylab)
PY
}
check_svg "$T/r.svg" 0 1 || fail "SVG structure"
rsvg-convert -o "$T/r.png" "$T/r.svg" || fail "rsvg-convert"
python3 - "$T/r.png" "$T/r.svg" <<'PY' || fail "PNG"
import sys, struct, xml.etree.ElementTree as ET
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
root = ET.parse(sys.argv[2]).getroot()
assert (w, h) == (int(root.get("width")), int(root.get("height"))), (w, h)
print("png", w, "x", h, len(d), "bytes")
PY
ok "the SVG: unique round ticks, nothing clipped, counts, the recommended line, a legend; it renders"

# With a state: the effective cleanup-after is drawn too.
"$RSYNCSWAP" sync -q -s "$T/st" --cleanup-after 3600 --source-uri-base "$BENCH_SRC" "$BENCH_URI"
"$RSYNCSWAP" report -s "$T/st" --svg "$T/s.svg" "$T/week.log" >/dev/null || fail "report -s"
check_svg "$T/s.svg" 1 1 || fail "SVG structure with a state"
grep -q "effective cleanup-after 3600 s" "$T/s.svg" || fail "the effective line is not labelled 3600 s"
ok "with --state-dir the effective cleanup-after is a second line"

# A short log (minutes): ticks in H:M(:S), still each once.
head -40 "$T/week.log" >"$T/short.log"
"$RSYNCSWAP" report --svg "$T/short.svg" "$T/short.log" >/dev/null || fail "report short"
check_svg "$T/short.svg" 0 0 >/dev/null || fail "SVG structure of a short log"
ok "a short log: unique ticks"
