"""Finding the 政府信息公开 section and reading its column tree, with no site profile.

Pure functions over ``(url, html)``; the spider (``crawler.spiders.portal``) fetches and walks.

* :func:`section_candidates` ranks the home page's ways into the section, by text (政府信息公开,
  信息公开, 政务公开, 公开目录, 主动公开 …) and URL hints (xxgk, zfxxgk, zwgk, gongkai, gkml …),
  wherever the link is: ``<a>``/``<area>``, ``<option value>``, ``onclick``/``data-*``
  attributes, a menu built by script (URL and name in a script array or object), an iframe.
* :func:`nav_links` lists every navigation target on a page the same way; the spider walks the
  section breadth-first over them and :func:`classify` says what each page holds: a
  **category** (navigation to sub-columns, no dated rows), a **list** (dated rows or a pager),
  a **single** page (an article linked from navigation: 指南, 制度, 机构职能 …), a list
  **endpoint** (JSON/XML reply), or **other** (with the reason it was not understood).
* :func:`breadcrumb` reads 当前位置 trails, used to name a column by its path and to notice a
  page that lies outside the section.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from crawler.profiles.extract import absolute_url, clean, element_text, normalise_label, selector

#: section entry texts, best first (rank = position)
SECTION_TEXTS = ("政府信息公开", "政府信息公开目录", "政府信息公开平台", "信息公开", "信息公开目录",
                 "政务公开", "公开目录", "主动公开", "政府公开")
#: URL path hints of a section, best first
SECTION_HINTS = ("zfxxgk", "xxgk", "gkmlpt", "gkml", "gongkai", "zwgk", "govinfo", "gk")
#: navigation texts that are never a column: site chrome, search, pager, accessibility…
CHROME_WORDS = ("首页", "网站地图", "无障碍", "联系我们", "关于我们", "设为首页", "加入收藏", "english",
                "登录", "注册", "打印", "关闭", "返回", "搜索", "检索", "上一页", "下一页", "尾页", "末页",
                "上一篇", "下一篇", "长者模式", "关怀版", "繁體", "繁体", "简体", "站点地图", "rss",
                "手机版", "网站纠错", "我要纠错", "党政机关", "分享", "微信", "微博")
#: words naming disclosure content: a link so named is never chrome, even in the site header
DISCLOSURE_WORDS = ("公开", "政策", "文件", "解读", "规划", "计划", "财政", "预算", "决算", "预决算",
                    "人事", "指南", "制度", "年报", "年度报告", "机构", "职能", "通知", "公告", "执法",
                    "建议", "提案", "统计", "会议", "领导", "规范性", "重点领域", "法规", "公报",
                    "任免", "招考", "信息", "数据", "目录", "事项", "清单", "项目", "办理", "结果")
ROLE_WORDS = (("指南", "guide"), ("制度", "rules"), ("年报", "annual_report"), ("年度报告", "annual_report"))
CRUMB_LEAD = re.compile(r"(当前位置|您的位置|你的位置|所在位置|当前的位置|您现在的位置|您当前的位置|位置)\s*[:：]?")
CRUMB_SPLIT = re.compile(r"\s*(?:>>|>|›|»|＞|→|/|\\|-&gt;|＞＞)\s*")
FILE_PATH = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|ofd|wps|et|zip|rar|7z|jpe?g|png|gif|bmp|mp4|mp3|css|js|ico|svg)$", re.I)
SCRIPT_URL = re.compile(r"""(?P<q>['"])(?P<url>(?:https?://|/|\./|\.\./)[^'"\s<>]{1,300}|[\w./-]{1,200}\.(?:s?html?|jhtml|jsp|php|aspx?))(?P=q)""")
SCRIPT_TEXT = re.compile(r"""(?P<q>['"])(?P<text>[^'"<>{}\n]{0,40}[\u4e00-\u9fff][^'"<>{}\n]{0,40})(?P=q)""")
ONCLICK_URL = re.compile(r"""(?:location(?:\.href)?\s*=|window\.open\(|location\.assign\(|location\.replace\(|openUrl\(|go\(|href\s*=)\s*['"]([^'"]+)['"]""")
URL_ATTRS = ("data-href", "data-url", "data-go", "data-link", "data-src", "lay-href", "url")
#: longest link text taken for a column name (document titles are longer)
MAX_NAME = 18


@dataclass
class NavLink:
    """A navigation target on a page: where, what it is called, and how it was found."""

    url: str
    name: str
    how: str = "a"            # a | area | option | onclick | data | script | iframe | frame

    def __hash__(self) -> int:
        return hash(self.url)


MORE_TEXT = re.compile(r"^[+＋>》»\s]*(更多|more|查看更多|更多信息)?[+＋>》»\s]*$", re.I)
#: white space between two Chinese characters: a line break (``政府信息<br>公开指南``) or spacing
#: (``首　　页``) inside one name, not a separator (Chinese writes no spaces between words)
CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _name(el) -> str:
    text = CJK_GAP.sub("", element_text(el))
    title = clean(el.get("title"))
    if title and (not text or text.endswith(("…", "...", ".."))):
        return title
    text = text or title or clean(el.get("alt") or "")
    if text and MORE_TEXT.match(text):
        return _heading_for(el) or text
    return text


def _heading_for(el) -> str | None:
    """The name of a 更多 link: the tab label of the panel it sits in (the tab header holds one
    label per panel, in order), or the short heading just before its block."""
    for anc in list(el.iterancestors())[:4]:
        parent = anc.getparent()
        if parent is None:
            break
        panels = [c for c in parent if isinstance(c.tag, str)]
        header = parent.getprevious()
        if len(panels) > 1 and header is not None and anc in panels:
            labels = [c for c in header.iter("li", "span", "a", "h3", "h4") if clean(element_text(c))]
            labels = [c for c in labels if not any(True for _ in c.iterancestors() if _ in labels)]
            if len(labels) == len(panels):
                return clean(element_text(labels[panels.index(anc)]))
        for sib in anc.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            text = clean(element_text(sib))
            if text and len(text) <= 15 and not any(True for _ in sib.iter("a")):
                return text
            break
        own = [c for c in anc if isinstance(c.tag, str) and c.tag in ("h1", "h2", "h3", "h4", "h5", "span", "strong", "b", "em")
               and not any(True for _ in c.iter("a")) and 0 < len(clean(element_text(c))) <= 15]
        if own:
            return clean(element_text(own[0]))
    return None


def _attr_target(base: str, el) -> tuple[str | None, str]:
    """The URL an element points at through ``onclick`` or a ``data-*`` attribute."""
    onclick = el.get("onclick") or ""
    m = ONCLICK_URL.search(onclick)
    if m:
        return absolute_url(base, m.group(1)), "onclick"
    for attr in URL_ATTRS:
        value = el.get(attr)
        if value and not value.strip().lower().startswith("javascript"):
            return absolute_url(base, value), "data"
    return None, ""


def _script_links(base: str, script: str) -> list[NavLink]:
    """Menus written by script: each URL literal paired with the nearest short Chinese string
    before or after it within the same object or array entry (``{name:'指南', url:'/a/'}``,
    ``['指南', '/a/']``, ``'<a href="/a/">指南</a>'``)."""
    out: list[NavLink] = []
    # whole anchors inside strings (document.write / innerHTML)
    for m in re.finditer(r"""<a\b[^>]*?href\s*=\s*\\?["']([^"'\\]+)\\?["'][^>]*>([^<]{1,40})</a>""", script, re.I):
        target = absolute_url(base, m.group(1))
        if target:
            out.append(NavLink(target, clean(m.group(2)), "script"))
    # JSON-ish structures
    data = None
    for candidate in re.findall(r"(\[\s*\{.*?\}\s*\])", script, re.S):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        out += _json_links(base, data)
    # object literals (zTree nodes, menu configs): {name: "…", url: "…"} in either order
    for obj in re.findall(r"\{[^{}]{0,600}\}", script):
        name = re.search(r"""\b(?:name|title|text|label)\s*:\s*(['"])(.*?)\1""", obj)
        link = re.search(r"""\b(?:url|href|link|path)\s*:\s*(['"])(.*?)\1""", obj)
        if name and link and link.group(2) and not link.group(2).lower().startswith("javascript"):
            target = absolute_url(base, link.group(2))
            if target and not any(x.url == target for x in out):
                out.append(NavLink(target, clean(name.group(2)), "script"))
    done = {link.url for link in out}
    urls = list(SCRIPT_URL.finditer(script))
    texts = list(SCRIPT_TEXT.finditer(script))
    for u in urls:
        target = absolute_url(base, u.group("url"))
        if not target or target in done or FILE_PATH.search(urlsplit(target).path) or "/api/" in urlsplit(target).path:
            continue            # endpoints a page script calls are read by the list readers
        # nearest Chinese string literal not separated by an object/array boundary
        best, best_d = None, 10 ** 9
        for t in texts:
            lo, hi = sorted((t.end(), u.start())) if t.start() < u.start() else sorted((u.end(), t.start()))
            between = script[lo:hi]
            if len(between) > 80 or "}" in between or "{" in between or ";" in between:
                continue
            d = hi - lo
            if d < best_d:
                best, best_d = t, d
        if best is not None:
            out.append(NavLink(target, clean(best.group("text")), "script"))
    return out


def _json_links(base: str, data) -> list[NavLink]:
    """``[{name|title|text: …, url|href|link: …, children: […]}]`` trees."""
    out: list[NavLink] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            name = next((node[k] for k in ("name", "title", "text", "label", "cname") if isinstance(node.get(k), str)), None)
            link = next((node[k] for k in ("url", "href", "link", "path", "jump_url") if isinstance(node.get(k), str)), None)
            target = absolute_url(base, link) if link else None
            if name and target:
                out.append(NavLink(target, clean(name), "script"))
            for v in node.values():
                if isinstance(v, (list, dict)):
                    stack.append(v)
    return out


#: a script loading its menu from a data file: ``$.getJSON("/nav.json", …)``, ``fetch('…json')``
DATA_CALL = re.compile(r"""(?:getJSON|\.ajax|fetch|\.get|axios\.get|url\s*:)\s*\(?\s*\{?\s*(?:url\s*:\s*)?['"]([^'"]+\.json[^'"]*)['"]""")


def nav_links(url: str, html) -> list[NavLink]:
    """Every navigation target on a page, in document order, deduplicated by URL (a later
    non-empty name replaces an earlier one: the page's own navigation comes after the site's
    header). Honours ``<base href>``. A JSON body (a menu a script loads) gives the
    ``{name, url, children}`` nodes it holds; a script that loads such a menu gives its data
    URL, as a link of kind ``data``."""
    if isinstance(html, str) and html.lstrip()[:1] in ("[", "{"):
        try:
            return _json_links(url, json.loads(html))
        except ValueError:
            pass
    sel = selector(html)
    root = sel.root
    base = absolute_url(url, sel.xpath("//base/@href").get() or "") or url
    found: dict[str, NavLink] = {}

    def add(target: str | None, name: str, how: str) -> None:
        if not target or urlsplit(target).scheme not in ("http", "https"):
            return
        link = found.get(target)
        if link is None:
            found[target] = NavLink(target, name, how)
        elif name and (not link.name or not _is_chrome_name(name) and not MORE_TEXT.match(name)
                       or _is_chrome_name(link.name)):
            # the later name: a page's own navigation comes after its header; but a footer's
            # 返回首页, or a 更多> whose heading was not found, does not rename a column the page
            # named before
            link.name = name

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag in ("a", "area"):
            href = (el.get("href") or "").strip()
            target = absolute_url(base, href) if href and not href.lower().startswith("javascript") else None
            if target and "#" in href and urldefrag(urljoin(base, href))[0] == urldefrag(url)[0]:
                continue            # an in-page anchor (a menu header's href="#"), not a way to the page
            how = tag
            if not target:
                target, how = _attr_target(base, el)
            add(target, _name(el), how)
        elif tag == "option":
            value = el.get("value")
            target = absolute_url(base, value) if value and ("/" in value or "." in value) else None
            add(target, element_text(el), "option")
        elif tag in ("iframe", "frame"):
            add(absolute_url(base, el.get("src")), clean(el.get("title") or el.get("name") or ""), tag)
        elif tag == "script" and el.text and not el.get("src"):
            for m in DATA_CALL.finditer(el.text):
                add(absolute_url(base, m.group(1)), "", "data")
            for link in _script_links(base, el.text):
                if link.url not in found:
                    add(link.url, link.name, "script")
        elif el.get("onclick") or any(el.get(a) for a in URL_ATTRS):
            target, how = _attr_target(base, el)
            add(target, element_text(el), how)
    return list(found.values())


def _is_chrome_name(name: str) -> bool:
    n = normalise_label(name).lower()
    return not n or any(w in n for w in CHROME_WORDS) and not any(w in n for w in DISCLOSURE_WORDS[:3])


def section_candidates(url: str, html) -> list[NavLink]:
    """The home page's ways into the 政府信息公开 section, best first: exact entry texts, then
    texts containing one, then URL hints; same-site and other hosts alike."""
    ranked: list[tuple[tuple, NavLink]] = []
    home = urlsplit(url)
    for i, link in enumerate(nav_links(url, html)):
        if link.how in ("iframe", "frame") and not link.name:
            continue
        parts = urlsplit(link.url)
        if parts._replace(fragment="") == home._replace(fragment="") or FILE_PATH.search(parts.path):
            continue
        name = normalise_label(link.name)
        path = parts.path.lower() + " " + parts.netloc.lower().split(":")[0]
        hint = next((j for j, h in enumerate(SECTION_HINTS) if re.search(rf"(^|[/._\-\s]){h}([/._\-]|\d|$)", path)), None)
        part = any(w in name for w in ("年报", "年度报告", "指南", "制度", "申请"))   # a part of a section
        if name in SECTION_TEXTS:
            rank = (0, SECTION_TEXTS.index(name))
        elif part:
            continue
        elif name and len(name) <= 12 and (k := next((j for j, t in enumerate(SECTION_TEXTS) if t in name), None)) is not None:
            rank = (1, k)
        elif hint is not None and (not name or len(name) <= 12) and not _is_chrome_name(name or "x"):
            rank = (2, hint)
        else:
            continue
        ranked.append(((*rank, i), link))
    ranked.sort(key=lambda r: r[0])
    out, seen = [], set()
    for _, link in ranked:
        if link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return out


def section_text(name: str) -> bool:
    """True when a link text names a way into a disclosure section (政务公开, 信息公开 …)."""
    n = normalise_label(name)
    return n in SECTION_TEXTS


def breadcrumb(html) -> list[str] | None:
    """The names of a 当前位置 trail (首页 > 政府信息公开 > 通知公告), or None when the page has none."""
    root = selector(html).root
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "head", "meta", "body", "html"):
            continue
        own = clean((el.text or "") + "".join((c.tail or "") for c in el))
        text = element_text(el)
        if len(text) > 200 or not CRUMB_LEAD.search(text[:12]):
            continue
        if not CRUMB_LEAD.search(own) and not any(CRUMB_LEAD.search(element_text(c)) for c in el if isinstance(c.tag, str) and len(element_text(c)) < 12):
            continue
        rest = CRUMB_LEAD.split(text, maxsplit=1)[-1]
        names = [n for n in (clean(x) for x in CRUMB_SPLIT.split(rest)) if n]
        if names:
            return names
    return None


