#!/usr/bin/python3
"""dnsq.py [-a] [-f] [-s SERVER] [-p PORT] [-t SECONDS] NAME TYPE: one DNS
query over UDP (recursion desired, as a stub resolver sends it), standard
library only.

Prints the response code ("rcode NOERROR", "rcode NXDOMAIN", "rcode
SERVFAIL", ...) and then one line per answer record: "MX 10 mx1.a.test.",
"A 127.0.0.2", "AAAA ::2", "CNAME x.test.", "TLSA 3 1 1 8f3a...", other
types as "TYPEn".  Exit 0 with a response, 1 without one in time.  The lab
(tests/lab/dns.sh) uses it to wait for its DNS server and to check what it
serves.

-a sets the AD bit in the query, as a stub resolver that trusts its server
does (glibc's RES_TRUSTAD): a validating resolver then sets AD in the
response for data it validated (RFC 6840 5.7), without EDNS or DO.
-f prints the header flags of the response after the rcode line: "flags"
and the names of those set, in the order qr aa tc rd ra ad cd ("flags qr rd
ra ad"; tests/lab/dnssec.sh)."""
import argparse
import random
import socket
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28,
         "TLSA": 52}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}
# header flag bits, in the order printed (-f)
FLAGS = (("qr", 0x8000), ("aa", 0x0400), ("tc", 0x0200), ("rd", 0x0100),
         ("ra", 0x0080), ("ad", 0x0020), ("cd", 0x0010))


def name_at(msg, off):
    """The domain name at off (compression followed); returns (name, end)."""
    labels, end, hops = [], None, 0
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = struct.unpack(">H", msg[off:off + 2])[0] & 0x3FFF
            hops += 1
            if hops > 64:
                raise ValueError("compression loop")
            continue
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels) + ".", end if end is not None else off


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-a", action="store_true", help="AD bit in the query")
    ap.add_argument("-f", action="store_true", help="print the header flags")
    ap.add_argument("-s", default="127.0.0.1")
    ap.add_argument("-p", type=int, default=53)
    ap.add_argument("-t", type=float, default=1.0)
    ap.add_argument("name")
    ap.add_argument("type")
    a = ap.parse_args()
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0120 if a.a else 0x0100, 1, 0, 0, 0)
    for label in a.name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", TYPES[a.type.upper()], 1)
    fam = socket.AF_INET6 if ":" in a.s else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(a.t)
    try:
        s.sendto(q, (a.s, a.p))
        while True:
            msg = s.recv(65535)
            if msg[:2] == q[:2]:
                break
    except OSError as e:
        print("no answer from %s:%d: %s" % (a.s, a.p, e), file=sys.stderr)
        return 1
    flags, qd, an = struct.unpack(">HHH", msg[2:8])
    print("rcode", RCODES.get(flags & 15, str(flags & 15)))
    if a.f:
        print(" ".join(["flags"] + [n for n, bit in FLAGS if flags & bit]))
    off = 12
    for _ in range(qd):
        off = name_at(msg, off)[1] + 4
    for _ in range(an):
        off = name_at(msg, off)[1]
        rtype, _, _, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
        off += 10
        rd = msg[off:off + rdlen]
        if rtype == 1:
            print("A", socket.inet_ntop(socket.AF_INET, rd))
        elif rtype == 28:
            print("AAAA", socket.inet_ntop(socket.AF_INET6, rd))
        elif rtype == 15:
            print("MX", struct.unpack(">H", rd[:2])[0], name_at(msg, off + 2)[0])
        elif rtype == 5:
            print("CNAME", name_at(msg, off)[0])
        elif rtype == 52:
            print("TLSA", rd[0], rd[1], rd[2], rd[3:].hex())
        else:
            print("TYPE%d" % rtype)
        off += rdlen
    return 0


if __name__ == "__main__":
    sys.exit(main())
