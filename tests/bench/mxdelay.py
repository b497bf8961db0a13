#!/usr/bin/python3
"""mxdelay.py RTT_MS READYFILE LISTEN=UPSTREAM...: TCP proxies that add
latency, for tests/bench/mx.sh (this kernel has no sch_netem, so
"tc qdisc ... netem delay" is not available).

Each LISTEN (ADDR:PORT, e.g. 127.0.0.17:25, an MX host's address) is
forwarded to its UPSTREAM (ADDR:PORT, an smtp-sink).  Every chunk is held
RTT/2 in each direction, and the upstream connect waits RTT/2 (the SYN on
its way), so the greeting arrives one RTT after connect() and every reply
one RTT after the command that asked for it, as over a path with that
round-trip time.  Chunks keep their order; delays are not serialised, so
pipelined commands pay one RTT, not one each.  TCP ACKs are not delayed.
The same scheme as ../shared/bench/lib/delayproxy.py, for several listen
addresses in one process.  READYFILE is written once every LISTEN is
bound; then it serves until killed."""
import asyncio
import os
import sys

HALF = float(sys.argv[1]) / 2000.0


async def pump(reader, writer):
    loop = asyncio.get_running_loop()
    q = asyncio.Queue()

    async def feeder():
        while True:
            data = await reader.read(262144)
            q.put_nowait((loop.time() + HALF, data))
            if not data:
                return

    f = asyncio.ensure_future(feeder())
    try:
        while True:
            due, data = await q.get()
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            if not data:
                writer.write_eof()
                break
            writer.write(data)
            await writer.drain()
    except (OSError, RuntimeError):
        pass
    f.cancel()


def handler(up_host, up_port):
    async def handle(creader, cwriter):
        await asyncio.sleep(HALF)
        try:
            sreader, swriter = await asyncio.open_connection(up_host, up_port)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pump(creader, swriter), pump(sreader, cwriter),
                             return_exceptions=True)
        for w in (cwriter, swriter):
            w.close()
    return handle


def split(hostport):
    host, port = hostport.rsplit(":", 1)
    return host.strip("[]"), int(port)


async def main():
    servers = []
    for spec in sys.argv[3:]:
        listen, up = spec.split("=")
        lh, lp = split(listen)
        servers.append(await asyncio.start_server(handler(*split(up)), lh, lp))
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, sys.argv[2])
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())