def role_of(name: str) -> str | None:
    """指南 / 制度 / 年报 entries of a section, by name (法定主动公开内容 columns: None)."""
    n = normalise_label(name)
    if "公开" not in n and n not in ("指南", "制度", "年报", "年度报告", "工作年报", "工作年度报告"):
        return None
    return next((role for word, role in ROLE_WORDS if word in n), None)


#: how document titles end (a link so named, ten characters or longer, is a document, not a column)
TITLE_ENDINGS = ("通知", "意见", "办法", "方案", "规定", "决定", "公告", "通告", "报告", "批复", "细则", "措施",
                 "解读", "答复", "公示", "纪要", "要点", "总结", "条例", "复函", "说明", "的函")


#: the longest 法定主动公开内容 category name taken as a column name
MAX_CATEGORY_NAME = 60


def statutory_category(name: str) -> bool:
    """A long column name of the kind the 条例 lists for 法定主动公开内容 (``扶贫、教育、医疗、社会保障、
    促进就业等方面的政策、措施及其实施情况``, ``机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名``):
    an enumeration joined by 、, with no number, 〔〕 document number or 关于 of a document's title."""
    n = normalise_label(name)
    return MAX_NAME < len(n) <= MAX_CATEGORY_NAME and "、" in n and not re.search(r"[0-9０-９〔〕\[\]]|关于|号", n) \
        and not n.endswith(TITLE_ENDINGS)


