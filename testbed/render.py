"""HTML pieces every testbed style renders the same way from the corpus truth."""
from __future__ import annotations

import re
from html import escape

KNOWN_FOOTER = ("host", "site_code", "icp", "police", "conac", "contact")
#: Stand-ins for the real filing and badge hosts (beian.miit.gov.cn, www.beian.gov.cn,
#: bszs.conac.cn), served by the testbed itself (testbed.server, ``STANDIN_PREFIX``): the tests
#: never send a request to the internet, and the paths still name the host they stand for.
STANDIN_PREFIX = "/_standin/"
ICP_HREF = STANDIN_PREFIX + "beian.miit.gov.cn/"
POLICE_HREF = STANDIN_PREFIX + "www.beian.gov.cn/portal/registerSystemInfo?recordcode={record}"
CONAC_HREF = STANDIN_PREFIX + "bszs.conac.cn/sitename?method=show&amp;id={site_code}"


def footer_html(footer: dict[str, str | None], site_code: str, badge_src: str,
                css_class: str = "footer") -> str:
    """The site footer: 主办单位, identity codes, the 党政机关 badge and contacts. An element whose
    truth is None is left out (ID001 plants those); elements added to the truth later show as text."""
    parts = []
    if footer.get("host"):
        parts.append(f"<p>{escape(footer['host'])}</p>")
    line = []
    if footer.get("site_code"):
        line.append(f"<span>{escape(footer['site_code'])}</span>")
    if footer.get("icp"):
        line.append(f'<a href="{ICP_HREF}" target="_blank">{escape(footer["icp"])}</a>')
    if footer.get("police"):
        record = re.sub(r"[^0-9]", "", footer["police"])
        line.append(f'<a href="{POLICE_HREF.format(record=record)}" '
                    f'target="_blank">{escape(footer["police"])}</a>')
    if line:
        parts.append(f"<p>{'　'.join(line)}</p>")
    tail = []
    if footer.get("conac"):
        tail.append(f'<a href="{CONAC_HREF.format(site_code=site_code)}" target="_blank">'
                    f'<img src="{badge_src}" alt="{escape(footer["conac"])}"></a>')
    if footer.get("contact"):
        tail.append(f"<span>{escape(footer['contact'])}</span>")
    if tail:
        parts.append(f"<p>{'　'.join(tail)}</p>")
    parts += [f"<p>{escape(v)}</p>" for k, v in footer.items() if v and k not in KNOWN_FOOTER]
    return f'<div class="{css_class}">\n' + "\n".join(parts) + "\n</div>"


def crumbs_html(links: tuple[tuple[str, str | None], ...], css_class: str) -> str:
    """A breadcrumb (当前位置：a &gt; b &gt; c): a link for each (text, href), plain text where
    href is None."""
    parts = [f'<a href="{href}">{escape(text)}</a>' if href else f"<span>{escape(text)}</span>"
             for text, href in links]
    return f'<div class="{css_class}">当前位置：{" &gt; ".join(parts)}</div>'
