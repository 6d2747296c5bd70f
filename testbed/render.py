"""HTML pieces every testbed style renders the same way from the corpus truth."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
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


#: the opening of an HTML5 page up to its charset (Hanweb and gkmlpt pages start so)
HTML5_OPENING = ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
                 '<meta http-equiv="X-UA-Compatible" content="IE=edge">')

#: the jQuery script tag TRS-built pages load in their head
JQUERY_TAG = '<script type="text/javascript" src="/js/jquery.min.js"></script>\n'

#: the TRS WCM pager script (``createPageHTML``) as TRS sites and generated TRS-style lists serve it
TRS_PAGE_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  if (nCurrIndex == 0) { document.write("<span>首页</span>&nbsp;"); }
  else { document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;"); }
  for (var i = 1; i < _nPageCount; i++) {
    document.write("<a href=\\"" + _sPageName + "_" + i + "." + _sPageExt + "\\">" + (i + 1) + "</a>&nbsp;");
  }
}
"""


def meta_tags(meta: dict[str, str | None]) -> str:
    """``<meta name=… content=…>`` lines in the dict's order; a None value is left out."""
    return "\n".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in meta.items() if v is not None)


def page_shell(opening: str, title: str, meta: dict[str, str | None], head: str, logo: str, main: str,
               footer: str, nav: Sequence[tuple[str, str]] = (), search: str = "") -> str:
    """The page a style wraps its content in: ``opening`` (doctype, ``<html>``, ``<head>`` up to the
    charset), the title, the ``<meta>`` block and extra ``head`` markup; a header with the ``logo``
    markup and, when there is a ``nav`` menu of (text, href), the ``search`` form and the menu;
    ``main``; the ``footer``."""
    header = f'<div class="header"><div class="logo">{logo}</div>'
    if nav:
        items = "\n".join(f'<li><a href="{href}">{escape(text)}</a></li>' for text, href in nav)
        header += "\n" + (search + "\n" if search else "") + f'<div class="nav"><ul>\n{items}\n</ul></div>'
    return f"""{opening}
<title>{escape(title)}</title>
{meta_tags(meta)}
{head}</head>
<body>
{header}</div>
{main}
{footer}
</body>
</html>
"""


def extra_anchor(link) -> str:
    """A link the truth adds to a page (``corpus.ExtraLink``), opening in a new window."""
    return f'<a href="{escape(link.url or "")}" target="_blank">{escape(link.text)}</a>'


def link_items(links) -> str:
    """The home page's 专题专栏 links as ``<li>`` items."""
    return "\n".join(f"<li>{extra_anchor(link)}</li>" for link in links)


def home_main(news: str, links: str) -> str:
    """The home page's main block: 政务要闻 ``news`` items and 专题专栏 ``links`` items."""
    return f"""<div class="main">
<div class="news"><h3>政务要闻</h3><ul>
{news}
</ul></div>
<div class="links"><h3>专题专栏</h3><ul>
{links}
</ul></div>
</div>"""


def body_html(corpus, doc) -> str:
    """A document's full body (``Corpus.full_body``) as ``<p>`` lines, then its extra links."""
    lines = [f"<p>{escape(line)}</p>" for line in corpus.full_body(doc).split("\n")]
    lines += [f"<p>{extra_anchor(link)}</p>" for link in doc.extra_links]
    return "\n".join(lines)


#: how portals print a date (``str.format`` over the date ``d`` and its ISO form ``iso``): 2026-03-05,
#: 2026年3月5日, 2026/3/5, [2026-03-05], and a list date broken over lines
DATE_FORMS = {"iso": "{iso}", "cn": "{d.year}年{d.month}月{d.day}日", "slash": "{d.year}/{d.month}/{d.day}",
              "bracket": "[{iso}]", "split": "{d.year}-\n{d.month:02d}-\n{d.day:02d}"}


def date_text(d: date, form: str = "iso") -> str:
    """``d`` printed in one of :data:`DATE_FORMS` (ISO for a form not listed)."""
    return DATE_FORMS.get(form, DATE_FORMS["iso"]).format(d=d, iso=d.isoformat())


#: list-row markup: the row's anchor ``a``, its ``date`` text and its 1-based number ``n``
ROW_MARKUP = {
    "li_span": "<li>{a}<span>{date}</span></li>",
    "li_b": "<li>{a}<b>{date}</b></li>",
    "li_time": '<li>{a}<span class="time">{date}</span></li>',
    "tr": "<tr><td>{a}</td><td>{date}</td></tr>",
    "table": '<table width="100%"><tr><td class="xh">{n}</td><td class="bt">{a}</td><td class="rq">{date}</td></tr></table>',
    "div": '<div class="list-item"><div class="title">{a}</div><div class="date">{date}</div></div>',
    "dl": "<dl><dd>{a}</dd><dd>{date}</dd></dl>",
}


def row_html(kind: str, anchor: str, date_shown: str, n: int = 0) -> str:
    """One list row in the markup :data:`ROW_MARKUP` names ``kind``."""
    return ROW_MARKUP[kind].format(a=anchor, date=date_shown, n=n)
