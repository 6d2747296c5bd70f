"""Real Redis and Scrapyd servers for the scale-out tests, started on loopback in a temporary
folder. Absent locally: the test is skipped with the reason; under CI=true it fails (.ci/run
installs and starts them)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def need(what: str, why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI ({why}); .ci/run installs it")
    pytest.skip(f"{what} not available: {why}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def redis_server(tmp: Path):
    """Start redis-server on a free loopback port; returns its URL and process (the process is
    None when ``GOVAUDIT_REDIS_URL`` names a running one, as .ci/run sets)."""
    if os.environ.get("GOVAUDIT_REDIS_URL"):
        return os.environ["GOVAUDIT_REDIS_URL"], None
    binary = os.environ.get("GOVAUDIT_REDIS_SERVER") or shutil.which("redis-server")
    if not binary:
        need("redis-server", "not on PATH (Debian package redis-server)")
    try:
        import redis  # noqa: F401
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        need("scrapy-redis", f"{exc} (pip install 'govaudit[scale]')")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc, "redis-server")
    return f"redis://127.0.0.1:{port}/0", proc


def scrapyd_server(tmp: Path, root: Path):
    """Start Scrapyd on a free loopback port with the govaudit project (``[settings]``
    govaudit = crawler.settings, as the checkout's scrapyd.conf); returns its URL and process
    (None when ``GOVAUDIT_SCRAPYD_URL`` names a running one, as .ci/run sets)."""
    if os.environ.get("GOVAUDIT_SCRAPYD_URL"):
        return os.environ["GOVAUDIT_SCRAPYD_URL"].rstrip("/") + "/", None
    try:
        import scrapyd  # noqa: F401
    except ImportError as exc:
        need("scrapyd", f"{exc} (pip install 'govaudit[scale]')")
    port = free_port()
    conf = tmp / "scrapyd.conf"
    conf.write_text((root / "scrapyd.conf").read_text("utf-8").replace("http_port = 6800", f"http_port = {port}")
                    .replace("./.scrapyd", str(tmp / "scrapyd")), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(root)}
    # scrapyd reads scrapyd.conf and the closest scrapy.cfg ([settings] govaudit = crawler.settings)
    # from the folder it starts in
    (tmp / "scrapy.cfg").write_text((root / "scrapy.cfg").read_text("utf-8"), "utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=tmp, env=env,
                            stdout=open(tmp / "scrapyd.out", "w"), stderr=subprocess.STDOUT)
    wait_port(port, proc, "scrapyd")
    url = f"http://127.0.0.1:{port}/"
    for _ in range(50):
        try:
            urllib.request.urlopen(url + "daemonstatus.json", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    return url, proc
