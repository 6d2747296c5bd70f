"""The availability probe (AV001's observations): one request for a home page, timed, judged
reachable or not, asking the outbound policy first. ``govaudit probe`` stores each result."""
from __future__ import annotations


def probe_once(url: str, timeout: float, allow_nets: list[str] | None = None) -> dict:
    """One availability probe of a home page: status, latency, and whether it counts as
    reachable (HTTP 200 within ``timeout`` seconds and not an anti-bot challenge page).
    The outbound policy (``crawler.outbound``) is asked before the request and before every
    redirect hop."""
    import time
    import urllib.error
    import urllib.request

    from crawler.antibot import blocked_reason
    from crawler.outbound import REFUSED_PREFIX, OutboundPolicy
    from crawler.settings import USER_AGENT

    policy = OutboundPolicy([url], allow_nets or [])

    class Guarded(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            why = policy.check(newurl)
            if why:
                raise urllib.error.URLError(f"{REFUSED_PREFIX}: {why}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    status, body, headers, error = None, b"", {}, None
    start = time.monotonic()
    try:
        why = policy.check(url)
        if why:
            raise urllib.error.URLError(f"{REFUSED_PREFIX}: {why}")
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler(), Guarded())
        with opener.open(req, timeout=timeout) as resp:
            status, headers, body = resp.status, dict(resp.headers), resp.read(500_000)
    except urllib.error.HTTPError as exc:
        status, headers, body = exc.code, dict(exc.headers or {}), exc.read(500_000)
    except Exception as exc:  # DNS, refused, reset, timeout: the probe failed
        error = f"{type(exc).__name__}: {exc}"[:300]
    latency = int(1000 * (time.monotonic() - start))
    blocked = blocked_reason(status, {k.lower(): v for k, v in headers.items()}, body) if status else None
    ok = status == 200 and not blocked and latency <= timeout * 1000
    if status == 200 and not blocked and not ok:
        error = f"slower than {timeout:g} s"
    return {"status": status, "latency_ms": latency, "ok": ok, "error": error, "blocked": blocked}
