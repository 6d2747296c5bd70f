"""The testbed's HTTP vocabulary: a parsed :class:`Request`, the :class:`Response` a style
returns, and the :class:`Style` base class. Below :mod:`testbed.server` (which serves styles)
and :mod:`testbed.traps` (which wraps them), so neither imports the other."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from testbed.corpus import Corpus, answer_key


@dataclass
class Request:
    method: str
    path: str                       # without the query string
    query: dict[str, str]
    headers: dict[str, str]         # lower-cased names
    body: bytes = b""
    client: str = ""

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    @property
    def cookies(self) -> dict[str, str]:
        c = SimpleCookie()
        c.load(self.headers.get("cookie", ""))
        return {k: m.value for k, m in c.items()}

    def param(self, name: str, default: str | None = None) -> str | None:
        """A parameter from the query string or, failing that, the form body."""
        return self.query.get(name, self.form.get(name, default))


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


def html(body: str, status: int = 200, charset: str | None = "utf-8") -> Response:
    ct = f"text/html; charset={charset}" if charset else "text/html"
    return Response(status, body, ct)


def json_response(obj, status: int = 200) -> Response:
    return Response(status, json.dumps(obj, ensure_ascii=False), "application/json; charset=utf-8")


class Style:
    """Base class of a portal style. ``base_url`` is known once the server is bound."""

    name = "base"
    #: the 网站标识码 the footer's 党政机关 badge links to, and the badge image
    site_id_code = "3711000001"
    badge = "/images/dzjg.png"

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.base_url = ""
        self.soft404: set[str] = set()     # paths the style answers 200 "页面不存在"

    def footer(self) -> str:
        """The footer from the truth (``testbed.render.footer_html``; None elements are left out)."""
        from testbed.render import footer_html

        return footer_html(self.corpus.site.footer, self.site_id_code, self.badge)

    def bind(self, base_url: str) -> None:
        """Called once the port is known: assign URLs to columns, documents, attachments."""
        self.base_url = base_url.rstrip("/")
        self.soft404 = set()                # (re)built by the style while binding

    def column_ids(self, first: int) -> tuple[dict[str, int], dict[int, object]]:
        """The corpus columns numbered from ``first``, as a CMS numbers them: key -> id, id -> column."""
        ids = {c.key: first + i for i, c in enumerate(self.corpus.columns)}
        return ids, {v: self.corpus.column(k) for k, v in ids.items()}

    def handle(self, req: Request) -> Response | None:
        raise NotImplementedError

    def extra_link_url(self, target: str, *, dead: str, soft404: str, external: str,
                       docs: dict | None = None) -> str:
        """Where a link the truth adds (``corpus.ExtraLink.target``) points: the document's URL
        for ``doc:KEY``, else the style's address for that kind of broken link — ``external`` (a
        URL on a host that does not resolve), ``soft404`` (a path on this site, remembered in
        :attr:`soft404`) or ``dead`` (a path that answers 404, also for an unknown target)."""
        docs = self.corpus.docs if docs is None else docs
        if target.startswith("doc:") and target[4:] in docs:
            return docs[target[4:]].url
        if target == "external-dead":
            return external
        if target == "soft404":
            self.soft404.add(soft404)
            return self.base_url + soft404
        return self.base_url + dead

    def answer_key(self) -> dict:
        """The truth with URLs. Styles serving several corpora (multi-organ hubs) override."""
        return answer_key(self.corpus, self.base_url + "/")


def standin_response(req: Request) -> Response | None:
    """The page behind a footer link to a filing or badge host (``testbed.render.STANDIN_PREFIX``):
    the real hosts are on the internet, which the tests never reach."""
    from testbed.render import STANDIN_PREFIX

    if not req.path.startswith(STANDIN_PREFIX):
        return None
    host = req.path[len(STANDIN_PREFIX):].split("/", 1)[0]
    title = {"beian.miit.gov.cn": "ICP/IP地址/域名信息备案管理系统", "www.beian.gov.cn": "全国互联网安全管理服务平台",
             "bszs.conac.cn": "党政机关网站标识"}.get(host, host)
    return html(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
                f"<p>测试环境中代替 {host} 的页面。</p>{'<p>备案信息查询。</p>' * 20}</body></html>")
