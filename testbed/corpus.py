"""Deterministic corpus for the simulated portals (the testbed).

One corpus is the *truth*: a site with columns and documents with their true metadata and
the violations planted on purpose. Each portal style (``testbed.styles``) renders
the same truth in its own CMS family's shapes and assigns URLs; the answer key is the
truth plus those URLs (:func:`answer_key`). Generation depends only on the seed.
"""
from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from testbed.dates import DateOracle as WorkCalendar
from testbed.render import date_text

AS_OF = date(2026, 11, 20)   # the testbed's "today"; the calendar covers 2004-2026

TOPICS = [
    "安全生产", "城乡环境整治", "就业创业", "农村人居环境整治", "优化营商环境", "养老服务体系建设",
    "防汛抗旱", "招商引资", "生态环境保护", "义务教育优质均衡发展", "医疗保障", "消防安全",
    "秸秆禁烧", "冬季清洁取暖", "食品安全", "乡村振兴", "政务公开", "数字政府建设", "物业管理",
    "城市更新", "老旧小区改造", "住房公积金", "残疾人就业", "粮食安全", "森林防火",
    "文明城市创建", "燃气安全", "科技创新", "中小企业发展", "公共法律服务", "河长制",
    "校外培训监管", "农贸市场管理", "道路交通安全", "城市供水", "人才引进", "社会救助",
    "突发事件应急", "殡葬管理", "地质灾害防治",
]
VERBS = ["实施意见", "管理办法", "工作方案", "实施细则", "若干措施", "行动计划", "暂行办法", "指导意见"]
PUBLISHERS = [
    ("明湖市人民政府", "明政发"), ("明湖市人民政府办公室", "明政办发"),
    ("明湖市发展和改革委员会", "明发改"), ("明湖市财政局", "明财"),
    ("明湖市人力资源和社会保障局", "明人社发"), ("明湖市住房和城乡建设局", "明建发"),
    ("明湖市应急管理局", "明应急"), ("明湖市生态环境局", "明环发"),
]
ORG_CODE = "11371100MB2850{:04d}"


@dataclass
class Attachment:
    name: str
    ext: str                     # pdf | docx | xls | ofd | wps | zip | jpg
    key: str                     # stable id, used by styles to build the URL
    #: how the style must serve it (``files.attachment_response``): "ok" (a real file of its
    #: type), "missing" (404), "tiny" (200 with a 2-byte body), "wrong_type" (200 with an HTML
    #: error page), "octet" (a real file as application/octet-stream: not broken)
    state: str = "ok"
    url: str | None = None


@dataclass
class ExtraLink:
    """A link a style must render in a document body (besides attachments and 解读 links)."""

    text: str
    #: "doc:<key>" (another document), "dead" (a same-site URL answering 404),
    #: "external-dead" (an unresolvable host), "soft404" (200 page saying 页面不存在)
    target: str
    url: str | None = None       # assigned by the style


#: which pages carry the 解读 <-> 文件 link, by ``Doc.interp_links``:
#: (the document links its 解读, the 解读 links back to the document)
INTERP_LINK_SIDES = {"both": (True, True), "doc_only": (True, False), "interp_only": (False, True),
                     "none": (False, False)}


