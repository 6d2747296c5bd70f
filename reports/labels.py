"""The one label table: every word an auditor reads about evidence, in Simplified Chinese.

Evidence keys (``KEY_LABELS``), their enumerated values (``VALUE_LABELS``), the parts of a
section or page a rule looks for, column types, anti-bot signatures, CMS families, and the
data sources (``source`` / ``limit_source`` ids, printed with their full citation from
``data/sources.toml``). ``tests/test_report_labels.py`` renders every rule fixture and fails
when a raw identifier reaches the page, so a new evidence key needs a line here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from data import load_toml

# -- outcomes, severities, changes, verdicts, categories --------------------------------------
OUTCOME_LABELS = {
    "fail": "不符合",
    "review": "待人工复核",
    "pass": "符合",
    "not_applicable": "不适用",
    "error": "检查出错",
}
SEVERITY_ORDER = ("veto", "deduct", "advisory")
SEVERITY_LABELS = {"veto": "单项否决", "deduct": "扣分项", "advisory": "提示项"}
CHANGE_LABELS = {"new": "新发现", "persisting": "持续存在", "fixed": "已整改"}
VERDICT_CLASSES = {"合格": "pass", "不合格": "fail", "待复核": "review", "无法评定": "cannot"}
VERDICT_RANK = {"不合格": 0, "无法评定": 1, "待复核": 2, "合格": 3}

#: rule code prefix -> the inspection category it belongs to (JC19 categories and ours)
CATEGORY_LABELS = {
    "AV": "网站可用性",
    "FR": "信息更新",
    "LK": "链接可用性",
    "MD": "公开要素",
    "TM": "公开时效",
    "IN": "政策解读",
    "DI": "信息公开专栏",
    "ID": "网站标识",
}


def category_of(code: str) -> str:
    return CATEGORY_LABELS.get((code or "")[:2], "其他")


# -- evidence keys -----------------------------------------------------------------------------
KEY_LABELS: dict[str, str] = {
    # dates and the arithmetic on them
    "written_date": "成文日期",
    "pub_date": "发布日期",
    "deadline": "截止日期",
    "workdays_elapsed": "已用工作日",
    "limit_workdays": "时限（工作日）",
    "limit_source": "时限依据",
    "calendar": "节假日日历",
    "window": "监测期",
    "window_start": "监测期起始日",
    "window_days": "监测期（天）",
    "age_days": "距今天数",
    "newest_date": "最新信息日期",
    "newest_title": "最新信息标题",
    "newest_url": "最新信息地址",
    "year": "报告年度",
    "valid_until": "有效期至",
    "document_pub_date": "文件发布日期",
    "interpretation_pub_date": "解读发布日期",
    # fetching
    "fetched_at": "抓取时间",
    "checked_at": "检查时间",
    "body_sha": "页面快照哈希",
    "snapshot": "页面快照",
    "status": "状态",
    "final_url": "最终地址",
    "redirects": "跳转链",
    "hops": "跳转过程",
    "error": "错误",
    "content_type": "内容类型",
    "size": "大小（字节）",
    "latency_ms": "响应时间（毫秒）",
    "blocked": "拦截情况",
    "attempts": "检查记录",
    "first_failure": "首次失败",
    "confirmed": "确认方式",
    "origin": "结果来源",
    "cached_from_run": "沿用的检查批次",
    "method": "请求方法",
    "at": "时间",
    "class": "判定",
    "classification": "判定",
    "classification_name": "判定说明",
    "judged": "判定时机",
    "crawl_class": "抓取时的判定",
    "thresholds": "判定阈值",
    "min_file_bytes": "附件最小字节数",
    "get_below_bytes": "小于此字节数的网页须读取内容",
    "fingerprint_similarity": "与站点“页面不存在”页的相似度阈值",
    "name": "名称",
    "internal": "本站链接",
    "kind": "链接类型",
    "tag": "元素",
    "text": "链接文字",
    "anchor_text": "链接文字",
    "page": "所在页面",
    "pages": "出现页面数",
    "on_home_page": "出现在首页",
    "home_page": "首页出现位置",
    "home_pages": "首页出现位置",
    "other_pages": "其他页面出现位置",
    "targets": "链接数",
    # availability
    "probes": "监测次数",
    "failed": "无法访问次数",
    "required": "应监测次数",
    "per_day": "每日监测次数",
    "share": "无法访问比例",
    "max_failure_share": "否决比例",
    "failures": "无法访问记录",
    "probed_at": "监测时间",
    # columns and lists
    "column_type": "栏目类型",
    "entries": "列表条目数",
    "undated_entries": "无日期条目数",
    "placeholder": "显示“暂无信息”",
    "note": "说明",
    "items": "信息条目数",
    "dated_items": "带日期条目数",
    # metadata
    "index_no": "索引号",
    "publisher": "发布机构",
    "doc_no": "文号",
    "validity": "有效性",
    "statement": "有效期表述",
    "repealed_by": "废止该文件的文件",
    "missing": "缺少",
    "unreadable": "无法识别",
    "present": "已有",
    "found": "已找到",
    "text_chars": "页面文字数",
    "footer_found": "找到页面底部",
    # interpretation
    "candidates": "候选解读",
    "document_url": "文件地址",
    "interpretation_url": "解读地址",
    "confidence": "匹配置信度",
    "matched_by": "匹配依据",
    "document_links_to_interpretation": "文件链接到解读",
    "interpretation_links_to_document": "解读链接到文件",
    "scope": "解读要求范围",
    "scope_reason": "范围说明",
    "scope_source": "范围依据",
    # annual reports
    "reports_found": "已找到的年度",
    "report_url": "年报地址",
    "report_title": "年报标题",
    "reporting_body": "报告主体",
    # link target titles (LK003)
    "link_text": "链接文字",
    "named": "链接所指文件名",
    "target_title": "目标页面标题",
    "similarity": "相似度",
    "pass_similarity": "判定相符的相似度",
    "fail_similarity": "判定不符的相似度",
    # guide (DI002) and identity (ID001) elements
    "office": "工作机构名称",
    "address": "办公地址",
    "hours": "办公时间",
    "phone": "联系电话",
    "fax": "传真号码",
    "apply": "申请方式",
    "online": "互联网联系方式",
    "host": "主办单位",
    "police": "公安机关备案标识",
    "contact": "联系方式",
    "icp": "ICP备案编号",
    "conac": "党政机关网站标识",
    "site_code": "政府网站标识码",
    # generic
    "reason": "原因",
    "source": "依据",
    "url": "地址",
    "title": "标题",
    "column": "栏目",
    "count": "数量",
    "date": "日期",
    "expected": "应为",
    "actual": "实际",
    "classification_reason": "判定原因",
    "exception": "异常类型",
    "detail": "异常信息",
    "where": "出错位置",
}

#: what an extraction ``*_source`` value means
EXTRACTION_SOURCES = {"profile": "站点配置的选择器", "meta": "页面元数据标签", "table": "信息公开元数据表",
                      "list": "栏目列表", "api": "页面数据接口", "url": "网址中的日期", "text": "正文文字"}
SUFFIX_LABELS = (("_raw", "（页面原文）"), ("_source", "（提取来源）"))

#: the parts of a 政府信息公开 section (DI001 ``present`` / ``missing``)
SECTION_PARTS = {"guide": "政府信息公开指南", "rules": "政府信息公开制度", "statutory": "法定主动公开内容",
                 "annual_report": "政府信息公开年报"}

#: column types (``data/thresholds.toml`` [column_types])
COLUMN_TYPES = {"interpretation": "政策解读类", "normative": "规范性文件类", "policy": "政策文件类",
                "notice": "通知公告类", "dynamic": "动态要闻类", "plan": "规划计划类", "budget": "财政预决算类",
                "personnel": "人事信息类", "enforcement": "行政执法类", "proposal": "建议提案类",
                "project": "重大建设项目类"}

#: link classifications (crawler.linkcheck.classify.NAMES, with the words an auditor reads)
LINK_CLASSES = {"ok": "正常", "dead": "死链", "soft404": "软404（页面显示“不存在”）",
                "error_redirect": "跳转至错误页", "parent_redirect": "删除后跳转上级页面",
                "wrong_type": "附件类型不符", "tiny": "附件过小", "broken_image": "图片失效",
                "blocked": "访问受限（疑似反爬虫或防火墙拦截）", "unchecked": "未能检查"}

#: anti-bot signatures (crawler.antibot.blocked_reason): "<signature> (HTTP <status>)"
BLOCK_SIGNATURES = {"ruishu-412": "瑞数动态防护挑战页", "jiasule-cookie": "加速乐 Cookie 挑战页",
                    "js-cookie-challenge": "脚本 Cookie 挑战页", "captcha": "验证码页面",
                    "waf-page": "防火墙拦截页", "challenge status": "挑战状态码",
                    "rate limited": "请求过于频繁被限流",
                    "forbidden, probably a WAF or user-agent filter": "禁止访问（疑似防火墙或客户端过滤）"}

#: CMS families the crawler recognises
FAMILY_LABELS = {"hanweb": "大汉 JCMS", "trs": "拓尔思 TRS WCM", "gongkai": "政务公开平台（gongkai 式）",
                 "jsonfirst": "数据接口式平台", "gkmlpt": "政府信息公开目录平台",
                 "govcn": "国务院政策文件库式平台", "generic": "通用页面读取",
                 "bespoke": "自建系统（按站点配置读取）", "profile": "站点配置"}

#: network error kinds of the link checker and the probe
ERROR_KINDS = {"dns": "域名无法解析", "refused": "连接被拒绝", "timeout": "请求超时", "connection": "连接中断",
               "tls": "TLS/SSL 握手失败", "TimeoutError": "请求超时", "ConnectionRefusedError": "连接被拒绝",
               "ConnectionResetError": "连接被重置", "URLError": "网络错误", "HTTPError": "HTTP 错误",
               "RemoteDisconnected": "连接中断", "gaierror": "域名无法解析", "SSLError": "TLS/SSL 错误",
               "OSError": "系统网络错误", "CannotResolveHostError": "域名无法解析", "DNSLookupError": "域名无法解析",
               "TCPTimedOutError": "连接超时", "ConnectionLost": "连接中断", "ConnectionDone": "连接中断",
               "ResponseNeverReceived": "未收到响应", "ResponseFailed": "响应中断", "ResponseDataLossError": "响应数据不完整",
               "DownloadFailedError": "下载失败", "ConnectError": "连接失败", "NoRouteError": "网络不可达",
               "IgnoreRequest": "请求被跳过", "ConnectionAborted": "连接中断"}
_HOST = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,}|\d+\.\d+\.\d+\.\d+)(?::\d+)?", re.I)

VALUE_LABELS: dict[str, dict[Any, str]] = {
    "classification": LINK_CLASSES,
    "class": LINK_CLASSES,
    "crawl_class": LINK_CLASSES,
    "judged": {"audit": "审计时按现行阈值重新判定", "crawl": "抓取时判定"},
    "column_type": COLUMN_TYPES,
    "present": SECTION_PARTS,
    "kind": {"page": "网页", "file": "附件", "image": "图片", "home": "首页", "document": "文件页面",
             "list": "列表页", "error": "请求失败"},
    "tag": {"a": "超链接", "img": "图片", "iframe": "内嵌框架", "link": "页面资源", "script": "脚本",
            "embed": "嵌入对象", "object": "嵌入对象", "area": "图片热区", "frame": "框架"},
    "origin": {"fetch": "本次请求", "crawl": "抓取时取得", "cache": "沿用上次检查结果"},
    "source": {"fetch": "本次请求", "crawl": "抓取时取得", "cache": "沿用上次检查结果"},   # attempts[]
    "confirmed": {"recheck": "间隔后复查确认", "previous_run": "上次检查也失败", "retries": "多次重试均失败"},
    "matched_by": {"doc_no": "文号相同", "link": "页面互相链接", "title": "标题相同", "title_partial": "标题部分相同"},
    "calendar": {"chinese_calendar": "国务院办公厅历年节假日安排", "builtin": "国务院办公厅历年节假日安排"},
    "scope": {"normative": "规范性文件（须解读）", "own_policy": "本级政府或其办公室印发的政策文件（须解读）",
              "unclear": "无法确定是否须解读", "not_required": "无需解读", "other": "无需解读"},
    "method": {"GET": "GET 请求", "HEAD": "HEAD 请求"},
    "fr003_status": {"ok": "正常读取", "blocked": "被拦截", "uncertain": "无法确定", "error": "读取失败",
                     "empty": "无内容"},
}

#: evidence keys whose value is data from the page or the network, shown verbatim (URLs, titles,
#: hashes, quoted text); the label test does not treat them as identifiers
VERBATIM_KEYS = frozenset({
    "url", "final_url", "page", "newest_url", "document_url", "interpretation_url", "report_url",
    "repealed_by", "body_sha", "title", "newest_title", "report_title", "target_title", "text",
    "link_text", "anchor_text", "named", "statement", "doc_no", "index_no", "publisher", "validity",
    "reason", "classification_name", "scope_reason", "content_type", "redirects", "detail", "where", "exception",
    "home_pages", "snapshot", "window", "reporting_body",
}) | {k + "_raw" for k in ("written_date", "pub_date", "index_no", "publisher", "doc_no", "validity")}


def key_label(key: str) -> str:
    """Chinese label of an evidence key; ``x_raw`` / ``x_source`` derive from ``x``."""
    if key in KEY_LABELS:
        return KEY_LABELS[key]
    for suffix, label in SUFFIX_LABELS:
        if key.endswith(suffix) and key[: -len(suffix)] in KEY_LABELS:
            return KEY_LABELS[key[: -len(suffix)]] + label
    return key


# -- sources -------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _sources() -> dict[str, dict]:
    return load_toml("sources.toml")


def source_citation(source_id: str) -> str | None:
    """``pt61`` -> 国办公开办函〔2019〕61号《关于规范……的通知》二、规范政府信息公开平台栏目设置."""
    s = _sources().get(source_id)
    if not s:
        return None
    return f"{s.get('title', '')}{s.get('clause', '')}".strip() or None


def source_entry(source_id: str | None) -> dict | None:
    """The full source (title, clause, text, url) of a source id."""
    if not source_id:
        return None
    s = _sources().get(source_id)
    return dict(s) if s else None


# -- values --------------------------------------------------------------------------------------
_BLOCK = re.compile(r"^(?P<sig>.+?) \(HTTP (?P<status>\d+|None)\)$")


def blocked_label(text: str) -> str | None:
    """``"ruishu-412 (HTTP 412)"`` -> ``"瑞数动态防护挑战页（HTTP 412）"``; None if not a signature."""
    m = _BLOCK.match(text.strip())
    if m and m.group("sig") in BLOCK_SIGNATURES:
        status = m.group("status")
        return BLOCK_SIGNATURES[m.group("sig")] + (f"（HTTP {status}）" if status != "None" else "")
    if text in BLOCK_SIGNATURES:
        return BLOCK_SIGNATURES[text]
    return None


def error_label(text: str) -> str:
    """A network error as an auditor reads it, with the host it concerns:
    ``"CannotResolveHostError: DNS lookup failed: … bszs.conac.cn."`` -> ``"域名无法解析（bszs.conac.cn）"``.
    The English message itself stays in the result document and the exports."""
    name, sep, rest = text.partition(":")
    name = name.strip()
    if not sep and name in ERROR_KINDS:
        return ERROR_KINDS[name]
    label = ERROR_KINDS.get(name) or ("TLS/SSL 错误" if any(k in name for k in ("SSL", "TLS", "Certificate"))
                                      else "网络请求失败")
    hosts = list(dict.fromkeys(m.group(1).rstrip(".") for m in _HOST.finditer(rest)))
    return f"{label}（{'、'.join(hosts)}）" if hosts else label


#: the crawler's notes on a column or a fetch are English (crawler.items): the common ones in Chinese
NOTE_PATTERNS = [
    (re.compile(r"^no list rows found$"), "栏目页面未识别到列表条目"),
    (re.compile(r"^site profile selector (.+) matched no list rows$"), r"站点配置的列表选择器 \1 未匹配到条目"),
    (re.compile(r"^HTTP (\d+)$"), r"HTTP \1"),
    (re.compile(r"^list request (\S+) HTTP (\d+)$"), r"列表请求 \1 返回 HTTP \2"),
    (re.compile(r"^no 政府信息公开 link on the home page$"), "首页未找到“政府信息公开”链接"),
    (re.compile(r"^(?:jpage call|动静结合 script) without totalRecord: only the (?:embedded rows|static pages) were read$"),
     "列表未给出总条数，只读取了页面中直接给出的条目"),
    (re.compile(r"^(.+?) (?:page (\d+) )?returned (\d+) of (\d+) rows.*$"), r"列表接口返回 \3 条，应为 \4 条"),
    (re.compile(r"^(?:soft404|deleted): ?(.*)$"), r"页面已删除或显示“不存在”（\1）"),
]


def note_label(text: str) -> str:
    """A crawler note in Chinese; an unknown note is shown as the crawler's technical text."""
    blocked = blocked_label(text)
    if blocked:
        return blocked
    for pattern, repl in NOTE_PATTERNS:
        if pattern.match(text):
            return pattern.sub(repl, text)
    return f"抓取程序说明（英文原文）：{text}"


def value_label(key: str | None, value: Any) -> Any:
    """The Chinese text of an enumerated evidence value, or the value unchanged."""
    if not isinstance(value, str) or key is None:
        return value
    if key in ("source", "limit_source", "scope_source"):
        cited = source_citation(value)
        if cited:
            return cited
    if key.endswith("_source") and value in EXTRACTION_SOURCES:
        return EXTRACTION_SOURCES[value]
    if key in ("missing", "unreadable"):
        return SECTION_PARTS.get(value) or KEY_LABELS.get(value) or value
    if key == "note":
        return note_label(value)
    if key == "blocked":
        return blocked_label(value) or value
    if key == "error":
        return blocked_label(value) or error_label(value)
    if key == "status":
        return VALUE_LABELS["fr003_status"].get(value, value)
    if key == "family":
        return FAMILY_LABELS.get(value, value)
    table = VALUE_LABELS.get(key)
    if table and value in table:
        return table[value]
    return value


def family_label(family: str | None) -> str:
    if not family:
        return ""
    return FAMILY_LABELS.get(family, family)