def usable_name(name: str) -> bool:
    """A link text that can name a column: short (or a 法定主动公开内容 category's long name), not
    site chrome, not a document's title."""
    n = normalise_label(name)
    if len(n) >= 10 and n.endswith(TITLE_ENDINGS) and role_of(n) is None:
        return False
    return bool(re.search(r"[\u4e00-\u9fffA-Za-z]{2}", n)) and (len(n) <= MAX_NAME or statutory_category(n)) \
        and not _is_chrome_name(name)


def is_file(url: str) -> bool:
    return bool(FILE_PATH.search(urlsplit(url).path))


#: classification of a page in the section's tree
KINDS = ("section", "category", "list", "single", "endpoint", "other")


def looks_like_endpoint(body: str) -> bool:
    head = (body or "").lstrip()[:200]
    return head.startswith(("{", "[")) or head.startswith("<datastore") or \
        (head.startswith("<?xml") and "<html" not in head.lower())


def more_links(url: str, html, candidates: set[str]) -> int:
    """How many distinct 更多 / more links point at ``candidates`` (a category page that shows a
    few rows of each sub-column under a 更多 link)."""
    targets = set()
    for a in selector(html).root.iter("a"):
        text = normalise_label(element_text(a) or a.get("title") or "").lower()
        if text in ("更多", "more", "更多>>", "更多>", "more>>", "+更多", "更多+", ">>") or text.startswith("更多"):
            target = absolute_url(url, a.get("href"))
            if target in candidates:
                targets.add(target)
    return len(targets)