@dataclass
class Doc:
    key: str
    column: str                  # primary column key
    kind: str                    # normative | policy | interpretation | notice | plan | budget | personnel | enforcement | proposal
    title: str
    pub_date: date
    written_date: date | None
    index_no: str | None
    publisher: str | None
    doc_no: str | None
    validity: str | None
    category: str
    body: str
    also_in: list[str] = field(default_factory=list)     # cross-listed columns
    attachments: list[Attachment] = field(default_factory=list)
    interprets: str | None = None          # for a 解读: key of the document it explains
    interpretation: str | None = None      # for a policy: key of its 解读
    #: which pages carry the 解读 <-> 文件 link: "both" | "doc_only" | "interp_only" | "none"
    interp_links: str = "both"
    #: a stated validity period ("有效期至YYYY年M月D日") the style prints in the body
    valid_until: date | None = None
    #: key of a later document that repeals this one (its body says so)
    repealed_by: str | None = None
    extra_links: list[ExtraLink] = field(default_factory=list)
    #: how a missing field is shown: field -> "omit" (label absent) | "blank" | "无" | "〔〕号"
    missing_shown: dict[str, str] = field(default_factory=dict)
    url: str | None = None                 # assigned by the style

    def columns(self) -> list[str]:
        return [self.column, *self.also_in]

    def shown(self, field: str | None, value: str | None, default: str = "blank") -> str | None:
        """The text a page prints for ``field``: ``value``, or when it is missing what
        ``missing_shown`` says (``default`` where it says nothing): None to omit the item,
        "" for a blank, or a placeholder such as 无 / 〔〕号."""
        if value is not None:
            return value
        how = self.missing_shown.get(field, default)
        return None if how == "omit" else ("" if how == "blank" else how)


@dataclass
class Column:
    key: str          # ASCII slug, used in URLs by styles
    name: str
    type: str         # notice | policy | normative | interpretation | plan | budget | personnel | enforcement | proposal
    docs: list[str] = field(default_factory=list)
    url: str | None = None


@dataclass
class SiteTruth:
    """Site-level facts every style renders (home page, footer, 公开 section, guide)."""

    #: footer elements -> text; None means the element is missing (ID001)
    footer: dict[str, str | None] = field(default_factory=lambda: {
        "host": "主办单位：明湖市人民政府办公室",
        "site_code": "网站标识码：3711000001",
        "icp": "鲁ICP备12345678号",
        "police": "鲁公网安备 37110002000123号",
        "conac": "党政机关",                     # the 党政机关 badge (an img with this alt, linking to conac)
        "contact": "联系电话：0531-12345678",
    })
    #: parts of the 政府信息公开 section -> present? (DI001)
    sections: dict[str, bool] = field(default_factory=lambda: {
        "guide": True, "rules": True, "statutory": True, "annual_report": True})
    #: 指南 elements (条例 Art. 12) -> text; None means missing (DI002)
    guide: dict[str, str | None] = field(default_factory=lambda: {
        "office": "政府信息公开工作机构：明湖市人民政府办公室政务公开科",
        "address": "办公地址：明湖市泉城路1号",
        "hours": "办公时间：工作日上午9:00-12:00，下午13:30-17:00",
        "phone": "联系电话：0531-12345678",
        "fax": "传真号码：0531-12345679",
        "online": "互联网联系方式：http://www.minghu.gov.cn/ysqgk/",
        "apply": "申请方式：申请人可以通过互联网、信函、当面提交等方式提出政府信息公开申请。",
    })
    #: dated items in the home page news block, newest first: (key, title, date) (FR001)
    home_news: list[tuple[str, str, date]] = field(default_factory=list)
    #: 政府信息公开年报: (key, year reported on, pub_date, title) (TM002)
    annual_reports: list[tuple[str, int, date, str]] = field(default_factory=list)
    #: columns (keys) deliberately left empty with a 暂无信息 placeholder (FR003)
    empty_columns: list[str] = field(default_factory=list)
    #: links on the home page that are dead, by the same scheme as ExtraLink (LK001)
    home_links: list[ExtraLink] = field(default_factory=list)
    #: the section page, set by a style serving several organ sections (their DI001, DI002
    #: and TM002 cases are judged per section; see plant_rules.SiteViolation)
    section_url: str | None = None


@dataclass
class Violation:
    code: str
    key: str          # document or column key
    note: str
    url: str | None = None


