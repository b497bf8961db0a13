#!/usr/bin/env python3
"""Carrier-only benchmark against a loopback smtp-sink.

Used by tests/bench/run.sh when the shared side-by-side script
(../shared/bench/compare) is not there, so "make bench" always reports
something.

    fallback.py RUNSEND CARRIER SMTP_SINK [SINGLE_RUNS=21] [BIG_MIB=100] [BIG_RUNS=3]

RUNSEND is tests/bench/runsend.c built: each send is timed by it from fork
to reap (CLOCK_MONOTONIC), with the peak RSS from wait4().  Measures:
  - single: one 2 KB message, one recipient: median ms over SINGLE_RUNS runs
  - big:    one BIG_MIB MiB message (base64, 76-char lines): median s, MB/s
            (1e6 bytes) and peak RSS
The sink's message counter (smtp-sink -c) must match the sends made.
"""
import base64
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

FROM = "bench@bench.example"
RCPT = "rcpt-0001@dest.example"


def small_message(path):
    lines = [
        "From: Bench Sender <bench@bench.example>",
        "To: rcpt-0001@dest.example",
        "Subject: carrier bench message",
        "Message-ID: <bench.small@bench.example>",
        "Date: Thu, 01 Jan 2026 00:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
    ]
    body = []
    i = 0
    while len("\n".join(lines + body)) < 2000:
        i += 1
        body.append("Line %04d of the benchmark message body, plain ASCII text." % i)
    with open(path, "w") as f:
        f.write("\n".join(lines + body) + "\n")


def big_message(path, mib):
    target = mib * 1024 * 1024
    chunk = base64.b64encode(os.urandom(57 * 1024))  # 76-char lines of 57 bytes
    lines = b"\n".join(chunk[i:i + 76] for i in range(0, len(chunk), 76)) + b"\n"
    with open(path, "wb") as f:
        f.write(b"From: Bench Sender <bench@bench.example>\n"
                b"To: rcpt-0001@dest.example\n"
                b"Subject: carrier bench big message\n"
                b"MIME-Version: 1.0\n"
                b"Content-Type: multipart/mixed; boundary=\"b\"\n\n"
                b"--b\nContent-Type: application/octet-stream\n"
                b"Content-Transfer-Encoding: base64\n\n")
        n = 0
        while n < target:
            f.write(lines)
            n += len(lines)
        f.write(b"--b--\n")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_once(runsend, argv, infile):
    """-> (wall seconds, peak RSS KiB, exit status), measured by runsend"""
    out = subprocess.run([runsend, infile] + argv, stdout=subprocess.PIPE,
                         check=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def sink_count(path):
    m = 0
    with open(path, "rb") as f:
        for part in f.read().replace(b"\r", b"\n").split(b"\n"):
            hit = re.search(rb"mesg=(\d+)", part)
            if hit:
                m = int(hit.group(1))
    return m


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    runsend, carrier, sink = sys.argv[1:4]
    single_runs = int(sys.argv[4]) if len(sys.argv) > 4 else 21
    big_mib = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    big_runs = int(sys.argv[6]) if len(sys.argv) > 6 else 3

    work = tempfile.mkdtemp(prefix="carrier-bench-fb.")
    os.chmod(work, 0o755)
    port = free_port()
    sink_out = open(os.path.join(work, "sink.out"), "wb")
    sink_err = open(os.path.join(work, "sink.err"), "wb")
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sinkp = subprocess.Popen([sink, "-a", "-C", "-F", "-c", "-m", "64"] + user
                             + ["127.0.0.1:%d" % port, "256"],
                             stdout=sink_out, stderr=sink_err)
    rc = 0
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.03)
        else:
            print("fallback: smtp-sink did not start", file=sys.stderr)
            return 1
        # The readiness probe above is a session without a message; fine.
        argv = [carrier, "-R", "127.0.0.1:%d" % port, "-f", FROM, RCPT]
        small = os.path.join(work, "small.eml")
        small_message(small)
        big = os.path.join(work, "big.eml")
        big_message(big, big_mib)
        big_bytes = os.path.getsize(big)
        with open(big, "rb") as f:  # warm the page cache
            while f.read(1 << 20):
                pass

        run_once(runsend, argv, small)  # warm-up, not counted
        sends = 1
        t_single, rss_single, fails = [], 0, 0
        for _ in range(single_runs):
            w, r, st = run_once(runsend, argv, small)
            sends += 1
            t_single.append(w)
            rss_single = max(rss_single, r)
            fails += st != 0
        t_big, rss_big = [], 0
        for _ in range(big_runs):
            w, r, st = run_once(runsend, argv, big)
            sends += 1
            t_big.append(w)
            rss_big = max(rss_big, r)
            fails += st != 0
        for _ in range(60):
            if sink_count(sink_out.name) >= sends:
                break
            time.sleep(0.05)
        got = sink_count(sink_out.name)

        med = statistics.median(t_big)
        print("carrier bench (fallback, carrier only): %s, %d cores, kernel %s"
              % (time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
                 os.cpu_count(), os.uname().release))
        print("sink: postfix smtp-sink on 127.0.0.1:%d; carrier %s" % (port, carrier))
        print("single  median ms/send (%d runs):  %.3f  (min %.3f, max %.3f)"
              % (single_runs, statistics.median(t_single) * 1000,
                 min(t_single) * 1000, max(t_single) * 1000))
        print("single  peak RSS MB:               %.2f" % (rss_single / 1024))
        print("big%dm  median s (%d runs):       %.3f" % (big_mib, big_runs, med))
        print("big%dm  MB/s (1e6):               %.1f" % (big_mib, big_bytes / 1e6 / med))
        print("big%dm  peak RSS MB:              %.2f" % (big_mib, rss_big / 1024))
        print("sink counted %d of %d messages; %d sends exited non-zero"
              % (got, sends, fails))
        if fails or got != sends:
            print("FAIL")
            rc = 1
    finally:
        sinkp.terminate()
        sinkp.wait()
        sink_out.close()
        sink_err.close()
        subprocess.run(["rm", "-rf", work], check=False)
    return rc


if __name__ == "__main__":
    sys.exit(main())
