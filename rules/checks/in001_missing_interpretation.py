"""IN001 missing-interpretation: a document that requires a 解读 has none.

Which documents require one is data (``[interpretation.scope]`` in data/thresholds.toml, each case
with its reason): a 规范性文件; a 政策文件 with a 文号 issued by the site's own government or its
office; not the others. A 政策文件 whose issuer cannot be told is sent to review."""
from __future__ import annotations

from typing import Iterable

from data import load_toml
from rules.base import Context, Finding, Outcome, Rule, Severity, SiteArtifacts
from rules.computed import column_type, disclosure_documents, doc_types, is_blocked, list_columns
from rules.interpretation import VIA_WORDS, interpretation_scope, is_interpretation, match_all
from rules.registry import register


@register
class MissingInterpretation(Rule):
    code = "IN001"
    requires = ("documents", "links", "columns")

    @staticmethod
    def scope_doc(thresholds: dict) -> str:
        """The scope table of docs/rules/IN001.md, from ``[interpretation.scope]``."""
        scope = thresholds["interpretation"]["scope"]
        sources = load_toml("sources.toml")
        cases = (("normative", "a document of a 规范性文件 column"),
                 ("own_policy", "a 政策文件 with a 文号 whose 发布机构 is the site's own government "
                                f"(the site's name, ending in {' / '.join(scope['government_endings'])}) "
                                f"or its {' / '.join(scope['own_offices'])}"),
                 ("other", "any other document: a department's 政策文件, one reposted from another "
                           "government, one without a 文号"))
        rows = ["| case | which documents | requires a 解读 | reason | source |", "|---|---|---|---|---|"]
        for key, what in cases:
            c = scope[key]
            src = sources.get(c.get("source"), {})
            rows.append(f"| `{key}` | {what} | {'yes' if c['required'] else 'no'} | {c['reason']} | "
                        f"{src.get('title', '')}{src.get('clause', '')} |")
        return ("Which documents must have a 解读 is data (`[interpretation.scope]` in `data/thresholds.toml`), "
                "checked in this order:\n\n" + "\n".join(rows) + "\n\n"
                "A 政策文件 with a 文号 that reads as a government's or its office's "
                f"(`{'`, `'.join(scope['government_doc_no'])}`) but no 发布机构 shown, or issued by a "
                "government when the site's name does not say which government it is, is sent to `review`: "
                "whether it requires a 解读 cannot be told.\n")

    def check(self, site: SiteArtifacts, ctx: Context) -> Iterable[Finding]:
        cfg = ctx.thresholds["interpretation"]
        matches = match_all(site, ctx.thresholds)
        interp_cols = [c for c in list_columns(site) if column_type(c["name"], ctx.thresholds) == "interpretation"]
        unread = [c for c in interp_cols if is_blocked(c) or c.get("status") in ("error", "incomplete", "pending")]
        for doc in disclosure_documents(site):
            if is_interpretation(doc, ctx.thresholds):
                continue
            scope = interpretation_scope(doc, site.name, ctx.thresholds)
            if scope.required is False:
                continue
            url = doc["url"]
            common = {"column": (doc.get("columns") or [doc.get("column_name")])[0], "title": doc.get("title")}
            found = matches.get(url, [])
            strong = [m for m in found if m.strong(ctx.thresholds)]
            ev = {"source": cfg["required_source"], "doc_no": doc.get("doc_no"),
                  "scope": scope.case, "scope_reason": scope.reason, "scope_source": scope.source,
                  "candidates": [m.evidence() for m in found]}
            if strong:
                j = strong[0].interp
                yield self.finding(Outcome.PASS, site, url, f"已发布解读《{j.get('title')}》（匹配依据：{'、'.join(VIA_WORDS.get(v, v) for v in strong[0].via)}）。",
                                   evidence=ev, **common)
            elif found:
                j = found[0].interp
                yield self.finding(Outcome.REVIEW, site, url,
                                   f"疑似解读《{j.get('title')}》仅按标题部分相符（置信度 {found[0].confidence}），"
                                   f"无链接或文号佐证，请人工确认是否为本文件的解读。",
                                   evidence={**ev, "reason": "匹配置信度低"}, **common)
            elif not doc.get("title") and not doc.get("doc_no"):
                reason = "本文件的标题和文号均未能识别，无法与解读比对"
                yield self.finding(Outcome.REVIEW, site, url, f"未找到本文件的解读，但{reason}，请人工核对。",
                                   evidence={**ev, "reason": reason}, **common)
            elif unread:
                reason = "政策解读栏目未能完整获取"
                yield self.finding(Outcome.REVIEW, site, url, f"未找到本文件的解读，但{reason}，请人工核对。",
                                   evidence={**ev, "reason": reason}, **common)
            elif scope.required is None:
                yield self.finding(Outcome.REVIEW, site, url, f"未找到本文件的解读；{scope.reason}，请人工核对。",
                                   evidence={**ev, "reason": scope.reason}, **common)
            else:
                what = "规范性文件" if scope.case == "normative" else "本级政府（办公室）印发的政策文件"
                yield self.finding(Outcome.FAIL, site, url,
                                   f"{what}{('（' + doc['doc_no'] + '）') if doc.get('doc_no') else ''}未找到对应的政策解读："
                                   "文件页面无解读链接，解读栏目中也没有引用其标题或文号的解读。",
                                   evidence=ev, **common)