@dataclass
class Corpus:
    site_name: str
    as_of: date
    columns: list[Column]
    docs: dict[str, Doc]
    site: SiteTruth = field(default_factory=SiteTruth)
    violations: list[Violation] = field(default_factory=list)
    #: cases built to sit just inside a rule (must NOT fail): code -> [(key, note)]
    near_misses: list[Violation] = field(default_factory=list)
    #: the seed it was built from (chooses the site-level plan, ``plant_rules.SITE_PLANS``)
    seed: int = 1

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def full_body(self, doc: Doc) -> str:
        """The body text every style prints: the document's text plus the sentences that state
        its validity period and the documents it repeals (so all styles say the same)."""
        lines = [doc.body]
        for other in self.docs.values():
            if other.repealed_by == doc.key:
                lines.append(f"《{other.title}》（{other.doc_no or '无文号'}）同时废止。")
        if doc.valid_until:
            lines.append(f"本文件自印发之日起施行，有效期至{date_text(doc.valid_until, 'cn')}。")
        return "\n".join(lines)

    def dead_urls(self) -> set[str]:
        """URLs the truth makes dead on purpose (LK001/LK002 targets, known once a style has
        bound): attachments not in state "ok" and links whose target is not a document."""
        out = {a.url for d in self.docs.values() for a in d.attachments if a.state not in ("ok", "octet")}
        links = [link for d in self.docs.values() for link in d.extra_links] + self.site.home_links
        out |= {link.url for link in links if not link.target.startswith("doc:")}
        return {u for u in out if u}

    def docs_in(self, column_key: str) -> list[Doc]:
        """Documents listed in a column, newest first (as portals list them)."""
        docs = [self.docs[k] for k in self.column(column_key).docs]
        return sorted(docs, key=lambda d: (d.pub_date, d.key), reverse=True)


# Columns under 法定主动公开内容: (key, name, type, number of documents)
COLUMNS = [
    ("tzgg", "通知公告", "notice", 40),
    ("zcwj", "政策文件", "policy", 60),
    ("gfxwj", "规范性文件", "normative", 30),
    ("zcjd", "政策解读", "interpretation", 0),   # filled from policies
    ("ghjh", "规划计划", "plan", 20),
    ("czyjs", "财政预决算", "budget", 24),
    ("rsxx", "人事信息", "personnel", 30),
    ("xzzf", "行政执法", "enforcement", 36),
    ("jytabl", "建议提案办理", "proposal", 20),
]


def draw_doc_no(rng: random.Random, prefix: str, year: int, used: set[str], spread: int = 60) -> str:
    """A 文号 not used before in the corpus (real 文号 are unique): its number drawn from
    1..``spread`` + the count already used."""
    while (no := f"{prefix}〔{year}〕{rng.randint(1, spread + len(used))}号") in used:
        pass
    used.add(no)
    return no


def draw_title(rng: random.Random, templates: list[str], draws: dict[str, Callable[[], object]] | None = None,
               **values: object) -> str:
    """A title from ``templates`` (``str.format`` fields filled from ``values``), chosen by ``rng``.
    A field named in ``draws`` is drawn afresh for each template that uses it, template by
    template, before the choice (the order a list of f-strings with random parts is evaluated
    in, so a seed keeps drawing the same titles). A single template is used without a draw."""
    texts = []
    for template in templates:
        fields = dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(template) if f in (draws or {}))
        texts.append(template.format(**values, **{f: draws[f]() for f in fields}))
    return texts[0] if len(texts) == 1 else rng.choice(texts)


_POLICY_TITLES = ["明湖市人民政府关于印发《明湖市{topic}{verb}》的通知",
                  "明湖市人民政府办公室关于进一步加强{topic}工作的{verb_or_notice}",
                  "关于印发明湖市{year}年{topic}{verb}的通知"]
#: document kind -> its title templates ({topic} {verb} {year} {last_year}; {n99} {n300} {surname} drawn)
TITLES = {
    "normative": _POLICY_TITLES,
    "policy": _POLICY_TITLES,
    "notice": ["关于开展{year}年度{topic}专项检查的通知", "关于{topic}有关事项的公告", "明湖市关于{topic}工作的通告"],
    "plan": ["明湖市“十四五”{topic}规划", "明湖市{year}年{topic}工作要点", "{year}年{topic}工作总结"],
    "budget": ["明湖市{year}年度部门预算公开", "明湖市{last_year}年度部门决算公开", "明湖市{year}年“三公”经费预算说明"],
    "personnel": ["明湖市人民政府关于{surname}某某等同志职务任免的通知",
                  "{year}年明湖市事业单位公开招聘工作人员拟聘用人员公示"],
    "enforcement": ["明湖市{topic}领域行政处罚决定书（明罚决字〔{year}〕{n99}号）",
                    "{year}年度“双随机、一公开”抽查结果公示（{topic}）"],
    "proposal": ["对市人大代表第{n300}号建议的答复（{topic}）", "对市政协委员第{n300}号提案的答复（{topic}）"],
}


