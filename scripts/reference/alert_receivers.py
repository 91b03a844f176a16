"""The real receivers of the alerting end-to-end test: an HTTP server that records every POST
(Alertmanager's webhook notifications, the signed webhook, the Slack payloads) and checks the
webhook's HMAC-SHA256 signature, and an SMTP server (aiosmtpd) that requires STARTTLS and AUTH
and records every message.

usage: alert_receivers.py HTTP_PORT SMTP_PORT CERT KEY SECRET OUT_DIR

Writes OUT_DIR/http.jsonl (path, headers, body, signature_valid) and OUT_DIR/mail.jsonl
(mail_from, rcpt_tos, tls, authenticated, message); prints "ready" when both listen.
"""
import hashlib
import hmac
import http.server
import json
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

http_port, smtp_port, cert, key, secret, out = sys.argv[1:7]
http_port, smtp_port = int(http_port), int(smtp_port)
lock = threading.Lock()


def record(name, entry):
    with lock, open(f"{out}/{name}.jsonl", "a") as f:
        f.write(json.dumps(entry) + "\n")


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        signature = self.headers.get("X-LTB-Signature")
        timestamp = self.headers.get("X-LTB-Timestamp")
        valid = None
        if signature is not None:
            expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, signature) and abs(time.time() - int(timestamp)) < 300
        record("http", {"path": self.path, "headers": dict(self.headers), "body": body, "signature_valid": valid})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        record("mail", {
            "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None, "authenticated": session.authenticated,
            "message": envelope.content.decode("utf8", "replace"),
        })
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == b"alerts" and data.password == b"mail-password"
    return AuthResult(success=ok)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
smtp = Controller(
    Mailbox(), hostname="127.0.0.1", port=smtp_port, tls_context=context, require_starttls=True,
    authenticator=authenticate, auth_require_tls=True, server_hostname="localhost",
)
smtp.start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", http_port), Receiver)
print("ready", flush=True)
server.serve_forever()
