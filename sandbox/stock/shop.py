#!/usr/bin/python3
"""shop: a small order service, written the way a team writes one, not for Ops Brain.

Standard library HTTP, PostgreSQL through psycopg2 (one connection opened at start and never
re-opened: a dropped connection makes every request fail until the process restarts), an
access log it opens once and keeps open, temp files from `tempfile`, and Prometheus metrics
under its own names (shop_http_responses_total{code}, shop_started_at_seconds,
shop_resident_memory_bytes).

    shop.py --name shop-1 --port 28001 --database postgresql://... --log FILE --temp DIR
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2


class Shop:
    def __init__(self, args):
        self.name = args.name
        self.database = args.database
        self.temp = args.temp
        self.started = time.time()
        self.lock = threading.Lock()
        self.responses = {}
        self.log = open(args.log, "a", buffering=1)
        self.db = psycopg2.connect(args.database, application_name=args.name)
        self.db.autocommit = True

    def count(self, code):
        with self.lock:
            self.responses[code] = self.responses.get(code, 0) + 1

    def query(self, sql, params=()):
        with self.lock:
            with self.db.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []

    def export(self):
        """The orders export: opens its own connection and, on this code path, forgets to end
        its transaction (the bug that leaves sessions idle in transaction)."""
        connection = psycopg2.connect(self.database, application_name=self.name)
        cursor = connection.cursor()
        cursor.execute("SELECT id, customer, total_cents FROM orders ORDER BY id")
        rows = cursor.fetchall()
        with tempfile.NamedTemporaryFile("w", dir=self.temp, delete=False) as scratch:
            json.dump(rows, scratch)
        os.unlink(scratch.name)
        self.leaked = getattr(self, "leaked", []) + [connection]
        return len(rows)

    def metrics(self):
        with self.lock:
            lines = ["# TYPE shop_http_responses_total counter"]
            lines += ['shop_http_responses_total{code="%d"} %d' % (code, n) for code, n in sorted(self.responses.items())]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        lines += ["# TYPE shop_started_at_seconds gauge", "shop_started_at_seconds %.3f" % self.started,
                  "# TYPE shop_resident_memory_bytes gauge", "shop_resident_memory_bytes %d" % rss]
        return "\n".join(lines) + "\n"


def handler(shop):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, code, body, content_type="application/json", counted=True):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            if counted:
                shop.count(code)

        def do_GET(self):
            path = self.path.split("?")[0]
            try:
                if path == "/metrics":
                    return self.answer(200, shop.metrics(), "text/plain; version=0.0.4", counted=False)
                if path == "/healthz":
                    shop.query("SELECT 1")
                    return self.answer(200, '{"ok": true}', counted=False)
                if path == "/api/orders":
                    (count,), = shop.query("SELECT count(*) FROM orders")
                    return self.answer(200, json.dumps({"orders": count, "served_by": shop.name}))
                if path == "/api/orders/export":
                    return self.answer(200, json.dumps({"exported": shop.export()}))
                return self.answer(404, '{"error": "not found"}')
            except Exception as error:   # the app's catch-all: log it, answer 500
                shop.log.write("%s ERROR %s %s: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), shop.name, path, error))
                return self.answer(500 if path != "/healthz" else 503, json.dumps({"error": str(error)[:200]}),
                                   counted=path != "/healthz")

        def log_message(self, format, *args):
            shop.log.write("%s %s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), shop.name, format % args))

    return Handler


def main():
    parser = argparse.ArgumentParser()
    for option in ("name", "database", "log", "temp"):
        parser.add_argument("--" + option, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    shop = Shop(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(shop))
    server.daemon_threads = True
    print("%s listening on 127.0.0.1:%d" % (args.name, args.port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