def _title(rng: random.Random, kind: str, topic: str, year: int) -> str:
    verb = rng.choice(VERBS)
    if kind not in TITLES:
        raise ValueError(kind)
    draws = {"n99": lambda: rng.randint(1, 99), "n300": lambda: rng.randint(1, 300),
             "surname": lambda: rng.choice("王李张刘陈杨赵黄周吴")}
    return draw_title(rng, TITLES[kind], draws, topic=topic, verb=verb, year=year, last_year=year - 1,
                      verb_or_notice=verb if verb.endswith("意见") else "通知")


def _body(title: str, topic: str) -> str:
    return (f"{title}\n各区县人民政府，市政府各部门：\n为深入贯彻落实上级关于{topic}的决策部署，"
            f"结合我市实际，现就有关事项通知如下。\n一、总体要求\n坚持以人民为中心，"
            f"统筹推进{topic}各项工作。\n二、主要任务\n（一）健全工作机制。（二）强化监督检查。\n"
            f"三、保障措施\n各单位要高度重视，确保各项任务落到实处。")


def _working_days_back(cal: WorkCalendar, d: date, n: int) -> date:
    """A date w such that d is the n-th working day strictly after w (n >= 1)."""
    w = d - timedelta(days=1)
    while cal.workdays_between(w, d) < n:
        w -= timedelta(days=1)
    # step back over non-working days that do not change the count
    while cal.workdays_between(w - timedelta(days=1), d) == n:
        w -= timedelta(days=1)
    return w


def _random_workday(rng: random.Random, cal: WorkCalendar, lo: date, hi: date) -> date:
    while True:
        d = lo + timedelta(days=rng.randint(0, (hi - lo).days))
        if cal.is_workday(d):
            return d


def zcjd_candidates(docs: dict[str, Doc]):
    return [k for k, d in docs.items() if d.kind in ("policy", "normative")]


def answer_key(corpus: Corpus, base_url: str) -> dict:
    """The truth with URLs, as JSON-able data (written next to a served site)."""
    names = {c.key: c.name for c in corpus.columns}
    return {
        "site": base_url,
        "site_name": corpus.site_name,
        "as_of": corpus.as_of.isoformat(),
        "columns": [{"key": c.key, "name": c.name, "type": c.type, "url": c.url,
                     "documents": len(c.docs)} for c in corpus.columns],
        "documents": [
            {
                "key": d.key, "url": d.url, "kind": d.kind,
                "columns": [names[c] for c in d.columns()],
                "title": d.title, "index_no": d.index_no, "publisher": d.publisher,
                "doc_no": d.doc_no,
                "written_date": d.written_date.isoformat() if d.written_date else None,
                "pub_date": d.pub_date.isoformat(), "validity": d.validity,
                "interprets": corpus.docs[d.interprets].url if d.interprets else None,
            }
            for d in corpus.docs.values()
        ],
        "violations": [{"code": v.code, "key": v.key, "url": _url_of(corpus, v), "note": v.note}
                       for v in corpus.violations],
        "near_misses": [{"code": v.code, "key": v.key, "url": _url_of(corpus, v), "note": v.note}
                        for v in corpus.near_misses],
    }


def _url_of(corpus: Corpus, v: Violation) -> str | None:
    if v.url:
        return v.url
    if getattr(v, "target", None) is not None:    # a planted link (plant_links): its URL once bound
        return v.target.url
    if v.key in corpus.docs:
        return corpus.docs[v.key].url
    return next((c.url for c in corpus.columns if c.key == v.key), None)