def section_nav(url: str, html, shared: set[str], home_links: set[str]) -> set[str]:
    """Of the links a section page shares with the home page (``shared``: header and footer
    candidates), those that sit in one of the section's own link lists: a list or block whose
    other links are mostly not on the home page, or under a heading that names disclosure
    (a column linked both from the home page's quick links and from the 法定主动公开内容 block
    is a column, not site chrome)."""
    kept: set[str] = set()
    root = selector(html).root
    for a in root.iter("a"):
        target = absolute_url(url, a.get("href"))
        if target not in shared or target in kept:
            continue
        for container in list(a.iterancestors())[:4]:
            if container.tag in ("body", "html"):
                break
            own = element_text(container)
            if CRUMB_LEAD.search(own[:12]):
                break           # a 当前位置 trail names ancestors, not the section's columns
            for x in container.iter("a"):
                own = own.replace(element_text(x), " ", 1)
            if "公开" in own:        # under a heading such as 法定主动公开内容
                kept.add(target)
                break
            targets = {absolute_url(url, x.get("href")) for x in container.iter("a")} - {None, target}
            if len(targets) >= 2:
                if sum(1 for t in targets if t not in home_links) * 2 > len(targets):
                    kept.add(target)
                break
    return kept


DATEISH = re.compile(r"(?<!\d)\d{1,4}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2})?(?!\d)")


