"""A small SMTP server on loopback, for the delivery tests and benchmark (not used in production).

It speaks enough of RFC 5321 for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT), one thread per connection, and keeps what it received: every message as it came
(``messages``) and how many connections were opened (``connections``). A message is accepted
when its DATA has ended and the sender is still there for the answer (RFC 5321: the server
takes responsibility with its reply). A sender that sends a message again (at least once) is
seen twice; the ``Message-ID`` (the notice's idempotency key) tells the copies apart
(``unique``), as a mail store or a reader's client does.

``hold_at=N`` keeps the answer to the N-th DATA back until ``release()`` (``holding`` is set
meanwhile): the moment to kill a worker; if the sender is gone by then, the message is dropped.
``refuse`` lists recipients answered with 550.
``reply_delay`` waits that many seconds before each answer (a relay across a network).
"""
from __future__ import annotations

import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes
    connection: int

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")


@dataclass
class _State:
    messages: list[Received] = field(default_factory=list)
    connections: int = 0
    data_ends: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        if self.server.sink.reply_delay:
            time.sleep(self.server.sink.reply_delay)
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def _peer_gone(self) -> bool:
        try:
            return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False  # still connected, nothing sent yet
        except OSError:
            return True

    def handle(self) -> None:
        sink = self.server.sink
        with sink.state.lock:
            sink.state.connections += 1
            number = sink.state.connections
        mail_from, rcpt_to = "", []
        try:
            self.reply("220 sink.local ESMTP")
            while line := self.rfile.readline():
                command = line.decode("ascii", "replace").strip()
                verb = command[:4].upper()
                if verb == "EHLO":
                    self.wfile.write(b"250-sink.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    self.wfile.flush()
                elif verb == "HELO":
                    self.reply("250 sink.local")
                elif verb == "MAIL":
                    mail_from, rcpt_to = command.split(":", 1)[1].split()[0].strip("<>"), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    address = command.split(":", 1)[1].split()[0].strip("<>")
                    if address in sink.refuse:
                        self.reply("550 no such user")
                    else:
                        rcpt_to.append(address)
                        self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    lines = []
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    with sink.state.lock:
                        sink.state.data_ends += 1
                        held = sink.state.data_ends == sink.hold_at
                    if held:
                        sink.holding.set()
                        sink.released.wait(30)
                        if self._peer_gone():  # the sender died before the answer: not accepted
                            return
                    with sink.state.lock:
                        sink.state.messages.append(Received(mail_from, rcpt_to, b"".join(lines), number))
                    self.reply("250 queued")
                elif verb == "RSET":
                    mail_from, rcpt_to = "", []
                    self.reply("250 OK")
                elif verb == "NOOP":
                    self.reply("250 OK")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 not implemented")
        except OSError:  # the client went away (killed): nothing to answer
            return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sink: SmtpSink):
        self.sink = sink
        super().__init__(("127.0.0.1", 0), _Handler)


class SmtpSink:
    """``with SmtpSink() as sink:`` serves on ``sink.port`` until the block ends."""

    def __init__(self, *, hold_at: int | None = None, refuse=(), reply_delay: float = 0.0):
        self.hold_at, self.refuse, self.reply_delay = hold_at, set(refuse), reply_delay
        self.state = _State()
        self.holding, self.released = threading.Event(), threading.Event()
        self._server = None

    def __enter__(self) -> SmtpSink:
        self._server = _Server(self)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        self.released.set()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def messages(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.messages)

    @property
    def connections(self) -> int:
        return self.state.connections

    def unique(self) -> dict[str, Received]:
        """The messages once each by Message-ID (a copy sent again counts once), as a mail
        store that honours the idempotency key keeps them."""
        kept = {}
        for received in self.messages:
            kept.setdefault(received.message_id, received)
        return kept

    def settings(self) -> dict:
        """Django settings that send to this server."""
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": self.port, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False,
                "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "", "EMAIL_TIMEOUT": 10}
