"""MD003 stale-validity: marked 有效 although its validity period lapsed or a later document repealed it."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Iterable

from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import disclosure_documents, to_date
from rules.interpretation import DOC_NO, QUOTED, doc_no_parts
from rules.registry import register

CN_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
UNTIL = re.compile(r"有效期(?:至|到|截至)\s*" + CN_DATE)
YEARS = re.compile(r"有效期(?:为|是)?\s*([0-9一二两三四五六七八九十]+)\s*年")
START = re.compile(r"自\s*" + CN_DATE + r"\s*起\s*(?:施行|实施|执行|生效)")
REPEAL = re.compile(r"废止|停止执行|不再执行|同时失效")
CN_NUM = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}


def _num(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 1:
        return CN_NUM.get(text)
    if text.startswith("十"):
        return 10 + CN_NUM.get(text[1], 0)
    return None


def _date(m: re.Match) -> date | None:
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def stated_end(text: str) -> tuple[date | None, str | None]:
    """``(last day in force, the sentence)`` from 有效期至… or 自…起施行，有效期N年; the sentence
    alone (date None) when a period is mentioned but cannot be read; ``(None, None)`` otherwise."""
    if m := UNTIL.search(text):
        return _date(m), m.group(0)
    if (y := YEARS.search(text)) and (s := START.search(text)) and (n := _num(y.group(1))) and (start := _date(s)):
        try:
            end = start.replace(year=start.year + n)
        except ValueError:          # 29 February
            end = start.replace(year=start.year + n, day=28)
        return end - timedelta(days=1), f"{s.group(0)}，{y.group(0)}"
    if "有效期" in text:
        return None, text[max(0, text.index("有效期") - 20): text.index("有效期") + 30]
    return None, None


def repeal_statements(docs: list[dict]) -> list[tuple[dict, str]]:
    """``(repealing document, sentence)`` for every sentence saying something is repealed."""
    out = []
    for d in docs:
        for sentence in re.split(r"[。；;\n]", d.get("body_text") or ""):
            if REPEAL.search(sentence) and ("《" in sentence or "〔" in sentence or "[" in sentence):
                out.append((d, sentence.strip()))
    return out


@register
class StaleValidity(Rule):
    code = "MD003"
    requires = ("documents",)

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        md = ctx.thresholds["metadata"]
        docs = disclosure_documents(site)
        statements = repeal_statements(docs)
        for doc in docs:
            validity = doc.get("validity") or ""
            if not any(w in validity for w in md["valid_words"]) or any(w in validity for w in md["invalid_words"]):
                continue
            url = doc["url"]
            common = {"column": (doc.get("columns") or [doc.get("column_name")])[0], "title": doc.get("title")}
            ev = {"validity": validity, "validity_raw": doc.get("validity_raw"), "source": md["validity_source"],
                  "fetched_at": doc.get("fetched_at"), "body_sha": doc.get("body_sha")}
            end, said = stated_end(doc.get("body_text") or "")
            if end and end < ctx.today:
                yield self.finding(Outcome.FAIL, site, url,
                                   f"页面标注“{validity}”，但文件载明“{said}”，已于 {end} 到期。",
                                   evidence={**ev, "valid_until": end.isoformat(), "statement": said}, **common)
                continue
            repeal = self.repealed_by(doc, statements)
            if repeal:
                other, sentence, strong = repeal
                ev.update({"repealed_by": other["url"], "statement": sentence})
                if strong:
                    yield self.finding(Outcome.FAIL, site, url,
                                       f"页面标注“{validity}”，但 {other.get('pub_date') or ''} 发布的《{other.get('title')}》"
                                       f"载明：“{sentence}”。", evidence=ev, **common)
                else:
                    yield self.finding(Outcome.REVIEW, site, url,
                                       f"《{other.get('title')}》载明“{sentence}”，疑似废止本文件（仅标题部分相符），请人工核对有效性。",
                                       evidence={**ev, "reason": "废止文件仅按标题部分匹配"}, **common)
                continue
            if said and end is None:
                yield self.finding(Outcome.REVIEW, site, url, f"文件提及有效期（“{said}”）但无法识别截止日期，请人工核对有效性。",
                                   evidence={**ev, "statement": said, "reason": "有效期无法识别"}, **common)
            else:
                note = f"，有效期至 {end}" if end else ""
                yield self.finding(Outcome.PASS, site, url, f"标注“{validity}”{note}，未发现废止或到期。",
                                   evidence={**ev, "valid_until": end.isoformat() if end else None}, **common)

    @staticmethod
    def repealed_by(doc: dict, statements: list[tuple[dict, str]]) -> tuple[dict, str, bool] | None:
        """The later document saying this one is repealed: by 文号 or exact 《title》 (strong),
        or by a partial title (weak)."""
        own_no = DOC_NO.search(doc.get("doc_no") or "")
        own = doc_no_parts(own_no) if own_no else None
        titles = {t for t in [doc.get("title") or "", *QUOTED.findall(doc.get("title") or "")] if len(t) >= 4}
        pub = to_date(doc.get("pub_date"))
        weak = None
        for other, sentence in statements:
            if other["url"] == doc["url"]:
                continue
            other_pub = to_date(other.get("pub_date"))
            if pub and other_pub and other_pub < pub:
                continue
            numbers = [doc_no_parts(m) for m in DOC_NO.finditer(sentence)]
            if numbers:     # a sentence citing 文号 is matched by 文号 only
                if own and any((y, n) == own[1:] and said.endswith(own[0]) for said, y, n in numbers):
                    return other, sentence, True
                continue
            quoted = set(QUOTED.findall(sentence))
            if quoted & titles:
                return other, sentence, True
            if not weak and any(len(q) >= 8 and any(q in t or t in q for t in titles) for q in quoted):
                weak = (other, sentence, False)
        return weak
