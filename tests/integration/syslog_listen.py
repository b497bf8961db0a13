#!/usr/bin/python3
"""syslog_listen.py PATH OUT [--stall]: a syslog daemon for tests.

Binds a Unix datagram socket at PATH (as /dev/log is) and appends each
datagram to OUT as one line.  With --stall it never reads (a daemon that
hangs), with the smallest receive buffer, until SIGTERM; then it drains
what was queued into OUT and exits.
"""
import os
import signal
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    stall = "--stall" in sys.argv[3:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if stall:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    if os.path.exists(path):
        os.unlink(path)
    s.bind(path)
    s.settimeout(0.1)
    os.chmod(path, 0o666)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(out, "ab", buffering=0) as f:
        open(out + ".ready", "w").close()
        while not stop:
            if stall:
                signal.pause()
                continue
            try:
                f.write(s.recv(65536) + b"\n")
            except socket.timeout:
                pass
        s.setblocking(False)
        while True:
            try:
                f.write(s.recv(65536) + b"\n")
            except (BlockingIOError, InterruptedError):
                break


if __name__ == "__main__":
    main()
