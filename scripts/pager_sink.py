#!/usr/bin/env python3
"""A local stand-in for the on-call staff's phones: receives the notifier's
webhook, IM-robot and SMS-gateway requests on 127.0.0.1, checks webhook
signatures (X-FBL-Signature, HMAC-SHA256 with $FBL_NOTIFIER_WEBHOOK_SECRET)
and prints one line per page. Used by scripts/run.sh.

  scripts/pager_sink.py [--port 18080] [--sms-port 18081]
"""
import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("FBL_NOTIFIER_WEBHOOK_SECRET", "").encode()
lock = threading.Lock()


def say(line):
    with lock:
        print(line, flush=True)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        try:
            page = json.loads(body or b"{}")
        except ValueError:
            page = {}
        if self.path.startswith("/pages/"):
            sig = self.headers.get("X-FBL-Signature", "")
            want = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
            ok = bool(SECRET) and hmac.compare_digest(sig, want)
            grouped = f" (+{page['grouped_count']} grouped)" if page.get("grouped_count") else ""
            say(f"PAGE webhook {page.get('recipient', {}).get('id', '?')} "
                f"[{page.get('type', '?')} {page.get('category', '?')} {page.get('severity', '?')}] "
                f"{page.get('title', '')}{grouped} signature={'ok' if ok else 'BAD'}")
            status = 200 if ok else 401
        elif self.path.startswith("/robot/"):
            text = page.get("text", {}).get("content", "") if isinstance(page.get("text"), dict) else ""
            say(f"PAGE im {self.path.rsplit('/', 1)[-1]} {text.splitlines()[0] if text else ''}")
            status = 200
        else:
            say(f"PAGE sms {page.get('to', '?')} {page.get('text', '')[:80]}")
            status = 200
        reply = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=18080)
    ap.add_argument("--sms-port", type=int, default=18081)
    args = ap.parse_args()
    servers = [ThreadingHTTPServer(("127.0.0.1", p), Handler) for p in (args.port, args.sms_port)]
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    say(f"pager sink listening on 127.0.0.1:{args.port} (webhook, IM) and :{args.sms_port} (SMS)")
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