def row_links(url: str, html) -> set[str]:
    """Links that sit in repeated rows with document-like titles: an element with at least
    four children of one tag (two when every one shows something like a date), most holding
    exactly one link, whose texts average ten or more characters (column names are shorter). A page showing such rows without dates the list
    readers understand is a list that was not read, and its rows are not navigation."""
    out: set[str] = set()
    for el in selector(html).root.iter():
        kids = [k for k in el if isinstance(k.tag, str)]
        if len(kids) < 2:
            continue
        tag = max({k.tag for k in kids}, key=lambda t: sum(1 for k in kids if k.tag == t))
        same = [k for k in kids if k.tag == tag]
        singles = [links[0] for k in same if len(links := [a for a in k.iter("a") if a.get("href")]) == 1]
        dated = all(DATEISH.search(element_text(k)) for k in same)    # dates no reader understood
        if len(same) < (2 if dated else 4) or len(singles) < 0.8 * len(same):
            continue
        names = [normalise_label(_name(a)) for a in singles]
        if sum(len(n) for n in names) / len(names) < 10:
            continue
        out |= {t for a in singles if (t := absolute_url(url, a.get("href")))}
    return out


def preview_links(url: str, html) -> set[str]:
    """Document links shown as a preview beside a 更多 link (a tab panel or block with a
    column's latest titles): not navigation. Only title-like texts (ten characters or more)
    count, so a block of column names ending in 更多栏目 stays navigation."""
    out: set[str] = set()
    for a in selector(html).root.iter("a"):
        text = element_text(a)
        if not text or not MORE_TEXT.match(text):
            continue
        for container in list(a.iterancestors())[:2]:
            others = [x for x in container.iter("a") if x is not a and x.get("href")]
            if others:
                out |= {t for x in others if len(normalise_label(_name(x))) >= 10
                        and (t := absolute_url(url, x.get("href")))}
                break
    return out
