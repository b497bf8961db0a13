#!/usr/bin/env python3
"""sts_server.py: an HTTPS server of MTA-STS policies for the tests.

    sts_server.py ADDR PORT CERT KEY DIR LOG READY

Serves GET /.well-known/mta-sts.txt over TLS (CERT, KEY: PEM files, the
lab CA's) on ADDR:PORT: the reply is the file DIR/<Host> (the Host
field, without a port) as text/plain, or 404 when there is none.  A
file DIR/<Host>.status holding a number makes that the status instead
(with no body, and for 3xx a Location field).  Every request is one line
in LOG: "GET <host> <path> <status>".  READY is created once the socket
listens.  Runs until killed.
"""
import http.server
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # no stderr noise
        pass

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        base = os.path.join(self.server.policy_dir, os.path.basename(host))
        status, body = 404, b"no policy\n"
        if self.path == "/.well-known/mta-sts.txt" and host:
            if os.path.exists(base + ".status"):
                with open(base + ".status") as f:
                    status, body = int(f.read().strip()), b""
            elif os.path.exists(base):
                with open(base, "rb") as f:
                    status, body = 200, f.read()
        with open(self.server.log, "a") as f:
            f.write("GET %s %s %d\n" % (host, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        if 300 <= status < 400:
            self.send_header("Location", "https://elsewhere.test/")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True


def main():
    addr, port, cert, key, pdir, log, ready = sys.argv[1:8]
    srv = http.server.ThreadingHTTPServer((addr, int(port)), Handler)
    srv.policy_dir = pdir
    srv.log = log
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    open(ready, "w").close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
