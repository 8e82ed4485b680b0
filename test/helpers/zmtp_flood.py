#!/usr/bin/env python3
"""A hostile ZMQ peer speaking ZMTP 3.0 by hand (no libzmq), for t_security.sh.

  zmtp_flood.py frame HOST PORT SOCKET_TYPE MBYTES
      after the NULL handshake, one frame announcing MBYTES MB, then its
      bytes for as long as the other side reads (at most 60 s).
      Prints "sent=BYTES" (what the other side took before it cut us off).
  zmtp_flood.py subscribe HOST PORT N
      after the handshake (as a SUB), N subscribe and N unsubscribe frames.
  zmtp_flood.py unix PATH
      connects to a Unix socket: prints "connected" or the error.
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


def handshake(host, port, socket_type):
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
    return s


def subscribe(host, port, n):
    s = handshake(host, port, "SUB")
    s.sendall((b"\x00\x01\x01" + b"\x00\x01\x00") * n)
    time.sleep(1)
    print("sent=%d" % (2 * n))


def unix(path):
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(path)
        print("connected")
    except OSError as e:
        print(e.strerror)


def frame(host, port, socket_type, mbytes):
    total = mbytes * 1000 * 1000
    s = handshake(host, port, socket_type)
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
    if len(sys.argv) == 6 and sys.argv[1] == "frame":
        frame(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif len(sys.argv) == 5 and sys.argv[1] == "subscribe":
        subscribe(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "unix":
        unix(sys.argv[2])
    else:
        sys.exit(__doc__)
