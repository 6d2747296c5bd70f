"""Plant the link violations of the testbed corpus (LK001–LK003).

Styles render them (``Attachment.state``, ``Doc.extra_links``, ``SiteTruth.home_links``) and
assign their URLs when they bind; each planted :class:`~testbed.corpus.Violation`
keeps the link or attachment it is about as ``target``, so the answer key gives the URL the
finding must carry (the dead target, or for LK003 the page the wrong link opens).
"""
from __future__ import annotations

import random
import re
from difflib import SequenceMatcher

from testbed.corpus import Corpus, Doc, ExtraLink, Violation
from testbed.dates import DateOracle as WorkCalendar

#: document kinds whose bodies may carry planted links (not policies or 解读: the 解读 rules
#: read those bodies for 《titles》)
HOSTS = ("notice", "plan", "personnel", "enforcement", "proposal")


def _planted(code: str, key: str, note: str, target) -> Violation:
    """A case about a link or attachment (a failure, or a near miss that must pass)."""
    v = Violation(code, key, note)
    v.target = target          # resolved to target.url by corpus.answer_key (set when a style binds)
    return v


def _norm(text: str) -> str:
    return re.sub(r"[\s《》“”（）()〔〕，。、]", "", text)


def _unlike(a: Doc, b: Doc) -> bool:
    """Titles clearly different, also in their 《quoted》 parts (a sure 错链, not a near one)."""
    parts = [b.title, *re.findall(r"《([^》]+)》", b.title)]
    return max(SequenceMatcher(None, _norm(a.title), _norm(p)).ratio() for p in parts) < 0.3


def plant_links(corpus: Corpus, rng: random.Random, cal: WorkCalendar) -> None:
    docs = sorted(corpus.docs.values(), key=lambda d: d.key)
    hosts = [d for d in docs if d.kind in HOSTS and not d.extra_links]
    rng.shuffle(hosts)

    # LK002: attachments that are missing (404), 2 bytes long, or an HTML error page
    with_files = [d for d in docs if d.attachments]
    rng.shuffle(with_files)
    notes = {"missing": "附件链接返回404，无法下载", "tiny": "附件只有2字节", "wrong_type": "附件地址返回的是HTML错误页"}
    for doc, state in zip(with_files, ("missing", "tiny", "wrong_type")):
        att = doc.attachments[0]
        att.state = state
        corpus.violations.append(_planted("LK002", doc.key, notes[state], att))

    # LK001: dead links in document bodies and on the home page
    for doc, (target, text, note) in zip(hosts, [
            ("dead", "相关政策文件汇编", "正文链接指向已删除的页面（404）"),
            ("external-dead", "上级部门网站", "正文链接指向无法解析的外部网站"),
            ("soft404", "办事指南详情", "正文链接指向返回200的“页面不存在”页面（软404）")]):
        link = ExtraLink(text, target)
        doc.extra_links.append(link)
        corpus.violations.append(_planted("LK001", doc.key, note, link))
    link = ExtraLink("政务服务专栏", "dead")
    corpus.site.home_links.append(link)
    corpus.violations.append(_planted("LK001", "home", "首页链接指向已删除的页面（404）", link))

    # LK003 错链: the link names one document (its full title) and opens another
    opened_keys: set[str] = set()
    for host in hosts[3:5]:
        named = next(d for d in docs if d.key != host.key and d.kind in ("notice", "plan"))
        opened = next(d for d in reversed(docs) if d.key not in (host.key, named.key, *opened_keys)
                      and _unlike(named, d))
        opened_keys.add(opened.key)      # two 错链 open two different pages
        link = ExtraLink(named.title, f"doc:{opened.key}")
        host.extra_links.append(link)
        corpus.violations.append(_planted("LK003", host.key, f"链接文字为《{named.title}》，实际打开的是另一份文件", link))
        docs.remove(named)          # the next host names a different document

    # near misses: what must not be reported
    for doc in with_files[3:4]:      # a real file served with a generic type and no file name
        att = doc.attachments[0]
        att.state = "octet"
        corpus.near_misses.append(_planted("LK002", doc.key, "附件以application/octet-stream返回，内容是有效文件", att))
    targets = [d for d in docs if d.kind in ("notice", "plan") and len(d.title) > 16]
    for i, host in enumerate(hosts[5:7]):     # a link named by its target's title cut short
        target = [d for d in targets if d.key != host.key][i]
        link = ExtraLink(target.title[:12] + "…", f"doc:{target.key}")
        host.extra_links.append(link)
        corpus.near_misses.append(_planted("LK003", host.key, "链接文字是目标文件标题的截断，指向正确", link))
    for host in hosts[7:8]:                   # a link with no title in its text, to a live page
        link = ExtraLink("点击查看", f"doc:{targets[-1].key}")
        host.extra_links.append(link)
        corpus.near_misses.append(_planted("LK001", host.key, "链接文字不含标题（点击查看），指向有效页面", link))
