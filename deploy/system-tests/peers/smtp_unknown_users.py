"""An SMTP server whose mailboxes all do not exist: every RCPT gets "550 5.1.1 ... User unknown",
the reply that makes Sluice suppress an address (RFC 3463 X.1.1, a hard bounce). smtp-sink -f
RCPT answers 500 5.3.0 instead, which is not an addressing failure. Each refused address is
appended to a log file, one per line, so a test can tell whether delivery contacted the server.

Usage: python3 smtp_unknown_users.py <host> <port> <rcpt-log>
"""
import socketserver
import sys

host, port, rcpt_log = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self):
        self.reply("220 unknown-users.test ESMTP")
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                self.reply("250-unknown-users.test")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 unknown-users.test")
            elif verb == "RCPT":
                address = line[line.find("<") + 1:line.find(">")]
                with open(rcpt_log, "a", encoding="utf-8") as log:
                    log.write(address + "\n")
                self.reply("550 5.1.1 <" + address + ">: Recipient address rejected: User unknown")
            elif verb == "DATA":
                self.reply("554 5.5.1 Error: no valid recipients")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:  # MAIL, RSET, NOOP
                self.reply("250 2.0.0 Ok")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((host, port), Session) as server:
    server.serve_forever()
