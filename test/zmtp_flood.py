#!/usr/bin/env python3
"""A hostile ZMQ peer speaking ZMTP 3.0 by hand (no libzmq), for t_security.sh.

  zmtp_flood.py frame HOST PORT SOCKET_TYPE MBYTES
      after the NULL handshake, one frame announcing MBYTES MB, then its
      bytes for as long as the other side reads (at most 60 s).
Prints "sent=BYTES" (what the other side took before it cut us off).
"""
import socket
import struct
import sys
import time


def greeting():
    return b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31


def ready(socket_type):
    prop = b"\x0bSocket-Type" + struct.pack(">I", len(socket_type)) + socket_type
    body = b"\x05READY" + prop
    return bytes([0x04, len(body)]) + body


def frame(host, port, socket_type, mbytes):
    total = mbytes * 1000 * 1000
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(greeting())
    s.settimeout(5)
    got = b""
    while len(got) < 64:
        chunk = s.recv(64 - len(got))
        if not chunk:
            break
        got += chunk
    s.sendall(ready(socket_type.encode()))
    s.sendall(bytes([0x02]) + struct.pack(">Q", total))
    chunk = b"\x01" * (1 << 20)
    sent, deadline = 0, time.monotonic() + 60
    try:
        while sent < total and time.monotonic() < deadline:
            sent += s.send(chunk[: min(len(chunk), total - sent)])
    except OSError:
        pass
    print("sent=%d" % sent)


if __name__ == "__main__":
    if len(sys.argv) != 6 or sys.argv[1] != "frame":
        sys.exit(__doc__)
    frame(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
