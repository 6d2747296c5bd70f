"""Run ``govaudit check`` on the hostile portal inside a network namespace of its own
(``unshare -n``: only a loopback interface, so nothing can leave the machine whatever the
crawler does), with canary HTTP servers listening on the addresses the hostile pages link to
(169.254.169.254, 10.0.0.1, on ports 80 and 8080, and every other local address through
0.0.0.0). A canary that is asked anything is a request the outbound policy let through.

Usage (as root): ``unshare -n python tests/hostile_netns.py OUTDIR [check options…]``;
writes ``OUTDIR/netns.json`` (canary hits, the portal's request log, the crawl's exit code,
stderr and peak memory). Used by tests/test_hostile.py.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CANARY_ADDRESSES = ["169.254.169.254", "10.0.0.1"]
CANARY_PORTS = [80, 8080, 21, 70]
HITS: list[dict] = []


class Canary(BaseHTTPRequestHandler):
    def _hit(self):
        HITS.append({"server": "%s:%s" % self.server.server_address[:2], "method": self.command,
                     "path": self.path, "host": self.headers.get("Host")})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_HEAD = do_POST = _hit

    def log_message(self, *a):
        pass


def main() -> int:
    out = Path(sys.argv[1])
    extra = sys.argv[2:]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for addr in CANARY_ADDRESSES:
        subprocess.run(["ip", "addr", "add", f"{addr}/32", "dev", "lo"], check=True)
    servers = []
    for port in CANARY_PORTS:       # 0.0.0.0: every local address, the canary ones included
        srv = ThreadingHTTPServer(("0.0.0.0", port), Canary)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)

    from testbed.corpus import AS_OF
    from testbed.server import Testbed, make_style

    tb = Testbed(make_style("hostile", scale=0.2)).start()
    key = tb.answer_key()
    (out / "answer-key.json").write_text(json.dumps(key, ensure_ascii=False), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "govaudit", "check", tb.url, "--db", str(out / "hostile.db"),
         "--out", str(out / "reports"), "--as-of", AS_OF.isoformat(), *extra],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # an availability probe of a URL that redirects to the metadata service
    probe = subprocess.run(
        [sys.executable, "-m", "govaudit", "probe", key["hostile"]["redirect_to_metadata"],
         "--db", str(out / "hostile.db")], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    tb.stop()
    for srv in servers:
        srv.shutdown()
    (out / "netns.json").write_text(json.dumps({
        "returncode": proc.returncode, "stderr": proc.stderr[-5000:], "stdout": proc.stdout[-2000:],
        "probe": {"returncode": probe.returncode, "stdout": probe.stdout, "stderr": probe.stderr[-2000:]},
        "canary_hits": HITS, "portal_requests": tb.requests, "peak_rss_kb": peak_kb,
        "url": tb.url}, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
