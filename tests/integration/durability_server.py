#!/usr/bin/env python3
"""durability_server.py MODE PORT LOG [PIDFILE]: an SMTP server for many
clients at once (a thread each), for t_queue_durability, where the
client is killed part way.  Listens on 127.0.0.1:PORT, prints "ready" once listening, runs
until killed.  Each message it accepts (a 250 sent for the final dot) is
recorded as one line in LOG, "RCPT SUBJECT WHEN", written after the 250;
WHEN is "open" when the client was still connected as the 250 left,
"gone" when it had hung up (been killed) after the final dot: a real
server has taken the message by then, as this one does.

Modes:
  silent     accepts the connection and never says anything.
  slow-data  greets, takes the envelope, says 354, then reads the text
             4 KiB every 10 ms (its receive window small), answers the
             final dot with 250, records the message and answers QUIT.
  ack-stall  greets, takes the envelope, reads the text at full speed,
             waits 0-150 ms (at random), answers 250, records the message
             and then never answers again (the QUIT the client sent with
             the dot goes unanswered).
  ack-kill   as ack-stall, but stops (SIGSTOP) the process whose id is
             in PIDFILE, answers 250 and kills it (SIGKILL): the client
             dies with the 250 in its socket, before it could act on it.
"""
import os
import random
import signal
import socket
import sys
import threading
import time

mode, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode not in ("silent", "slow-data", "ack-stall", "ack-kill"):
    sys.exit("unknown mode " + mode)
lock = threading.Lock()


def record(rcpt, subject, when):
    with lock, open(log, "ab") as out:
        out.write(rcpt + b" " + subject + b" " + when + b"\n")


def gone(conn):
    """Whether the client has closed its side (what it sent before is
    read and dropped)."""
    conn.setblocking(False)
    try:
        while True:
            if not conn.recv(4096):
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        conn.settimeout(120)


def serve(conn):
    conn.settimeout(120)
    if mode == "silent":
        time.sleep(120)
        return
    f = conn.makefile("rb")

    def say(text):
        conn.sendall(text.encode() + b"\r\n")

    say("220 durability ESMTP")
    rcpt = b"?"
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line[:4].upper()
        if cmd == b"EHLO":
            say("250-durability\r\n250-PIPELINING\r\n250 8BITMIME")
        elif cmd == b"MAIL":
            say("250 2.1.0 ok")
        elif cmd == b"RCPT":
            rcpt = line[8:].strip().strip(b"<>")
            say("250 2.1.5 ok")
        elif cmd == b"DATA":
            say("354 go")
            break
        elif cmd == b"QUIT":
            say("221 bye")
            return
        else:
            say("500 what")
    head, tail, rest = b"", b"", b""
    while True:
        if mode == "slow-data":
            time.sleep(0.01)
        chunk = f.read1(4096)
        if not chunk:
            return
        if len(head) < 8192:
            head += chunk
        buf = tail + chunk
        end = buf.find(b"\r\n.\r\n")
        if end != -1:
            rest = buf[end + 5:]
            break
        tail = buf[-4:]
    subject = b"?"
    for h in head.split(b"\r\n"):
        if h.lower().startswith(b"subject: "):
            subject = h[9:].strip()
            break
    if mode == "ack-stall":
        time.sleep(random.random() * 0.15)
    when = b"gone" if gone(conn) else b"open"
    if mode == "ack-kill":
        with open(sys.argv[4]) as pidfile:
            pid = int(pidfile.read())
        os.kill(pid, signal.SIGSTOP)
    say("250 2.0.0 accepted")
    if mode == "ack-kill":
        os.kill(pid, signal.SIGKILL)
    record(rcpt, subject, when)
    if mode in ("ack-stall", "ack-kill"):
        time.sleep(120)
        return
    if rest[:4].upper() == b"QUIT" or f.readline()[:4].upper() == b"QUIT":
        say("221 bye")


def guarded(conn):
    try:
        serve(conn)
    except OSError:
        pass
    finally:
        conn.close()


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if mode == "slow-data":
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
srv.bind(("127.0.0.1", port))
srv.listen(128)
print("ready", flush=True)
while True:
    c, _ = srv.accept()
    threading.Thread(target=guarded, args=(c,), daemon=True).start()
