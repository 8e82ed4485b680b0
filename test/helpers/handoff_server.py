#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Servers that accept a connection in one process and serve it in another,
as real daemons do, for t_handoff.sh. Each says on stdout who did what (its
own log: the ground truth the capture is checked against).

  handoff_server.py fork PORT N   accept, fork a child per connection; the
                                  parent closes its copy, the child serves
  handoff_server.py exec PORT N   accept, fork; the child greets the client,
                                  then execs cat on the socket (same pid, new
                                  program) which echoes until EOF
  handoff_server.py scm PORT N    a worker forked before any accept receives
                                  each connection over a unix socket
                                  (SCM_RIGHTS) and serves it
  handoff_server.py client PORT N N connections in turn: connect, wait a
                                  little, send "ping", read the echo, close

Server lines: "listening pid=P", then "served cport=C acceptor=A holder=H".
Client lines: "client pid=P cport=C". Every process ends within 60 s.
"""
import array
import os
import signal
import socket
import sys
import time

signal.alarm(60)


def listen(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    print(f"listening pid={os.getpid()}", flush=True)
    return s


def echo(conn):
    data = conn.recv(100)
    conn.sendall(data)
    conn.close()


def served(conn, acceptor):
    print(f"served cport={conn.getpeername()[1]} acceptor={acceptor} holder={os.getpid()}", flush=True)


def child_per_connection(lsock, n, serve):
    """Accepts n connections, each served by serve(conn, acceptor) in a child it forks."""
    me, children = os.getpid(), []
    for _ in range(n):
        conn, _ = lsock.accept()
        pid = os.fork()
        if pid == 0:
            lsock.close()
            served(conn, me)
            serve(conn)
            os._exit(0)
        conn.close()  # before the child uses it: the child is the one that ends it
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


def serve_fork(lsock, n):
    child_per_connection(lsock, n, echo)


def greet_then_cat(conn):
    conn.sendall(b"hello\n")
    os.dup2(conn.fileno(), 0)
    os.dup2(conn.fileno(), 1)
    conn.close()
    os.execvp("cat", ["cat"])


def serve_exec(lsock, n):
    child_per_connection(lsock, n, greet_then_cat)


def serve_scm(lsock, n):
    me = os.getpid()
    parent_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    worker = os.fork()
    if worker == 0:
        lsock.close()
        parent_end.close()
        for _ in range(n):
            _, fds, _, _ = socket.recv_fds(worker_end, 1, 1)
            conn = socket.socket(fileno=fds[0])
            served(conn, me)
            echo(conn)
        os._exit(0)
    worker_end.close()
    for _ in range(n):
        conn, _ = lsock.accept()
        socket.send_fds(parent_end, [b"x"], [conn.fileno()])
        conn.close()
    os.waitpid(worker, 0)


def clients(port, n):
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port))
        print(f"client pid={os.getpid()} cport={c.getsockname()[1]}", flush=True)
        time.sleep(0.05)  # the server's process takes the connection over before any data
        c.sendall(b"ping\n")
        got = b""
        while not got.endswith(b"ping\n"):
            chunk = c.recv(100)
            if not chunk:
                break
            got += chunk
        c.shutdown(socket.SHUT_WR)
        c.recv(100)  # the server's end closes first (cat on EOF, or the echo child)
        c.close()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("fork", "exec", "scm", "client"):
        sys.exit("usage: handoff_server.py fork|exec|scm|client PORT N")
    mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if mode == "client":
        clients(port, n)
        return
    lsock = listen(port)
    {"fork": serve_fork, "exec": serve_exec, "scm": serve_scm}[mode](lsock, n)


main()
