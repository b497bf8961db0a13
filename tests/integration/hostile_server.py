#!/usr/bin/env python3
"""hostile_server.py MODE PORT: a one-connection SMTP server that
misbehaves in ways smtp-sink cannot.  Listens on 127.0.0.1:PORT, prints
"ready" on stdout once listening, serves one client, exits.

Modes:
  midbody   greets, accepts the envelope with PIPELINING, says 354, reads
            64 KiB of the message text, then closes the connection.
  silent    accepts the connection and never says anything.
  mute-data greets, accepts the envelope, answers 354, then reads the
            text and never replies to the final dot.
  escapes   greets and answers EHLO with terminal escape sequences in the
            greeting, the AUTH line and an extension (for --serverinfo),
            then reads until the client leaves.
"""
import socket
import sys
import time

mode, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
print("ready", flush=True)
srv.settimeout(60)
conn, _ = srv.accept()
conn.settimeout(60)
f = conn.makefile("rb")


def say(text):
    conn.sendall(text.encode() + b"\r\n")


def envelope():
    """Handles EHLO, MAIL, RCPT*, DATA; returns after answering 354."""
    say("220 hostile ESMTP")
    while True:
        line = f.readline()
        if not line:
            sys.exit(0)
        cmd = line[:4].upper()
        if cmd == b"EHLO":
            say("250-hostile\r\n250 PIPELINING")
        elif cmd in (b"MAIL", b"RCPT"):
            say("250 ok")
        elif cmd == b"DATA":
            say("354 go")
            return
        else:
            say("500 what")


if mode == "silent":
    time.sleep(60)
elif mode == "midbody":
    envelope()
    got = 0
    while got < 65536:
        chunk = conn.recv(65536 - got)
        if not chunk:
            break
        got += len(chunk)
    conn.close()
elif mode == "mute-data":
    envelope()
    while True:
        line = f.readline()
        if not line or line == b".\r\n":
            break
    time.sleep(60)
elif mode == "escapes":
    conn.sendall(b"220 hostile \x1b]0;title\x07 ESMTP\r\n")
    while True:
        line = f.readline()
        if not line or line[:4].upper() == b"QUIT":
            break
        if line[:4].upper() == b"EHLO":
            conn.sendall(b"250-hostile\r\n250-AUTH PLAIN \x1b[31mRED\r\n"
                         b"250 X-\x1b[2J\r\n")
        else:
            say("500 what")
else:
    sys.exit("unknown mode " + mode)
