"""http-python: a plain Python HTTP function (http.server, json, email, urllib, hashlib, sqlite3 in memory),
serves one request over loopback (127.0.0.1, a free port), then idles warm."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _function as fn  # noqa: E402

fn.opt_in()
t0 = time.time()
import email.utils  # noqa: E402
import hashlib  # noqa: E402
import http.server  # noqa: E402
import json  # noqa: E402
import sqlite3  # noqa: E402
import threading  # noqa: E402
import urllib.request  # noqa: E402

db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("create table hits (path text, at text)")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        db.execute("insert into hits values (?, ?)", (self.path, email.utils.formatdate(0)))
        body = json.dumps({"path": self.path, "sha": hashlib.sha256(self.path.encode()).hexdigest(),
                           "hits": db.execute("select count(*) from hits").fetchone()[0]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
t = threading.Thread(target=srv.handle_request)
t.start()
t1 = time.time()
with urllib.request.urlopen("http://127.0.0.1:%d/hello" % srv.server_address[1]) as r:
    reply = json.loads(r.read())
t.join()
srv.server_close()
fn.warm({"function": "http-python", "initS": round(t1 - t0, 3), "requestS": round(time.time() - t1, 3),
         "checksum": reply["sha"][:12]})
