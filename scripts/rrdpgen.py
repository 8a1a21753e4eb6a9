#!/usr/bin/env python3
"""The RRDP documents (RFC 8182) of the tests, the benchmark and the load
test: the one writer of snapshots, deltas and notifications (Python 3,
stdlib only).

As a module (scripts/ on sys.path; scripts/origin-sim, scripts/bench-origin,
the tests' generators):

    publish(uri, data, old_hash=None, wrap=False)   one <publish> element
    withdraw(uri, old_hash)                         one <withdraw> element
    write_document(path, kind, session, serial, elements, atomic=False)
        a snapshot or delta of the elements (bytes each, or strings):
        returns (sha256 hex, size)
    notification(session, serial, snapshot, deltas=())
        the notification: snapshot (uri, hash), deltas [(serial, uri,
        hash)], newest first as given
    write_notification(path, ..., atomic=False)
    sha256_file(path)

Every document has its root element on the first line and one element on
each line after it (a line number names an element). atomic writes a
temporary file and renames it into place, as a publication server does.

As a command (the shell tests; tests/lib.sh make_notif):

    rrdpgen.py notification DIR PUBLIC_BASE SESSION SERIAL SNAPSHOT_REL
        [DSERIAL DELTA_REL]...
        DIR/notification.xml for files below DIR, with their real hashes;
        PUBLIC_BASE is the public URI of DIR ("https://host/rrdp/")
    rrdpgen.py snapshot FILE SESSION SERIAL [URI DATAFILE]...
    rrdpgen.py delta FILE SESSION SERIAL [publish URI DATAFILE [OLDHASH] |
        withdraw URI OLDHASH]...
    rrdpgen.py series DIR PUBLIC_BASE SESSION FIRST LAST URI_FORMAT DATAFILE
        for each serial N from FIRST to LAST a snapshot DIR/s/N.xml of one
        object (URI_FORMAT % N, the bytes of DATAFILE) and its notification
        DIR/notif-N.xml
"""
import base64
import hashlib
import os
import sys

NS = "http://www.ripe.net/rpki/rrdp"


def _attr(s):
    """Returns s escaped for a double-quoted XML attribute."""
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def publish(uri, data, old_hash=None, wrap=False):
    """Returns a <publish> element of data (bytes) at uri, replacing the
    object of SHA-256 old_hash (hex) when given; wrap: base64 in lines of
    76 characters, else one line."""
    h = ' hash="%s"' % old_hash if old_hash else ""
    enc = base64.encodebytes(data) if wrap else base64.b64encode(data)
    return (('<publish uri="%s"%s>' % (_attr(uri), h)).encode() + enc +
            b"</publish>")


def withdraw(uri, old_hash):
    """Returns a <withdraw> element of the object at uri of SHA-256
    old_hash (hex)."""
    return ('<withdraw uri="%s" hash="%s"/>' % (_attr(uri), old_hash)).encode()


def _root(kind, session, serial):
    return ('<%s xmlns="%s" version="1" session_id="%s" serial="%d">'
            % (kind, NS, session, serial)).encode()


class _HashedFile:
    """A file written in pieces, hashed and counted on the way; with atomic,
    written as PATH.tmp and renamed to PATH on close."""

    def __init__(self, path, atomic):
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        self.path, self.atomic = path, atomic
        self.f = open(path + ".tmp" if atomic else path, "wb")
        self.h = hashlib.sha256()
        self.size = 0

    def write(self, b):
        if isinstance(b, str):
            b = b.encode()
        self.f.write(b)
        self.h.update(b)
        self.size += len(b)

    def close(self):
        self.f.close()
        if self.atomic:
            os.rename(self.path + ".tmp", self.path)
        return self.h.hexdigest(), self.size


def write_document(path, kind, session, serial, elements, atomic=False):
    """Writes the snapshot or delta (kind) of session and serial holding
    elements to path. Returns (its SHA-256 in hex, its size)."""
    assert kind in ("snapshot", "delta"), kind
    f = _HashedFile(path, atomic)
    f.write(_root(kind, session, serial) + b"\n")
    for e in elements:
        f.write(e)
        f.write(b"\n")
    f.write(("</%s>\n" % kind).encode())
    return f.close()


def notification(session, serial, snapshot, deltas=()):
    """Returns the notification of session and serial: snapshot is
    (uri, sha256 hex), deltas [(serial, uri, sha256 hex)] in the order
    given."""
    out = [_root("notification", session, serial),
           ('  <snapshot uri="%s" hash="%s"/>' % (_attr(snapshot[0]),
                                                  snapshot[1])).encode()]
    for s, uri, h in deltas:
        out.append(('  <delta serial="%d" uri="%s" hash="%s"/>'
                    % (s, _attr(uri), h)).encode())
    out.append(b"</notification>")
    return b"\n".join(out) + b"\n"


def write_notification(path, session, serial, snapshot, deltas=(),
                       atomic=False):
    """Writes notification(session, serial, snapshot, deltas) to path."""
    f = _HashedFile(path, atomic)
    f.write(notification(session, serial, snapshot, deltas))
    f.close()


def sha256_file(path):
    """Returns the SHA-256 (hex) of the file path."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _usage():
    sys.exit(__doc__.split("As a command")[1].split("\n", 2)[2].rstrip())


def main(argv):
    if len(argv) < 1:
        _usage()
    cmd, a = argv[0], argv[1:]
    if cmd == "notification" and len(a) >= 5 and len(a) % 2 == 1:
        d, base, session, serial, snap = a[:5]
        deltas = [(int(a[i]), base + a[i + 1],
                   sha256_file(os.path.join(d, a[i + 1])))
                  for i in range(5, len(a), 2)]
        write_notification(os.path.join(d, "notification.xml"), session,
                           int(serial), (base + snap,
                                         sha256_file(os.path.join(d, snap))),
                           deltas)
    elif cmd == "snapshot" and len(a) >= 3 and len(a) % 2 == 1:
        els = [publish(a[i], _read(a[i + 1])) for i in range(3, len(a), 2)]
        write_document(a[0], "snapshot", a[1], int(a[2]), els)
    elif cmd == "delta" and len(a) >= 3:
        els, i = [], 3
        while i < len(a):
            if a[i] == "withdraw" and i + 2 < len(a):
                els.append(withdraw(a[i + 1], a[i + 2]))
                i += 3
            elif a[i] == "publish" and i + 2 < len(a):
                old = None
                if i + 3 < len(a) and a[i + 3] not in ("publish", "withdraw"):
                    old = a[i + 3]
                els.append(publish(a[i + 1], _read(a[i + 2]), old))
                i += 4 if old else 3
            else:
                _usage()
        write_document(a[0], "delta", a[1], int(a[2]), els)
    elif cmd == "series" and len(a) == 7:
        d, base, session, first, last, fmt, datafile = a
        data = _read(datafile)
        for n in range(int(first), int(last) + 1):
            rel = "s/%d.xml" % n
            h, _ = write_document(os.path.join(d, rel), "snapshot", session,
                                  n, [publish(fmt % n, data)])
            write_notification(os.path.join(d, "notif-%d.xml" % n), session,
                               n, (base + rel, h))
    else:
        _usage()


if __name__ == "__main__":
    main(sys.argv[1:])
