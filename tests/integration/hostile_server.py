#!/usr/bin/env python3
"""hostile_server.py MODE PORT: a one-connection SMTP server that
misbehaves in ways smtp-sink cannot.  Listens on 127.0.0.1:PORT, prints
"ready" on stdout once listening, serves one client, exits.

Modes:
  midbody   greets, accepts the envelope with PIPELINING, says 354, reads
            64 KiB of the message text (its receive window small, as in
            refuse-*), then closes the connection.
  silent    accepts the connection and never says anything.
  mute-data greets, accepts the envelope, answers 354, then reads the
            text and never replies to the final dot.
  ssh       an SSH server on the port: says "SSH-2.0-OpenSSH_9.2" and
            reads until the client leaves.
  escapes   greets and answers EHLO with terminal escape sequences in the
            greeting, the AUTH line and an extension (for --serverinfo),
            then reads until the client leaves.
  refuse-WHAT-HOW[-nochunking]
            offers PIPELINING and CHUNKING (not CHUNKING with -nochunking),
            then refuses a pipelined group and hangs up without reading the
            rest of it.  WHAT: "mail" answers MAIL with 554 5.7.1; "rcpt"
            accepts MAIL and answers each RCPT with 550 5.1.1 up to the
            first command that is not RCPT (BDAT or DATA).  HOW: "close"
            closes at once (unread data makes the kernel send an RST);
            "rst" closes with SO_LINGER 0 (an RST for certain); "half"
            shuts down its sending side and reads until the client leaves.
            Its receive window is small (SO_RCVBUF 4096); with a small send
            buffer on the client's side too (net.ipv4.tcp_wmem), the client
            is still writing the group when the server hangs up.
  refuse-text-HOW[-nochunking]
            as refuse-*, but accepts the envelope, reads 64 KiB of the
            message text (after 354, or after a BDAT command line), then
            answers 552 5.3.4 and hangs up: a size limit or a malware
            scan that refuses the message part way.  refuse-text421-*:
            the same with "421 4.3.2 shutting down".
  refuse-*-tls
            any refuse mode (HOW close or rst) over implicit TLS: the
            server's certificate and key are the files named by
            $HOSTILE_TLS_CERT and $HOSTILE_TLS_KEY.
"""
import os
import socket
import ssl
import struct
import sys
import time

mode, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if mode.startswith("refuse-") or mode == "midbody":
    # a small window, as over a long path: the client's write of what
    # follows in the group waits for room, and is still waiting at the
    # hang-up
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
srv.bind(("127.0.0.1", port))
srv.listen(1)
print("ready", flush=True)
srv.settimeout(60)
conn, _ = srv.accept()
conn.settimeout(60)
if mode.endswith("-tls"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.environ["HOSTILE_TLS_CERT"],
                        os.environ["HOSTILE_TLS_KEY"])
    conn = ctx.wrap_socket(conn, server_side=True)
    mode = mode[:-len("-tls")]
    if "-half" in mode:
        sys.exit("-tls is for HOW close or rst")
f = conn.makefile("rb")


def say(text):
    conn.sendall(text.encode() + b"\r\n")


def commands():
    """Greets, then yields each command's verb; exits when the client
    leaves."""
    say("220 hostile ESMTP")
    while True:
        line = f.readline()
        if not line:
            sys.exit(0)
        yield line[:4].upper()


def envelope():
    """Handles EHLO, MAIL, RCPT*, DATA; returns after answering 354."""
    for cmd in commands():
        if cmd == b"EHLO":
            say("250-hostile\r\n250 PIPELINING")
        elif cmd in (b"MAIL", b"RCPT"):
            say("250 ok")
        elif cmd == b"DATA":
            say("354 go")
            return
        else:
            say("500 what")


def refuse(what, how, chunking):
    """A refusal of the pipelined group, then a hang-up (see refuse-*)."""
    # each reply leaves at once (no Nagle wait behind the one before), so
    # it is on its way before the hang-up that would discard it
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for cmd in commands():
        if cmd == b"EHLO":
            say("250-hostile\r\n250-PIPELINING\r\n" +
                ("250-CHUNKING\r\n" if chunking else "") + "250 8BITMIME")
        elif cmd == b"MAIL" and what == "mail":
            say("554 5.7.1 sender refused by policy")
            break
        elif cmd == b"MAIL":
            say("250 2.1.0 ok")
        elif cmd == b"RCPT" and what.startswith("text"):
            say("250 2.1.5 ok")
        elif cmd == b"RCPT":
            say("550 5.1.1 no such user here")
        elif what.startswith("text") and cmd in (b"DATA", b"BDAT"):
            if cmd == b"DATA":
                say("354 go")
            f.read(65536)
            say("421 4.3.2 shutting down" if what == "text421" else
                "552 5.3.4 message too big for this server")
            break
        elif what == "rcpt":
            break
        else:
            say("500 what")
    if how == "rst":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    elif how == "half":
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(65536):
            pass
    f.close()  # the socket's last reference: close it now
    conn.close()


if mode.startswith("refuse-"):
    parts = mode.split("-")
    if (len(parts) not in (3, 4) or
            parts[1] not in ("mail", "rcpt", "text", "text421") or
            parts[2] not in ("close", "rst", "half") or
            parts[3:] not in ([], ["nochunking"])):
        sys.exit("unknown mode " + mode)
    refuse(parts[1], parts[2], parts[3:] == [])
elif mode == "silent":
    time.sleep(60)
elif mode == "midbody":
    envelope()
    got = 0
    while got < 65536:
        chunk = conn.recv(65536 - got)
        if not chunk:
            break
        got += len(chunk)
    f.close()  # the socket's last reference: close it now
    conn.close()
elif mode == "mute-data":
    envelope()
    while True:
        line = f.readline()
        if not line or line == b".\r\n":
            break
    time.sleep(60)
elif mode == "ssh":
    conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
    while conn.recv(65536):
        pass
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
