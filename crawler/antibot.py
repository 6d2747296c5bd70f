"""Recognise anti-bot challenges and WAF refusals, so they are recorded as ``blocked``
(with what was seen) instead of broken links or missing documents. Pure functions."""
from __future__ import annotations

import re

_SIGNATURES: list[tuple[str, re.Pattern[str]]] = [
    ("ruishu-412", re.compile(r"\$_ts\s*=|\$_ts\.|_\$[a-z]{2}\(")),
    ("jiasule-cookie", re.compile(r"__jsl_clearance|__jsluid")),
    ("js-cookie-challenge", re.compile(r"document\.cookie\s*=.{0,200}location\.(href|replace|reload)", re.S)),
    ("captcha", re.compile(r"滑块验证|请完成安全验证|人机验证|captcha", re.I)),
    ("waf-page", re.compile(r"访问被拦截|您的访问请求可能对网站造成安全威胁|安全防护|Web应用防火墙|不合法的参数")),
]


def blocked_reason(status: int | None, headers: dict[str, str] | None, body: bytes | str | None) -> str | None:
    """Why this response looks like a challenge or refusal rather than the real page, else None."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    head = text[:20000]
    for name, pattern in _SIGNATURES:
        if pattern.search(head):
            return f"{name} (HTTP {status})"
    if status in (412, 521):
        return f"challenge status (HTTP {status})"
    if status == 403 and len(text) < 5000:
        return "forbidden, probably a WAF or user-agent filter (HTTP 403)"
    if status == 429:
        return "rate limited (HTTP 429)"
    return None
