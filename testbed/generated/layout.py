"""The seeded layout and truth of a generated portal.

Every axis is drawn from its own random stream (``random.Random(f"gen:{seed}:{axis}")``), so no
axis value depends on another: changing one axis (``draw_layout(seed, pager="post_form")``)
leaves every other axis as it was. The shapes behind each value come from how real portals are
built (``/work/shared/reference/portal-structures.md``, the saved real pages), cited per value in
``AXES_DOC``; values marked [U] there are plausible shapes not seen first-hand.

The truth (column tree, documents and their metadata) is drawn from a third stream,
``gen:{seed}:content``, and uses :class:`testbed.corpus.Doc` so the rest of the testbed can
read it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from testbed.dates import DateOracle as WorkCalendar
from testbed.corpus import (
    AS_OF, TOPICS, VERBS, Doc, _random_workday, _working_days_back, draw_doc_no, draw_title,
)

#: axis -> its values, in a fixed order (the draw is uniform over them)
AXES: dict[str, tuple[str, ...]] = {
    # category levels above the lists, the section page included (1: section -> lists)
    "depth": ("1", "2", "3", "4"),
    # how a category page lists its sub-columns
    "nav": ("left_ul", "tabs", "tree", "select", "accordion", "iframe", "script_array", "json"),
    # the 政府信息公开 entry on the home page: its text, its URL, and the markup carrying it
    "entry_text": ("政府信息公开", "信息公开", "政务公开", "政府信息公开目录", "公开目录", "主动公开"),
    "entry_path": ("xxgk", "zfxxgk", "zwgk", "gongkai", "gkml", "col"),
    "entry_link": ("a", "script_menu", "onclick", "data_attr", "select", "iframe"),
    # single-page columns (指南, 制度, 机构职能): their own page, an article URL, or ?open=
    "singles": ("page", "article", "query"),
    # list rows
    "rows": ("ul_li", "table", "div", "dl_dd"),
    "titles": ("full", "cut_ellipsis", "cut_dots"),
    "dates": ("iso", "cn", "slash", "bracket_md"),
    "pager": ("trs_create", "index_links", "query_page", "post_form", "jpaas_json",
              "datastore_wrapped", "datastore_bare", "static_dynamic"),
    # the document page
    "meta_layout": ("table", "dl_dt", "spans", "meta_only"),
    "labels": ("national", "zhejiang", "zibo"),
    "label_spacing": ("none", "space", "ideographic", "ensp"),
    "colon": ("fullwidth", "ascii", "none"),
    "meta_dates": ("iso", "cn", "slash"),
    # bytes and URLs
    "encoding": ("utf8", "gbk", "gbk_as_gb2312"),
    "ext": ("htm", "html", "shtml", "jhtml"),
    "doc_url": ("trs", "hanweb", "content"),
    "column_url": ("dirs", "col"),
    "hrefs": ("relative", "root", "absolute", "protocol_relative"),
    "section_host": ("same", "other"),
    "cross_list": ("no", "yes"),
    # a column with nothing in it yet (暂无信息), and the sibling columns beside a list
    "empty_column": ("no", "yes"),
    "list_sidebar": ("none", "siblings"),
}

AXES_DOC = {
    "depth": "1-4 category pages above the lists (政府信息公开 → 法定主动公开内容 → 财政信息 → 预决算 → 部门预算) [C §5]",
    "nav": "left <ul>; tabs whose panels link the column only by 更多; nested tree <ul>; <select><option value>; "
           "accordion with javascript:; headings; same-origin <iframe> holding the nav [C §4]; zTree-like "
           "script array of {id,pId,name,url}; JSON file read by script (gkmlpt TREE-like) [C §1.8]",
    "entry_text": "the entry's text on the home page (and the section's name) [C §5, issue 9]",
    "entry_path": "the section's URL: /xxgk/ /zfxxgk/ /zwgk/ /gongkai/ /gkml/, or an opaque Hanweb /col/col{id}/ [C]",
    "entry_link": "plain <a>; document.write menu from a script array; onclick=location.href; "
                  "data-url on a javascript:void(0) anchor; <select onchange>; inside an <iframe> nav",
    "singles": "an article page of its own; the nav links an article URL (TRS publishes 指南 as a document); "
               "?open=zfxxgkzd on the parent page (Zibo) [C §1.7]",
    "rows": "ul/li + span; a 序号|标题|日期 table; divs; Fujian dl/dd (<dl><dd><a>title</a></dd><dd>date</dd></dl>) [C issue 9]",
    "titles": "anchor text cut with … or ... (Hanweb 06.xml), full title in title= [C]",
    "dates": "2026-03-05; 2026年3月5日 [U as a list date]; 2026/3/5 [U]; [03-05] with the year only in the URL",
    "pager": "TRS createPageHTML(n,cur,'index',ext) with index_N (0-based) and no <a> [C 05.html]; "
             "static index_N links, page 2 = index_2 (JEECMS-like); ?page=N links; POST form (pageNo) with "
             "goPage(n); Hanweb JPaaS unitbuild + JSON {data:{html}} with paramJson paging [C §1.2]; Hanweb "
             "datastore embedded in <script type=text/xml> + jpage({totalRecord}) + POST dataproxy.jsp "
             "startrecord/endrecord [C §1.1]; bare datastore answers from GET dataproxy.jsp?page=N with "
             "nextgroup, no totalrecord [C 06.xml; the page calling it is U]; TRS 动静结合: static pages "
             "switched by $showStatic(n) in one index + pageChnlInfo{recordCount, prepage, maxStaticIndex, "
             "classsql: \"\" || \"chnlid=N\"} + POST /fjdzapp/search (answer shape U) [C issue 9]",
    "meta_layout": "label td + value td, two pairs a row (gov.cn bd1, Hanweb); dl/dt/dd; spans two pairs a row "
                   "(Zibo); no block at all: only <meta> ArticleTitle/PubDate/ContentSource (gov.cn articles) [C]",
    "labels": "national (索引号 主题分类 发文机关 成文日期 标题 发文字号 发布日期 有效性); Zhejiang Hanweb "
              "(索引号 组配分类 发布机构 生成日期 文件编号 统一编号 有效性); Zibo (标题 索引号 文号 发文日期 发布机构) [C §1, §2]",
    "label_spacing": "索引号 / 索 引 号 / 索　引　号 / 索&ensp;引&ensp;号 (2-character labels padded twice) [C]",
    "colon": "： / : / none [C]",
    "meta_dates": "metadata dates as 2026-03-05, 2026年3月5日 or 2026/3/5 [U for the last two]",
    "encoding": "UTF-8; GBK declared gbk with no charset header; GBK bytes declared gb2312 with characters "
                "outside GB2312 in the text (堃, 喆, 昇 …) [C TRS]",
    "ext": ".htm .html .shtml .jhtml document and static list pages",
    "doc_url": "TRS ./YYYYMM/tYYYYMMDD_id; Hanweb /art/Y/M/D/art_col_id; gov.cn content/YYYYMM/content_id [C]",
    "column_url": "pinyin-initial directories (fdzdgknr/czxx/bmys/) or Hanweb /col/col{id}/index.ext [C]",
    "hrefs": "relative (../../), root-relative, absolute, protocol-relative (//host/path) [C]",
    "section_host": "the section on the home page's host, or on another host name of the same server "
                    "(xxgk.example.gov.cn) [C §1.7, issue 9]",
    "cross_list": "one document also listed in a second column (one URL) [C Pingtan]",
    "empty_column": "a 通知公告 column showing only 暂无信息 [C FR003-style empty columns]",
    "list_sidebar": "list pages bare, or with a left nav of their sibling columns (TRS, Hanweb) [C]",
}

PAGE_SIZE = 2            # rows per static/query/POST/JPaaS page
DS_PER_PAGE, DS_GROUP = 1, 2     # Hanweb jpage perPage / groupSize (first group embedded)
SD_PREPAGE, SD_MAX_STATIC = 1, 2  # 动静结合: rows per page, static pages in index


def axis_value(seed: int, axis: str) -> str:
    return random.Random(f"gen:{seed}:{axis}").choice(AXES[axis])


def draw_layout(seed: int, **override: str) -> dict[str, str]:
    """The layout of seed ``seed``: each axis from its own stream; ``override`` fixes some axes."""
    layout = {axis: axis_value(seed, axis) for axis in AXES}
    for axis, value in override.items():
        if axis not in AXES or value not in AXES[axis]:
            raise ValueError(f"unknown layout value {axis}={value!r}")
        layout[axis] = value
    return layout


# -- the column tree ------------------------------------------------------------------------
SECTION_SINGLES = [("政府信息公开指南", "zfxxgkzn"), ("政府信息公开制度", "zfxxgkzd")]
REPORTS = ("政府信息公开年报", "zfxxgknb")
STATUTORY = ("法定主动公开内容", "fdzdgknr")
FUNCTIONS = ("机构职能", "jgzn")
#: (group, subgroup, [(leaf, slug, kind), (leaf, slug, kind)]); names are unique across units
UNITS = [
    (("财政信息", "czxx"), ("预决算", "yjs"), [("部门预算", "bmys", "budget"), ("部门决算", "bmjs", "budget")]),
    (("财政信息", "czxx"), ("三公经费", "sgjf"), [("三公经费预算", "sgjfys", "budget"), ("三公经费决算", "sgjfjs", "budget")]),
    (("管理公开", "glgk"), ("双随机一公开", "ssjygk"), [("抽查计划", "ccjh", "enforcement"), ("抽查结果", "ccjg", "enforcement")]),
    (("决策公开", "jcgk"), ("政策解读", "zcjd"), [("图文解读", "twjd", "interpretation"), ("上级文件解读", "sjwjjd", "interpretation")]),
    (("法规公文", "fggw"), ("政府文件", "zfwj"), [("规范性文件", "gfxwj", "normative"), ("其他文件", "qtwj", "policy")]),
    (("规划计划", "ghjh"), ("发展规划", "fzgh"), [("专项规划", "zxgh", "plan"), ("年度计划", "ndjh", "plan")]),
    (("行政执法", "xzzf"), ("执法公示", "zfgs"), [("事前公开", "sqgk", "enforcement"), ("事后公开", "shgk", "enforcement")]),
    (("人事信息", "rsxx"), ("人事任免", "rsrm"), [("干部任免", "gbrm", "personnel"), ("公务员招录", "gwyzl", "personnel")]),
    (("建议提案", "jyta"), ("办理结果", "bljg"), [("人大代表建议", "rddbjy", "proposal"), ("政协委员提案", "zxwyta", "proposal")]),
]
#: districts, each named with a character outside GB2312 (in GBK), so every publisher carries one
#: and a reader trusting a gb2312 declaration gets it wrong
DISTRICTS = ["堃山区", "昇平区", "玥湖区", "喆阳区", "镕城区", "珺山县", "淏河县", "翀平县"]
RARE_NAMES = ["张喆", "王堃", "李玥", "赵昇", "刘镕"]


@dataclass
class Node:
    id: int
    name: str
    slug: str
    kind: str                         # category | list | single
    parent: "Node | None" = None
    children: list["Node"] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)     # listed here, newest first (lists)
    body: list[str] = field(default_factory=list)     # single pages
    date: date | None = None                          # single pages: 时间
    url: str = ""                                     # as linked (assigned at bind)
    folder: str = ""                                  # path of the folder serving the node

    def add(self, child: "Node") -> "Node":
        child.parent = self
        self.children.append(child)
        return child

    @property
    def path(self) -> list[str]:
        """Names from below the section down to this node (the section itself: [])."""
        out, n = [], self
        while n.parent is not None:
            out.append(n.name)
            n = n.parent
        return out[::-1]

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Truth:
    site_name: str
    district: str
    section: Node
    docs: list[Doc]                                  # every document, in creation order
    reports_node: Node
    primary: dict[str, Node] = field(default_factory=dict)   # doc key -> the list it lives under
    news: list[tuple[str, date]] = field(default_factory=list)


#: document kind -> its title templates ({place} {topic} {verb} {year} {last_year}; {name} {n300} drawn)
TITLES = {
    "normative": ["{place}人民政府关于印发《{place}{topic}{verb}》的通知", "{place}人民政府办公室关于印发{place}{topic}{verb}的通知"],
    "policy": ["{place}人民政府办公室关于进一步加强{topic}工作的通知", "关于印发{place}{year}年{topic}工作要点的通知"],
    "interpretation": ["《{place}{topic}{verb}》政策解读", "图解：{place}{topic}{verb}"],
    "budget": ["{place}{year}年度部门预算公开", "{place}{last_year}年度部门决算公开", "{place}{year}年“三公”经费预算说明"],
    "enforcement": ["{year}年度“双随机、一公开”抽查结果公示（{topic}）", "{place}{topic}领域{year}年度抽查工作计划"],
    "plan": ["{place}“十四五”{topic}规划", "{place}{year}年{topic}工作计划"],
    "personnel": ["{place}人民政府关于{name}等同志职务任免的通知", "{year}年{place}公开招录公务员拟录用人员公示"],
    "proposal": ["对区人大代表第{n300}号建议的答复（{topic}）", "对区政协委员第{n300}号提案的答复（{topic}）"],
    "report": ["{place}人民政府{last_year}年政府信息公开工作年度报告"],
}


def _title(rng: random.Random, kind: str, district: str, year: int) -> str:
    topic, verb = rng.choice(TOPICS), rng.choice(VERBS)
    if kind not in TITLES:
        raise ValueError(kind)
    draws = {"name": lambda: rng.choice(RARE_NAMES), "n300": lambda: rng.randint(1, 300)}
    return draw_title(rng, TITLES[kind], draws, place=district, topic=topic, verb=verb, year=year,
                      last_year=year - 1)


def build_truth(seed: int, layout: dict[str, str], scale: float = 1.0, as_of: date = AS_OF) -> Truth:
    rng = random.Random(f"gen:{seed}:content")
    cal = WorkCalendar()
    district = rng.choice(DISTRICTS)
    city = rng.choice(["明湖市", "青州市", "临江市", "安平市"])
    site_name = f"{city}{district}人民政府"
    publishers = [(f"{district}人民政府", district[0] + "政发"), (f"{district}人民政府办公室", district[0] + "政办发"),
                  (f"{district}财政局", district[0] + "财"), (f"{district}发展和改革局", district[0] + "发改"),
                  (f"{district}应急管理局", district[0] + "应急")]
    org = f"1137{seed % 100:02d}00MB{rng.randint(100000, 999999)}"

    ids = iter(range(100, 10_000))
    section = Node(next(ids), layout["entry_text"], layout["entry_path"], "category")
    depth = int(layout["depth"])
    units = rng.sample(UNITS, rng.choice([2, 3]))

    def single(parent: Node, name: str, slug: str) -> None:
        node = parent.add(Node(next(ids), name, slug, "single"))
        node.date = as_of - timedelta(days=rng.randint(30, 400))
        node.body = [f"{site_name}{name}", f"根据《中华人民共和国政府信息公开条例》，现将{name}有关内容公布如下。",
                     "一、工作机构和联系方式。", "二、主动公开的范围和方式。", "三、依申请公开的办理程序。"]

    for name, slug in SECTION_SINGLES:
        single(section, name, slug)
    content = section.add(Node(next(ids), *STATUTORY, "category")) if depth >= 2 else section
    single(content, *FUNCTIONS)
    leaves: list[Node] = []
    made: dict[str, Node] = {}
    for (group, sub, unit_leaves) in units:
        parent = content
        if depth >= 3:
            if group[0] not in made:
                made[group[0]] = content.add(Node(next(ids), *group, "category"))
            parent = made[group[0]]
        if depth >= 4:
            parent = parent.add(Node(next(ids), *sub, "category"))
        for name, slug, kind in unit_leaves:
            leaf = parent.add(Node(next(ids), name, slug, "list"))
            leaf.body = [kind]                       # (the documents' kind)
            leaves.append(leaf)
    reports = section.add(Node(next(ids), *REPORTS, "list"))
    reports.body = ["report"]

    start, end = as_of - timedelta(days=700), as_of - timedelta(days=3)
    docs: list[Doc] = []
    truth = Truth(site_name, district, section, docs, reports)
    used_nos: set[str] = set()

    def new_doc(leaf: Node, kind: str, pub: date | None = None) -> Doc:
        n = len(docs) + 1
        pub = pub or _random_workday(rng, cal, start, end)
        publisher, prefix = rng.choice(publishers)
        lag = rng.randint(0, 12)
        written = _working_days_back(cal, pub, lag) if lag else pub
        title = _title(rng, kind, district, written.year if kind != "report" else pub.year)
        doc_no = None
        if kind in ("normative", "policy") or (kind == "budget" and rng.random() < 0.3):
            doc_no = draw_doc_no(rng, prefix, written.year, used_nos, spread=40)
        validity = (rng.choice(["有效"] * 8 + ["失效", "废止"]) if kind in ("normative", "policy") else None)
        doc = Doc(key=f"g{n:04d}", column=str(leaf.id), kind=kind, title=title, pub_date=pub,
                  written_date=written if rng.random() > 0.1 else None,
                  index_no=f"{org}/{written.year}-{n:05d}", publisher=publisher, doc_no=doc_no,
                  validity=validity, category=rng.choice(["综合政务", "财政金融", "城乡建设", "劳动人事", "公共安全"]),
                  body=f"{title}\n为深入贯彻落实上级关于{rng.choice(TOPICS)}的决策部署，结合我区实际，现就有关事项通知如下。\n"
                       "一、总体要求\n二、主要任务\n三、保障措施")
        for f in ("doc_no", "validity", "written_date"):
            if getattr(doc, f) is None:
                doc.missing_shown[f] = rng.choice(["omit", "blank", "无"] + (["〔〕号"] if f == "doc_no" else []))
        docs.append(doc)
        truth.primary[doc.key] = leaf
        leaf.docs.append(doc)
        return doc

    for leaf in leaves:
        for _ in range(max(1, round(rng.randint(2, 5) * scale))):
            new_doc(leaf, leaf.body[0])
    for year in sorted(rng.sample(range(as_of.year - 4, as_of.year), rng.choice([2, 3]))):
        new_doc(reports, "report", _random_workday(rng, cal, date(year + 1, 1, 5), date(year + 1, 1, 30)))
    if layout["cross_list"] == "yes":
        src, dst = leaves[0], leaves[-1]
        doc = src.docs[0]
        doc.also_in.append(str(dst.id))
        dst.docs.append(doc)
    if layout["empty_column"] == "yes":
        content.add(Node(next(ids), "通知公告", "tzgg", "list"))
    for node in section.walk():
        node.docs.sort(key=lambda d: (d.pub_date, d.key), reverse=True)
        if node.kind == "list":
            node.body = []
    for i in range(4):
        truth.news.append((f"{district}召开{rng.choice(TOPICS)}工作推进会", as_of - timedelta(days=2 + 5 * i)))
    return truth
