# Object URIs through the XML parser, checked against a second parser
# (Python's xml.etree): 400 generated names over every character the URI
# rules allow (printable ASCII but '/' and '\'), each written with the
# escapes XML permits (&amp; &#38; &#x26; &lt; &gt; &quot; &apos;, numeric
# references, literal where allowed). The revision must hold exactly the
# paths the second parser reads, and the RRDP re-publication must say the
# same URIs again.
. "$RSYNCSWAP_TOP/tests/lib.sh"
need_rsyncswap
need_cmd python3

S=6e7f8091-a2b3-4c4d-8e5f-6a7b8c9d0e1f
mkdir -p "$T/src/s"
python3 - "$T/src/s/1.xml" "$T/want" $S <<'PY'
import base64, random, sys, xml.etree.ElementTree as ET
out, want, sess = sys.argv[1], sys.argv[2], sys.argv[3]
rnd = random.Random(8182)
chars = [chr(c) for c in range(0x21, 0x7f) if chr(c) not in "/\\"]
def esc(ch):
    forms = {"&": ["&amp;", "&#38;", "&#x26;"], "<": ["&lt;", "&#60;"],
             ">": [">", "&gt;"], '"': ["&quot;", "&#34;"],
             "'": ["'", "&apos;", "&#39;"]}
    if ch in forms:
        return rnd.choice(forms[ch])
    return ch if rnd.random() < 0.8 else "&#%d;" % ord(ch)
names = set()
while len(names) < 400:
    n = "".join(rnd.choice(chars) for _ in range(rnd.randint(1, 12)))
    if n not in (".", ".."):
        names.add(n)
body = base64.b64encode(b"object\n").decode()
with open(out, "w") as f:
    f.write('<snapshot xmlns="http://www.ripe.net/rpki/rrdp" version="1" '
            'session_id="%s" serial="1">\n' % sess)
    for n in sorted(names):
        uri = "rsync://h.example/repo/d/" + n + ".cer"
        f.write('<publish uri="%s">%s</publish>\n' % ("".join(esc(c) for c in uri), body))
    f.write("</snapshot>\n")
ns = "{http://www.ripe.net/rpki/rrdp}"
with open(want, "w") as w:
    for p in ET.parse(out).getroot().iter(ns + "publish"):
        w.write(p.get("uri")[len("rsync://h.example/"):] + "\n")
PY
LC_ALL=C sort -o "$T/want" "$T/want"
make_notif "$T/src" https://rrdp.example.net/rrdp/ $S 1 s/1.xml
"$RSYNCSWAP" sync -q -s "$T/st" --source-uri-base "$T/src" \
	https://rrdp.example.net/rrdp/notification.xml || fail "sync of the generated URIs"
(cd "$T/st/rsync/current" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$T/got"
diff "$T/want" "$T/got" >"$T/diff" || { head -20 "$T/diff"; fail "the tree differs from what a second XML parser reads"; }
ok "400 generated URIs: the tree holds exactly the paths a second parser reads"

# Up to date, with --rrdp-dir now: the snapshot is written from the tree,
# not copied from the origin. It must say the same URIs.
"$RSYNCSWAP" sync -q -s "$T/st" --rrdp-dir "$T/rrdp" --source-uri-base "$T/src" \
	https://rrdp.example.net/rrdp/notification.xml || fail "sync with --rrdp-dir"
snap=$(find "$T/rrdp" -name snapshot.xml | head -1)
cmp -s "$snap" "$T/src/s/1.xml" && fail "the snapshot was copied, not written from the tree"
[ -n "$snap" ] || fail "no re-published snapshot"
python3 - "$snap" <<'PY' | LC_ALL=C sort >"$T/again"
import sys, xml.etree.ElementTree as ET
ns = "{http://www.ripe.net/rpki/rrdp}"
for p in ET.parse(sys.argv[1]).getroot().iter(ns + "publish"):
    print(p.get("uri")[len("rsync://h.example/"):])
PY
diff "$T/want" "$T/again" >"$T/diff2" || { head -20 "$T/diff2"; fail "the re-published snapshot names other URIs"; }
ok "the re-published snapshot names the same URIs"
