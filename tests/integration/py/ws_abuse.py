#!/usr/bin/python3
"""Websocket abuse with python3-autobahn's frame-level client (the library the
Autobahn test suite is built on): each case connects to the daemon's /ws,
sends one malformed frame sequence, and records how the daemon closed it.
Usage: ws_abuse.py PORT TOKEN; prints one JSON line per case."""
import asyncio
import json
import sys

from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

PORT, TOKEN = int(sys.argv[1]), sys.argv[2]

# name -> list of (opcode, payload, fin, rsv)
CASES = {
    "invalid-utf8-text": [(1, b'{"cmd":"\xff\xfe"}', True, 0)],
    "rsv1-without-extension": [(1, b'{"cmd":"ping"}', True, 4)],
    "reserved-opcode": [(3, b"x", True, 0)],
    "continuation-without-start": [(0, b"abc", True, 0)],
    "ping-too-long": [(9, b"x" * 200, True, 0)],
    "fragmented-control-frame": [(9, b"x", False, 0)],
    "bad-close-code": [(8, (999).to_bytes(2, "big") + b"bye", True, 0)],
    "close-invalid-utf8-reason": [(8, (1000).to_bytes(2, "big") + b"\xff", True, 0)],
    "oversized-message": [(1, b'{"cmd":"message","text":"' + b"x" * 100000 + b'"}', True, 0)],
    "fragmented-oversized": [(1, b"x" * 30000, False, 0), (0, b"x" * 30000, False, 0), (0, b"x" * 30000, True, 0)],
    "text-inside-fragmented-text": [(1, b'{"cmd":', False, 0), (1, b'"ping"}', True, 0)],
    "binary-message": [(2, b"\x00\x01\x02", True, 0)],
}


class Abuser(WebSocketClientProtocol):
    def onOpen(self):
        for opcode, payload, fin, rsv in self.factory.frames:
            self.sendFrame(opcode=opcode, payload=payload, fin=fin, rsv=rsv)

    def onClose(self, wasClean, code, reason):
        if not self.factory.done.done():
            self.factory.done.set_result(code)


async def run_case(name, frames):
    loop = asyncio.get_running_loop()
    factory = WebSocketClientFactory(f"ws://127.0.0.1:{PORT}/ws?token={TOKEN}")
    factory.protocol = Abuser
    factory.frames = frames
    factory.done = loop.create_future()
    # The client must not mask-check or validate what it is about to break.
    factory.setProtocolOptions(failByDrop=False, openHandshakeTimeout=3, closeHandshakeTimeout=2)
    try:
        transport, _ = await loop.create_connection(factory, "127.0.0.1", PORT)
    except OSError as e:
        return {"case": name, "error": str(e)}
    try:
        code = await asyncio.wait_for(factory.done, 5)
    except asyncio.TimeoutError:
        code = "open"
        transport.close()
    return {"case": name, "code": code}


async def main():
    for name, frames in CASES.items():
        print(json.dumps(await run_case(name, frames)), flush=True)


asyncio.run(main())
