#!/usr/bin/python3
"""syslog_listen.py PATH OUT [--stall | --slow SECONDS | --stream]:
a syslog daemon for tests.

Binds a Unix datagram socket at PATH (as /dev/log is) and appends each
datagram to OUT as one line.  --stall never reads (a daemon that hangs)
until SIGTERM, then drains what was queued into OUT and exits; --slow
reads one datagram every SECONDS; --stream listens on a stream socket
instead (as syslog-ng's unix-stream) and takes NUL-ended frames.
"""
import os
import signal
import socket
import sys
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    opts = sys.argv[3:]
    stall = "--stall" in opts
    slow = float(opts[opts.index("--slow") + 1]) if "--slow" in opts else 0
    stream = "--stream" in opts
    s = socket.socket(socket.AF_UNIX,
                      socket.SOCK_STREAM if stream else socket.SOCK_DGRAM)
    if os.path.exists(path):
        os.unlink(path)
    s.bind(path)
    os.chmod(path, 0o666)
    if stream:
        s.listen(8)
    s.settimeout(0.1)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(out, "ab", buffering=0) as f:
        open(out + ".ready", "w").close()
        while not stop:
            if stall:
                signal.pause()
                continue
            try:
                if stream:
                    c, _ = s.accept()
                    c.settimeout(5)
                    data = b""
                    while True:
                        chunk = c.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    c.close()
                    for frame in data.split(b"\0")[:-1]:
                        f.write(frame + b"\n")
                else:
                    f.write(s.recv(65536) + b"\n")
                    if slow:
                        time.sleep(slow)
            except socket.timeout:
                pass
        s.setblocking(False)
        while not stream:
            try:
                f.write(s.recv(65536) + b"\n")
            except (BlockingIOError, InterruptedError):
                break


if __name__ == "__main__":
    main()
